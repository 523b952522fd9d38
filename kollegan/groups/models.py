"""Closed groups, such as a course cohort ("Yrkesresan Ny inom R8 – hösten").

Moderators create a group and choose its members. Events and meeting notes can
belong to a group: then only its members see them, in every list, grid, feed,
calendar file and API answer. Membership is read on every request, so a member
taken out of a group loses access at once."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX = 120
DESCRIPTION_MAX = 2_000


class Group(models.Model):
    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=DESCRIPTION_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GroupMembership",
        through_fields=("group", "member"),
        related_name="cohorts",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="group_member_once")
        ]
        indexes = [models.Index(fields=["member", "group"], name="group_of_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} ∈ {self.group_id}"
