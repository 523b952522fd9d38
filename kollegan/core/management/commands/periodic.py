"""Periodic jobs: run once, or every minute with --loop (started by `serve`)."""

import signal
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kollegan.accounts.services import memberships_expire_due

INTERVAL_SECONDS = 60


def run_due_jobs() -> dict[str, int]:
    from kollegan.notifications.tasks import periodic as notifications_due

    return {"memberships_expired": memberships_expire_due(), **notifications_due()}


class Command(BaseCommand):
    help = "Run Kollegan's periodic jobs (ended memberships, e-mail digests and retries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="repeat every minute")

    def handle(self, *args, **options) -> None:
        running = True

        def stop(signum, frame) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            close_old_connections()
            results = run_due_jobs()
            if any(results.values()) or not options["loop"]:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in results.items()))
            if not options["loop"]:
                return
            for _ in range(INTERVAL_SECONDS):
                if not running:
                    return
                time.sleep(1)
