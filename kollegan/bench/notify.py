"""The notification benchmark (issue 7): a new question in a topic every member
subscribes to.

1. Every member is subscribed, on the fly, to new questions in one topic
   immediately and in another daily; a third topic has no subscribers.
2. The real HTTP POST that asks a question, through granian as the bench member,
   is timed in the topic without subscribers and in the one with them, taking
   turns: the request only writes the outbox row, so both should cost the same.
3. One such question is fanned out (one notification per member) and the
   worker's delivery round hands every e-mail to a local SMTP sink.
4. A question in the daily topic is fanned out, and the next morning's digests
   for every member are composed and sent to the sink.

Everything it creates is removed at the end (and, after a run that died, at the
start of the next), so repeated runs start from the same data. Import only after
``django.setup()``.
"""

import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.conf import settings
from django.db import connections
from django.db.models import Max
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kollegan.accounts.models import Member
from kollegan.bench.data import BENCH_USER_EMAIL, META_TABLE, Fixture, _meta_get, _meta_set
from kollegan.bench.measure import Client, percentile, rounded_ms, server_figures
from kollegan.bench.server import free_port
from kollegan.bench.sink import Sink, smtp_settings
from kollegan.notifications import delivery, tasks
from kollegan.notifications.models import (
    Activity,
    Email,
    EmailState,
    EmailStatus,
    Frequency,
    Kind,
    Notification,
    NotificationSettings,
    TopicSubscription,
)
from kollegan.notifications.services import unread_recount
from kollegan.questions import services as questions
from kollegan.questions.models import Question
from kollegan.topics.models import Topic

QUIET_TOPIC = "ovrigt"  # nobody subscribes
IMMEDIATE_TOPIC = "barn-och-unga"  # every member, new questions immediately
DAILY_TOPIC = "ekonomiskt-bistand"  # every member, new questions in the daily digest
BASELINE_KEY = "notify_baseline"
QUESTION_PATH = re.compile(r"/fragor/(\d+)/")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DIGEST_LIMIT_S = 600  # the issue: a daily digest for every member in under ten minutes
CHUNK = 2000

Emit = Callable[[dict], None]
Progress = Callable[[str], None]


@dataclass
class Posts:
    """The timed POSTs in one topic."""

    statuses: list[int] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    question_ids: list[int] = field(default_factory=list)
    error: str | None = None


def run(
    client: Client,
    fixture: Fixture,
    *,
    requests: int,
    warmup: int,
    common: dict,
    emit: Emit,
    progress: Progress,
    workers: int = 1,
) -> int:
    """Measure and print one JSON line per figure; returns how many checks failed.
    ``workers``: how many processes send the e-mails."""
    clean_up(progress)
    baseline = _baseline()
    _meta_set(BASELINE_KEY, json.dumps(baseline))
    try:
        slugs = [QUIET_TOPIC, IMMEDIATE_TOPIC, DAILY_TOPIC]
        topics = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        subscribers = subscribe(topics[IMMEDIATE_TOPIC], topics[DAILY_TOPIC])
        progress(f"notifications: {subscribers} members subscribed")
        # The server gets the database to itself while the requests are timed.
        connections.close_all()
        quiet, busy = post_questions(client, fixture, topics, requests=requests, warmup=warmup)
        failures = _report_posts(quiet, busy, subscribers, common, emit, progress)
        if failures or not busy.question_ids:
            return max(failures, 1)
        with Sink(free_port()) as sink, _smtp_to(sink.port):
            failures += immediate(busy.question_ids[-1], sink, common, emit, progress, workers)
            failures += digest(topics[DAILY_TOPIC], sink, common, emit, progress, workers)
        return failures
    finally:
        clean_up(progress)


# --- Set-up and clean-up ---------------------------------------------------------------------


def _max_pk(model: type) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def _baseline() -> dict:
    """What the database holds before the run: everything above it is the run's."""
    return {
        "started": timezone.now().isoformat(),
        "question": _max_pk(Question),
        "activity": _max_pk(Activity),
        "notification": _max_pk(Notification),
        "email": _max_pk(Email),
        "subscription": _max_pk(TopicSubscription),
        # Settings rows are keyed by member: remember whose were there.
        "settings": list(NotificationSettings.objects.values_list("member_id", flat=True)),
    }


