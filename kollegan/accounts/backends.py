from allauth.account.auth_backends import AuthenticationBackend

from kollegan.accounts.models import Member


class MemberBackend(AuthenticationBackend):
    """allauth's e-mail login, loading the member with organisation and unit in one query.

    ``Member.is_active`` includes the membership end date, so Django's own
    ``user_can_authenticate`` check refuses an ended membership on every request."""

    def get_user(self, user_id):
        member = Member.objects.select_related("organisation", "unit").filter(pk=user_id).first()
        return member if member is not None and self.user_can_authenticate(member) else None
