import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    """Tokens are stored only as SHA-256 digests: a database leak reveals no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        OTHER = "other", _("Other organisation")

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MUNICIPALITY)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit (verksamhet) inside an organisation, e.g. "Barn och familj"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="units", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class Visibility(models.TextChoices):
    """Who sees a profile field. Kollegan is closed, so "everyone" means all members."""

    MEMBERS = "members", _("All members")
    NOBODY = "nobody", _("Nobody")


class ExpertiseLabel(models.Model):
    """A free label for what a member "can be asked about", e.g. "Adoptionsutredning".

    Labels are shared: members pick from labels others already use, so that
    "who knows adoption investigations" finds everyone who ticked it."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("address"), max_length=70, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("expertise label")
        verbose_name_plural = _("expertise labels")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    ADMIN = "admin", _("Administrator")


class MemberQuerySet(models.QuerySet):
    def active(self) -> "MemberQuerySet":
        now = timezone.now()
        return self.filter(deactivated_at__isnull=True).filter(
            Q(membership_ends_at__isnull=True) | Q(membership_ends_at__gt=now)
        )

    def ended(self) -> "MemberQuerySet":
        """Exactly those ``active`` leaves out, written as its own filter: NOT IN
        over every member made PostgreSQL compare each row with all the others."""
        return self.filter(
            Q(deactivated_at__isnull=False) | Q(membership_ends_at__lte=timezone.now())
        )


class MemberManager(BaseUserManager.from_queryset(MemberQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "Member":
        member = self.model(email=self.normalize_email(email).lower(), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "Member":
        fields.setdefault("role", Role.ADMIN)
        if "organisation" not in fields and "organisation_id" not in fields:
            fields["organisation"] = Organisation.objects.order_by("pk").first()
        return self.create_user(email, password, **fields)


class Member(AbstractBaseUser):
    """A person with access to Kollegan: staff of a member organisation.

    Access ends the moment ``deactivated_at`` is set or ``membership_ends_at``
    passes; ``is_active`` is computed from both so every session and API token
    checks the same rule on each request.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)
    title = models.CharField(_("function"), max_length=150, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    topics = models.ManyToManyField(
        "topics.Topic", blank=True, related_name="members", verbose_name=_("knowledge areas")
    )
    expertise = models.ManyToManyField(
        ExpertiseLabel,
        blank=True,
        related_name="members",
        verbose_name=_("can be asked about"),
    )
    phone = models.CharField(_("work phone"), max_length=30, blank=True)
    phone_visibility = models.CharField(
        _("who sees the phone number"),
        max_length=10,
        choices=Visibility,
        default=Visibility.MEMBERS,
    )
    email_visibility = models.CharField(
        _("who sees the e-mail address"),
        max_length=10,
        choices=Visibility,
        default=Visibility.MEMBERS,
    )
    about = models.TextField(_("about me"), blank=True, help_text=_("Markdown is allowed."))
    # Random name of the stored photo; the sizes are files derived from it.
    photo_key = models.CharField(max_length=40, blank=True, editable=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    date_joined = models.DateTimeField(_("member since"), default=timezone.now)
    membership_ends_at = models.DateTimeField(
        _("membership ends"),
        null=True,
        blank=True,
        help_text=_("Access stops at this moment. Content the member wrote stays."),
    )
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    # The bell's number, kept beside the member (already read on every request)
    # so that no page pays a query for it; recounted whenever it changes.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    # The same for the chat: unread messages in all the member's conversations.
    unread_chat = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["organisation", "name"], name="member_org_name"),
            # The directory pages by name and the start page lists the newest:
            # both read in index order instead of sorting every member.
            models.Index(fields=["name", "id"], name="member_name_id"),
            models.Index(fields=["-date_joined"], name="member_newest"),
            # Counting the active members (of one organisation, or all) reads
            # this index alone instead of every member row.
            models.Index(
                fields=["organisation", "deactivated_at", "membership_ends_at"],
                name="member_org_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("profiles:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        if self.deactivated_at is not None:
            return False
        return self.membership_ends_at is None or self.membership_ends_at > timezone.now()

    @property
    def is_staff(self) -> bool:
        """Administrators use Django's admin for organisations, topics and navigation."""
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    @property
    def is_moderator(self) -> bool:
        return self.role in {Role.MODERATOR, Role.ADMIN}

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def photo_url(self, size: str = "small") -> str:
        """Where the member's photo in one of the fixed sizes is served (members only)."""
        if not self.photo_key:
            return ""
        return reverse("profiles:photo", args=[self.photo_key, size])

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use invitation link sent by an administrator.

    Only the SHA-256 of the token is stored; the token itself exists in the
    e-mail and, once, in the operator's terminal.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, verbose_name=_("organisation")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_invitations",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> str:
        # 32 random bytes: 256 bits, well above the 128 the threat model asks for.
        return secrets.token_urlsafe(32)

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        if self.invited_by_id and not self.invited_by.is_active:
            # An invitation dies with the access of the person who sent it.
            return self.State.REVOKED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