def clean_up(progress: Progress) -> None:
    """Remove what the run (or an earlier one that died) created."""
    stored = _meta_get(BASELINE_KEY)
    if stored is None:
        return
    baseline = json.loads(stored)
    started = time.perf_counter()
    notifications = Notification.objects.filter(pk__gt=baseline["notification"])
    told = set(notifications.values_list("recipient_id", flat=True).distinct())
    notifications.delete()
    Email.objects.filter(pk__gt=baseline["email"]).delete()
    Activity.objects.filter(pk__gt=baseline["activity"]).delete()
    Question.objects.filter(pk__gt=baseline["question"]).delete()
    TopicSubscription.objects.filter(pk__gt=baseline["subscription"]).delete()
    kept = set(baseline["settings"])
    rows = NotificationSettings.objects.values_list("member_id", flat=True)
    new = [pk for pk in rows if pk not in kept]
    for start in range(0, len(new), CHUNK):
        NotificationSettings.objects.filter(member_id__in=new[start : start + CHUNK]).delete()
    # The fan-out tasks the questions enqueued: no worker runs on the bench database.
    DBTaskResult.objects.filter(
        task_path__in=[tasks.fan_out.module_path, tasks.deliver.module_path],
        enqueued_at__gte=dt.datetime.fromisoformat(baseline["started"]),
    ).delete()
    ids = sorted(told)
    for start in range(0, len(ids), CHUNK):
        unread_recount(ids[start : start + CHUNK])
    with connections["default"].cursor() as cursor:
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE name = %s", [BASELINE_KEY])  # noqa: S608
    progress(f"notifications: cleaned up in {time.perf_counter() - started:.1f}s")


def subscribe(immediate_topic: int, daily_topic: int) -> int:
    """Every member: new questions in one topic immediately, in another daily."""
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    rows = [
        TopicSubscription(member_id=pk, topic_id=topic, kind=Kind.QUESTION, frequency=frequency)
        for pk in ids
        for topic, frequency in (
            (immediate_topic, Frequency.IMMEDIATE),
            (daily_topic, Frequency.DAILY),
        )
    ]
    TopicSubscription.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    return len(ids)


# --- Posting a question over HTTP ------------------------------------------------------------


def _session_headers(fixture: Fixture) -> dict[str, str]:
    return {
        "User-Agent": "kollegan-bench",
        "Accept": "text/html",
        "Cookie": f"{fixture.session_cookie}={fixture.session_key}",
    }


def _csrf(client: Client, path: str, headers: dict[str, str]) -> tuple[str, str]:
    """The CSRF cookie and form token, from the form page as a browser gets them."""
    response, body, _ms = client.request("GET", path, headers)
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    found = CSRF_FIELD.search(body.decode())
    if settings.CSRF_COOKIE_NAME not in cookie or found is None:
        raise RuntimeError(f"GET {path} gave no CSRF token")
    return cookie[settings.CSRF_COOKIE_NAME].value, found.group(1)


def post_questions(
    client: Client, fixture: Fixture, topics: dict[str, int], *, requests: int, warmup: int
) -> tuple[Posts, Posts]:
    """Ask ``requests`` questions in each of the quiet and the busy topic, taking
    turns (which goes first alternates), after ``warmup`` untimed ones in each."""
    path = reverse("questions:ask")
    headers = _session_headers(fixture)
    cookie, token = _csrf(client, path, headers)
    headers = {
        **headers,
        "Cookie": f"{headers['Cookie']}; {settings.CSRF_COOKIE_NAME}={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    results = {QUIET_TOPIC: Posts(), IMMEDIATE_TOPIC: Posts()}
    for round_ in range(warmup + requests):
        order = [QUIET_TOPIC, IMMEDIATE_TOPIC]
        for slug in order if round_ % 2 == 0 else order[::-1]:
            result = results[slug]
            if result.error:
                continue
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "title": f"Hur planerar ni hembesök? Mätfråga {round_ + 1}",
                    "body": "Vi vill jämföra rutiner för hembesök mellan kommunerna.",
                    "topics": slug,
                }
            ).encode()
            response, _body, client_ms = client.request("POST", path, headers, body)
            found = QUESTION_PATH.search(response.getheader("Location", ""))
            if response.status != 302 or found is None:
                result.statuses.append(response.status)
                result.error = f"HTTP {response.status}"
                continue
            result.question_ids.append(int(found.group(1)))
            if round_ < warmup:
                continue
            result.statuses.append(response.status)
            result.client_ms.append(client_ms)
            figures = server_figures(response)
            if figures is None:
                result.error = "response has no Server-Timing header"
                continue
            result.server_ms.append(figures[0])
            result.queries.append(figures[1])
    return results[QUIET_TOPIC], results[IMMEDIATE_TOPIC]


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value is not None and base else None


