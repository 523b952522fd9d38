"""A member whose access ends is cut off the chat at once: the save that ends
it tells their open sockets to close (each chat process's sweep catches any
path that does not save, such as a membership date passing, within seconds)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from kollegan.chat import realtime


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="chat-access-ended")
def _access_ended(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.is_active:
        return
    member_id = instance.pk
    transaction.on_commit(lambda: realtime.close_member(member_id))
