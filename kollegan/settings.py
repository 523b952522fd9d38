"""Kollegan's one settings module: every knob is read from the environment.

Safe defaults suit a developer laptop (SQLite and mail files under the data
directory). Production is whatever runs without ``KOLLEGAN_DEV=1``: it refuses
to start without a real ``SECRET_KEY`` and turns on secure cookies and HSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Where runtime state lives -------------------------------------------------

DATA_DIR = Path(env_str("KOLLEGAN_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Developer mode: a generated secret key kept in the data directory, cookies
# allowed over plain http. Set by `make run` and the test suite, never in production.
DEV = env_bool("KOLLEGAN_DEV")
DEBUG = env_bool("DEBUG")

# Values that must never be accepted as a production secret.
_KNOWN_BAD_SECRETS = {"", "changeme", "secret", "django-insecure", "kollegan-demo"}


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key and key not in _KNOWN_BAD_SECRETS and not key.startswith("django-insecure"):
        if not DEV and len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
        return key
    if not DEV:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or a known default. Set a long random SECRET_KEY, "
            "or KOLLEGAN_DEV=1 on a developer machine."
        )
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEV else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

# --- Applications ------------------------------------------------------------------

INSTALLED_APPS = [
    "kollegan.accounts",
    "kollegan.core",
    "kollegan.topics",
    "kollegan.questions",
    "kollegan.profiles",
    "kollegan.feed",
    "kollegan.groups",
    "kollegan.events",
    "kollegan.notes",
    "kollegan.notifications",
    "kollegan.documents",
    "kollegan.files",
    "kollegan.helppages",
    "kollegan.search",
    "kollegan.chat",
    "kollegan.api",
    "kollegan.audit",
    "kollegan.core.admin_config.KolleganAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # After allauth.socialaccount: its admin module adjusts allauth's.
    "kollegan.sso",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kollegan.core.middleware.ServerTimingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kollegan.accounts.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kollegan.accounts.middleware.MembersOnlyMiddleware",
    "kollegan.accounts.mfa.MFARequiredMiddleware",
    "kollegan.accounts.middleware.MemberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout, absolute lifetime, and the per-session device record
    # (allauth.usersessions) refreshed at most once a minute.
    "kollegan.accounts.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "kollegan.urls"
WSGI_APPLICATION = "kollegan.wsgi.application"
# The chat process (WebSockets, Django Channels); pages stay on WSGI.
ASGI_APPLICATION = "kollegan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kollegan.core.context_processors.site",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "kollegan.sqlite3",
            "OPTIONS": {
                # Writers queue for the lock instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, navigation) -------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "kollegan"),
        }
    }
elif env_str("CACHE_BACKEND") == "locmem":
    # The test suite: each run keeps its own counters.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # A file cache is shared by every process on the machine, so login rate
    # limits hold across the web server's workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# --- Chat ----------------------------------------------------------------------------------
# Channels' layer: Redis (its pub/sub flavour: one message per group and process,
# fanned out in the process) when several web and chat processes share the work,
# else the chat process's memory.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CHAT_CHANNEL_PREFIX", "kollegan-chat"),
            },
        }
    }
else:
    # Every event for the process passes one channel (the chat's router): room for
    # bursts, and group memberships that last as long as the process.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 10_000, "group_expiry": 10 * 365 * 86400},
        }
    }
# Where pages open the chat socket. Empty: the page's own host name at CHAT_PORT,
# which is what `manage.py serve` starts; behind a proxy that sends /ws/ to the
# chat process, e.g. wss://kollegan.example.se/ws/chatt/.
CHAT_URL = env_str("CHAT_URL")
CHAT_PORT = env_int("CHAT_PORT", env_int("PORT", 8000) + 1)
# Set by `manage.py serve` for the web server and the worker when there is no
# Redis: they hand chat events to the chat process here.
CHAT_BRIDGE_URL = "" if REDIS_URL else env_str("CHAT_BRIDGE_URL")
# At most this many messages per member in this many seconds.
CHAT_RATE_MESSAGES = env_int("CHAT_RATE_MESSAGES", 20)
CHAT_RATE_SECONDS = env_int("CHAT_RATE_SECONDS", 30)
# How often each chat process checks that its sockets' members still have access.
CHAT_SWEEP_SECONDS = env_int("CHAT_SWEEP_SECONDS", 3)
# A member with no open socket seen within this many seconds is not online.
CHAT_ONLINE_SECONDS = env_int("CHAT_ONLINE_SECONDS", 60)

# --- Accounts ----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = ["kollegan.accounts.backends.MemberBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if DEV:
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

ACCOUNT_ADAPTER = "kollegan.accounts.adapter.ClosedAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
LOGIN_FAILURE_LIMIT = env_str("LOGIN_FAILURE_LIMIT", "5/5m/ip,5/5m/key")
ACCOUNT_RATE_LIMITS = {
    "login_failed": LOGIN_FAILURE_LIMIT,
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
INVITATION_VALID_DAYS = 7

# Single sign-on through an organisation's own identity provider (kollegan.sso):
# OpenID Connect (Entra ID and others) and SAML 2.0 (Sweden Connect, SITHS),
# configured in the admin as allauth SocialApps linked to an organisation.
# The adapter matches the asserted e-mail address to an active member of that
# organisation, or to a pending invitation from it; nobody else gets in.
SOCIALACCOUNT_ADAPTER = "kollegan.sso.adapter.OrganisationSocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Only invitations reach sign-up, and their member is created without a form.
SOCIALACCOUNT_AUTO_SIGNUP = True
# The adapter does the matching by e-mail itself, limited to the organisation
# the identity provider was configured for; allauth's site-wide matching is off.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# Two-factor login (allauth.mfa): an authenticator app with recovery codes, or a
# security key / passkey (WebAuthn) as the second step after the password.
# Whether it is required is the administrators' choice (SiteSettings.mfa_required_for).
MFA_ADAPTER = "kollegan.accounts.mfa.KolleganMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_FORMS = {
    "add_webauthn": "kollegan.accounts.mfa_forms.AddWebAuthnForm",
    "edit_webauthn": "kollegan.accounts.mfa_forms.EditWebAuthnForm",
}
# Passkeys are a second factor here, not a password replacement: the login page
# stays e-mail and password.
MFA_PASSKEY_LOGIN_ENABLED = False
# The site name from the admin is the issuer shown in the authenticator app
# (KolleganMFAAdapter); one 30-second step either side allows for phone clocks.
MFA_TOTP_TOLERANCE = 1
# WebAuthn needs https; developers run on http://localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEV

# A login lasts at most SESSION_ABSOLUTE_LIFETIME seconds (default 14 days) and ends
# after SESSION_IDLE_TIMEOUT seconds without a request (default 8 hours: a working
# day). SessionActivityMiddleware enforces both; the cookie lives as long as the login.
SESSION_ABSOLUTE_LIFETIME = env_int(
    "SESSION_ABSOLUTE_LIFETIME", env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 8 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
# Sessions per member with device, IP address and last activity (allauth.usersessions),
# shown on "Inloggade enheter". allauth's own middleware is left out: it writes to the
# database on every request; SessionActivityMiddleware refreshes the record once a minute.
USERSESSIONS_TRACK_ACTIVITY = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEV
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security headers ------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEV:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole domain to HTTPS in browsers for months and is
        # the operator's decision (SECURE_HSTS_PRELOAD=1), so `check --deploy`
        # should not warn while it is off.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", not DEV):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}

# --- Language and time -------------------------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Profile photos: larger uploads are refused before Pillow looks at them, and
# images with more pixels are refused from the header alone, before decoding
# (a small PNG can expand to gigabytes in memory). The web server in front
# should cap request bodies a little above this too.
PROFILE_PHOTO_MAX_BYTES = env_int("PROFILE_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PROFILE_PHOTO_MAX_PIXELS = env_int("PROFILE_PHOTO_MAX_PIXELS", 40_000_000)
# Attachments (kollegan.files): the largest file accepted, counted while the upload
# arrives, so a bigger one is dropped instead of written to disk whole.
FILES_MAX_BYTES = env_int("FILES_MAX_BYTES", 25 * 1024 * 1024)
# A picture with more pixels is refused from its header, before it is decoded.
FILES_MAX_PIXELS = env_int("FILES_MAX_PIXELS", PROFILE_PHOTO_MAX_PIXELS)
# Office files are zip archives: what they may unpack to (zip bombs), in all and per
# member relative to its packed size, and how many members they may hold.
FILES_ZIP_MAX_BYTES = env_int("FILES_ZIP_MAX_BYTES", 100 * 1024 * 1024)
FILES_ZIP_MAX_RATIO = env_int("FILES_ZIP_MAX_RATIO", 100)
FILES_ZIP_MAX_MEMBERS = env_int("FILES_ZIP_MAX_MEMBERS", 5000)
# Every page of a PDF is read for the confidentiality guard; longer ones are refused.
FILES_PDF_MAX_PAGES = env_int("FILES_PDF_MAX_PAGES", 500)
# At most this much text is read from a file for the guard (more is refused), and
# at most FILES_TEXT_MAX_CHARS of it kept for search.
FILES_TEXT_CHECK_MAX_CHARS = env_int("FILES_TEXT_CHECK_MAX_CHARS", 2_000_000)
FILES_TEXT_MAX_CHARS = env_int("FILES_TEXT_MAX_CHARS", 200_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV or not env_bool("STATIC_MANIFEST", True)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (attachments, photos, pictures) in an S3-compatible bucket instead of
# MEDIA_ROOT. Private objects: members get files only through Kollegan's views.
FILES_S3_BUCKET = env_str("FILES_S3_BUCKET")
if FILES_S3_BUCKET:
    import importlib.util

    if importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "FILES_S3_BUCKET needs boto3: install Kollegan with its s3 extra (pip install '.[s3]')."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": FILES_S3_BUCKET,
            "endpoint_url": env_str("FILES_S3_ENDPOINT_URL") or None,
            "access_key": env_str("FILES_S3_ACCESS_KEY") or None,
            "secret_key": env_str("FILES_S3_SECRET_KEY") or None,
            "region_name": env_str("FILES_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Developers and tests serve straight from the source folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEV
# favicon.ico and other files browsers ask for at the root, public and without a URL pattern.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_AUTOREFRESH = DEV

# --- E-mail -------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digitala kollegan <noreply@kollegan.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    # Without a mail server every e-mail is an .eml file under the data
    # directory, to open in any mail program.
    EMAIL_BACKEND = "kollegan.lib.mail.EmlFileBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# --- Background work -----------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Notifications -------------------------------------------------------------------------

# Immediate e-mails wait this long, so that several notifications to one member
# become one e-mail.
NOTIFICATION_BATCH_SECONDS = env_int("NOTIFICATION_BATCH_SECONDS", 120)
# Tries (1, 2, 4 … minutes apart, at most an hour) before an e-mail is given up
# and listed for administrators to send again: 12 tries span about six hours.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 12)

# --- Kollegan ------------------------------------------------------------------------------

SITE_NAME_DEFAULT = "Digitala kollegan"
# The benchmark harness adds a hello-world baseline view and timing headers.
BENCH = env_bool("KOLLEGAN_BENCH")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
