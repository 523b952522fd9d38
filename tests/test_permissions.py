"""The permission matrix: every URL pattern the project serves, and what each
of five roles gets when they open it.

The patterns are read from Django's URL resolver, not listed by hand, so a new
URL without a row in ``EXPECTED`` fails ``test_every_url_pattern_has_a_decision``:
whoever adds a page must decide who may see it. The Django admin's many
patterns follow one rule (``admin_row``) with a short list of documented
exceptions; the rule is still checked against every admin pattern, opened with
the id of a real row.

Roles: ``visitor`` (not logged in), ``member`` (alice), ``moderator`` (carol),
``admin`` (admin_member), ``deactivated`` (dave's session from before his
membership ended).

Outcomes: ``ok`` 200, ``login`` 302 to the login page (/konto/login/),
``redirect`` 302 anywhere else, ``forbidden`` 403, ``not_found`` 404,
``method`` 405, ``unauthorized`` 401 (the API). Inside ``/admin/`` redirects
are followed (at most a few hops): the admin first sends everybody without
access to ``/admin/login/``, and that page gives the real answer (the login
page for visitors, 403 for logged-in non-administrators).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from kollegan.accounts import services as account_services
from kollegan.accounts.models import Member
from kollegan.api import services as api_services
from kollegan.api.models import ApiToken
from kollegan.audit.models import AuditEntry
from kollegan.chat import services as chat_services
from kollegan.chat.models import Conversation, Message, Participant
from kollegan.core.models import NavigationItem, SiteSettings
from kollegan.documents import services as document_services
from kollegan.documents.models import Document, DocumentComment
from kollegan.events import services as event_services
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.services import EventData
from kollegan.feed import images as feed_images
from kollegan.feed import services as feed_services
from kollegan.feed.models import Like, Post, Reply
from kollegan.files import services as file_services
from kollegan.files.models import Attachment
from kollegan.groups import services as group_services
from kollegan.groups.models import Group, GroupMembership
from kollegan.helppages.models import HelpPage
from kollegan.notes import services as note_services
from kollegan.notes.models import Note
from kollegan.notifications.models import (
    Activity,
    Email,
    EmailKind,
    EmailStatus,
    Following,
    Notification,
    Target,
    Verb,
)
from kollegan.notifications.services import unsubscribe_token
from kollegan.profiles import photos
from kollegan.questions import services as question_services
from kollegan.questions.models import Answer, Comment, Follow, Question, Report
from kollegan.search.models import Synonym
from kollegan.sso.models import OrganisationLogin
from kollegan.topics.models import Topic

OK = "ok"
LOGIN = "login"
REDIRECT = "redirect"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
METHOD = "method"
UNAUTHORIZED = "unauthorized"

ROLES = ("visitor", "member", "moderator", "admin", "deactivated")
CLIENT_FIXTURES = {
    "visitor": "client",
    "member": "alice_client",
    "moderator": "carol_client",
    "admin": "admin_client_",
    "deactivated": "dave_client",
}


class Row(NamedTuple):
    visitor: str
    member: str
    moderator: str
    admin: str
    deactivated: str


# Shorthands for the common rows; anything unusual is spelled out in the table.
MEMBERS_ONLY = Row(LOGIN, OK, OK, OK, LOGIN)
POST_ONLY = Row(LOGIN, METHOD, METHOD, METHOD, LOGIN)
API = Row(UNAUTHORIZED, OK, OK, OK, UNAUTHORIZED)
NOWHERE = Row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
PUBLIC = Row(OK, OK, OK, OK, OK)
# allauth.mfa: "confirm your password first", and pages for what a member has not set up.
CONFIRM_FIRST = Row(LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN)
MFA_NONE_YET = Row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN)
# Opened on Bob's text: only its writer edits it, and moderators hide, never rewrite.
WRITER_ONLY = Row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN)
MODERATORS_ONLY = Row(LOGIN, FORBIDDEN, OK, OK, LOGIN)

EXPECTED: dict[str, Row] = {
    # --- Kollegan's own pages: members only -------------------------------------
    "start": MEMBERS_ONLY,
    "profiles:directory": MEMBERS_ONLY,
    "profiles:detail": MEMBERS_ONLY,
    "profiles:my_page": MEMBERS_ONLY,
    # GET explains; POST downloads / leaves (used for real in tests/test_my_data.py).
    "profiles:my_data": MEMBERS_ONLY,
    "profiles:leave": MEMBERS_ONLY,
    # GET shows the form, POST saves it (tests/test_profile_edit.py, tests/test_photos.py).
    "profiles:edit": MEMBERS_ONLY,
    # Photos are for members only, like the profiles they belong to (tests/test_photos.py).
    "profiles:photo": MEMBERS_ONLY,
    "topics:list": MEMBERS_ONLY,
    "topics:detail": MEMBERS_ONLY,
    # Frågor (tests/test_questions_views.py): lists, asking, a thread, its history and
    # the report form are for every member; hidden questions answer 404 there.
    "questions:list": MEMBERS_ONLY,
    "questions:ask": MEMBERS_ONLY,
    "questions:similar": MEMBERS_ONLY,
    "questions:detail": MEMBERS_ONLY,
    "questions:history": MEMBERS_ONLY,
    "questions:report": MEMBERS_ONLY,
    "questions:edit": WRITER_ONLY,
    "questions:answer_edit": WRITER_ONLY,
    "questions:comment_edit": WRITER_ONLY,
    "questions:moderation": MODERATORS_ONLY,
    # Start's posts (tests/test_feed_views.py): writing, one post, who likes it, the
    # feed after a cursor (a page, or a fragment for htmx) and pictures are for every
    # member; editing and deleting (GET shows the form or asks "are you sure?") are
    # the writer's, opened on Bob's post and reply.
    "feed:create": MEMBERS_ONLY,
    "feed:more": MEMBERS_ONLY,
    "feed:post": MEMBERS_ONLY,
    "feed:likers": MEMBERS_ONLY,
    "feed:image": MEMBERS_ONLY,
    "feed:edit": WRITER_ONLY,
    "feed:delete": WRITER_ONLY,
    "feed:reply_edit": WRITER_ONLY,
    "feed:reply_delete": WRITER_ONLY,
    # Kalendarium (tests/test_calendar_views.py), opened on Bob's weekly series: its
    # pages and the calendar file are for every member; changing it (GET shows the
    # form or asks "are you sure?") is for the one who added it, its hosts and
    # moderators. /kalendarium/ sends members on to the layout they last chose.
    "calendar": Row(LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN),
    "events:list": MEMBERS_ONLY,
    "events:past": MEMBERS_ONLY,
    "events:month": MEMBERS_ONLY,
    "events:create": MEMBERS_ONLY,
    "events:detail": MEMBERS_ONLY,
    "events:occurrence": MEMBERS_ONLY,
    "events:ics": MEMBERS_ONLY,
    "events:subscription": MEMBERS_ONLY,
    "events:edit": MODERATORS_ONLY,
    "events:cancel": MODERATORS_ONLY,
    "events:delete": MODERATORS_ONLY,
    "events:occurrence_edit": MODERATORS_ONLY,
    "events:edit_following": MODERATORS_ONLY,
    "events:attend": POST_ONLY,
    # A calendar app holding Bob's personal link, without a session: the token in
    # the address is the permission (revoked and ended ones answer 404).
    "events:feed": PUBLIC,
    # Mötesnoteringar (tests/test_notes_views.py), opened on Bob's note of his series:
    # its writer and moderators change it.
    "notes": MEMBERS_ONLY,
    "notes:create": MEMBERS_ONLY,
    "notes:detail": MEMBERS_ONLY,
    "notes:edit": MODERATORS_ONLY,
    "notes:delete": MODERATORS_ONLY,
    # Groups (tests/test_groups_views.py), opened on Carol's group with Bob in it: its
    # page is for its members and moderators (Alice is not in it); moderators manage.
    "groups:list": MEMBERS_ONLY,
    "groups:create": MODERATORS_ONLY,
    "groups:detail": Row(LOGIN, NOT_FOUND, OK, OK, LOGIN),
    "groups:edit": MODERATORS_ONLY,
    "groups:add_members": POST_ONLY,
    "groups:remove_member": POST_ONLY,
    # Dokument (tests/test_documents_views.py), opened on Bob's guideline: every member
    # reads, writes and edits (unless archived); its owner and moderators change the
    # status and delete; a comment's writer and moderators delete it. Members record
    # their own organisation's adoption.
    "documents": MEMBERS_ONLY,
    "documents:create": MEMBERS_ONLY,
    "documents:changes": MEMBERS_ONLY,
    "documents:detail": MEMBERS_ONLY,
    "documents:edit": MEMBERS_ONLY,
    "documents:history": MEMBERS_ONLY,
    "documents:version": MEMBERS_ONLY,
    "documents:restore": MEMBERS_ONLY,
    "documents:compare": MEMBERS_ONLY,
    "documents:adoption": MEMBERS_ONLY,
    "documents:status": MODERATORS_ONLY,
    "documents:delete": MODERATORS_ONLY,
    "documents:comment_delete": MODERATORS_ONLY,
    "documents:comment": POST_ONLY,
    # Files (tests/test_files_views.py), opened on Bob's file on his guideline: whoever
    # may see the item downloads it; attaching and removing are POST only.
    "files:download": MEMBERS_ONLY,
    "files:attach": POST_ONLY,
    "files:delete": POST_ONLY,
    # Hjälp (tests/test_helppages.py), opened on a page for members only; a page
    # marked public (the accessibility statement) is read without login.
    "help": MEMBERS_ONLY,
    "helppages:page": MEMBERS_ONLY,
    # Sök (tests/test_search_*.py): results are checked per searcher there.
    "search:page": MEMBERS_ONLY,
    "api:search_api": API,
    # POST-only: used for real in test_post_only_view_works_for_members_and_…
    "profiles:token_create": POST_ONLY,
    "profiles:token_revoke": POST_ONLY,
    "accounts:session_end": POST_ONLY,
    "set_language": POST_ONLY,
    "questions:answer": POST_ONLY,
    "questions:comment": POST_ONLY,
    "questions:follow": POST_ONLY,
    # Only the asker marks an answer as solving the question (each role asks its own).
    "questions:helpful": POST_ONLY,
    # Moderators only: a member's POST is refused with 403 (see POST_CASES).
    "questions:moderate": POST_ONLY,
    "questions:report_dismiss": POST_ONLY,
    "feed:reply": POST_ONLY,
    "feed:like": POST_ONLY,
    # Moderators only: a member's POST is refused with 403 (see POST_CASES).
    "feed:pin": POST_ONLY,
    "feed:moderate": POST_ONLY,
    # --- Open to everybody: they reveal nothing about members or content --------
    "accessibility": PUBLIC,
    "healthz": PUBLIC,
    # Anyone holding the link may open it; the token is the permission.
    "accounts:invitation_accept": PUBLIC,
    # The page an ended membership lands on after a refused login: 403 for all.
    "account_inactive": Row(FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # --- allauth under /konto/ ----------------------------------------------------
    "account_login": Row(OK, REDIRECT, REDIRECT, REDIRECT, OK),
    # GET shows "do you want to log out?" to members; a visitor has nothing to end.
    "account_logout": Row(LOGIN, OK, OK, OK, LOGIN),
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    # A valid key is moved into the session and the browser sent on (allauth).
    "account_reset_password_from_key": Row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "account_reset_password_from_key_done": PUBLIC,
    "account_change_password": MEMBERS_ONLY,
    # Every member has a password, so "set password" sends them to "change password".
    "account_set_password": Row(LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN),
    "account_reauthenticate": MEMBERS_ONLY,
    # allauth.usersessions: the member's logged-in devices; POST logs out the others
    # (used for real in tests/test_sessions.py).
    "usersessions_list": MEMBERS_ONLY,
    # The login address is the invited one; allauth's address list is switched off.
    "account_email": NOWHERE,
    # Login by e-mailed code is not enabled: with no login under way allauth sends
    # visitors to the login page and members to the start page.
    "account_confirm_login_code": Row(LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN),
    # A closed platform: no self sign-up, no address confirmation.
    "account_signup": NOWHERE,
    "account_email_verification_sent": NOWHERE,
    "account_confirm_email": NOWHERE,
    # Nor confirmation by an e-mailed code (allauth 65.22): password and second factor.
    "account_request_reauthentication_code": NOWHERE,
    "account_confirm_reauthentication_code": NOWHERE,
    # --- Two-factor login (allauth.mfa) under /konto/2fa/ ------------------------------
    # The matrix's sessions come from force_login, which records no recent login, so
    # the pages that add or remove an app or key first ask for the password again
    # (tests/test_mfa.py sets them up through a real login). Nobody here has an app,
    # a key or recovery codes.
    "mfa_index": MEMBERS_ONLY,
    # The code step of a login under way: without one, visitors are sent to log in
    # and members on to the start page.
    "mfa_authenticate": Row(LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN),
    # Confirming with a code or key needs one; members without are sent on.
    "mfa_reauthenticate": CONFIRM_FIRST,
    "mfa_activate_totp": CONFIRM_FIRST,
    "mfa_deactivate_totp": MFA_NONE_YET,
    "mfa_view_recovery_codes": MFA_NONE_YET,
    "mfa_download_recovery_codes": MFA_NONE_YET,
    "mfa_generate_recovery_codes": CONFIRM_FIRST,
    "mfa_list_webauthn": MEMBERS_ONLY,
    "mfa_add_webauthn": CONFIRM_FIRST,
    "mfa_reauthenticate_webauthn": CONFIRM_FIRST,
    # Opened with Bob's key; after the password, anyone else gets 404
    # (tests/test_mfa.py::test_nobody_else_can_rename_or_remove_a_members_key).
    "mfa_edit_webauthn": CONFIRM_FIRST,
    "mfa_remove_webauthn": CONFIRM_FIRST,
    # --- Single sign-on (kollegan.sso in front of allauth.socialaccount) -----------
    # The login page's buttons POST to the provider login; a GET is sent there too.
    "openid_connect_login": Row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "saml_login": Row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # An answer with no login under way goes back to the login page with a message.
    "openid_connect_callback": Row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "saml_finish_acs": Row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # The SAML endpoints the IdP (through the browser) talks to: public by nature.
    # The ACS parks the posted answer in the session and redirects to finish_acs.
    "saml_acs": Row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # No SAML single logout: an IdP's logout request would end Kollegan sessions.
    "saml_sls": NOWHERE,
    "saml_metadata": PUBLIC,
    # No third-party account management and no social sign-up form.
    "socialaccount_connections": NOWHERE,
    "socialaccount_signup": NOWHERE,
    "socialaccount_login_cancelled": NOWHERE,
    "socialaccount_login_error": NOWHERE,
    # --- The API (django-ninja) ------------------------------------------------------
    "api:me": API,
    "api:list_members": API,
    "api:get_member": API,
    "api:openapi-json": API,
    # Frågor over the API (tests/test_api_questions.py). Creating a question shares
    # the list's path, so a GET there lists.
    "api:list_questions": API,
    "api:create_question": API,
    "api:get_question": API,
    # POST only: ninja answers a GET with 405 before it asks who is calling, which
    # reveals nothing; the POST cases below are refused with 401 for visitors.
    "api:create_answer": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:create_comment": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    # Start's posts and feed over the API (tests/test_api_posts.py). Writing a post
    # shares the list's path, so a GET there lists; liking and unliking share one path
    # (POST and DELETE), replying is POST only: GET answers 405 (see POST_CASES).
    "api:list_posts": API,
    "api:create_post": API,
    "api:get_post": API,
    "api:get_feed": API,
    "api:create_reply": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:like_post": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:unlike_post": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    # Kalendarium and Mötesnoteringar over the API (tests/test_api_events.py,
    # tests/test_api_notes.py); creating shares the list's path, attending is POST only.
    "api:list_events": API,
    "api:create_event": API,
    "api:get_event": API,
    "api:attend_event": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:list_notes": API,
    "api:create_note": API,
    # Dokument and files over the API (tests/test_api_documents.py,
    # tests/test_api_files.py); writing a version shares the version list's path.
    "api:list_documents": API,
    "api:create_document": API,
    "api:get_document": API,
    "api:list_versions": API,
    "api:create_version": API,
    "api:get_version": API,
    # Uploading shares no path with a GET: 405 before anyone is asked (POST_CASES).
    "api:create_file": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:get_file": API,
    "api:download_file": API,
    "api:delete_file": API,
    # Notifications (tests/test_notifications_*.py, tests/test_api_notifications.py).
    # Opened on Bob's notification: nobody else's. Unsubscribing needs no login,
    # the signed link is the authorisation (RFC 8058 one-click).
    "notifications:list": MEMBERS_ONLY,
    "notifications:read": POST_ONLY,
    "notifications:open": Row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
    "notifications:follow": POST_ONLY,
    "notifications:settings": MEMBERS_ONLY,
    "notifications:unsubscribe": PUBLIC,
    "api:list_notifications": API,
    "api:read_notifications": Row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "api:get_subscriptions": API,
    "api:set_subscriptions": API,
    # Chatt (tests/test_chat*.py), opened on Bob's group chat with Alice and Carol in
    # it and Bob's message there: only its participants see it (the administrator is
    # not in it: 404, as for a conversation that does not exist); only the writer
    # changes a message; only the group's administrators add members.
    "chat:list": MEMBERS_ONLY,
    "chat:create_group": MEMBERS_ONLY,
    "chat:detail": Row(LOGIN, OK, OK, NOT_FOUND, LOGIN),
    "chat:members": Row(LOGIN, OK, OK, NOT_FOUND, LOGIN),
    "chat:message_edit": Row(LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, LOGIN),
    "chat:message_delete": Row(LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, LOGIN),
    "chat:direct": POST_ONLY,
    "chat:send": POST_ONLY,
    "chat:member_add": POST_ONLY,
    "chat:member_remove": POST_ONLY,
    # Starting a conversation shares the list's path, sending the history's.
    "api:conversations": API,
    "api:create_conversation": API,
    "api:conversation_messages": Row(UNAUTHORIZED, OK, OK, NOT_FOUND, UNAUTHORIZED),
    "api:send_message": Row(UNAUTHORIZED, OK, OK, NOT_FOUND, UNAUTHORIZED),
    # ninja's root exists only so operation paths can be reversed.
    "api:api-root": NOWHERE,
}

# Visitors may see these pages and nothing else; every other page answers a
# visitor with the login page, 404 or 401.
VISITOR_ALLOWLIST = {
    # Single sign-on: the service provider's SAML metadata and the endpoint the
    # identity provider's answers arrive at.
    "saml_metadata",
    "saml_acs",
    "account_login",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "accounts:invitation_accept",
    "accessibility",
    "healthz",
    "events:feed",
    "notifications:unsubscribe",
}
VISITOR_REFUSALS = {LOGIN, NOT_FOUND, UNAUTHORIZED, METHOD}

# The views that carry ``login_not_required`` (the members-only middleware lets
# them through). Pages answering 404 to everybody may be marked too.
MARKED_PUBLIC = VISITOR_ALLOWLIST | {
    # Decides inside: a public help page is read without login, others send to login.
    "helppages:page",
    "account_email",
    "account_logout",
    "account_signup",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "admin:login",
    "openid_connect_login",
    "openid_connect_callback",
    "saml_login",
    "saml_finish_acs",
    "saml_sls",
    "socialaccount_connections",
    "socialaccount_signup",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "mfa_authenticate",
}

# Names registered twice: our view comes first and the allauth one behind it is
# unreachable.
SHADOWED = {
    "openid_connect_login",
    "openid_connect_callback",
    "saml_login",
    "saml_sls",
    "socialaccount_connections",
    "socialaccount_signup",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "account_email",
    "account_login",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
}


# --- The Django admin ------------------------------------------------------------------


def admin_row(admin_outcome: str = OK) -> Row:
    """Visitors and ended memberships are sent to log in, members and moderators get
    403, administrators get the page."""
    return Row(LOGIN, FORBIDDEN, FORBIDDEN, admin_outcome, LOGIN)


# Where an administrator does not simply get the page.
ADMIN_EXCEPTIONS: dict[str, str] = {
    # Django 5 logs out on POST only.
    "admin:logout": METHOD,
    # Sends the browser to the member's profile page.
    "admin:view_on_site": REDIRECT,
    # Members arrive through invitations and are deactivated, never deleted.
    "admin:accounts_member_add": FORBIDDEN,
    "admin:accounts_member_delete": FORBIDDEN,
    # Tokens are created by their owners on "My page".
    "admin:api_apitoken_add": FORBIDDEN,
    # One settings row, created by a migration, never deleted.
    "admin:core_sitesettings_add": FORBIDDEN,
    "admin:core_sitesettings_delete": FORBIDDEN,
    # django-tasks-db's results are read-only.
    "admin:django_tasks_database_dbtaskresult_add": FORBIDDEN,
    "admin:django_tasks_database_dbtaskresult_delete": FORBIDDEN,
    # Members set up their own apps and keys; administrators only list and remove them.
    "admin:mfa_authenticator_add": FORBIDDEN,
    # The audit log is read only; its CSV export is for administrators like the rest.
    "admin:audit_auditentry_add": FORBIDDEN,
    "admin:audit_auditentry_delete": FORBIDDEN,
    # Documents, their comments and adoptions are written on the pages, where versions,
    # counts and notifications follow; files are attached on the item's page.
    "admin:documents_document_add": FORBIDDEN,
    "admin:documents_documentcomment_add": FORBIDDEN,
    "admin:documents_adoption_add": FORBIDDEN,
    # Files are attached on the item's page, never in the admin.
    "admin:files_attachment_add": FORBIDDEN,
    # E-mails are written by the worker; a failed one is sent again, never deleted.
    "admin:notifications_email_add": FORBIDDEN,
    "admin:notifications_email_delete": FORBIDDEN,
}

# Unnamed patterns are allowed only here, each with what it is for.
UNNAMED_ALLOWED = {
    # ModelAdmin's old object URL, a redirect to the change page.
    r"^admin/\w+/\w+/<path:object_id>/$": "admin object redirect",
    # AdminSite's final catch-all (404 behind the admin login).
    r"^admin/\(\?P<url>\.\*\)\$$": "admin catch-all",
}

# Query strings some admin views need to do anything at all.
ADMIN_QUERY = {
    "admin:autocomplete": "?app_label=accounts&model_name=member&field_name=unit",
}


# --- Walking the resolver ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    callback: Callable


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(name=name, route=prefix + str(entry.pattern), callback=entry.callback)
        else:  # pragma: no cover - Django has only these two
            raise TypeError(f"Unknown URL entry {entry!r}")


ALL_ROUTES = list(_walk(get_resolver()))
NAMED_ROUTES: dict[str, Route] = {}
for _route in ALL_ROUTES:
    if _route.name:
        # The first registration is the one that answers (see SHADOWED).
        NAMED_ROUTES.setdefault(_route.name, _route)
UNNAMED_ROUTES = [r for r in ALL_ROUTES if not r.name]


def _admin_object_models() -> dict[str, type]:
    """admin pattern name -> model, for the patterns that take an ``object_id``."""
    names = {}
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for action in ("change", "history", "delete"):
            names[f"{info}_{action}"] = model
    return names


def expected_row(name: str) -> Row:
    if name.startswith("admin:"):
        return admin_row(ADMIN_EXCEPTIONS.get(name, OK))
    return EXPECTED[name]


# --- The sample data every URL is opened with ---------------------------------------------


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Photos stored for the sample data land in this test's own folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    members: dict[str, Member | None]
    bob: Member
    invitation_token: str
    invitation: Any
    tokens: dict[int, ApiToken]
    reset_kwargs: dict[str, str]
    task_result: Any
    unit: Any
    # Frågor: Bob's question with his answer and comment, and Alice's report of the answer.
    question: Question
    answer: Answer
    comment: Comment
    report: Report
    # Start: Bob's post (with a picture) and his reply to it.
    post: Post
    reply: Reply
    # Kalendarium: Bob's weekly series, its first date, his note of that date, his
    # calendar link's token, and Carol's group with Bob in it.
    event: Event
    occurrence: Occurrence
    note: Note
    feed_token: str
    group: Group
    # Bob's notification of Alice's answer in his thread.
    notification: Notification

    def token_for(self, member: Member | None) -> ApiToken:
        owner = member or self.bob
        return self.tokens[owner.pk]

    # Dokument: Bob's guideline in two versions, his comment, Storuman's adoption and
    # his file on the guideline. Written when a test first asks for them: most
    # tests never do, and each costs a test some 60 ms on PostgreSQL.
    @cached_property
    def document(self) -> Document:
        bob = self.bob
        document = document_services.document_create(
            author=bob, title="Riktlinje för orosanmälningar", body="Så gör vi.", kind="guideline"
        )
        document_services.document_save(
            document=document,
            editor=bob,
            title=document.title,
            body="Så gör vi nu.",
            base_version=1,
        )
        document_services.adoption_record(
            document=document, member=bob, organisation=bob.organisation, status="adopted"
        )
        return document

    @cached_property
    def document_comment(self) -> DocumentComment:
        return document_services.comment_create(
            document=self.document, author=self.bob, body="Synpunkter välkomna."
        )

    # Chatt: Bob's group chat with Alice and Carol, and his message in it.
    @cached_property
    def chat(self) -> Conversation:
        alice, carol = self.members["member"], self.members["moderator"]
        return chat_services.conversation_create_group(
            creator=self.bob, name="Kursgruppen", members=[alice, carol]
        )

    @cached_property
    def chat_message(self) -> Message:
        return chat_services.message_send(
            conversation=self.chat, author=self.bob, body="Välkomna till gruppen!"
        )

    @cached_property
    def attachment(self) -> Attachment:
        return file_services.attachment_add(
            upload=SimpleUploadedFile("rutin.txt", "Rutin för mottagning.\n".encode()),
            uploader=self.bob,
            owner=self.document,
        )


@pytest.fixture
def sso_config(lycksele, bob):
    """Lycksele logs in through OpenID Connect and SAML; Bob has a linked account."""
    from tests.fake_oidc import configure_oidc, configure_saml

    configure_oidc(lycksele, "https://login.example.se/tenant/v2.0", provider_id="lycksele")
    # python3-saml checks the metadata's URLs, and "testserver" has no dots.
    configure_saml(lycksele, slug="lycksele", advanced={"allow_single_label_domains": True})
    SocialAccount.objects.create(user=bob, provider="lycksele", uid="bob-at-idp")


@pytest.fixture
def world(alice, bob, carol, admin_member, dave, unit, lycksele, sso_config) -> World:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django_tasks_db.models import DBTaskResult

    from kollegan.accounts.tasks import send_invitation_email

    issued = account_services.invitation_create(
        email="ny.kollega@lycksele.test",
        organisation=lycksele,
        invited_by=admin_member,
        send_email=False,
    )
    tokens = {
        member.pk: api_services.api_token_create(member=member, name="Skript")[0]
        for member in (alice, bob, carol, admin_member, dave)
    }
    result = send_invitation_email.enqueue(invitation_id=issued.invitation.pk, url=issued.url)
    question = question_services.question_create(
        author=bob,
        title="Försörjningsansvar mellan makar",
        body="Hur gör ni?",
        topics=[Topic.objects.get(slug="forsorjningsstod")],
    )
    answer = question_services.answer_create(question=question, author=bob, body="Så här.")
    comment = question_services.comment_create(question=question, author=bob, body="Tillägg.")
    report = question_services.content_report(item=answer, reporter=alice, reason="Fel ämne")
    post = feed_services.post_create(author=bob, body="Tema på onsdag: funktionshinder.")
    post.image_key = feed_images.store_post_image(b"\xff\xd8 served as stored")
    post.save(update_fields=["image_key"])
    reply = feed_services.reply_create(post=post, author=bob, body="Länk i kalendern.")
    start = timezone.localtime() + timedelta(days=7)
    event = event_services.event_create(
        author=bob,
        data=EventData(
            title="Digital mötesplats",
            start=start,
            end=start + timedelta(minutes=45),
            rrule="FREQ=WEEKLY;COUNT=4",
        ),
    )
    occurrence = event.occurrences.order_by("start").first()
    note = note_services.note_create(
        author=bob, title="Anteckningar", body="Vi pratade om stöd.", occurrence=occurrence
    )
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8")
    group_services.group_add_members(moderator=carol, group=group, members=[bob])
    return World(
        members={
            "visitor": None,
            "member": alice,
            "moderator": carol,
            "admin": admin_member,
            "deactivated": dave,
        },
        bob=bob,
        invitation_token=issued.token,
        invitation=issued.invitation,
        tokens=tokens,
        reset_kwargs={
            "uidb36": user_pk_to_url_str(bob),
            "key": default_token_generator.make_token(bob),
        },
        task_result=DBTaskResult.objects.get(pk=result.id),
        unit=unit,
        question=question,
        answer=answer,
        comment=comment,
        report=report,
        post=post,
        reply=reply,
        event=event,
        occurrence=occurrence,
        note=note,
        feed_token=event_services.feed_renew(member=bob),
        group=group,
        notification=unread_notification(bob, question),
    )


def bobs_security_key(world: World):
    from allauth.mfa.models import Authenticator

    key, _created = Authenticator.objects.get_or_create(
        user=world.bob, type=Authenticator.Type.WEBAUTHN, defaults={"data": {"name": "Nyckel"}}
    )
    return key


def admin_sample_object(model: type, world: World):
    """A real row for every model the admin shows; a newly registered model needs one here."""
    samples: dict[str, Callable[[], Any]] = {
        "accounts.organisation": lambda: world.bob.organisation,
        "accounts.member": lambda: world.bob,
        "accounts.unit": lambda: world.unit,
        "accounts.invitation": lambda: world.invitation,
        "core.sitesettings": lambda: SiteSettings.objects.get(pk=1),
        "core.navigationitem": lambda: NavigationItem.objects.order_by("pk").first(),
        "topics.topic": lambda: Topic.objects.get(slug="barn-och-unga"),
        "api.apitoken": lambda: world.token_for(world.bob),
        "django_tasks_database.dbtaskresult": lambda: world.task_result,
        "sso.organisationlogin": lambda: OrganisationLogin.objects.order_by("pk").first(),
        "socialaccount.socialapp": lambda: SocialApp.objects.order_by("pk").first(),
        "socialaccount.socialaccount": lambda: SocialAccount.objects.order_by("pk").first(),
        "mfa.authenticator": lambda: bobs_security_key(world),
        "audit.auditentry": lambda: AuditEntry.objects.order_by("pk").first(),
        "documents.document": lambda: world.document,
        "documents.documentcomment": lambda: world.document_comment,
        "documents.adoption": lambda: world.document.adoptions.first(),
        "files.attachment": lambda: world.attachment,
        "helppages.helppage": lambda: HelpPage.objects.order_by("pk").first(),
        "search.synonym": lambda: Synonym.objects.order_by("pk").first(),
        "notifications.email": lambda: Email.objects.create(
            recipient=world.bob, kind=EmailKind.IMMEDIATE, status=EmailStatus.DEAD
        ),
    }
    label = model._meta.label_lower
    if label not in samples:
        pytest.fail(f"The admin shows {label}: add a sample row for it to admin_sample_object().")
    obj = samples[label]()
    assert obj is not None, f"no {label} row to open in the admin"
    return obj


def bobs_photo(world: World) -> dict[str, str]:
    """A stored photo of Bob's to open profiles:photo with (stored once, in tmp_path)."""
    if not world.bob.photo_key:
        stored = photos.PreparedPhoto(renditions={"small": b"\xff\xd8 served as stored"})
        world.bob.photo_key = photos.store_photo(stored)
        world.bob.save(update_fields=["photo_key"])
    return {"key": world.bob.photo_key, "size": "small"}


