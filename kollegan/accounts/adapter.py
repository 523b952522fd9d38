from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClosedAccountAdapter(DefaultAccountAdapter):
    """Kollegan is closed: members come in only through an administrator's invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
