"""`python -m kollegan.bench`: generate data, start granian, time every page,
then the notifications (see :mod:`kollegan.bench.notify`) and the chat's
delivery over many open sockets (see :mod:`kollegan.bench.chat`).

Progress goes to stderr and one JSON object per page or figure to stdout, so the
output can be piped straight into `jq` or saved for comparison between commits.
Exits non-zero when any page answers with something other than 2xx, an
e-mail of the notification benchmark does not arrive exactly once, or a chat
message does not reach every socket of its conversation.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kollegan.bench.environment import (
    REPO_DIR,
    Target,
    child_env,
    ensure_database,
    make_target,
    reset_database,
    setup_lock,
)
from kollegan.bench.measure import Client, PageResult, measure, percentile, rounded_ms
from kollegan.bench.pages import HELLO, PAGES, Auth, Page
from kollegan.bench.server import granian

if TYPE_CHECKING:
    # Only for annotations: importing the data module at run time needs Django set up.
    from kollegan.bench.data import Fixture

SCALES = {"national": 30_000, "small": 300}

_started = time.monotonic()


def progress(message: str) -> None:
    print(f"[bench {time.monotonic() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kollegan.bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--members", type=int, help="member count (overrides --scale)")
    parser.add_argument("--data-dir", type=Path, help="default: var/bench/<scale>")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data")
    parser.add_argument(
        "--pages", help="comma-separated page names to measure (hello is always measured)"
    )
    parser.add_argument(
        "--skip-notifications",
        action="store_true",
        help="leave out the notification benchmark (question POSTs, fan-out, e-mail, digest)",
    )
    parser.add_argument(
        "--notify-workers",
        type=int,
        default=2,
        help="processes that send the notification e-mails, as several db_workers would",
    )
    parser.add_argument(
        "--skip-chat",
        action="store_true",
        help="leave out the chat benchmark (message delivery over open sockets)",
    )
    parser.add_argument(
        "--chat-sockets", type=int, default=1000, help="sockets open during the chat benchmark"
    )
    parser.add_argument(
        "--chat-group", type=int, default=500, help="members of the group chat, each with a socket"
    )
    parser.add_argument(
        "--chat-messages",
        type=int,
        default=50,
        help="timed messages to the group and as many to a direct conversation",
    )
    args = parser.parse_args(argv)
    if args.chat_group < 2 or args.chat_messages < 1:
        parser.error("--chat-group must be at least 2 and --chat-messages positive")
    if args.chat_sockets < args.chat_group + 2:
        parser.error("--chat-sockets must cover the group and the direct conversation's two")
    if args.notify_workers < 1:
        parser.error("--notify-workers must be at least 1")
    if args.members is not None and args.members < 2:
        parser.error("--members must be at least 2")
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be positive and --warmup not negative")
    return args


def select_pages(names: str | None) -> list[Page]:
    if not names:
        return list(PAGES)
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    unknown = wanted - {page.name for page in PAGES}
    if unknown:
        raise SystemExit(f"unknown page(s): {', '.join(sorted(unknown))}")
    return [page for page in PAGES if page is HELLO or page.name in wanted]


def migrate(env: dict[str, str]) -> None:
    # A subprocess, as an operator would run it, with exactly the server's environment.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO_DIR,
        env=env,
        stdout=sys.stderr,
        check=True,
    )


def prepare_data(target: Target, env: dict[str, str], seed: int) -> "Fixture":
    """Migrate, and fill the database unless it already holds this exact data set."""
    import django
    from django.db import connections

    ensure_database(target)
    with setup_lock(target):
        progress(f"migrating {target.database_name or target.sqlite_path}")
        migrate(env)
        django.setup()
        from kollegan.bench import data

        wanted = data.fingerprint(target.members, seed)
        stored, count = data.stored_fingerprint(), data.member_count()
        if stored == wanted and count == target.members:
            progress(f"reusing {count} members from an earlier run")
        else:
            if stored is None and count:
                raise SystemExit(
                    f"{target.database_name or target.sqlite_path} holds {count} members "
                    "the benchmark did not create; choose an empty --data-dir"
                )
            if stored is not None:
                progress(f"rebuilding: database holds {stored!r}, want {wanted!r}")
                connections.close_all()
                reset_database(target)
                migrate(env)
            progress(f"generating {target.members} members")
            data.generate(target.members, seed, progress)
            progress(f"{data.member_count()} members in the database")
        search_index = data.ensure_search_index(progress)
        fixture = data.prepare_fixture()
        fixture.search_index = search_index
        from kollegan.bench import notify

        # What a notification run that died left behind would change the pages' figures.
        notify.clean_up(progress)
        # The server gets the database to itself while it is measured.
        connections.close_all()
    return fixture


def headers_for(page: Page, fixture: "Fixture") -> dict[str, str]:
    headers = {"User-Agent": "kollegan-bench", "Accept": "text/html,application/json"}
    if page.auth is Auth.SESSION:
        headers["Cookie"] = f"{fixture.session_cookie}={fixture.session_key}"
    elif page.auth is Auth.BEARER:
        headers["Authorization"] = f"Bearer {fixture.api_secret}"
    return headers


def report(
    page: Page, path: str, result: PageResult, target: Target, hello_p50: float | None
) -> dict:
    server_p50 = percentile(result.server_ms, 50)
    line = {
        "page": page.name,
        "path": path,
        "scale": target.label,
        "members": target.members,
        "database": "postgresql" if target.database_url else "sqlite",
        "requests": result.requests,
        "status": result.status,
        "queries": max(result.queries) if result.queries else None,
        "server_p50_ms": rounded_ms(server_p50),
        "server_p95_ms": rounded_ms(percentile(result.server_ms, 95)),
        "client_p50_ms": rounded_ms(percentile(result.client_ms, 50)),
        "client_p95_ms": rounded_ms(percentile(result.client_ms, 95)),
        "ratio_p50_vs_hello": round(server_p50 / hello_p50, 2)
        if server_p50 is not None and hello_p50
        else None,
    }
    if not result.ok:
        line["error"] = result.error or f"HTTP {result.status}"
    return line


def search_index_line(fixture: "Fixture", target: Target) -> dict:
    """The search index's figures: entries, the seconds a rebuild took, bytes."""
    return {
        "page": "search_index",
        "scale": target.label,
        "members": target.members,
        "database": "postgresql" if target.database_url else "sqlite",
        **fixture.search_index,
    }