KWARGS: dict[str, Callable[[World, Member | None], dict[str, Any]]] = {
    "accounts:invitation_accept": lambda w, me: {"token": w.invitation_token},
    "profiles:detail": lambda w, me: {"pk": w.bob.pk},
    "api:get_member": lambda w, me: {"member_id": w.bob.pk},
    "profiles:photo": lambda w, me: bobs_photo(w),
    "profiles:token_revoke": lambda w, me: {"pk": w.token_for(me).pk},
    "accounts:session_end": lambda w, me: {"pk": other_device(me or w.bob).pk},
    "topics:detail": lambda w, me: {"slug": "barn-och-unga"},
    "questions:detail": lambda w, me: {"pk": w.question.pk},
    "questions:edit": lambda w, me: {"pk": w.question.pk},
    "questions:history": lambda w, me: {"pk": w.question.pk},
    "questions:answer": lambda w, me: {"pk": w.question.pk},
    "questions:comment": lambda w, me: {"pk": w.question.pk},
    "questions:follow": lambda w, me: {"pk": w.question.pk},
    "questions:answer_edit": lambda w, me: {"pk": w.answer.pk},
    "questions:helpful": lambda w, me: {"pk": w.answer.pk},
    "questions:comment_edit": lambda w, me: {"pk": w.comment.pk},
    "questions:report": lambda w, me: {"kind": "svar", "pk": w.answer.pk},
    "questions:moderate": lambda w, me: {"kind": "svar", "pk": w.answer.pk},
    "questions:report_dismiss": lambda w, me: {"pk": w.report.pk},
    "api:get_question": lambda w, me: {"question_id": w.question.pk},
    "feed:post": lambda w, me: {"pk": w.post.pk},
    "feed:edit": lambda w, me: {"pk": w.post.pk},
    "feed:delete": lambda w, me: {"pk": w.post.pk},
    "feed:reply": lambda w, me: {"pk": w.post.pk},
    "feed:like": lambda w, me: {"pk": w.post.pk},
    "feed:likers": lambda w, me: {"pk": w.post.pk},
    "feed:pin": lambda w, me: {"pk": w.post.pk},
    "feed:reply_edit": lambda w, me: {"pk": w.reply.pk},
    "feed:reply_delete": lambda w, me: {"pk": w.reply.pk},
    "feed:moderate": lambda w, me: {"kind": "svar", "pk": w.reply.pk},
    "feed:image": lambda w, me: {"key": w.post.image_key},
    "api:create_answer": lambda w, me: {"question_id": w.question.pk},
    "api:create_comment": lambda w, me: {"answer_id": w.answer.pk},
    "api:get_post": lambda w, me: {"post_id": w.post.pk},
    "api:create_reply": lambda w, me: {"post_id": w.post.pk},
    "api:like_post": lambda w, me: {"post_id": w.post.pk},
    "api:unlike_post": lambda w, me: {"post_id": w.post.pk},
    "account_confirm_email": lambda w, me: {"key": "MQ:1tSPXr:abc"},
    "openid_connect_login": lambda w, me: {"provider_id": "lycksele"},
    "openid_connect_callback": lambda w, me: {"provider_id": "lycksele"},
    "saml_login": lambda w, me: {"organization_slug": "lycksele"},
    "saml_acs": lambda w, me: {"organization_slug": "lycksele"},
    "saml_finish_acs": lambda w, me: {"organization_slug": "lycksele"},
    "saml_sls": lambda w, me: {"organization_slug": "lycksele"},
    "saml_metadata": lambda w, me: {"organization_slug": "lycksele"},
    "account_reset_password_from_key": lambda w, me: w.reset_kwargs,
    "mfa_edit_webauthn": lambda w, me: {"pk": bobs_security_key(w).pk},
    "mfa_remove_webauthn": lambda w, me: {"pk": bobs_security_key(w).pk},
    "admin:view_on_site": lambda w, me: {
        "content_type_id": ContentType.objects.get_for_model(Member).pk,
        "object_id": w.bob.pk,
    },
    "admin:app_list": lambda w, me: {"app_label": "accounts"},
    "events:month": lambda w, me: {"year": 2026, "month": 9},
    "events:detail": lambda w, me: {"pk": w.event.pk},
    "events:ics": lambda w, me: {"pk": w.event.pk},
    "events:edit": lambda w, me: {"pk": w.event.pk},
    "events:cancel": lambda w, me: {"pk": w.event.pk},
    "events:delete": lambda w, me: {"pk": w.event.pk},
    "events:occurrence": lambda w, me: {"pk": w.occurrence.pk},
    "events:occurrence_edit": lambda w, me: {"pk": w.occurrence.pk},
    "events:edit_following": lambda w, me: {"pk": w.occurrence.pk},
    "events:attend": lambda w, me: {"pk": w.occurrence.pk},
    "events:feed": lambda w, me: {"member": w.bob.pk, "token": w.feed_token},
    "api:get_event": lambda w, me: {"event_id": w.event.pk},
    "api:attend_event": lambda w, me: {"event_id": w.event.pk},
    "notifications:open": lambda w, me: {"pk": w.notification.pk},
    "notifications:follow": lambda w, me: {"target_type": "post", "target_id": w.post.pk},
    "notifications:unsubscribe": lambda w, me: {
        "member_id": w.bob.pk,
        "what": "mentions",
        "token": unsubscribe_token(w.bob.pk, "mentions"),
    },
    "notes:detail": lambda w, me: {"pk": w.note.pk},
    "notes:edit": lambda w, me: {"pk": w.note.pk},
    "notes:delete": lambda w, me: {"pk": w.note.pk},
    "groups:detail": lambda w, me: {"pk": w.group.pk},
    "groups:edit": lambda w, me: {"pk": w.group.pk},
    "groups:add_members": lambda w, me: {"pk": w.group.pk},
    "groups:remove_member": lambda w, me: {"pk": w.group.pk, "member": w.bob.pk},
    "documents:detail": lambda w, me: {"pk": w.document.pk},
    "documents:edit": lambda w, me: {"pk": w.document.pk},
    "documents:history": lambda w, me: {"pk": w.document.pk},
    "documents:version": lambda w, me: {"pk": w.document.pk, "number": 1},
    "documents:restore": lambda w, me: {"pk": w.document.pk, "number": 1},
    "documents:compare": lambda w, me: {"pk": w.document.pk},
    "documents:adoption": lambda w, me: {"pk": w.document.pk},
    "documents:status": lambda w, me: {"pk": w.document.pk},
    "documents:delete": lambda w, me: {"pk": w.document.pk},
    "documents:comment": lambda w, me: {"pk": w.document.pk},
    "documents:comment_delete": lambda w, me: {"pk": w.document_comment.pk},
    "files:download": lambda w, me: {"pk": w.attachment.pk},
    "files:delete": lambda w, me: {"pk": w.attachment.pk},
    "files:attach": lambda w, me: {"owner_kind": "dokument", "owner_id": w.document.pk},
    "helppages:page": lambda w, me: {"slug": "fragor"},
    "api:get_document": lambda w, me: {"document_id": w.document.pk},
    "api:list_versions": lambda w, me: {"document_id": w.document.pk},
    "api:create_version": lambda w, me: {"document_id": w.document.pk},
    "api:get_version": lambda w, me: {"document_id": w.document.pk, "number": 1},
    "api:get_file": lambda w, me: {"attachment_id": w.attachment.pk},
    "api:download_file": lambda w, me: {"attachment_id": w.attachment.pk},
    "api:delete_file": lambda w, me: {"attachment_id": w.attachment.pk},
    "chat:detail": lambda w, me: {"pk": w.chat.pk},
    "chat:members": lambda w, me: {"pk": w.chat.pk},
    "chat:send": lambda w, me: {"pk": w.chat.pk},
    "chat:member_add": lambda w, me: {"pk": w.chat.pk},
    "chat:member_remove": lambda w, me: {"pk": w.chat.pk, "member_id": (me or w.bob).pk},
    "chat:direct": lambda w, me: {"member_id": w.bob.pk},
    "chat:message_edit": lambda w, me: {"pk": w.chat_message.pk},
    "chat:message_delete": lambda w, me: {"pk": w.chat_message.pk},
    "api:conversation_messages": lambda w, me: {"conversation_id": w.chat.pk},
    "api:send_message": lambda w, me: {"conversation_id": w.chat.pk},
}