def _report_posts(
    quiet: Posts, busy: Posts, subscribers: int, common: dict, emit: Emit, progress: Progress
) -> int:
    failures = 0
    path = reverse("questions:ask")
    quiet_p50, quiet_p95 = percentile(quiet.server_ms, 50), percentile(quiet.server_ms, 95)
    for name, result, count in (
        ("notify_post_no_subscribers", quiet, 0),
        (f"notify_post_{subscribers}_subscribers", busy, subscribers),
    ):
        p50, p95 = percentile(result.server_ms, 50), percentile(result.server_ms, 95)
        line = {
            "page": name,
            "path": path,
            "method": "POST",
            **common,
            "subscribers": count,
            "requests": len(result.server_ms),
            "status": result.statuses[0] if result.statuses else None,
            "queries": max(result.queries) if result.queries else None,
            "server_p50_ms": rounded_ms(p50),
            "server_p95_ms": rounded_ms(p95),
            "client_p50_ms": rounded_ms(percentile(result.client_ms, 50)),
            "client_p95_ms": rounded_ms(percentile(result.client_ms, 95)),
        }
        if count:
            line["ratio_p50_vs_no_subscribers"] = _ratio(p50, quiet_p50)
            line["ratio_p95_vs_no_subscribers"] = _ratio(p95, quiet_p95)
        if result.error:
            line["error"] = result.error
            failures += 1
        emit(line)
        progress(
            f"{name:<20} status {line['status']} queries {line['queries']} "
            f"server p50 {line['server_p50_ms']} ms p95 {line['server_p95_ms']} ms"
        )
    return failures


# --- Fan-out and sending -----------------------------------------------------------------------


@contextmanager
def _smtp_to(port: int) -> Iterator[None]:
    """This process's e-mail goes to the sink, over plain SMTP."""
    with override_settings(**smtp_settings(port)):
        yield


def _fan_out(activity: Activity) -> tuple[int, float]:
    started = time.perf_counter()
    created = delivery.activity_fan_out(activity.pk)
    return created, time.perf_counter() - started


def _check_sink(sink: Sink, activity: Activity, kind: str) -> dict:
    """Every e-mailed recipient of the activity got exactly one message, and
    nobody else got any; every e-mail of the run is marked sent."""
    wanted = {
        address.lower()
        for address in Notification.objects.filter(activity=activity)
        .exclude(email_state=EmailState.NONE)
        .values_list("recipient__email", flat=True)
    }
    got = sink.report()["recipients"]
    got = {address.lower(): count for address, count in got.items()}
    unsent = (
        Email.objects.filter(notifications__activity=activity, kind=kind)
        .exclude(status=EmailStatus.SENT)
        .count()
    )
    check = {
        "recipients": len(wanted),
        "missing": len(wanted - set(got)),
        "unexpected": len(set(got) - wanted),
        "duplicates": sum(1 for count in got.values() if count > 1),
        "unsent": unsent,
    }
    problems = ("missing", "unexpected", "duplicates", "unsent")
    check["delivered_once"] = not any(check[key] for key in problems)
    return check


def _finish(name: str, line: dict, check: dict, emit: Emit) -> int:
    line.update(check)
    failed = not check["delivered_once"]
    if failed:
        line["error"] = "not every e-mail arrived exactly once"
    emit({"page": name, **line})
    return int(failed)


