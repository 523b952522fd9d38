from collections.abc import Callable

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from kollegan.accounts import sessions


class MembersOnlyMiddleware(LoginRequiredMiddleware):
    """Every page needs a logged-in, active member unless its view is marked
    ``login_not_required`` (login, password reset, invitation, accessibility).

    The API answers 401 itself: its Bearer-token auth runs inside django-ninja,
    and every operation there requires a member."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class MemberLanguageMiddleware:
    """A logged-in member sees the site in the language saved on their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class SwedishFirstLocaleMiddleware(LocaleMiddleware):
    """Swedish unless someone chose otherwise (the language cookie, or the member's
    saved choice below). Municipal laptops often run an English Windows, so the
    browser's Accept-Language says little about the language the staff work in."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionActivityMiddleware:
    """Ends a login after SESSION_IDLE_TIMEOUT without a request or once it is older
    than SESSION_ABSOLUTE_LIFETIME, and keeps the session's device record current.

    After the logout the request goes on as a visitor's, so MembersOnlyMiddleware
    sends the browser to the login page, where the message says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            message = sessions.expired_message(request.session)
            if message:
                UserSession.objects.filter(session_key=request.session.session_key).delete()
                logout(request)
                messages.info(request, message)
            else:
                sessions.note_activity(request, user)
        return self.get_response(request)
