"""Keeping the index in step with the content, inside the content's own
transaction: a save, a delete, a change of topics or attachments, or a
moderator hiding or restoring a text (which updates the row directly, so the
models send ``visibility_changed`` for it)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from kollegan.core.signals import visibility_changed
from kollegan.search import indexing
from kollegan.search.sources import BY_MODEL, SOURCES

# Texts whose visibility decides that of the texts under them.
PARENTS = {"question", "post"}


def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    source = BY_MODEL[sender]
    if update_fields is not None and not (set(update_fields) & source.fields):
        return
    if source.kind in PARENTS and not created and "hidden_at" in (update_fields or ()):
        _reindex(instance)
        return
    indexing.index(instance)


def _deleted(sender, instance, **kwargs) -> None:
    indexing.remove(BY_MODEL[sender].kind, [instance.pk])


def _reindex(instance) -> None:
    """The item again from the database, with everything under it."""
    source = BY_MODEL.get(type(instance))
    if source is None:
        return
    if source.kind in PARENTS:
        indexing.reindex_thread(f"{source.kind}:{instance.pk}")
    else:
        indexing.index_by_id(source.kind, [instance.pk])


def _visibility(sender, instance, **kwargs) -> None:
    _reindex(instance)


def _topics_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # changed from the topic's (or label's) side: ``model`` is the item's
        source = BY_MODEL.get(model)
        if source is not None and pk_set:
            indexing.index_by_id(source.kind, sorted(pk_set))
        return
    _reindex(instance)


def _attachment_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    for kind in ("document", "note", "question"):
        owner_id = getattr(instance, f"{kind}_id", None)
        if owner_id:
            indexing.index_by_id(kind, [owner_id])


def connect() -> None:
    from kollegan.accounts.models import Member
    from kollegan.files.models import Attachment

    for model in BY_MODEL:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-del-{model.__name__}")
    for source in SOURCES.values():
        topics = getattr(source.model, "topics", None)
        if topics is not None:
            m2m_changed.connect(
                _topics_changed, sender=topics.through, dispatch_uid=f"search-m2m-{source.kind}"
            )
    m2m_changed.connect(
        _topics_changed, sender=Member.expertise.through, dispatch_uid="search-m2m-expertise"
    )
    post_save.connect(_attachment_changed, sender=Attachment, dispatch_uid="search-file-save")
    post_delete.connect(_attachment_changed, sender=Attachment, dispatch_uid="search-file-del")
    visibility_changed.connect(_visibility, dispatch_uid="search-visibility")