def notifications(
    client: Client, fixture: "Fixture", target: Target, args: argparse.Namespace
) -> int:
    """The notification figures, in this process against the same database while
    the server still runs; returns how many failed."""
    from kollegan.bench import notify

    common = {
        "scale": target.label,
        "members": target.members,
        "database": "postgresql" if target.database_url else "sqlite",
    }
    # Two runs sharing a database would count each other's subscribers and e-mails.
    with setup_lock(target):
        return notify.run(
            client,
            fixture,
            requests=args.requests,
            warmup=args.warmup,
            common=common,
            emit=lambda line: print(json.dumps(line, ensure_ascii=False), flush=True),
            progress=progress,
            workers=args.notify_workers,
        )


def chat_delivery(
    env: dict[str, str],
    origin: str,
    target: Target,
    args: argparse.Namespace,
    hello_p50: float | None,
) -> int:
    """The chat figures: the chat process started beside the web server, whose
    address the sockets' pages come from; returns how many failed."""
    from kollegan.bench import chat

    common = {
        "scale": target.label,
        "members": target.members,
        "database": "postgresql" if target.database_url else "sqlite",
        "layer": "redis" if env.get("REDIS_URL") else "memory",
        "hello_p50_ms": rounded_ms(hello_p50),
    }
    # Two runs sharing a database would each find the other's messages.
    with setup_lock(target):
        return chat.run(
            env=env,
            origin=origin,
            label=target.label,
            log_path=target.data_dir / "chat.log",
            sockets=args.chat_sockets,
            group=args.chat_group,
            messages=args.chat_messages,
            warmup=args.warmup,
            common=common,
            emit=lambda line: print(json.dumps(line, ensure_ascii=False), flush=True),
            progress=progress,
        )


def run(args: argparse.Namespace) -> int:
    members = args.members if args.members is not None else SCALES[args.scale]
    # A custom size gets a data set of its own instead of overwriting a preset's.
    label = args.scale if members == SCALES[args.scale] else f"m{members}"
    target = make_target(label, members, args.data_dir)
    pages = select_pages(args.pages)
    env = child_env(target)
    # Whatever the shell says: a question's fan-out must be a queued task, not run
    # inside the request that posts it (the notification figures depend on it).
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    # This process configures Django too (to generate data), from the same environment.
    os.environ.clear()
    os.environ.update(env)
    progress(f"scale {label}: {members} members, data in {target.data_dir}")
    fixture = prepare_data(target, env, args.seed)

    failures = 0
    with granian(env, target.data_dir / "granian.log") as port:
        progress(f"granian listening on 127.0.0.1:{port}")
        client = Client(port)
        hello_p50: float | None = None
        try:
            for page in pages:
                path = page.url(fixture.ids)
                result = measure(
                    client,
                    path,
                    headers_for(page, fixture),
                    warmup=args.warmup,
                    requests=args.requests,
                )
                if page is HELLO:
                    hello_p50 = percentile(result.server_ms, 50)
                line = report(page, path, result, target, hello_p50)
                if not result.ok:
                    failures += 1
                print(json.dumps(line, ensure_ascii=False), flush=True)
                progress(
                    f"{page.name:<20} status {line['status']} queries {line['queries']} "
                    f"server p50 {line['server_p50_ms']} ms"
                )
            print(json.dumps(search_index_line(fixture, target), ensure_ascii=False), flush=True)
            if not args.skip_notifications:
                failures += notifications(client, fixture, target, args)
            if not args.skip_chat:
                failures += chat_delivery(env, f"http://127.0.0.1:{port}", target, args, hello_p50)
        finally:
            client.close()
    progress(f"done in {time.monotonic() - _started:.1f}s, {failures} figure(s) failed")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    # Turn `kill` into an exception so the web server is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
