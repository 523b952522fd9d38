"""Writes that touch members, invitations and sessions."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Invitation, Member, Organisation, Role, Unit, hash_token


class InvitationError(Exception):
    """An invitation link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("accounts:invitation_accept", args=[self.token])


def email_in_use(email: str) -> bool:
    return Member.objects.filter(email__iexact=email.strip()).exists()


@transaction.atomic
def invitation_create(
    *,
    email: str,
    organisation: Organisation,
    unit: Unit | None = None,
    role: str = Role.MEMBER,
    invited_by: Member | None = None,
    send_email: bool = True,
) -> IssuedInvitation:
    email = email.strip().lower()
    if email_in_use(email):
        raise ValidationError(
            _("There is already a member with the e-mail address %(email)s.") % {"email": email},
            code="email_in_use",
        )
    if unit is not None and unit.organisation_id != organisation.pk:
        raise ValidationError(_("The unit does not belong to the chosen organisation."))
    # A fresh invitation replaces any earlier pending one for the same address.
    Invitation.objects.pending().filter(email=email).update(revoked_at=timezone.now())
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        unit=unit,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
    )
    issued = IssuedInvitation(invitation=invitation, token=token)
    if send_email:
        from kollegan.accounts.tasks import send_invitation_email

        transaction.on_commit(
            lambda: send_invitation_email.enqueue(invitation_id=invitation.pk, url=issued.url)
        )
    return issued


def invitation_for_token(token: str) -> Invitation:
    """Return the pending invitation for a token, or raise InvitationError with a reason."""
    invitation = (
        Invitation.objects.select_related("organisation", "unit", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied the whole link."), 404
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationError(
            _("This invitation has already been used. Log in with your e-mail address instead."),
            410,
        )
    if state == Invitation.State.EXPIRED:
        raise InvitationError(
            _("This invitation has expired. Ask an administrator to send you a new one."), 410
        )
    if state == Invitation.State.REVOKED:
        raise InvitationError(
            _(
                "This invitation has been withdrawn. "
                "Ask an administrator if you should have access."
            ),
            410,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, name: str, password: str) -> Member:
    # Lock the row so two tabs submitting the same link cannot both create a member.
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."), 410)
    if email_in_use(invitation.email):
        raise InvitationError(
            _("There is already a member with this e-mail address. Log in instead."), 409
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Write your name.")})
    candidate = Member(email=invitation.email, name=name, organisation=invitation.organisation)
    validate_password(password, user=candidate)
    member = Member.objects.create_user(
        email=invitation.email,
        password=password,
        name=name,
        organisation=invitation.organisation,
        unit=invitation.unit,
        role=invitation.role,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_member = member
    invitation.save(update_fields=["accepted_at", "accepted_member"])
    return member


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def member_create(
    *,
    email: str,
    name: str,
    organisation: Organisation,
    role: str = Role.MEMBER,
    password: str | None = None,
    unit: Unit | None = None,
) -> Member:
    email = email.strip().lower()
    if email_in_use(email):
        raise ValidationError(
            _("There is already a member with the e-mail address %(email)s.") % {"email": email},
            code="email_in_use",
        )
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    return Member.objects.create_user(
        email=email,
        password=password,
        name=name.strip(),
        organisation=organisation,
        role=role,
        unit=unit,
    )


def _end_sessions(member: Member) -> None:
    # Database sessions carry the user id inside the encoded data, so they have
    # to be decoded to find a member's. The auth backend refuses inactive members
    # on every request anyway; this removes the rows as well.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(member.pk):
            session.delete()


@transaction.atomic
def member_deactivate(*, member: Member, when=None) -> None:
    """End a membership now: sessions, API tokens and pending invitations stop working.

    The member's content stays."""
    from kollegan.api.models import ApiToken

    now = timezone.now()
    member.deactivated_at = when or now
    member.save(update_fields=["deactivated_at"])
    ApiToken.objects.live().filter(member=member).update(revoked_at=now)
    Invitation.objects.pending().filter(invited_by=member).update(revoked_at=now)
    _end_sessions(member)


@transaction.atomic
def member_reactivate(*, member: Member) -> None:
    member.deactivated_at = None
    if member.membership_ends_at and member.membership_ends_at <= timezone.now():
        member.membership_ends_at = None
    member.save(update_fields=["deactivated_at", "membership_ends_at"])


def memberships_expire_due() -> int:
    """Turn passed end dates into deactivations (run periodically by the worker).

    Access already stops at the end date on every request; this also revokes
    tokens, invitations and sessions."""
    now = timezone.now()
    due = Member.objects.filter(deactivated_at__isnull=True, membership_ends_at__lte=now)
    count = 0
    for member in due:
        member_deactivate(member=member, when=member.membership_ends_at)
        count += 1
    return count
