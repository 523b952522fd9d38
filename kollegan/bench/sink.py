"""A local SMTP sink for the notification benchmark, in a process of its own so
that receiving does not compete with sending for the interpreter lock.

`python -m kollegan.bench.sink PORT` accepts every message on 127.0.0.1:PORT,
prints ``ready`` once it listens, and answers each ``report`` line on stdin
with one JSON line: the messages received since the last report and how many
each recipient got. It stops when stdin closes. No Django here.
"""

import json
import subprocess
import sys
import threading
from collections import Counter

from aiosmtpd.controller import Controller

STARTUP_TIMEOUT_S = 30.0


def smtp_settings(port: int) -> dict:
    """Django's e-mail settings for sending to the sink on ``port``: plain SMTP."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 30,
    }


class Counting:
    """An aiosmtpd handler that only counts: the sink must never be the bottleneck."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.recipients: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.messages += 1
            self.recipients.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def report(self) -> dict:
        with self.lock:
            line = {"messages": self.messages, "recipients": dict(self.recipients)}
            self.messages = 0
            self.recipients = Counter()
        return line


def serve(port: int) -> None:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() == "report":
                print(json.dumps(handler.report()), flush=True)
    finally:
        controller.stop()


class Sink:
    """The sink seen from the bench: start it, ask what arrived, stop it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kollegan.bench.sink", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        # aiosmtpd's Controller.start() returns once it accepts connections.
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.close()
            raise RuntimeError(f"the SMTP sink did not start (said {ready!r})")

    def report(self) -> dict:
        """What arrived since the last report: {"messages": n, "recipients": {address: n}}."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=STARTUP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> "Sink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
