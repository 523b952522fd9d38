from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    MEMBER_INVITED = "member_invited", _("Invited a member")
    INVITATION_REVOKED = "invitation_revoked", _("Revoked an invitation")
    INVITATION_ACCEPTED = "invitation_accepted", _("Accepted an invitation")
    MEMBER_CREATED = "member_created", _("Created a member")
    MEMBER_DEACTIVATED = "member_deactivated", _("Deactivated a member")
    MEMBER_REACTIVATED = "member_reactivated", _("Reactivated a member")
    MEMBER_LEFT = "member_left", _("Left the platform")
    ROLE_CHANGED = "role_changed", _("Changed a role")
    SESSIONS_ENDED = "sessions_ended", _("Ended sessions")
    SETTINGS_CHANGED = "settings_changed", _("Changed settings")
    MFA_CHANGED = "mfa_changed", _("Changed two-factor login")
    SSO_REFUSED = "sso_refused", _("Refused a single sign-on")
    DATA_EXPORTED = "data_exported", _("Downloaded their data")
    CONTENT_HIDDEN = "content_hidden", _("Hid content")
    CONTENT_RESTORED = "content_restored", _("Restored hidden content")
    REPORT_DISMISSED = "report_dismissed", _("Dismissed a report")
    POST_PINNED = "post_pinned", _("Pinned a post")
    POST_UNPINNED = "post_unpinned", _("Unpinned a post")
    GROUP_CREATED = "group_created", _("Created a group")
    GROUP_MEMBER_ADDED = "group_member_added", _("Added a member to a group")
    GROUP_MEMBER_REMOVED = "group_member_removed", _("Removed a member from a group")
    EVENT_CANCELLED = "event_cancelled", _("Cancelled an event")


class AuditEntry(models.Model):
    """Who did what to whom, and when. Written by services, never edited in the UI.

    Names are copied into the entry, so it still reads right after a member
    leaves and is pseudonymised."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    actor_name = models.CharField(_("done by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action, db_index=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("concerns"),
    )
    subject_label = models.CharField(_("concerns"), max_length=200, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()}"
