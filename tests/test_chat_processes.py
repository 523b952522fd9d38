"""The chat across processes, as production runs it: two chat processes
(granian, ``--interface asginl``) sharing Redis, a member's socket on each.

Nothing here uses pytest-django's test database: the processes get a data
directory and a database of their own (SQLite in that directory or, when the
suite runs on PostgreSQL, a new database on that server), migrated by
``manage.py migrate``, with the members, conversations and logins made by a
script in a subprocess; the socket clients are the ``websockets`` library, as a
browser would connect. Redis is required: without it these tests fail, they do
not skip.

Each chat process's sweep (which closes the sockets of ended members every few
seconds, whatever the path) is turned down to once in five minutes here, so a
socket closed within seconds was closed by the event published through Redis."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from psycopg import sql
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://127.0.0.1:8000"
# How long a frame may take to arrive from the other process.
WAIT = 5.0

# Run in a subprocess with Django set up on the temporary data directory; prints JSON.
SETUP = """
import json
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from kollegan.accounts import sessions
from kollegan.accounts.models import Member, Organisation
from kollegan.chat import services

def member(email, name, slug):
    return Member.objects.create_user(
        email=email, password="ett-långt-lösenord-42", name=name,
        organisation=Organisation.objects.get(slug=slug),
    )

def login(member):
    store = SessionStore()
    store["_auth_user_id"] = str(member.pk)
    store["_auth_user_backend"] = "kollegan.accounts.backends.MemberBackend"
    store["_auth_user_hash"] = member.get_session_auth_hash()
    store[sessions.LOGIN_AT] = store[sessions.SEEN_AT] = sessions.now_seconds()
    store.create()
    # As a login through the page records it: deactivation ends the session through this row.
    UserSession.objects.create(
        user=member, session_key=store.session_key, ip="127.0.0.1", user_agent="test"
    )
    return store.session_key

alice = member("alice@lycksele.test", "Alice Andersson", "lycksele")
bob = member("bob@storuman.test", "Bob Berg", "storuman")
carl = member("carl@storuman.test", "Carl Cederlund", "storuman")
group = services.conversation_create_group(creator=alice, name="Kurs 2025", members=[bob])
print(json.dumps({
    "alice": alice.pk, "bob": bob.pk, "carl": carl.pk,
    "direct": services.conversation_direct(member=alice, other=bob).pk,
    "carl_direct": services.conversation_direct(member=alice, other=carl).pk,
    "group": group.pk,
    "sessions": {"alice": login(alice), "bob": login(bob), "carl": login(carl)},
}))
"""


@dataclass
class Cluster:
    env: dict[str, str]
    ports: tuple[int, int]
    ids: dict
    logs: list[Path]

    def url(self, process: int) -> str:
        return f"ws://127.0.0.1:{self.ports[process]}/ws/chatt/"

    def cookie(self, member: str) -> str:
        return f"sessionid={self.ids['sessions'][member]}"

    def django(self, code: str) -> str:
        """Run ``code`` in a fresh Python with Django set up on this data directory."""
        return django_run(self.env, code)

    def log_sizes(self) -> list[int]:
        return [path.stat().st_size for path in self.logs]

    def errors_since(self, sizes: list[int]) -> str:
        """What the processes logged as errors since ``log_sizes()`` returned ``sizes``."""
        found = []
        for path, size in zip(self.logs, sizes, strict=True):
            with path.open("rb") as log:
                log.seek(size)
                text = log.read().decode(errors="replace")
            if "Traceback" in text or "[ERROR]" in text:
                found.append(f"--- {path.name}\n{text}")
        return "\n".join(found)


def django_run(env: dict[str, str], code: str) -> str:
    script = "import django\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"The script failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def redis_url() -> str:
    """The suite's Redis, or the local one; in database 15 either way, the tests'
    own (tests/testenv), so a developer's running site keeps its cache."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"The chat across processes needs Redis at {url}: {error}", pytrace=False)
    return url


def forget_cache(url: str, prefix: str) -> None:
    """Remove what the processes cached (rate-limit counters and the like)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def wait_healthy(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The chat process stopped with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200 and answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"The chat process on port {port} did not answer /healthz:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """Stop a chat process and the workers it started (its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def database_of_our_own(run: str) -> Iterator[dict[str, str]]:
    """With DATABASE_URL (the suite's PostgreSQL run), a new PostgreSQL database
    on the same server, dropped afterwards; else nothing: SQLite in the data
    directory. Either way not the suite's test database, nor the developer's."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {}
        return
    parts = urlsplit(url)
    name = f"kollegan_chat_{run[:12]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    run = uuid.uuid4().hex
    redis_at = redis_url()
    with database_of_our_own(run) as database:
        yield from _cluster(tmp_path_factory, run, redis_at, database)


def _cluster(
    tmp_path_factory, run: str, redis_at: str, database: dict[str, str]
) -> Iterator[Cluster]:
    data = tmp_path_factory.mktemp("chat-processes")
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite's database and chat settings are not these processes' business.
        if key not in {"DATABASE_URL", "CACHE_BACKEND", "CHAT_URL", "CHAT_BRIDGE_URL", "CHAT_PORT"}
    }
    env.update(
        {
            "KOLLEGAN_DATA_DIR": str(data),
            "KOLLEGAN_DEV": "1",
            "DJANGO_SETTINGS_MODULE": "kollegan.settings",
            "REDIS_URL": redis_at,
            "CHAT_CHANNEL_PREFIX": f"test-chat-{run}",
            "CACHE_KEY_PREFIX": f"test-chat-{run}",
            "SITE_URL": SITE,
            "CSRF_TRUSTED_ORIGINS": SITE,
            "CHAT_SWEEP_SECONDS": "300",
            "PYTHONUNBUFFERED": "1",
            **database,
        }
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"migrate failed:\n{done.stdout}\n{done.stderr}"
    ports = (free_port(), free_port())
    processes: list[subprocess.Popen] = []
    logs = [data / f"chat-{number}.log" for number in (1, 2)]
    try:
        for port, log in zip(ports, logs, strict=True):
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            *(sys.executable, "-m", "granian", "--interface", "asginl"),
                            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
                            "kollegan.asgi:application",
                        ],
                        env=env,
                        cwd=ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        # The rows are made while the processes start.
        ids = json.loads(django_run(env, SETUP).strip().splitlines()[-1])
        for process, port, log in zip(processes, ports, logs, strict=True):
            wait_healthy(process, port, log)
        yield Cluster(env=env, ports=ports, ids=ids, logs=logs)
    finally:
        for process in processes:
            stop(process)
        forget_cache(redis_at, env["CACHE_KEY_PREFIX"])


class ServerLog:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.sizes = cluster.log_sizes()

    def check(self) -> None:
        """The chat processes logged no error since the last check."""
        time.sleep(0.2)  # what the last frame caused reaches the log
        errors = self.cluster.errors_since(self.sizes)
        self.sizes = self.cluster.log_sizes()
        assert not errors, f"The chat processes logged errors:\n{errors}"


@pytest.fixture(autouse=True)
def server_log(cluster) -> Iterator[ServerLog]:
    """Whatever a test sends, refused or not, the chat processes log no error."""
    log = ServerLog(cluster)
    yield log
    log.check()


# --- Socket helpers ---------------------------------------------------------------------------


def open_socket(
    cluster: Cluster, process: int, member: str | None, origin: str | None = SITE, cookie: str = ""
):
    """A socket to chat process 0 or 1 with the member's session cookie (or ``cookie``)."""
    cookie = cookie or (cluster.cookie(member) if member else "")
    headers = {"Cookie": cookie} if cookie else {}
    return connect(
        cluster.url(process),
        origin=origin,
        additional_headers=headers,
        open_timeout=WAIT,
        close_timeout=2,
    )


async def frame(socket: ClientConnection, wanted: Callable[[dict], bool], seen: list | None = None):
    """The next frame that ``wanted`` accepts, within WAIT seconds; the others
    that came first are appended to ``seen``."""
    for index, data in enumerate(getattr(socket, "early", [])):
        if wanted(data):
            del socket.early[index]
            return data
    async with asyncio.timeout(WAIT):
        while True:
            data = json.loads(await socket.recv())
            if wanted(data):
                return data
            if seen is not None:
                seen.append(data)


async def hello(socket: ClientConnection, member_id: int) -> None:
    greeting = await frame(socket, lambda data: True)
    assert greeting["type"] == "hello" and greeting["member"] == member_id


def of_type(kind: str, **fields) -> Callable[[dict], bool]:
    return lambda data: (
        data.get("type") == kind and all(data.get(key) == value for key, value in fields.items())
    )


async def send(socket: ClientConnection, conversation: int, body: str, ref: str) -> int:
    """Send a message; returns its id from the ack."""
    await socket.send(
        json.dumps(
            {
                "type": "send",
                "conversation": conversation,
                "body": body,
                "ref": ref,
                "confirmed": False,
            }
        )
    )
    # The message itself may reach the writer's socket before the ack: it is
    # kept back for the caller, who waits for it next.
    early: list[dict] = []
    answer = await frame(socket, lambda data: data.get("ref") == ref, early)
    assert answer["type"] == "ack", answer
    socket.early = [data for data in early if data.get("type") == "message"]
    return answer["id"]


def refused(
    cluster: Cluster, process: int, member: str | None, origin: str | None = SITE, cookie: str = ""
) -> int:
    """Try to open a socket; returns the HTTP status the handshake was refused with."""

    async def attempt() -> int:
        try:
            async with open_socket(cluster, process, member, origin, cookie) as socket:
                pytest.fail(f"The socket was opened: {await socket.recv()}")
        except InvalidStatus as refusal:
            return refusal.response.status_code
        raise AssertionError("unreachable")

    return asyncio.run(attempt())


# --- The tests -----------------------------------------------------------------------------------


def test_a_message_sent_through_one_process_arrives_on_the_other(cluster):
    ids = cluster.ids
    direct = ids["direct"]

    async def chat() -> None:
        async with (
            open_socket(cluster, 0, "alice") as alice,
            open_socket(cluster, 1, "bob") as bob,
        ):
            await hello(alice, ids["alice"])
            await hello(bob, ids["bob"])

            sent = await send(alice, direct, "Hej Bob! Ses vi på kursen i Umeå?", "a1")
            arrived = await frame(bob, of_type("message", id=sent))
            assert arrived["conversation"] == direct
            assert arrived["author"] == ids["alice"]
            assert arrived["author_name"] == "Alice Andersson"
            assert arrived["new"] is True
            assert "Ses vi på kursen i Umeå?" in arrived["html"]
            # The writer's own socket gets the line too (her other tabs show it).
            await frame(alice, of_type("message", id=sent))

            # Reading crosses over too: Alice's page can say "Read".
            await bob.send(json.dumps({"type": "read", "conversation": direct, "message": sent}))
            read = await frame(alice, of_type("read", member=ids["bob"]))
            assert read["conversation"] == direct and read["message"] == sent

            reply = await send(bob, direct, "Ja, jag kommer på tisdag.", "b1")
            back = await frame(alice, of_type("message", id=reply))
            assert back["author"] == ids["bob"]
            assert "Ja, jag kommer på tisdag." in back["html"]

    asyncio.run(chat())


def test_removal_from_a_group_reaches_the_other_process(cluster):
    ids = cluster.ids
    group, direct = ids["group"], ids["direct"]

    async def chat() -> None:
        async with (
            open_socket(cluster, 0, "alice") as alice,
            open_socket(cluster, 1, "bob") as bob,
        ):
            await hello(alice, ids["alice"])
            await hello(bob, ids["bob"])
            before = await send(alice, group, "Välkomna till kursgruppen.", "g1")
            assert (
                "Välkomna till kursgruppen."
                in (await frame(bob, of_type("message", id=before)))["html"]
            )

            # Alice removes Bob in another process (a page request on the web server).
            await asyncio.to_thread(
                cluster.django,
                "from kollegan.accounts.models import Member\n"
                "from kollegan.chat import services\n"
                "from kollegan.chat.models import Conversation\n"
                f"services.member_remove(conversation=Conversation.objects.get(pk={group}), "
                f"actor=Member.objects.get(pk={ids['alice']}), "
                f"member=Member.objects.get(pk={ids['bob']}))\n",
            )
            await frame(bob, of_type("removed", conversation=group))

            # What the group says next passes Bob by; what Alice writes to him
            # afterwards still reaches him, and nothing of the group came first.
            await send(alice, group, "Nu är vi färre.", "g2")
            direct_id = await send(alice, direct, "Du fick inte det senaste i gruppen.", "a2")
            seen: list[dict] = []
            await frame(bob, of_type("message", id=direct_id), seen)
            assert [data for data in seen if data.get("conversation") == group] == []

            # And sending to the group is refused now.
            await bob.send(
                json.dumps({"type": "send", "conversation": group, "body": "Hallå?", "ref": "b2"})
            )
            refusal = await frame(bob, lambda data: data.get("ref") == "b2")
            assert refusal["type"] == "error" and refusal["code"] == "not_member"

    asyncio.run(chat())


def test_a_deactivated_member_is_cut_off_on_the_other_process_at_once(cluster):
    ids = cluster.ids

    async def chat() -> None:
        async with (
            open_socket(cluster, 0, "alice") as alice,
            open_socket(cluster, 1, "carl") as carl,
        ):
            await hello(alice, ids["alice"])
            await hello(carl, ids["carl"])
            await asyncio.to_thread(
                cluster.django,
                "from kollegan.accounts.models import Member\n"
                "from kollegan.accounts.services import member_deactivate\n"
                f"member_deactivate(member=Member.objects.get(pk={ids['carl']}))\n",
            )
            await frame(carl, of_type("closed"))
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(WAIT):
                    await carl.recv()
            # Within WAIT seconds, far sooner than the sweep (five minutes here): the event did it.
            assert carl.close_code == 4003
            # Alice's socket on the other process is untouched.
            await alice.send(json.dumps({"type": "ping", "ref": "p"}))
            assert (await frame(alice, of_type("pong")))["ref"] == "p"

    asyncio.run(chat())
    # Coming back is refused: the session is gone and the member inactive.
    assert refused(cluster, 1, "carl") == 403


def test_a_socket_from_another_site_is_refused(cluster):
    assert refused(cluster, 0, "alice", origin="https://evil.example") == 403
    assert refused(cluster, 1, "alice", origin="http://127.0.0.1.evil.example:8000") == 403
    assert refused(cluster, 0, "alice", origin="https://127.0.0.1:8000") == 403
    assert refused(cluster, 0, "alice", origin=None) == 403

    async def same_cookie_from_the_site() -> None:
        async with open_socket(cluster, 0, "alice") as alice:
            await hello(alice, cluster.ids["alice"])

    asyncio.run(same_cookie_from_the_site())


def test_a_malformed_origin_is_refused_without_an_error(cluster, server_log):
    # A port that is no number: refused like any foreign origin, not by a crash
    # (which would fill the log with a traceback for every attempt).
    assert refused(cluster, 1, "alice", origin="http://127.0.0.1:8000.evil.example") == 403
    server_log.check()


def test_a_socket_without_a_login_is_refused(cluster):
    assert refused(cluster, 0, None) == 403
    assert refused(cluster, 1, None, cookie="sessionid=" + "x" * 32) == 403
