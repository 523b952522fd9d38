"""Run the whole of Kollegan on one machine: the WSGI web server (granian), the
chat process (granian ASGI, WebSockets), the background worker and the periodic
jobs, as child processes. Ctrl-C stops all.

Without Redis the chat's channel layer lives in the chat process, so it runs
one worker and the web server and worker hand it their events over the
loopback (CHAT_BRIDGE_URL). With REDIS_URL every process shares Redis."""

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
        parser.add_argument(
            "--chat-port",
            type=int,
            default=None,
            help="the chat process's port (default CHAT_PORT, or the web port + 1)",
        )
        parser.add_argument(
            "--chat-workers",
            type=int,
            default=int(os.environ.get("CHAT_WORKERS", "1")),
            help="chat processes; more than one needs REDIS_URL",
        )

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        from kollegan.chat.routing import BRIDGE_PATH

        python = sys.executable
        chat_port = options["chat_port"] or (
            settings.CHAT_PORT if "CHAT_PORT" in os.environ else options["port"] + 1
        )
        chat_workers = options["chat_workers"] if settings.REDIS_URL else 1
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
            "chat": [
                python,
                "-m",
                "granian",
                "--interface",
                "asginl",
                "--host",
                options["host"],
                "--port",
                str(chat_port),
                "--workers",
                str(chat_workers),
                "kollegan.asgi:application",
            ],
        }
        if not options["no_worker"]:
            commands["worker"] = [*manage, "db_worker", "--queue-name", "*", "--no-reload"]
            commands["periodic"] = [*manage, "periodic", "--loop"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kollegan.settings",
            "CHAT_PORT": str(chat_port),
        }
        bridge = {}
        if not settings.REDIS_URL:
            bridge = {"CHAT_BRIDGE_URL": f"http://127.0.0.1:{chat_port}{BRIDGE_PATH}"}
        children = {
            name: subprocess.Popen(cmd, env={**env, **({} if name == "chat" else bridge)})
            for name, cmd in commands.items()
        }
        self.stdout.write(
            f"Kollegan körs på http://{options['host']}:{options['port']}/ "
            f"({', '.join(children)}; chatten på port {chat_port}). Avsluta med Ctrl-C."
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
