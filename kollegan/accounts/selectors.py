from django.db.models import Q

from kollegan.accounts.models import Organisation

_SUFFIX = " kommun"


def organisation_by_name(name: str) -> Organisation | None:
    """Find an organisation by name or short name, ignoring case ("malå", "Malå kommun",
    "ÅSELE KOMMUN")."""
    name = " ".join(name.split())
    if not name:
        return None
    short = name[: -len(_SUFFIX)] if name.casefold().endswith(_SUFFIX) else name
    organisation = (
        Organisation.objects.filter(
            Q(name__iexact=name) | Q(name__iexact=short) | Q(slug__iexact=short)
        )
        .order_by("pk")
        .first()
    )
    if organisation is not None:
        return organisation
    # SQLite folds only ASCII case in iexact, so "åsele" misses "Åsele" there:
    # compare in Python as well (operators' commands only; organisations are few).
    wanted = {name.casefold(), short.casefold()}
    for candidate in Organisation.objects.order_by("pk"):
        if candidate.name.casefold() in wanted or candidate.slug.casefold() in wanted:
            return candidate
    return None
