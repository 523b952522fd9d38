"""Settings read from the environment, checked the way production starts them:
a fresh Python process, without ``KOLLEGAN_DEV``, with a data directory of its own.

The test suite itself runs in developer mode, so these tests never look at
``django.conf.settings`` in-process; each one starts ``django.setup()`` in a
subprocess and reads the settings it printed."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# Only what a process needs to run; nothing of the test run's own configuration
# (KOLLEGAN_DEV, DATABASE_URL, REDIS_URL …) leaks into the subprocess.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_FILE_PATH": str(getattr(s, "EMAIL_FILE_PATH", "")),
    "EMAIL_HOST": s.EMAIL_HOST,
    "EMAIL_PORT": s.EMAIL_PORT,
    "EMAIL_USE_TLS": s.EMAIL_USE_TLS,
    "DB_ENGINE": db["ENGINE"],
    "DB_NAME": str(db["NAME"]),
    "DB_HOST": db.get("HOST", ""),
    "DB_OPTIONS": db.get("OPTIONS", {}),
    "CACHE_BACKEND": s.CACHES["default"]["BACKEND"],
    "PASSWORD_HASHERS": s.PASSWORD_HASHERS,
}, default=str))
"""


def random_key() -> str:
    key = secrets.token_urlsafe(48)
    assert len(key) == 64
    return key


def clean_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "kollegan.settings"
    env["KOLLEGAN_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


def run_python(data_dir: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**env: str) -> dict[str, str]:
    """What an operator sets at the least: a real key and the host name."""
    return {"SECRET_KEY": random_key(), "ALLOWED_HOSTS": "kollegan.example.se", **env}


def settings_of(data_dir: Path, **env: str) -> dict:
    result = run_python(data_dir, PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Refusing to start --------------------------------------------------------------------


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_python(tmp_path, PRINT_SETTINGS, ALLOWED_HOSTS="kollegan.example.se")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is missing or a known default" in result.stderr


@pytest.mark.parametrize(
    "known_default",
    [
        "changeme",
        "secret",
        "kollegan-demo",
        "django-insecure",
        # What `startproject` writes: long enough, but public in countless repositories.
        "django-insecure-" + "k" * 50,
    ],
)
def test_production_refuses_to_start_with_a_known_default_key(tmp_path, known_default):
    result = run_python(
        tmp_path, PRINT_SETTINGS, SECRET_KEY=known_default, ALLOWED_HOSTS="kollegan.example.se"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is missing or a known default" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = run_python(
        tmp_path,
        PRINT_SETTINGS,
        SECRET_KEY="kort-men-inte-kant",
        ALLOWED_HOSTS="kollegan.example.se",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_python(tmp_path, PRINT_SETTINGS, SECRET_KEY=random_key())
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


# --- Starting in production ---------------------------------------------------------------


def test_production_starts_with_random_key_and_allowed_hosts(tmp_path):
    env = production()
    settings = settings_of(tmp_path, **env)
    assert settings["SECRET_KEY"] == env["SECRET_KEY"]
    assert settings["ALLOWED_HOSTS"] == ["kollegan.example.se"]
    assert settings["DEBUG"] is False
    # No developer key file appears next to the data.
    assert not (tmp_path / "secret_key").exists()


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    settings = settings_of(tmp_path, **production())
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SECURE_HSTS_SECONDS"] > 0
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_uses_the_default_password_hasher(tmp_path):
    # The developer shortcut (MD5 allowed) must not reach production.
    hashers = settings_of(tmp_path, **production())["PASSWORD_HASHERS"]
    assert not any("MD5" in hasher for hasher in hashers)


def test_developer_mode_makes_and_keeps_its_own_key(tmp_path):
    first = settings_of(tmp_path, KOLLEGAN_DEV="1")["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first) >= 50
    assert settings_of(tmp_path, KOLLEGAN_DEV="1")["SECRET_KEY"] == first


# --- E-mail -------------------------------------------------------------------------------


def test_email_goes_over_smtp_when_a_host_is_set(tmp_path):
    settings = settings_of(tmp_path, **production(EMAIL_HOST="smtp.example.se"))
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["EMAIL_HOST"] == "smtp.example.se"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_USE_TLS"] is True


def test_email_is_written_to_files_in_the_data_dir_without_a_host(tmp_path):
    settings = settings_of(tmp_path, **production())
    assert settings["EMAIL_BACKEND"] == "kollegan.lib.mail.EmlFileBackend"
    assert Path(settings["EMAIL_FILE_PATH"]) == (tmp_path / "mail").resolve()


def test_each_email_without_a_host_is_one_eml_file_a_mail_program_opens(tmp_path):
    from email import message_from_bytes, policy

    from django.core.mail import EmailMultiAlternatives

    from kollegan.lib.mail import EmlFileBackend

    messages = []
    for n in range(2):
        message = EmailMultiAlternatives(f"Ämne {n}", "Hej!", to=[f"anna{n}@kollegan.test"])
        message.attach_alternative("<p>Hej!</p>", "text/html")
        messages.append(message)
    assert EmlFileBackend(file_path=str(tmp_path)).send_messages(messages) == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    assert not list(tmp_path.glob("*.part"))
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["Ämne 0", "Ämne 1"]
    assert parsed[0].get_body(preferencelist=("html",)).get_content().strip() == "<p>Hej!</p>"


# --- Database and cache -------------------------------------------------------------------


def test_database_url_selects_postgresql(tmp_path):
    settings = settings_of(
        tmp_path,
        **production(DATABASE_URL="postgres://kollegan:hemligt@db.example.se:5432/kollegan"),
    )
    assert settings["DB_ENGINE"] == "django.db.backends.postgresql"
    assert settings["DB_NAME"] == "kollegan"
    assert settings["DB_HOST"] == "db.example.se"


def test_default_sqlite_queues_writers_and_uses_wal(tmp_path):
    settings = settings_of(tmp_path, **production())
    assert settings["DB_ENGINE"] == "django.db.backends.sqlite3"
    assert Path(settings["DB_NAME"]) == (tmp_path / "kollegan.sqlite3").resolve()
    options = settings["DB_OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA foreign_keys=ON" in options["init_command"]


def test_redis_url_selects_the_redis_cache(tmp_path):
    with_redis = settings_of(tmp_path, **production(REDIS_URL="redis://cache.example.se:6379/0"))
    without = settings_of(tmp_path, **production())
    assert with_redis["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    # Without Redis the cache is still shared between worker processes (rate limits).
    assert without["CACHE_BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


# --- Django's deployment checklist ------------------------------------------------------------


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(
            tmp_path,
            **production(SITE_URL="https://kollegan.example.se"),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_production_safeguards_are_switched_off(tmp_path):
    # The check above can fail: with HSTS and the https redirect off it does.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(
            tmp_path,
            **production(SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="0"),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr
