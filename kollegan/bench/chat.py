"""The chat benchmark (issue 10): how long a message takes from the writer's
socket to the last socket that shows it, in a large group chat and in a direct
conversation, with many sockets open.

1. A group chat (500 members by default) and a direct conversation between two
   other members are made in the bench database, or kept from an earlier run;
   every member who gets a socket is logged in (a session row, as after a real
   login).
2. The chat process is started as ``manage.py serve`` starts it, and the bench
   opens its sockets (1,000 by default): one for each member of the group, one
   for each of the two, and the rest for other members, idle, as the rest of
   the country's open chat pages would be.
3. Messages are sent over the writers' sockets, in turn to the group and to the
   direct conversation, one at a time: the next leaves when every socket of the
   conversation's members (the writer's own included, which shows the message
   from the same event) has the previous one and a ping has had its pong, so
   the figures are latency, not throughput. A message's delivery time runs
   from just before its frame is sent to the moment the last of those sockets
   receives it; the times to the first socket and to the writer's ack are
   given too, to tell writing the message from handing it out.

The path measured is the real one: the socket's frame, the service writing
the message to the database, the channel layer (the chat process's memory, or
Redis with ``REDIS_URL``) and a frame to every socket. The sockets are read in
this process, so the figures include the client's own reading of the frames
(about 15-25 ms for 500 on a small machine), as a browser's would not.

Everything it creates but the two conversations is removed at the end (and
left-overs of a run that died, at the start of the next). Import only after
``django.setup()``.
"""

import asyncio
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.models import DBTaskResult

from kollegan.accounts.models import Member
from kollegan.accounts.sessions import LOGIN_AT, SEEN_AT
from kollegan.bench.data import BENCH_USER_EMAIL, _meta_get, _meta_set
from kollegan.bench.measure import percentile, rounded_ms
from kollegan.bench.server import chat_server
from kollegan.chat.models import GROUP_MAX_MEMBERS, Connection, Conversation, Message, Participant
from kollegan.chat.services import unread_recount
from kollegan.notifications import tasks
from kollegan.notifications.models import Activity, Target

GROUP_NAME = "Bänkgruppen"
GROUP_KEY, DIRECT_KEY, SESSIONS_KEY = "chat_group_id", "chat_direct_id", "chat_sessions"
# The issue: a message to the large group within 5x the time of one to two members.
RATIO_LIMIT = 5.0
DELIVERY_TIMEOUT_S = 30.0
OPEN_TIMEOUT_S = 60.0
# Handshakes in flight at a time while the sockets are opened.
OPENING = 50
CHUNK = 500
SESSION_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"

Emit = Callable[[dict], None]
Progress = Callable[[str], None]


class ChatBenchError(Exception):
    """A socket was refused or closed, or a message did not arrive in time."""


@dataclass
class Plan:
    """The conversations and the sockets: (member id, session key) per socket."""

    group_id: int
    direct_id: int
    group: list[int]
    direct: list[int]
    sockets: list[tuple[int, str]]

    def receivers(self, members: list[int]) -> int:
        """How many sockets belong to these members: each must show the message."""
        wanted = set(members)
        return sum(1 for member_id, _key in self.sockets if member_id in wanted)


# --- The data --------------------------------------------------------------------------------


def prepare(*, sockets: int, group_size: int, progress: Progress) -> Plan:
    """The two conversations and a logged-in session for each socket."""
    members = list(Member.objects.active().exclude(email=BENCH_USER_EMAIL).order_by("pk")[:sockets])
    if len(members) < 4:
        raise ChatBenchError(f"{len(members)} active members are too few for a group and a pair")
    # Small data sets: the group is as large as the members allow, and says so.
    size = min(group_size, len(members) - 2)
    group = [member.pk for member in members[:size]]
    direct = [member.pk for member in members[size : size + 2]]
    idle = members[size + 2 :] or members
    # What an earlier run left goes first, while its conversations' ids are known.
    clean_up(progress)
    with transaction.atomic():
        group_id = _group(group)
        direct_id = _direct(direct)
        chosen = members[: size + 2] + [idle[i % len(idle)] for i in range(sockets - size - 2)]
        keys = _sessions(chosen)
    connections.close_all()
    return Plan(
        group_id=group_id,
        direct_id=direct_id,
        group=group,
        direct=direct,
        sockets=list(zip([member.pk for member in chosen], keys, strict=True)),
    )


def _stored(key: str) -> Conversation | None:
    stored = _meta_get(key)
    return Conversation.objects.filter(pk=int(stored)).first() if stored else None


