"""Removing an attachment's row removes its stored file, after the transaction
commits (a rollback keeps both)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from kollegan.files.models import Attachment


@receiver(post_delete, sender=Attachment)
def remove_stored_file(sender, instance: Attachment, **kwargs) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
