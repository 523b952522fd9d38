"""Fixtures for the browser tests: Debian's Chromium driven by Playwright.

One Chromium for the whole run (all browser tests live in this package, so the
fixture is package-scoped and shuts down when they are done), and a fresh browser
context (cookies, storage) for every page a test opens. Every page is watched: a
request to any host other than the live server is aborted and recorded, and
console errors (CSP violations show up there), uncaught page errors and error
responses are collected. Tests call ``browser_guard.assert_clean()``; the
fixture checks again when a test that did not ends.

Playwright never downloads a browser here. Without Chromium the tests skip,
unless KOLLEGAN_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

import asyncio
import copy
import logging
import os
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Fail fast: a page of this site that needs more than ten seconds is a failure.
TIMEOUT_MS = 10_000


def _browser_unavailable(reason: str) -> None:
    message = (
        f"Browser tests need Debian's Chromium at {CHROMIUM}, but {reason}. "
        "Install it with `make test-tools` (or `sudo apt-get install chromium`); "
        "Playwright's own browser downloads are not used."
    )
    if os.environ.get("KOLLEGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} KOLLEGAN_REQUIRE_BROWSER=1, so this is a failure.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser(django_db_setup) -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _browser_unavailable("it is not installed")
    serialized = _serialized_contents()
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in the test thread, and Django
        # refuses ORM calls there unless told it is safe (it is: nothing awaits).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            try:
                # With that loop "running", Django hands this thread new connection
                # objects (asgiref keeps them per context, not per thread), which lack
                # the snapshot serialized_rollback restores from. Give it to them.
                for alias, contents in serialized.items():
                    connections[alias]._test_serialized_contents = contents
                try:
                    chromium = playwright.chromium.launch(
                        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                    )
                except PlaywrightError as error:
                    _browser_unavailable(f"it did not start: {error.message.splitlines()[0]}")
                yield chromium
                chromium.close()
            finally:
                # Those connections are only reachable while the loop runs: close them
                # now, or PostgreSQL refuses to drop the test database at the end.
                connections.close_all()


def _serialized_contents() -> dict[str, str]:
    contents = {}
    for alias in connections:
        snapshot = getattr(connections[alias], "_test_serialized_contents", None)
        if snapshot is not None:
            contents[alias] = snapshot
    return contents


class BrowserGuard:
    """Opens pages in fresh contexts and records everything that should not happen."""

    def __init__(self, browser: Browser, base_url: str, shots: Path) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        origin = urlsplit(self.base_url)
        self.origin = (origin.scheme, origin.netloc)
        self.shots = shots
        self.contexts: list[BrowserContext] = []
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.error_responses: list[str] = []
        self.allowed_statuses: set[int] = set()
        self.checked = False

    def new_page(self, *, width: int = 1280, height: int = 900, locale: str = "sv-SE") -> Page:
        """A page in a context of its own: a new visitor with no cookies."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            locale=locale,
            timezone_id="Europe/Stockholm",
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.route("**/*", self._route)
        context.on("page", self._watch)
        self.contexts.append(context)
        return context.new_page()

    def screenshot(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
        return path

    def _is_live_server(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == self.origin

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self._is_live_server(url):
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort("blockedbyclient")

    def _watch(self, page: Page) -> None:
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on("response", self._response)

    @contextmanager
    def allow_status(self, status: int) -> Iterator[None]:
        """Within the block, answers with this status are expected (a form sent back)."""
        self.allowed_statuses.add(status)
        try:
            yield
        finally:
            self.allowed_statuses.discard(status)

    def _console(self, page: Page, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        # Chromium also logs every 4xx/5xx answer; those are judged in _response.
        if msg.text.startswith("Failed to load resource: the server responded with a status"):
            return
        self.console_errors.append(f"{page.url}: {msg.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.allowed_statuses:
            self.error_responses.append(f"{response.status} {response.url}")

    def problems(self) -> list[str]:
        return (
            [f"request to another host: {url}" for url in self.foreign_requests]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"error response: {text}" for text in self.error_responses]
        )

    def assert_clean(self) -> None:
        self.checked = True
        problems = self.problems()
        assert not problems, "The browser saw problems:\n" + "\n".join(problems)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser_guard(request, browser, live_server, tmp_path) -> Iterator[BrowserGuard]:
    guard = BrowserGuard(browser, live_server.url, tmp_path)
    yield guard
    try:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            # Leave the last state of every open page next to the test's other screenshots.
            for number, context in enumerate(guard.contexts):
                for page_number, page in enumerate(context.pages):
                    guard.screenshot(page, f"failure-{number}-{page_number}")
            print(f"Screenshots of the failure: {tmp_path}")
        elif report is not None and report.passed and not guard.checked:
            problems = guard.problems()
            if problems:
                pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)
    finally:
        guard.close()


@pytest.fixture(autouse=True)
def _cache_keys_of_our_own(settings) -> None:
    # Test runs on one machine share the cache (the file cache under var/test, or
    # Redis): another run's cached menu or failed-login counters for 127.0.0.1
    # would otherwise show up in these pages. Same backend, keys of this run only.
    caches = copy.deepcopy(settings.CACHES)
    for config in caches.values():
        ours = f"browser-{os.getpid()}"
        config["KEY_PREFIX"] = "-".join(filter(None, [config.get("KEY_PREFIX"), ours]))
    settings.CACHES = caches


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package", autouse=True)
def _restore_migrated_rows(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Leave the database as the migrations made it once the browser tests are done.

    live_server makes every test here transactional, and a transactional test ends
    by emptying all tables. ``serialized_rollback`` reloads the organisations,
    topics and menu at the start of each browser test, but nothing does after the
    last one, so a later transactional test elsewhere would find them gone.

    The id sequences are left where they are (flush would restart them): the rows
    come back with their own ids, and PostgreSQL would hand those ids out again."""
    yield
    with django_db_blocker.unblock():
        for alias, contents in _serialized_contents().items():
            call_command(
                "flush",
                database=alias,
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )
            connections[alias].creation.deserialize_db_from_string(contents)


# --- The chat process ---------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.into.append(f"{record.name}: {text}")


class ChatServer:
    """The chat process's ASGI application (kollegan.asgi) on granian, the server
    production runs it on, here in granian's embedded mode: in a thread of this
    process with an event loop of its own, so that its database work reaches the
    test database the live server uses (with SQLite an in-memory database, which
    another process could not open).

    Its channel layer is in memory, as on one machine without Redis, and every
    publisher (the live server's requests, the test itself, the sockets' own
    sends) hands its events to it over the chat process's signed bridge, as
    ``manage.py serve`` wires the web server and the worker. (Settings are the
    whole process's, so unlike the real chat process this one also publishes its
    own events over the bridge: each bridge request gets a thread of its own,
    since the sockets' database work holds asgiref's shared one while it waits.)
    Whatever the server or the chat code logs as a warning or error is collected
    in ``errors``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.errors: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.server = None
        self._handler = _Collect(self.errors)
        self._loggers = [logging.getLogger("_granian"), logging.getLogger("kollegan.chat")]
        self.thread = threading.Thread(target=self._run, name="chat-server", daemon=True)

    def _run(self) -> None:
        from granian.constants import Interfaces
        from granian.server.embed import Server

        from kollegan.asgi import application

        async def app(scope, receive, send):
            if scope["type"] == "http":
                async with ThreadSensitiveContext():
                    return await application(scope, receive, send)
            return await application(scope, receive, send)

        asyncio.set_event_loop(self.loop)
        try:
            self.server = Server(
                app, address="127.0.0.1", port=self.port, interface=Interfaces.ASGINL
            )
            self.loop.run_until_complete(self.server.serve())
        except BaseException as error:
            self.errors.append(f"the chat server stopped: {error!r}")
            raise
        finally:
            # Socket handlers still waiting when the server stopped end with the loop.
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.close()

    def start(self) -> None:
        for logger in self._loggers:
            logger.addHandler(self._handler)
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.thread.is_alive():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("The chat server did not start:\n" + "\n".join(self.errors))

    def stop(self) -> None:
        from kollegan.chat import consumers

        try:
            if self.thread.is_alive():
                # The pages are closed by now: let their sockets finish disconnecting.
                deadline = time.monotonic() + 5
                while consumers._open and time.monotonic() < deadline:
                    time.sleep(0.1)
                # The chat's database work ran in asgiref's executor thread: close its
                # connection there, or PostgreSQL refuses to drop the test database.
                asyncio.run_coroutine_threadsafe(
                    database_sync_to_async(connections.close_all)(), self.loop
                ).result(timeout=10)
                self.loop.call_soon_threadsafe(self.server.stop)
                self.thread.join(timeout=15)
        finally:
            # A socket cut off by the stop must not linger in the next test's sweep.
            consumers._open.clear()
            for logger in self._loggers:
                logger.removeHandler(self._handler)

    def assert_clean(self) -> None:
        assert not self.errors, "The chat server logged problems:\n" + "\n".join(self.errors)


@pytest.fixture
def chat_server(live_server, settings) -> Iterator[ChatServer]:
    """A chat process for the pages of the live server, at the port they open the
    socket on (``chat.views.socket_url``: the page's host name at CHAT_PORT).

    Ask for it before ``browser_guard``, so that the pages are closed (and their
    failure screenshots taken) before the server stops."""
    from kollegan.chat.routing import BRIDGE_PATH

    port = free_port()
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CHAT_URL = ""
    settings.CHAT_PORT = port
    settings.CHAT_BRIDGE_URL = f"http://127.0.0.1:{port}{BRIDGE_PATH}"
    # The socket's Origin check: the live server's pages are the site's own.
    settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, live_server.url]
    server = ChatServer(port)
    try:
        server.start()
        yield server
    finally:
        server.stop()
