"""Where the benchmark keeps its data, and the environment its processes share.

Nothing here imports Django: these decisions must be made before the settings
module reads the environment.
"""

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO_DIR = Path(__file__).resolve().parent.parent.parent
SQLITE_FILE = "kollegan.sqlite3"  # the name settings.py gives the SQLite database
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


@dataclass(frozen=True)
class Target:
    """One benchmark data set: its label, size, folder and (for Postgres) database URL."""

    label: str
    members: int
    data_dir: Path
    database_url: str | None

    @property
    def database_name(self) -> str | None:
        if self.database_url is None:
            return None
        return urlsplit(self.database_url).path.lstrip("/")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE


def make_target(label: str, members: int, data_dir: Path | None) -> Target:
    data_dir = (data_dir or REPO_DIR / "var" / "bench" / label).resolve()
    url = os.environ.get("DATABASE_URL", "").strip()
    return Target(label, members, data_dir, bench_database_url(url, label) if url else None)


def bench_database_url(url: str, label: str) -> str:
    """The same server as ``url`` but a database of the bench's own, so neither
    the developer's data nor a test run's database is touched."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise SystemExit(
            f"DATABASE_URL uses {parts.scheme!r}; the benchmark supports PostgreSQL, "
            "or SQLite in its data directory when DATABASE_URL is unset."
        )
    name = "kollegan_bench_" + re.sub(r"[^a-z0-9_]", "_", label.lower())
    return urlunsplit(parts._replace(path="/" + name))


def child_env(target: Target) -> dict[str, str]:
    """The environment for migrate, the data generator and the web server."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="kollegan.settings",
        KOLLEGAN_DATA_DIR=str(target.data_dir),
        KOLLEGAN_DEV="1",
        KOLLEGAN_BENCH="1",
        # DEBUG keeps every SQL statement in memory and would distort the figures.
        DEBUG="0",
        LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        # A shared Redis must not hand the bench the developer's cached site settings.
        CACHE_KEY_PREFIX=f"kollegan-bench-{target.label}",
    )
    if target.database_url:
        env["DATABASE_URL"] = target.database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def _maintenance_conninfo(target: Target) -> str:
    assert target.database_url is not None
    parts = urlsplit(target.database_url)
    # libpq knows "postgres" and "postgresql"; dj-database-url also accepts "pgsql".
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def ensure_database(target: Target) -> None:
    """Create the bench's Postgres database if it is missing (SQLite creates its own)."""
    target.data_dir.mkdir(parents=True, exist_ok=True)
    if target.database_url is None:
        return
    with psycopg.connect(_maintenance_conninfo(target), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target.database_name]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database_name)))


def reset_database(target: Target) -> None:
    """Throw the bench database away; the caller migrates and fills it again.
    Close Django's connections first."""
    if target.database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(_maintenance_conninfo(target), autocommit=True) as conn:
        name = sql.Identifier(target.database_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


@contextlib.contextmanager
def setup_lock(target: Target) -> Iterator[None]:
    """Serialise data set-up between bench runs sharing a database, e.g. two test
    runs against the same Postgres, which would otherwise both fill it."""
    target.data_dir.mkdir(parents=True, exist_ok=True)
    if target.database_url is None:
        with open(target.data_dir / "setup.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    with psycopg.connect(_maintenance_conninfo(target), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [target.database_name])
        yield
        # Closing the connection releases the lock too; this just says so.
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [target.database_name])
