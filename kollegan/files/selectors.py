"""Reading attachments: an item's list for its page (one query for any number
of items and files), and one attachment with its item for the download."""

from django.db.models import QuerySet

from kollegan.files.models import Attachment
from kollegan.lib.validation import is_row_id

OWNER_FIELDS = ("document", "adoption", "note", "question", "message")
# What a list shows: never the extracted text (up to 200,000 characters each).
LIST_FIELDS = ("id", "name", "content_type", "size", "created_at", *OWNER_FIELDS)


def attachments_for(owner_field: str, ids: list[int]) -> dict[int, list[Attachment]]:
    """Each item's attachments, oldest first: {item id: [attachment, …]}. Checks
    nobody's access: the caller shows only items the viewer may see."""
    if owner_field not in OWNER_FIELDS:
        raise ValueError(f"unknown owner field {owner_field!r}")
    found: dict[int, list[Attachment]] = {}
    if not ids:
        return found
    rows = (
        Attachment.objects.filter(**{f"{owner_field}_id__in": ids})
        .only(*LIST_FIELDS)
        .order_by("created_at", "id")
    )
    for attachment in rows:
        found.setdefault(getattr(attachment, f"{owner_field}_id"), []).append(attachment)
    return found


def _with_owners() -> QuerySet[Attachment]:
    return Attachment.objects.defer("text").select_related(
        "document", "adoption", "adoption__document", "note", "question", "message"
    )


def attachment_for(pk: int) -> Attachment | None:
    """One attachment and its item, whoever may see it (the caller checks)."""
    if not is_row_id(pk):
        return None
    return _with_owners().filter(pk=pk).first()
