from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, include, path

from kollegan.accounts import views as account_views
from kollegan.api.api import api
from kollegan.core import views as core_views
from kollegan.documents import views as document_views
from kollegan.events import views as event_views
from kollegan.feed import views as feed_views
from kollegan.helppages import views as help_views
from kollegan.notes import views as note_views


def _allauth_urlpatterns() -> list:
    """allauth's addresses without its unnamed, deprecated /konto/social/* redirects
    to the third-party account pages, which Kollegan does not offer."""
    from allauth import urls as allauth_urls

    return [
        entry
        for entry in allauth_urls.urlpatterns
        if not (isinstance(entry, URLPattern) and entry.name is None)
    ]


urlpatterns = [
    path("", feed_views.start, name="start"),
    # Our versions of three allauth pages come first: 429 on too many failed
    # logins, 403 for an ended membership, and no self sign-up at all.
    path("konto/login/", account_views.RateLimitedLoginView.as_view(), name="account_login"),
    path("konto/inactive/", account_views.account_inactive, name="account_inactive"),
    path("konto/signup/", account_views.not_available, name="account_signup"),
    path(
        "konto/confirm-email/", account_views.not_available, name="account_email_verification_sent"
    ),
    path(
        "konto/confirm-email/<str:key>/", account_views.not_available, name="account_confirm_email"
    ),
    # The login address is the one the invitation went to: allauth's page for
    # adding addresses would let a member switch it to any unverified address.
    path("konto/email/", account_views.not_available, name="account_email"),
    # Nor does it confirm who you are by a code in an e-mail (allauth 65.22 and
    # later): the password and, where required, the second factor confirm it.
    path(
        "konto/reauthenticate/code/",
        account_views.not_available,
        name="account_request_reauthentication_code",
    ),
    path(
        "konto/reauthenticate/code/confirm/",
        account_views.not_available,
        name="account_confirm_reauthentication_code",
    ),
    # Single sign-on: Kollegan's front doors to allauth's provider logins.
    path("konto/", include("kollegan.sso.urls")),
    path("konto/", include(_allauth_urlpatterns())),
    path("", include("kollegan.accounts.urls")),
    path("", include("kollegan.profiles.urls")),
    path("", include("kollegan.notifications.urls")),
    path("amnen/", include("kollegan.topics.urls")),
    path("fragor/", include("kollegan.questions.urls")),
    path("inlagg/", include("kollegan.feed.urls")),
    path("kalendarium/", event_views.calendar, name="calendar"),
    path("kalendarium/", include("kollegan.events.urls")),
    path("motesnoteringar/", note_views.note_list, name="notes"),
    path("motesnoteringar/", include("kollegan.notes.urls")),
    path("grupper/", include("kollegan.groups.urls")),
    path("dokument/", document_views.document_list, name="documents"),
    path("dokument/", include("kollegan.documents.urls")),
    path("filer/", include("kollegan.files.urls")),
    path("sok/", include("kollegan.search.urls")),
    path("chatt/", include("kollegan.chat.urls")),
    path("hjalp/", help_views.index, name="help"),
    path("hjalp/", include("kollegan.helppages.urls")),
    path("sprak/", core_views.set_language, name="set_language"),
    path("tillganglighet/", core_views.accessibility, name="accessibility"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.BENCH:
    urlpatterns.append(path("bench/hello", core_views.hello, name="bench_hello"))