def send_with_workers(moment: dt.datetime, port: int, workers: int) -> dict[str, int]:
    """Send what is due with ``workers`` processes: this one and ``workers - 1``
    more (kollegan.bench.send_worker), sharing the queue as several
    ``db_worker`` processes would."""
    connections.close_all()
    others = [
        subprocess.Popen(
            [sys.executable, "-m", "kollegan.bench.send_worker", str(port), moment.isoformat()],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers - 1)
    ]
    counts = delivery.send_due(moment)
    for process in others:
        out, _err = process.communicate(timeout=3600)
        if process.returncode:
            raise RuntimeError(f"a sending worker failed with {process.returncode}")
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def _activity_of(question_id: int) -> Activity:
    return Activity.objects.get(target_type="question", target_id=question_id)


def immediate(
    question_id: int, sink: Sink, common: dict, emit: Emit, progress: Progress, workers: int
) -> int:
    """Fan one question out to every subscriber and send their e-mails."""
    activity = _activity_of(question_id)
    created, seconds = _fan_out(activity)
    emit(
        {
            "page": "notify_fan_out",
            **common,
            "notifications": created,
            "seconds": round(seconds, 3),
            "notifications_per_s": round(created / seconds, 1) if seconds else None,
        }
    )
    progress(f"notify_fan_out       {created} notifications in {seconds:.1f}s")
    # Past the batching minutes, as the worker's round would be.
    now = timezone.now() + dt.timedelta(seconds=settings.NOTIFICATION_BATCH_SECONDS + 1)
    started = time.perf_counter()
    delivery.recover_leases(now)
    composed = delivery.compose_immediate(now)
    compose_s = time.perf_counter() - started
    counts = send_with_workers(now, sink.port, workers)
    total_s = time.perf_counter() - started
    send_s = total_s - compose_s
    line = {
        **common,
        "workers": workers,
        "messages": counts["sent"],
        "composed": composed,
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "compose_seconds": round(compose_s, 3),
        "send_seconds": round(send_s, 3),
        "seconds": round(total_s, 3),
        "messages_per_s": round(counts["sent"] / total_s, 1) if total_s else None,
        "send_messages_per_s": round(counts["sent"] / send_s, 1) if send_s else None,
    }
    progress(
        f"notify_send          {counts['sent']} e-mails in {total_s:.1f}s "
        f"({line['messages_per_s']}/s; composing {compose_s:.1f}s)"
    )
    return _finish("notify_send", line, _check_sink(sink, activity, "immediate"), emit)


def digest(
    topic_id: int, sink: Sink, common: dict, emit: Emit, progress: Progress, workers: int
) -> int:
    """A question in the daily topic, then next morning's digests for everyone."""
    member = Member.objects.get(email=BENCH_USER_EMAIL)
    question = questions.question_create(
        author=member,
        title="Hur räknar ni försörjningsstöd för makar? Mätfråga",
        body="Vi vill jämföra hur kommunerna räknar.",
        topics=Topic.objects.filter(pk=topic_id),
    )
    activity = _activity_of(question.pk)
    created, fan_out_s = _fan_out(activity)
    progress(f"notify_digest        {created} digest notifications in {fan_out_s:.1f}s")
    # The latest moment any recipient's digest is due: all of them are due then.
    moment = NotificationSettings.objects.filter(
        member__in=Notification.objects.filter(activity=activity).values("recipient")
    ).aggregate(latest=Max("next_daily_at"))["latest"]
    moment = (moment or timezone.now()) + dt.timedelta(minutes=1)
    started = time.perf_counter()
    composed = delivery.compose_digests(moment)
    compose_s = time.perf_counter() - started
    counts = send_with_workers(moment, sink.port, workers)
    total_s = time.perf_counter() - started
    line = {
        **common,
        "workers": workers,
        "notifications": created,
        "fan_out_seconds": round(fan_out_s, 3),
        "messages": counts["sent"],
        "composed": composed,
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "compose_seconds": round(compose_s, 3),
        "send_seconds": round(total_s - compose_s, 3),
        "seconds": round(total_s, 3),
        "messages_per_s": round(counts["sent"] / total_s, 1) if total_s else None,
        "within_limit": total_s < DIGEST_LIMIT_S,
    }
    progress(
        f"notify_daily_digest  {counts['sent']} digests in {total_s:.1f}s "
        f"({line['messages_per_s']}/s; composing {compose_s:.1f}s)"
    )
    return _finish("notify_daily_digest", line, _check_sink(sink, activity, "daily"), emit)