def _group(member_ids: list[int]) -> int:
    """The bench's group chat with exactly these members (the first administers
    it), kept from an earlier run when its members are the same. Written as
    ``conversation_create_group`` writes it, but without telling any socket."""
    found = _stored(GROUP_KEY)
    if found is not None:
        present = set(
            Participant.objects.filter(conversation=found).values_list("member_id", flat=True)
        )
        if present == set(member_ids) and found.kind == Conversation.Kind.GROUP:
            return found.pk
        found.delete()
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.GROUP,
        name=GROUP_NAME,
        created_by_id=member_ids[0],
        member_count=len(member_ids),
    )
    Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation,
                member_id=pk,
                role=Participant.Role.ADMIN if pk == member_ids[0] else Participant.Role.MEMBER,
            )
            for pk in member_ids
        ],
        batch_size=CHUNK,
    )
    _meta_set(GROUP_KEY, str(conversation.pk))
    return conversation.pk


def _direct(member_ids: list[int]) -> int:
    """The two members' direct conversation, as ``conversation_direct`` makes it."""
    low, high = sorted(member_ids)
    pair = f"{low}:{high}"
    found = _stored(DIRECT_KEY)
    if found is not None and found.pair != pair:
        found.delete()
    conversation = Conversation.objects.filter(pair=pair).first()
    if conversation is None:
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.DIRECT, pair=pair, created_by_id=low, member_count=2
        )
        Participant.objects.bulk_create(
            Participant(conversation=conversation, member_id=pk, role=Participant.Role.ADMIN)
            for pk in (low, high)
        )
    _meta_set(DIRECT_KEY, str(conversation.pk))
    return conversation.pk


def _sessions(members: list[Member]) -> list[str]:
    """A session per socket, as a login leaves it (the member, the backend, the
    password hash and the login clocks), written in bulk; the keys are kept in
    the bench's table so the next run removes them if this one dies."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    now, expires = int(time.time()), timezone.now() + timedelta(days=1)
    rows, keys = [], []
    for member in members:
        key = get_random_string(32, SESSION_CHARS)
        data = {
            SESSION_KEY: member._meta.pk.value_to_string(member),
            BACKEND_SESSION_KEY: "kollegan.accounts.backends.MemberBackend",
            HASH_SESSION_KEY: member.get_session_auth_hash(),
            LOGIN_AT: now,
            SEEN_AT: now,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=CHUNK)
    _meta_set(SESSIONS_KEY, json.dumps(keys))
    return keys


def clean_up(progress: Progress) -> None:
    """Remove what a run made but the conversations themselves: the messages
    and what they left (activities, queued fan-out tasks, unread counts), the
    sockets' presence rows and sessions."""
    started = time.perf_counter()
    ids = [int(pk) for pk in (_meta_get(GROUP_KEY), _meta_get(DIRECT_KEY)) if pk]
    participants = Participant.objects.filter(conversation_id__in=ids)
    member_ids = list(participants.values_list("member_id", flat=True))
    activities = list(
        Activity.objects.filter(target_type=Target.CONVERSATION, target_id__in=ids).values_list(
            "pk", flat=True
        )
    )
    for start in range(0, len(activities), CHUNK):
        chunk = activities[start : start + CHUNK]
        # No worker runs on the bench database: the fan-out tasks are still queued.
        DBTaskResult.objects.filter(
            task_path=tasks.fan_out.module_path, args_kwargs__kwargs__activity_id__in=chunk
        ).delete()
        Activity.objects.filter(pk__in=chunk).delete()
    Conversation.objects.filter(pk__in=ids).update(last_message=None, message_count=0)
    Message.objects.filter(conversation_id__in=ids).delete()
    participants.update(read_count=0, last_read_id=0)
    for start in range(0, len(member_ids), CHUNK):
        unread_recount(member_ids[start : start + CHUNK])
    keys = json.loads(_meta_get(SESSIONS_KEY) or "[]")
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        Session.objects.filter(session_key__in=chunk).delete()
    # A chat process that was killed leaves its sockets' rows behind.
    Connection.objects.all().delete()
    _meta_set(SESSIONS_KEY, "[]")
    if activities or keys:
        progress(f"chat: cleaned up in {time.perf_counter() - started:.1f}s")


# --- The sockets -----------------------------------------------------------------------------


@dataclass
class Probe:
    """What the sockets have received: per message id how many sockets have it
    and when the first and the last did; the acks and errors by ref."""

    arrivals: dict[int, list[float]] = field(default_factory=dict)
    acks: dict[str, tuple[int, float]] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    pongs: set[str] = field(default_factory=set)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self, message_id: int) -> int:
        return int(self.arrivals.get(message_id, (0,))[0])


@dataclass
class Delivery:
    """One kind's timings, in milliseconds."""

    last_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)


async def _read(socket, probe: Probe, name: str) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for text in socket:
            now = time.perf_counter()
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "message" and frame.get("new"):
                seen = probe.arrivals.setdefault(frame["id"], [0, now, now])
                seen[0] += 1
                seen[2] = now
            elif kind == "ack":
                probe.acks[frame.get("ref", "")] = (frame["id"], now)
            elif kind == "error":
                probe.errors[frame.get("ref", "")] = frame
            elif kind == "pong":
                probe.pongs.add(frame.get("ref", ""))
            elif kind == "closed":
                probe.closed.append(f"{name}: the server ended access")
            else:
                continue
            probe.changed.set()
    except ConnectionClosed as closed:
        probe.closed.append(f"{name}: closed ({closed})")
        probe.changed.set()


async def _open(url: str, origin: str, cookie: str, key: str, name: str):
    from websockets.asyncio.client import connect

    socket = await connect(
        url,
        origin=origin,
        additional_headers={"Cookie": f"{cookie}={key}"},
        user_agent_header="kollegan-bench",
        # Browsers send no protocol-level pings; the loopback needs no proxy.
        ping_interval=None,
        proxy=None,
        open_timeout=OPEN_TIMEOUT_S,
        max_queue=None,
    )
    hello = json.loads(await asyncio.wait_for(socket.recv(), OPEN_TIMEOUT_S))
    if hello.get("type") != "hello":
        await socket.close()
        raise ChatBenchError(f"{name}: expected hello, got {hello!r}")
    return socket


async def _wait(probe: Probe, ready: Callable[[], bool], timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not ready():
        if probe.closed:
            raise ChatBenchError(probe.closed[0])
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return False
        probe.changed.clear()
        try:
            await asyncio.wait_for(probe.changed.wait(), remaining)
        except TimeoutError:
            return ready()
    return True


async def _settle(socket, probe: Probe, ref: str) -> None:
    """A ping and its pong through the chat process: it answers once it has done
    what the previous message left it (each socket's bookkeeping after its
    frame), so every message is timed from a quiet process, and one kind's
    figures do not carry the other's aftermath."""
    await socket.send(json.dumps({"type": "ping", "ref": ref}))
    if not await _wait(probe, lambda: ref in probe.pongs, DELIVERY_TIMEOUT_S):
        raise ChatBenchError(f"{ref}: no pong after {DELIVERY_TIMEOUT_S:.0f}s")
    probe.pongs.discard(ref)


async def _send_one(
    socket, probe: Probe, conversation_id: int, ref: str, body: str, receivers: int
) -> tuple[float, float, float]:
    """Send one message; the ms until the ack, the first and the last receiver."""
    frame = json.dumps({"type": "send", "conversation": conversation_id, "body": body, "ref": ref})
    start = time.perf_counter()
    await socket.send(frame)

    def ready() -> bool:
        if ref in probe.errors:
            return True
        return ref in probe.acks and probe.count(probe.acks[ref][0]) >= receivers

    if not await _wait(probe, ready, DELIVERY_TIMEOUT_S):
        got = probe.count(probe.acks[ref][0]) if ref in probe.acks else 0
        raise ChatBenchError(
            f"{ref}: {got} of {receivers} sockets had the message after {DELIVERY_TIMEOUT_S:.0f}s"
        )
    if ref in probe.errors:
        raise ChatBenchError(f"{ref}: refused: {probe.errors[ref]}")
    message_id, acked = probe.acks[ref]
    _count, first, last = probe.arrivals.pop(message_id)
    return (acked - start) * 1000, (first - start) * 1000, (last - start) * 1000


async def _measure(
    plan: Plan, port: int, origin: str, *, messages: int, warmup: int, progress: Progress
) -> dict[str, Delivery]:
    url = f"ws://127.0.0.1:{port}/ws/chatt/"
    cookie = settings.SESSION_COOKIE_NAME
    probe = Probe()
    limit = asyncio.Semaphore(OPENING)
    started = time.perf_counter()

    async def open_one(index: int, key: str):
        async with limit:
            return await _open(url, origin, cookie, key, f"socket {index}")

    opened = await asyncio.gather(
        *(open_one(index, key) for index, (_member, key) in enumerate(plan.sockets)),
        return_exceptions=True,
    )
    sockets = [socket for socket in opened if not isinstance(socket, BaseException)]
    readers = []
    try:
        failed = [error for error in opened if isinstance(error, BaseException)]
        if failed:
            raise ChatBenchError(f"{len(failed)} sockets did not open: {failed[0]!r}")
        progress(f"chat: {len(sockets)} sockets open in {time.perf_counter() - started:.1f}s")
        readers = [
            asyncio.create_task(_read(socket, probe, f"socket {index}"))
            for index, socket in enumerate(sockets)
        ]
        by_member = {}
        for socket, (member_id, _key) in zip(sockets, plan.sockets, strict=True):
            by_member.setdefault(member_id, socket)
        kinds = {
            "group": (plan.group_id, by_member[plan.group[0]], plan.receivers(plan.group)),
            "direct": (plan.direct_id, by_member[plan.direct[0]], plan.receivers(plan.direct)),
        }
        results = {kind: Delivery() for kind in kinds}
        # In turn, so both kinds meet the same moments of the process (its
        # sweep of the sockets every few seconds, the database's checkpoints).
        for index in range(warmup + messages):
            for kind, (conversation_id, socket, receivers) in kinds.items():
                ref = f"{kind}-{index}"
                await _settle(socket, probe, f"settle-{ref}")
                body = f"Mätning {index + 1}: hej allihop i {kind}-chatten!"
                ack, first, last = await _send_one(
                    socket, probe, conversation_id, ref, body, receivers
                )
                if index >= warmup:
                    results[kind].ack_ms.append(ack)
                    results[kind].first_ms.append(first)
                    results[kind].last_ms.append(last)
        return results
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


def _raise_open_files(sockets: int) -> None:
    """Each socket is a file descriptor here and one in the chat process, which
    inherits this process's limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sockets + 1024
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def chat_env(env: dict[str, str], origin: str, label: str) -> dict[str, str]:
    """The chat process's environment: the bench's, with the pages' address as
    the site's (the socket's Origin check), the rate limit out of the way (it is
    not what is measured) and a channel prefix of the bench's own in Redis."""
    env = dict(env)
    env.update(
        SITE_URL=origin,
        CHAT_RATE_MESSAGES="1000000",
        CHAT_CHANNEL_PREFIX=f"kollegan-bench-{label}-chat",
    )
    # Only the web server and the worker publish through the bridge.
    env.pop("CHAT_BRIDGE_URL", None)
    return env


def _ratio(high: float | None, low: float | None) -> float | None:
    return round(high / low, 2) if high is not None and low else None


def run(
    *,
    env: dict[str, str],
    origin: str,
    label: str,
    log_path: Path,
    sockets: int,
    group: int,
    messages: int,
    warmup: int,
    common: dict,
    emit: Emit,
    progress: Progress,
) -> int:
    """Measure and print the ``chat_delivery`` line; returns 1 if a message did
    not reach every socket in time (or a socket did not open), else 0."""
    line = {
        "page": "chat_delivery",
        **common,
        "sockets": sockets,
        "group_members": None,
        "direct_members": 2,
        "messages": messages,
    }
    plan = None
    try:
        plan = prepare(sockets=sockets, group_size=min(group, GROUP_MAX_MEMBERS), progress=progress)
        line["group_members"] = len(plan.group)
        if len(plan.group) < group:
            # Too few active members (or more than a group chat may have): said in the line.
            progress(f"chat: the group has {len(plan.group)} members, not {group}")
        _raise_open_files(sockets)
        with chat_server(chat_env(env, origin, label), log_path) as port:
            progress(f"chat process listening on 127.0.0.1:{port}")
            results = asyncio.run(
                _measure(plan, port, origin, messages=messages, warmup=warmup, progress=progress)
            )
    except (ChatBenchError, OSError, RuntimeError) as error:
        line["status"] = "failed"
        line["error"] = f"{type(error).__name__}: {error}"
        emit(line)
        progress(f"chat_delivery        failed: {error}")
        return 1
    finally:
        if plan is not None:
            clean_up(progress)
            connections.close_all()
    for kind, result in results.items():
        for name, values in (
            ("", result.last_ms),
            ("first_", result.first_ms),
            ("ack_", result.ack_ms),
        ):
            for p in (50, 95):
                line[f"{kind}_{name}p{p}_ms"] = rounded_ms(percentile(values, p))
    line["ratio_p50_group_vs_direct"] = _ratio(line["group_p50_ms"], line["direct_p50_ms"])
    ratio = line["ratio_p95_group_vs_direct"] = _ratio(line["group_p95_ms"], line["direct_p95_ms"])
    line["within_limit"] = ratio is not None and ratio <= RATIO_LIMIT
    line["status"] = "ok"
    emit(line)
    progress(
        f"chat_delivery        {sockets} sockets, group of {line['group_members']}: "
        f"p50 {line['group_p50_ms']} p95 {line['group_p95_ms']} ms; direct p50 "
        f"{line['direct_p50_ms']} p95 {line['direct_p95_ms']} ms; p95 ratio {ratio}"
    )
    return 0
