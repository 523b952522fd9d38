"""Run the whole of Kollegan on one machine: the WSGI web server (granian), the
background worker and the periodic jobs, as child processes. Ctrl-C stops all."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Kollegan with granian together with the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args, **options) -> None:
        python = sys.executable
        manage = [python, "-m", "django"]
        commands = {
            "web": [
                python,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                "--workers",
                str(options["workers"]),
                "--blocking-threads",
                "4",
                "--no-ws",
                "kollegan.wsgi:application",
            ],
        }
        if not options["no_worker"]:
            commands["worker"] = [*manage, "db_worker", "--queue-name", "*", "--no-reload"]
            commands["periodic"] = [*manage, "periodic", "--loop"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kollegan.settings"}
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        self.stdout.write(
            f"Kollegan körs på http://{options['host']}:{options['port']}/ "
            f"({', '.join(children)}). Avsluta med Ctrl-C."
        )
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} stoppade med kod {child.returncode}; avslutar.")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            sys.exit(exit_code)
