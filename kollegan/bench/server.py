"""The real servers (the WSGI one for the pages, the chat process for the
sockets), started and stopped around the measurements."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from kollegan.bench.environment import REPO_DIR

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def granian(env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Run granian with one worker and one blocking thread, so each figure is one
    request's own time, and yield its port once /healthz answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--blocking-threads",
        "1",
        "--no-ws",
        "kollegan.wsgi:application",
    ]
    with _serving(command, "granian", env, log_path, port):
        yield port


@contextlib.contextmanager
def chat_server(env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Run the chat process exactly as ``manage.py serve`` does (granian's ASGI
    interface, one worker: without Redis the channel layer lives in it) and
    yield its port once /healthz answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asginl",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "kollegan.asgi:application",
    ]
    with _serving(command, "the chat process", env, log_path, port):
        yield port


@contextlib.contextmanager
def _serving(
    command: list[str], name: str, env: dict[str, str], log_path: Path, port: int
) -> Iterator[None]:
    with open(log_path, "wb") as log:
        # A session of its own, so the worker processes granian forks can be
        # stopped together if the main process does not stop them itself.
        process = subprocess.Popen(
            command, env=env, cwd=REPO_DIR, stdout=log, stderr=log, start_new_session=True
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(port):
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with code {process.returncode}:\n{_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer /healthz in time:\n{_tail(log_path)}")
            time.sleep(0.2)
        yield
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # Workers left behind by a main process that died early share its session id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
