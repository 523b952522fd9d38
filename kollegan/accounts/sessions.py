"""A member's logins: when they started, when they were last used, on which device.

Each login has a row in allauth.usersessions' ``UserSession`` (session key, IP
address, user agent, last seen), so a member's sessions are found by member, not
by decoding every session in the database. The login time and the last activity
are also kept in the session itself, where SessionActivityMiddleware checks the
idle timeout and the absolute lifetime on every request without a query.
"""

import re
import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollegan.accounts.models import Member

LOGIN_AT = "kollegan_login_at"
SEEN_AT = "kollegan_seen_at"
# Activity is written to the session and its UserSession row at most this often.
ACTIVITY_WRITE_INTERVAL = 60
# GenericIPAddressField needs a value; a request without REMOTE_ADDR (the test
# client's force_login) is recorded with this one and shown as unknown.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a stored value, not an address to bind to


def now_seconds() -> int:
    return int(time.time())


def record_session(request: HttpRequest, member: Member) -> None:
    """Create or refresh the UserSession row of the request's session."""
    session = request.session
    if not session.session_key:
        session.save()
    try:
        ip = get_adapter().get_client_ip(request)
    except PermissionDenied:
        ip = UNKNOWN_IP
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    user_agent = user_agent[: UserSession._meta.get_field("user_agent").max_length]
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": member,
            "ip": ip,
            "user_agent": user_agent,
            "last_seen_at": timezone.now(),
        },
    )


def on_login(sender, request, user, **kwargs) -> None:
    """django.contrib.auth's user_logged_in: every way of logging in (allauth's login
    page, the invitation page, the admin's login, the test client) starts the clocks
    and records the session."""
    if request is None or not hasattr(request, "session"):
        return
    now = now_seconds()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    record_session(request, user)


def end_member_sessions(member: Member) -> int:
    """Delete every session of a member, found through their UserSession rows: the
    work grows with their sessions, not with everybody's. Returns how many."""
    # Not purge_and_list(): for a member who was just deactivated it treats the
    # sessions as already dead and drops only the UserSession rows, leaving the
    # session rows behind.
    ended = 0
    for user_session in UserSession.objects.filter(user_id=member.pk):
        user_session.end()
        ended += 1
    return ended


def duration_text(seconds: int) -> str:
    """8 hours, 14 days, 30 minutes: the largest whole unit that fits."""
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def expired_message(session) -> str | None:
    """Why the session's login has run out, or None while it is still good.

    Sessions from before these limits carry no times; they start counting now."""
    now = now_seconds()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return None
    if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
        return _(
            "You have been logged out after %(duration)s without activity. "
            "Log in again to continue."
        ) % {"duration": duration_text(settings.SESSION_IDLE_TIMEOUT)}
    if now - login_at > settings.SESSION_ABSOLUTE_LIFETIME:
        return _(
            "You have been logged out because you logged in more than %(duration)s ago. "
            "Log in again to continue."
        ) % {"duration": duration_text(settings.SESSION_ABSOLUTE_LIFETIME)}
    return None


def note_activity(request: HttpRequest, member: Member) -> None:
    """Move the idle clock on, writing at most once a minute (a session save and
    the UserSession row) instead of on every request."""
    session = request.session
    now = now_seconds()
    if session.get(LOGIN_AT) is None:
        session[LOGIN_AT] = now
    seen_at = session.get(SEEN_AT)
    if seen_at is None or now - seen_at >= ACTIVITY_WRITE_INTERVAL:
        session[SEEN_AT] = now
        record_session(request, member)


# --- Devices ----------------------------------------------------------------------------

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Version/[\d.]+.*Safari/"), "Safari"),
    (re.compile(r"Trident/|MSIE "), "Internet Explorer"),
]
_SYSTEMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Macintosh|Mac OS X"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
]


def _first(patterns, user_agent: str) -> str:
    return next((name for pattern, name in patterns if pattern.search(user_agent)), "")


def describe_device(user_agent: str) -> str:
    """A readable "Firefox on Windows" from a User-Agent header; a rough guess,
    good enough for a member to recognise their own devices."""
    browser = _first(_BROWSERS, user_agent or "")
    system = _first(_SYSTEMS, user_agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")
