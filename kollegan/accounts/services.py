"""Writes that touch members, invitations and sessions."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Invitation, Member, Organisation, Role, Unit, hash_token
from kollegan.accounts.sessions import end_member_sessions
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log

# What the audit log says when a command on the server, not a person, did something.
VIA_COMMAND_LINE = "kommandorad"


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
    replaced = Invitation.objects.pending().filter(email=email).update(revoked_at=timezone.now())
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        unit=unit,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
    )
    detail = {"organisation": organisation.name, "role": role}
    if unit is not None:
        detail["unit"] = unit.name
    if replaced:
        detail["replaced_invitations"] = replaced
    if invited_by is None:
        detail["via"] = VIA_COMMAND_LINE
    audit_log(action=Action.MEMBER_INVITED, actor=invited_by, subject_label=email, detail=detail)
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
    return _member_from_invitation(invitation, name=name, password=password)


def _member_from_invitation(
    invitation: Invitation, *, name: str, password: str | None, via: str = ""
) -> Member:
    """Create the invited member and mark the (locked) invitation used, audited."""
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
    detail = {
        "email": member.email,
        "organisation": invitation.organisation.name,
        "role": invitation.role,
        "invited_by": invitation.invited_by.name if invitation.invited_by else "",
    }
    if via:
        detail["via"] = via
    audit_log(action=Action.INVITATION_ACCEPTED, actor=member, subject=member, detail=detail)
    return member


def invitation_pending_for_email(email: str) -> Invitation | None:
    """The usable invitation for an address, if any (single sign-on has no token:
    the address the organisation's identity provider vouches for stands in for it)."""
    candidates = (
        Invitation.objects.pending()
        .filter(email__iexact=email.strip())
        .select_related("organisation", "unit", "invited_by")
        .order_by("-created_at")
    )
    for invitation in candidates:
        if invitation.state == Invitation.State.PENDING:
            return invitation
    return None


@transaction.atomic
def invitation_accept_sso(*, invitation: Invitation, name: str) -> Member:
    """Accept an invitation through single sign-on: the member gets no password and
    logs in through their organisation's identity provider."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != Invitation.State.PENDING:
        raise InvitationError(_("This invitation can no longer be used."), 410)
    if email_in_use(invitation.email):
        raise InvitationError(
            _("There is already a member with this e-mail address. Log in instead."), 409
        )
    return _member_from_invitation(
        invitation,
        name=name.strip() or invitation.email.partition("@")[0],
        password=None,
        via="sso",
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Member | None = None) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(
            action=Action.INVITATION_REVOKED,
            actor=actor,
            subject_label=invitation.email,
            detail={"organisation": invitation.organisation.name, "role": invitation.role},
        )


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
    member = Member.objects.create_user(
        email=email,
        password=password,
        name=name.strip(),
        organisation=organisation,
        role=role,
        unit=unit,
    )
    audit_log(
        action=Action.MEMBER_CREATED,
        actor=None,
        subject=member,
        detail={
            "email": member.email,
            "organisation": organisation.name,
            "role": role,
            "via": VIA_COMMAND_LINE,
        },
    )
    return member


def _end_sessions(member: Member) -> int:
    # Through the member's UserSession rows (allauth.usersessions), not by decoding
    # every session in the database. The auth backend refuses inactive members on
    # every request anyway; this removes the rows as well.
    return end_member_sessions(member)


@transaction.atomic
def member_sessions_end(*, member: Member, actor: Member | None) -> int:
    """Log a member out everywhere (a lost phone, a shared computer). Returns how many."""
    ended = _end_sessions(member)
    audit_log(action=Action.SESSIONS_ENDED, actor=actor, subject=member, detail={"count": ended})
    return ended


@transaction.atomic
def member_deactivate(
    *, member: Member, when=None, actor: Member | None = None, reason: str = ""
) -> None:
    """End a membership now: sessions, API tokens and pending invitations stop working.

    The member's content stays. ``reason`` goes into the audit log ("end date"
    when a passed end date is turned into a deactivation)."""
    from kollegan.api.models import ApiToken

    now = timezone.now()
    member.deactivated_at = when or now
    member.save(update_fields=["deactivated_at"])
    tokens = ApiToken.objects.live().filter(member=member).update(revoked_at=now)
    invitations = Invitation.objects.pending().filter(invited_by=member).update(revoked_at=now)
    sessions = _end_sessions(member)
    detail = {
        "deactivated_at": member.deactivated_at.isoformat(),
        "api_tokens_revoked": tokens,
        "invitations_revoked": invitations,
        "sessions_ended": sessions,
    }
    if reason:
        detail["reason"] = reason
    audit_log(action=Action.MEMBER_DEACTIVATED, actor=actor, subject=member, detail=detail)


@transaction.atomic
def member_reactivate(*, member: Member, actor: Member | None = None) -> None:
    ended_at = member.membership_ends_at
    member.deactivated_at = None
    if member.membership_ends_at and member.membership_ends_at <= timezone.now():
        member.membership_ends_at = None
    member.save(update_fields=["deactivated_at", "membership_ends_at"])
    detail = {}
    if ended_at and member.membership_ends_at is None:
        detail["end_date_cleared"] = ended_at.isoformat()
    audit_log(action=Action.MEMBER_REACTIVATED, actor=actor, subject=member, detail=detail)


def memberships_expire_due() -> int:
    """Turn passed end dates into deactivations (run periodically by the worker).

    Access already stops at the end date on every request; this also revokes
    tokens, invitations and sessions."""
    now = timezone.now()
    due = Member.objects.filter(deactivated_at__isnull=True, membership_ends_at__lte=now)
    count = 0
    for member in due:
        member_deactivate(member=member, when=member.membership_ends_at, reason="end date")
        count += 1
    return count


# --- Leaving Kollegan ------------------------------------------------------------------------

# What a member who left is called everywhere: on their content, in the audit log.
FORMER_MEMBER_NAME = "Tidigare medlem"
# ".invalid" is reserved (RFC 2606): the address can never receive mail, so nobody
# can log in with it or reset its password, and it keeps the unique constraint.
FORMER_MEMBER_EMAIL_DOMAIN = "kollegan.invalid"


def _former_member_email() -> str:
    import secrets

    while True:
        email = f"tidigare-{secrets.token_hex(8)}@{FORMER_MEMBER_EMAIL_DOMAIN}"
        if not email_in_use(email):
            return email


def _scrub(value, patterns: list):
    """``value`` (JSON) with every match of ``patterns`` replaced by "Tidigare medlem"."""
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(FORMER_MEMBER_NAME, value)
        return value
    if isinstance(value, list):
        return [_scrub(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, patterns) for key, item in value.items()}
    return value


def _whole(text: str):
    """A pattern for ``text`` as a whole word: "al@x.se" must not touch "sal@x.se"."""
    import re

    return re.compile(rf"(?<![\w.+-]){re.escape(text)}(?![\w-])", re.IGNORECASE)


def _pseudonymise_audit_log(member: Member, old_name: str, old_email: str) -> None:
    """The audit log keeps what happened, not who the person who left was: their name
    and e-mail address become "Tidigare medlem" in every entry by or about them.

    In entries by or about them (actor or subject is them) the name goes from
    every field; elsewhere only the e-mail address, which is theirs alone (a name
    could be a colleague's too), for example in the entry for their invitation,
    written before they were a member."""
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    from kollegan.audit.models import AuditEntry

    email = _whole(old_email)
    both = [email, _whole(old_name)] if old_name else [email]
    entries = AuditEntry.objects.annotate(detail_text=Cast("detail", TextField())).filter(
        Q(subject=member)
        | Q(actor=member)
        | Q(subject_label__icontains=old_email)
        | Q(detail_text__icontains=old_email)
    )
    for entry in entries.iterator():
        linked = member.pk in (entry.subject_id, entry.actor_id)
        patterns = both if linked else [email]
        changes = {
            "actor_name": (
                FORMER_MEMBER_NAME
                if entry.actor_id == member.pk
                else _scrub(entry.actor_name, [email])
            ),
            "subject_label": (
                FORMER_MEMBER_NAME
                if entry.subject_id == member.pk
                else _scrub(entry.subject_label, patterns)
            ),
            "detail": _scrub(entry.detail, patterns),
        }
        changed = {key: value for key, value in changes.items() if getattr(entry, key) != value}
        if changed:
            AuditEntry.objects.filter(pk=entry.pk).update(**changed)


@transaction.atomic
def member_leave(*, member: Member) -> None:
    """The member leaves Kollegan: access ends and the account is pseudonymised.

    Name, e-mail address and everything on the profile are removed; what they
    wrote stays and is shown as written by "Tidigare medlem". The audit log
    keeps the events but no longer says who they were. Cannot be undone."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    from kollegan.accounts.models import Visibility
    from kollegan.api.models import ApiToken
    from kollegan.audit.models import Action
    from kollegan.audit.services import audit_log
    from kollegan.profiles.photos import delete_photo
    from kollegan.questions.services import member_forget_authorship

    if member.role == Role.ADMIN and not (
        Member.objects.active().filter(role=Role.ADMIN).exclude(pk=member.pk).exists()
    ):
        raise ValidationError(
            _("You are the last administrator. Make someone else administrator before you leave."),
            code="last_admin",
        )
    old_name, old_email, photo_key = member.name, member.email, member.photo_key
    if member.deactivated_at is None:
        member_deactivate(member=member, actor=member, reason="left")
    else:  # already without access: still make sure nothing of theirs works
        ApiToken.objects.live().filter(member=member).update(revoked_at=timezone.now())
        _end_sessions(member)

    new_email = _former_member_email()
    member.name = FORMER_MEMBER_NAME
    member.email = new_email
    member.title = member.town = member.phone = member.about = ""
    member.phone_visibility = member.email_visibility = Visibility.NOBODY
    member.unit = None
    member.role = Role.MEMBER
    member.photo_key = ""
    member.last_login = None
    member.set_unusable_password()
    member.save()
    member.topics.clear()
    member.expertise.clear()

    # The address they were invited at is theirs too.
    Invitation.objects.filter(accepted_member=member).update(email=new_email)
    Invitation.objects.filter(email__iexact=old_email).update(email=new_email)
    # Deactivation above revoked the tokens and ended the sessions; token names are
    # their own words ("Alices skript") and device rows say where they worked.
    ApiToken.objects.filter(member=member).update(name="–")
    EmailAddress.objects.filter(user=member).delete()
    SocialAccount.objects.filter(user=member).delete()
    Authenticator.objects.filter(user=member).delete()
    UserSession.objects.filter(user=member).delete()
    # Their anonymous questions and answers stay anonymous, now for good.
    member_forget_authorship(member=member)

    _pseudonymise_audit_log(member, old_name, old_email)
    audit_log(
        action=Action.MEMBER_LEFT,
        actor=member,
        subject=member,
        subject_label=FORMER_MEMBER_NAME,
    )
    # Files last, once everything else has worked. Storage is outside the transaction:
    # should the commit still fail, a missing photo is better than one kept too long.
    delete_photo(photo_key)
