from django.db import transaction
from django.utils import timezone

from kollegan.accounts.models import Member
from kollegan.api.models import ApiToken


@transaction.atomic
def api_token_create(*, member: Member, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown only this once."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        member=member,
        name=name.strip()[:80],
        token_hash=ApiToken.digest(secret),
        hint=secret[: len(ApiToken.PREFIX) + 4],
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_member(secret: str) -> Member | None:
    """The active member a Bearer secret belongs to, or None. One query, which also
    brings the member's calendar settings: /me shows their subscription link."""
    token = (
        ApiToken.objects.live()
        .select_related("member__organisation", "member__unit", "member__calendar_settings")
        .filter(token_hash=ApiToken.digest(secret))
        .first()
    )
    if token is None or not token.member.is_active:
        return None
    now = timezone.now()
    # Recording use at most once a minute keeps reads from turning into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.member