def url_for(name: str, world: World, requester: Member | None) -> str:
    kwargs: dict[str, Any] = {}
    admin_models = _admin_object_models()
    if name in KWARGS:
        kwargs = KWARGS[name](world, requester)
    elif name in admin_models:
        kwargs = {"object_id": admin_sample_object(admin_models[name], world).pk}
    return reverse(name, kwargs=kwargs) + ADMIN_QUERY.get(name, "")


def unnamed_url(route: Route, world: World) -> str:
    match = re.match(r"^admin/(\w+)/(\w+)/<path:object_id>/$", route.route)
    if match:
        app_label, model_name = match.groups()
        for model in admin.site._registry:
            if (model._meta.app_label, model._meta.model_name) == (app_label, model_name):
                return f"/admin/{app_label}/{model_name}/{admin_sample_object(model, world).pk}/"
        pytest.fail(f"{route.route} belongs to no registered admin model")
    if route.route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    pytest.fail(f"No sample URL for the unnamed pattern {route.route}")


# --- Asking and classifying ------------------------------------------------------------------

LOGIN_PATH = "/konto/login/"


def classify(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        if location.path == LOGIN_PATH:
            return LOGIN
        return REDIRECT
    named = {
        200: OK,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: METHOD,
    }
    return named.get(status, f"status {status}")


def outcome(client: Client, url: str, method: str = "get", data=None) -> str:
    response = getattr(client, method)(url, data or {})
    for _hop in range(4):
        if response.status_code not in (301, 302):
            break
        location = response["Location"]
        if not urlsplit(location).path.startswith("/admin/"):
            break
        response = client.get(location)
    return classify(response)


def role_clients(request) -> dict[str, Client]:
    return {role: request.getfixturevalue(fixture) for role, fixture in CLIENT_FIXTURES.items()}


def assert_row(clients: dict[str, Client], url_of: Callable[[str], str], expected: Row) -> None:
    observed = Row(**{role: outcome(clients[role], url_of(role)) for role in ROLES})
    wrong = {
        role: f"expected {want}, got {got} at {url_of(role)}"
        for role, want, got in zip(ROLES, expected, observed, strict=True)
        if want != got
    }
    assert not wrong, f"observed {observed}; wrong for {wrong}"


# --- The tests ----------------------------------------------------------------------------------


def test_every_url_pattern_has_a_decision():
    undecided = sorted(
        name for name in NAMED_ROUTES if not name.startswith("admin:") and name not in EXPECTED
    )
    assert not undecided, (
        f"URL patterns nobody has decided access for: {undecided}. "
        "Add a row to EXPECTED in tests/test_permissions.py."
    )


def test_permission_table_has_no_stale_rows():
    stale = sorted(set(EXPECTED) - set(NAMED_ROUTES))
    stale += sorted(set(ADMIN_EXCEPTIONS) - set(NAMED_ROUTES))
    stale += sorted(set(KWARGS) - set(NAMED_ROUTES))
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


def test_only_known_patterns_are_unnamed():
    unknown = [
        route.route
        for route in UNNAMED_ROUTES
        if not any(re.match(rule, route.route) for rule in UNNAMED_ALLOWED)
    ]
    assert not unknown, f"Unnamed URL patterns (give them a name=): {unknown}"


def test_admin_patterns_are_found():
    admin_names = {name for name in NAMED_ROUTES if name.startswith("admin:")}
    # The walk really reaches into namespaces: index, one changelist per model.
    assert "admin:index" in admin_names
    for model in admin.site._registry:
        assert f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" in admin_names
    assert "api:me" in NAMED_ROUTES
    assert "profiles:detail" in NAMED_ROUTES


def test_shadowed_allauth_patterns_are_unreachable():
    seen: dict[str, list[Route]] = {}
    for route in ALL_ROUTES:
        if route.name:
            seen.setdefault(route.name, []).append(route)
    duplicated = {name for name, routes in seen.items() if len(routes) > 1}
    assert duplicated == SHADOWED
    for name in duplicated:
        first = seen[name][0]
        assert first.callback.__module__.startswith("kollegan."), name
        kwargs = KWARGS[name](None, None) if name in KWARGS else {}
        assert resolve(reverse(name, kwargs=kwargs)).func is first.callback, name


def test_visitors_see_only_the_allowlisted_pages():
    public = {name for name in NAMED_ROUTES if expected_row(name).visitor not in VISITOR_REFUSALS}
    assert public == VISITOR_ALLOWLIST


def test_deactivated_session_is_treated_like_a_visitor():
    for name in NAMED_ROUTES:
        row = expected_row(name)
        assert row.deactivated == row.visitor, name


def test_only_allowlisted_views_skip_the_login_requirement():
    marked = {
        route.name
        for route in NAMED_ROUTES.values()
        if not getattr(route.callback, "login_required", True)
    }
    assert marked == MARKED_PUBLIC


@pytest.mark.parametrize("name", sorted(NAMED_ROUTES))
def test_url_answers_each_role_as_decided(name, request, world):
    if not name.startswith("admin:") and name not in EXPECTED:
        pytest.fail(f"No row in EXPECTED for {name}")
    clients = role_clients(request)
    assert_row(clients, lambda role: url_for(name, world, world.members[role]), expected_row(name))


@pytest.mark.parametrize("route", UNNAMED_ROUTES, ids=lambda r: r.route)
def test_unnamed_admin_url_answers_each_role_as_decided(route, request, world):
    clients = role_clients(request)
    url = unnamed_url(route, world)
    admin_outcome = NOT_FOUND if "no-such-page" in url else OK
    assert_row(clients, lambda role: url, admin_row(admin_outcome))


def test_administrator_already_logged_in_is_sent_from_admin_login_to_admin_index(admin_client_):
    response = admin_client_.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_member_cannot_switch_login_address_to_an_unverified_one(alice_client, alice):
    response = alice_client.post(
        reverse("account_email"), {"action_add": "", "email": "privat@example.com"}
    )
    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.email == "alice@lycksele.test"


# --- POST-only views, used the way the pages use them ---------------------------------------


@dataclass(frozen=True)
class PostCase:
    url: Callable[[World, Member | None], str]
    data: dict[str, str]
    # Checks the success response and its effect; gets the response and the member.
    succeeded: Callable[[Any, Member, World], None]
    # The effect must be absent after a refused request.
    untouched: Callable[[Member | None, World], None]
    # Roles whose answer is not the default (login for visitor/deactivated, success for the rest).
    refused: dict[str, str] | None = None
    # "application/json" for the API; form data otherwise.
    content_type: str | None = None
    # The API's other writing methods ("delete") go through the same checks.
    method: str = "post"

    # Data that depends on the sample rows (ids), instead of ``data``.
    data_for: Callable[[World], dict] | None = None

    def payload(self, world: World) -> dict:
        return self.data_for(world) if self.data_for else self.data

    def post(self, client: Client, url: str, world: World):
        send = getattr(client, self.method)
        if self.content_type:
            return send(url, self.payload(world), content_type=self.content_type)
        return send(url, self.payload(world))


def other_device(member: Member) -> UserSession:
    """A logged-in device of the member's that is not the one making the request."""
    store = SessionStore()
    store.create()
    return UserSession.objects.create(
        user=member, session_key=store.session_key, ip="10.0.0.9", user_agent="Firefox"
    )


def _device_ended(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == reverse("usersessions_list")
    assert not UserSession.objects.filter(user=member, ip="10.0.0.9").exists()


def _devices_untouched(member, world):
    assert UserSession.objects.filter(user=member or world.bob, ip="10.0.0.9").exists()


def _language_set(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == "/hjalp/"
    member.refresh_from_db()
    assert member.language == "en"


def _language_untouched(member, world):
    assert not Member.objects.filter(language="en").exists()


def _token_created(response, member, world):
    assert response.status_code == 200
    names = list(ApiToken.objects.live().filter(member=member).values_list("name", flat=True))
    assert "Mitt skript" in names
    assert ApiToken.PREFIX in response.content.decode()


def _no_token_created(member, world):
    assert not ApiToken.objects.filter(name="Mitt skript").exists()


def _token_revoked(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:my_page")
    assert ApiToken.objects.get(pk=world.token_for(member).pk).revoked_at is not None


def _tokens_untouched(member, world):
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def _logged_out(response, member, world):
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH
    assert not _sessions_of(member)


def _nothing(member, world):
    return None


MATRIX_TEXT = "Ett svar från behörighetstestet"


def _answered(response, member, world):
    answer = Answer.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert answer.author == member


def _not_answered(member, world):
    assert not Answer.objects.filter(body=MATRIX_TEXT).exists()


def _commented(response, member, world):
    comment = Comment.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert comment.author == member


def _not_commented(member, world):
    assert not Comment.objects.filter(body=MATRIX_TEXT).exists()


def _answered_by_api(response, member, world):
    answer = Answer.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 201
    assert response.json()["id"] == answer.pk
    assert answer.author == member


def _commented_by_api(response, member, world):
    comment = Comment.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 201
    assert response.json()["id"] == comment.pk
    assert comment.author == member and comment.answer == world.answer


def _following(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == world.question.get_absolute_url()
    assert Follow.objects.filter(member=member, question=world.question).exists()


def _nobody_follows(member, world):
    assert not Follow.objects.exists()


def answer_to_own_question(world: World, member: Member | None) -> Answer:
    """An answer (by Bob) to a question the requester asked: the asker marks it."""
    asker = member or world.bob
    question = question_services.question_create(
        author=asker,
        title="Tips på placering mor och barn",
        body="Vi söker tips.",
        topics=[Topic.objects.get(slug="barn-och-unga")],
    )
    return question_services.answer_create(question=question, author=world.bob, body="Prova.")


def _marked_helpful(response, member, world):
    answer = Answer.objects.get(is_helpful=True)
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert question_services.is_writer(member, answer.question)
    assert answer.question.solved


def _none_helpful(member, world):
    assert not Answer.objects.filter(is_helpful=True).exists()


def _hidden(response, member, world):
    assert response.status_code == 302
    world.answer.refresh_from_db()
    assert world.answer.is_hidden and world.answer.hidden_by == member


def _not_hidden(member, world):
    world.answer.refresh_from_db()
    assert not world.answer.is_hidden


def _replied(response, member, world):
    reply = Reply.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    assert reply.author == member and reply.post == world.post


def _not_replied(member, world):
    assert not Reply.objects.filter(body=MATRIX_TEXT).exists()


def _liked(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == world.post.get_absolute_url()
    assert Like.objects.filter(post=world.post, member=member).exists()


def _nobody_likes(member, world):
    assert not Like.objects.exists()


def _pinned(response, member, world):
    assert response.status_code == 302
    world.post.refresh_from_db()
    assert world.post.pinned_at is not None and world.post.pinned_by == member


def _not_pinned(member, world):
    world.post.refresh_from_db()
    assert world.post.pinned_at is None


def _reply_hidden(response, member, world):
    assert response.status_code == 302
    world.reply.refresh_from_db()
    assert world.reply.is_hidden and world.reply.hidden_by == member


def _reply_not_hidden(member, world):
    world.reply.refresh_from_db()
    assert not world.reply.is_hidden


def _replied_by_api(response, member, world):
    reply = Reply.objects.get(body=MATRIX_TEXT)
    assert response.status_code == 201
    assert response.json()["id"] == reply.pk
    assert reply.author == member and reply.post == world.post


def _liked_by_api(response, member, world):
    assert response.status_code == 201
    assert Like.objects.filter(post=world.post, member=member).exists()


def liked_post(world: World, member: Member | None) -> str:
    """The like API's address, on a post the requester (Bob for a visitor) likes."""
    feed_services.post_like(post=world.post, member=member or world.bob)
    return reverse("api:unlike_post", kwargs={"post_id": world.post.pk})


def _unliked_by_api(response, member, world):
    assert response.status_code == 200
    assert not Like.objects.filter(post=world.post, member=member).exists()


def _still_liked(member, world):
    assert Like.objects.filter(post=world.post, member=member or world.bob).exists()


def _dismissed(response, member, world):
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:moderation")
    world.report.refresh_from_db()
    assert world.report.status == Report.Status.DISMISSED


def _still_open(member, world):
    world.report.refresh_from_db()
    assert world.report.status == Report.Status.OPEN


def _going(response, member, world):
    assert response.status_code == 302
    assert Attendance.objects.filter(occurrence=world.occurrence, member=member).exists()


def _nobody_going(member, world):
    assert not Attendance.objects.exists()


def _members_added(response, member, world):
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group=world.group, member__name="Dora Matrix").exists()


def _no_members_added(member, world):
    assert not GroupMembership.objects.filter(member__name="Dora Matrix").exists()


def _chat_sent(response, member, world):
    assert response.status_code == 302
    assert Message.objects.filter(conversation=world.chat, author=member).exists()


def _chat_not_sent(member, world):
    assert not Message.objects.filter(conversation=world.chat).exclude(author=world.bob).exists()


def _direct_started(response, member, world):
    conversation = Conversation.objects.get(
        pair=":".join(map(str, sorted((member.pk, world.bob.pk))))
    )
    assert response["Location"] == conversation.get_absolute_url()


def _no_direct(member, world):
    assert not Conversation.objects.filter(kind=Conversation.Kind.DIRECT).exists()


def _chat_left(response, member, world):
    assert response.status_code == 302
    assert not Participant.objects.filter(conversation=world.chat, member=member).exists()


def _chat_members_untouched(member, world):
    assert Participant.objects.filter(conversation=world.chat).count() == 3


def _member_removed(response, member, world):
    assert response.status_code == 302
    assert not GroupMembership.objects.filter(group=world.group, member=world.bob).exists()


def _still_in_group(member, world):
    assert GroupMembership.objects.filter(group=world.group, member=world.bob).exists()


def _going_by_api(response, member, world):
    assert response.status_code == 200
    assert response.json()["going"] is True
    assert Attendance.objects.filter(occurrence=world.occurrence, member=member).exists()


def matrix_member(world: World, member: Member | None) -> str:
    """A colleague to add to the group (one per request)."""
    if not Member.objects.filter(email="dora@matrix.test").exists():
        Member.objects.create_user(
            email="dora@matrix.test",
            password="x",
            name="Dora Matrix",
            organisation=world.bob.organisation,
        )
    return reverse("groups:add_members", args=[world.group.pk])


def unread_notification(member: Member, question: Question) -> Notification:
    activity = Activity.objects.create(
        verb=Verb.NEW_ANSWER, target_type=Target.QUESTION, target_id=question.pk
    )
    return Notification.objects.create(
        recipient=member, activity=activity, reason="own", frequency="immediate"
    )


def _read_url(w: World, me: Member | None) -> str:
    """Each requester has an unread notification of their own to mark."""
    if me is not None:
        unread_notification(me, w.question)
    return reverse("notifications:read")


def _all_read(response, member, world):
    assert response.status_code in (200, 302)
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert Notification.objects.filter(pk=world.notification.pk, read_at__isnull=True).exists()


def _none_read(member, world):
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def _follows_post(response, member, world):
    assert response.status_code == 302
    assert Following.objects.filter(member=member, target_id=world.post.pk).exists()


def _nobody_follows_post(member, world):
    assert not Following.objects.filter(target_type=Target.POST).exists()


def _document_commented(response, member, world):
    assert response.status_code == 302
    assert world.document.comments.filter(author=member).exists()


def _document_not_commented(member, world):
    assert not world.document.comments.exclude(author=world.bob).exists()


def _file_attached(response, member, world):
    assert response.status_code in (201, 302)
    assert world.document.attachments.filter(uploaded_by=member, name="lista.txt").exists()


def _no_file_attached(member, world):
    assert not world.document.attachments.filter(name="lista.txt").exists()


def _file_removed(response, member, world):
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=world.attachment.pk).exists()


def _file_kept(member, world):
    assert Attachment.objects.filter(pk=world.attachment.pk).exists()


def _sessions_of(member: Member) -> list[Session]:
    return [
        session
        for session in Session.objects.all()
        if str(session.get_decoded().get("_auth_user_id")) == str(member.pk)
    ]


POST_CASES: dict[str, PostCase] = {
    "set_language": PostCase(
        url=lambda w, me: reverse("set_language"),
        data={"language": "en", "next": "/hjalp/"},
        succeeded=_language_set,
        untouched=_language_untouched,
    ),
    "profiles:token_create": PostCase(
        url=lambda w, me: reverse("profiles:token_create"),
        data={"name": "Mitt skript"},
        succeeded=_token_created,
        untouched=_no_token_created,
    ),
    "profiles:token_revoke": PostCase(
        url=lambda w, me: reverse("profiles:token_revoke", args=[w.token_for(me).pk]),
        data={},
        succeeded=_token_revoked,
        untouched=_tokens_untouched,
    ),
    "accounts:session_end": PostCase(
        url=lambda w, me: reverse("accounts:session_end", args=[other_device(me or w.bob).pk]),
        data={},
        succeeded=_device_ended,
        untouched=_devices_untouched,
    ),
    "account_logout": PostCase(
        url=lambda w, me: reverse("account_logout"),
        data={},
        succeeded=_logged_out,
        untouched=_nothing,
    ),
    "questions:answer": PostCase(
        url=lambda w, me: reverse("questions:answer", args=[w.question.pk]),
        data={"body": MATRIX_TEXT},
        succeeded=_answered,
        untouched=_not_answered,
    ),
    "questions:comment": PostCase(
        url=lambda w, me: reverse("questions:comment", args=[w.question.pk]),
        data={"body": MATRIX_TEXT},
        succeeded=_commented,
        untouched=_not_commented,
    ),
    "questions:follow": PostCase(
        url=lambda w, me: reverse("questions:follow", args=[w.question.pk]),
        data={"value": "on"},
        succeeded=_following,
        untouched=_nobody_follows,
    ),
    "questions:helpful": PostCase(
        url=lambda w, me: reverse("questions:helpful", args=[answer_to_own_question(w, me).pk]),
        data={"value": "on"},
        succeeded=_marked_helpful,
        untouched=_none_helpful,
    ),
    "questions:moderate": PostCase(
        url=lambda w, me: reverse("questions:moderate", args=["svar", w.answer.pk]),
        data={"action": "hide", "reason": "Sekretess"},
        succeeded=_hidden,
        untouched=_not_hidden,
        refused={"member": FORBIDDEN},
    ),
    "questions:report_dismiss": PostCase(
        url=lambda w, me: reverse("questions:report_dismiss", args=[w.report.pk]),
        data={},
        succeeded=_dismissed,
        untouched=_still_open,
        refused={"member": FORBIDDEN},
    ),
    "feed:reply": PostCase(
        url=lambda w, me: reverse("feed:reply", args=[w.post.pk]),
        data={"body": MATRIX_TEXT},
        succeeded=_replied,
        untouched=_not_replied,
    ),
    "feed:like": PostCase(
        url=lambda w, me: reverse("feed:like", args=[w.post.pk]),
        data={"value": "on"},
        succeeded=_liked,
        untouched=_nobody_likes,
    ),
    "feed:pin": PostCase(
        url=lambda w, me: reverse("feed:pin", args=[w.post.pk]),
        data={"value": "on"},
        succeeded=_pinned,
        untouched=_not_pinned,
        refused={"member": FORBIDDEN},
    ),
    "feed:moderate": PostCase(
        url=lambda w, me: reverse("feed:moderate", args=["svar", w.reply.pk]),
        data={"action": "hide", "reason": "Sekretess"},
        succeeded=_reply_hidden,
        untouched=_reply_not_hidden,
        refused={"member": FORBIDDEN},
    ),
    "api:create_answer": PostCase(
        url=lambda w, me: reverse("api:create_answer", kwargs={"question_id": w.question.pk}),
        data={"body": MATRIX_TEXT},
        content_type="application/json",
        succeeded=_answered_by_api,
        untouched=_not_answered,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "api:create_comment": PostCase(
        url=lambda w, me: reverse("api:create_comment", kwargs={"answer_id": w.answer.pk}),
        data={"body": MATRIX_TEXT},
        content_type="application/json",
        succeeded=_commented_by_api,
        untouched=_not_commented,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "api:create_reply": PostCase(
        url=lambda w, me: reverse("api:create_reply", kwargs={"post_id": w.post.pk}),
        data={"body": MATRIX_TEXT},
        content_type="application/json",
        succeeded=_replied_by_api,
        untouched=_not_replied,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "api:like_post": PostCase(
        url=lambda w, me: reverse("api:like_post", kwargs={"post_id": w.post.pk}),
        data={},
        content_type="application/json",
        succeeded=_liked_by_api,
        untouched=_nobody_likes,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "api:unlike_post": PostCase(
        url=liked_post,
        data={},
        content_type="application/json",
        method="delete",
        succeeded=_unliked_by_api,
        untouched=_still_liked,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "events:attend": PostCase(
        url=lambda w, me: reverse("events:attend", args=[w.occurrence.pk]),
        data={"going": "1"},
        succeeded=_going,
        untouched=_nobody_going,
    ),
    "api:attend_event": PostCase(
        url=lambda w, me: reverse("api:attend_event", kwargs={"event_id": w.event.pk}),
        data={},
        data_for=lambda w: {"occurrence_id": w.occurrence.pk, "going": True},
        content_type="application/json",
        succeeded=_going_by_api,
        untouched=_nobody_going,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "groups:add_members": PostCase(
        url=matrix_member,
        data={"emails": "dora@matrix.test"},
        succeeded=_members_added,
        untouched=_no_members_added,
        refused={"member": FORBIDDEN},
    ),
    "groups:remove_member": PostCase(
        url=lambda w, me: reverse("groups:remove_member", args=[w.group.pk, w.bob.pk]),
        data={},
        succeeded=_member_removed,
        untouched=_still_in_group,
        refused={"member": FORBIDDEN},
    ),
    "chat:send": PostCase(
        url=lambda w, me: reverse("chat:send", args=[w.chat.pk]),
        data={"body": MATRIX_TEXT},
        succeeded=_chat_sent,
        untouched=_chat_not_sent,
        refused={"admin": NOT_FOUND},
    ),
    "chat:direct": PostCase(
        url=lambda w, me: reverse("chat:direct", args=[w.bob.pk]),
        data={},
        succeeded=_direct_started,
        untouched=_no_direct,
    ),
    # Bob administers the group: the others may not add anyone (the administrator
    # is not in it at all).
    "chat:member_add": PostCase(
        url=lambda w, me: reverse("chat:member_add", args=[w.chat.pk]),
        data={},
        data_for=lambda w: {"member": str(w.members["admin"].pk)},
        succeeded=lambda response, member, world: pytest.fail("only Bob may add members"),
        untouched=_chat_members_untouched,
        refused={"member": FORBIDDEN, "moderator": FORBIDDEN, "admin": NOT_FOUND},
    ),
    # Each participant leaves the group themselves.
    "chat:member_remove": PostCase(
        url=lambda w, me: reverse("chat:member_remove", args=[w.chat.pk, (me or w.bob).pk]),
        data={},
        succeeded=_chat_left,
        untouched=_chat_members_untouched,
        refused={"admin": NOT_FOUND},
    ),
    "notifications:read": PostCase(
        url=_read_url,
        data={"all": "1"},
        succeeded=_all_read,
        untouched=_none_read,
    ),
    "api:read_notifications": PostCase(
        url=lambda w, me: _read_url(w, me) and reverse("api:read_notifications"),
        data={"all": True},
        content_type="application/json",
        succeeded=_all_read,
        untouched=_none_read,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "notifications:follow": PostCase(
        url=lambda w, me: reverse("notifications:follow", args=["post", w.post.pk]),
        data={"follow": "1"},
        succeeded=_follows_post,
        untouched=_nobody_follows_post,
    ),
    "documents:comment": PostCase(
        url=lambda w, me: reverse("documents:comment", args=[w.document.pk]),
        data={"body": "Bra förslag."},
        succeeded=_document_commented,
        untouched=_document_not_commented,
    ),
    "files:attach": PostCase(
        url=lambda w, me: reverse("files:attach", args=["dokument", w.document.pk]),
        data={},
        data_for=lambda w: {"file": SimpleUploadedFile("lista.txt", b"Att ta med.\n")},
        succeeded=_file_attached,
        untouched=_no_file_attached,
    ),
    # Bob's own file: everyone else is refused (Carol removes it as a moderator).
    "files:delete": PostCase(
        url=lambda w, me: reverse("files:delete", args=[w.attachment.pk]),
        data={},
        succeeded=_file_removed,
        untouched=_file_kept,
        refused={"member": FORBIDDEN},
    ),
    "api:create_file": PostCase(
        url=lambda w, me: reverse("api:create_file"),
        data={},
        data_for=lambda w: {
            "file": SimpleUploadedFile("lista.txt", b"Att ta med.\n"),
            "owner_type": "document",
            "owner_id": w.document.pk,
        },
        succeeded=_file_attached,
        untouched=_no_file_attached,
        refused={"visitor": UNAUTHORIZED, "deactivated": UNAUTHORIZED},
    ),
    "admin:logout": PostCase(
        url=lambda w, me: reverse("admin:logout"),
        data={},
        succeeded=_logged_out,
        untouched=_nothing,
        refused={"member": FORBIDDEN, "moderator": FORBIDDEN},
    ),
}


def test_every_post_only_view_has_a_post_case():
    post_only = {
        name for name in NAMED_ROUTES if METHOD in expected_row(name) and name in EXPECTED
    } | {name for name, outcome_ in ADMIN_EXCEPTIONS.items() if outcome_ == METHOD}
    assert post_only <= set(POST_CASES), sorted(post_only - set(POST_CASES))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST_CASES))
def test_post_only_view_works_for_members_and_sends_others_to_login(name, role, request, world):
    case = POST_CASES[name]
    client = request.getfixturevalue(CLIENT_FIXTURES[role])
    member = world.members[role]
    refused = {"visitor": LOGIN, "deactivated": LOGIN, **(case.refused or {})}
    if role in refused:
        url = case.url(world, member)
        if case.content_type:
            observed = classify(case.post(client, url, world))
        else:
            observed = outcome(client, url, "post", case.payload(world))
        assert observed == refused[role]
        case.untouched(member, world)
    else:
        response = case.post(client, case.url(world, member), world)
        case.succeeded(response, member, world)


def test_member_cannot_revoke_someone_elses_token(alice_client, world):
    bobs = world.token_for(world.bob)
    response = alice_client.post(reverse("profiles:token_revoke", args=[bobs.pk]))
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked_at is None


# --- A membership ending while the session is open --------------------------------------------


def test_open_session_stops_working_the_moment_a_member_is_deactivated(alice_client, alice):
    directory = reverse("profiles:directory")
    assert alice_client.get(directory).status_code == 200

    # Only the column: the session row stays, so the refusal comes from the check
    # made on every request, not from the session being deleted.
    Member.objects.filter(pk=alice.pk).update(deactivated_at=timezone.now())
    assert _sessions_of(alice)

    response = alice_client.get(directory)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH
    assert alice_client.get(reverse("api:me")).status_code == 401


def test_open_session_stops_working_when_membership_end_date_passes(alice_client, alice):
    assert alice_client.get(reverse("start")).status_code == 200
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=timezone.now())
    response = alice_client.get(reverse("start"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH


def test_deactivation_service_ends_sessions_and_api_tokens(alice_client, alice):
    _token, secret = api_services.api_token_create(member=alice, name="Skript")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(reverse("api:me"), **bearer).status_code == 200
    assert alice_client.get(reverse("profiles:my_page")).status_code == 200

    account_services.member_deactivate(member=alice)

    assert not _sessions_of(alice)
    assert urlsplit(alice_client.get(reverse("profiles:my_page"))["Location"]).path == LOGIN_PATH
    assert Client().get(reverse("api:me"), **bearer).status_code == 401


def test_deactivated_members_profile_is_gone_from_the_directory(bob_client, dave):
    assert bob_client.get(reverse("profiles:detail", args=[dave.pk])).status_code == 404
