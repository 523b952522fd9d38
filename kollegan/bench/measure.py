"""Timing requests over one keep-alive connection, as a browser would reuse it."""

import http.client
import math
import re
import time
from dataclasses import dataclass, field

SERVER_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")


def server_figures(response) -> tuple[float, int] | None:
    """The server's own time (ms) and SQL query count, from the bench headers."""
    timing = SERVER_TIMING.search(response.getheader("Server-Timing", ""))
    if timing is None:
        return None
    return float(timing.group(1)), int(response.getheader("X-Query-Count", "0"))


def rounded_ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class PageResult:
    requests: int = 0
    statuses: list[int] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> int | None:
        """The first failing status if any request failed, otherwise the one seen."""
        failing = [status for status in self.statuses if not 200 <= status < 300]
        if failing:
            return failing[0]
        return self.statuses[0] if self.statuses else None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Client:
    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def close(self) -> None:
        self.conn.close()

    def get(self, path: str, headers: dict[str, str]) -> tuple[http.client.HTTPResponse, float]:
        """GET ``path``; return the response (body read) and the wall time in ms."""
        response, _body, ms = self.request("GET", path, headers)
        return response, ms

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        """Send one request; return the response, its body and the wall time in ms."""
        for attempt in range(2):
            try:
                start = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                return response, content, (time.perf_counter() - start) * 1000
            except (http.client.RemoteDisconnected, ConnectionError):
                # The server may close an idle keep-alive connection; one fresh try.
                self.conn.close()
                self.conn = self._connect()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def measure(
    client: Client, path: str, headers: dict[str, str], *, warmup: int, requests: int
) -> PageResult:
    result = PageResult()
    try:
        # Warm-up fills Django's caches (templates, URL resolver, site settings)
        # and the database's, so the figures describe a running site.
        for _ in range(warmup):
            client.get(path, headers)
        for _ in range(requests):
            response, client_ms = client.get(path, headers)
            result.requests += 1
            result.statuses.append(response.status)
            result.client_ms.append(client_ms)
            if not 200 <= response.status < 300:
                # A failing page is reported as such; timing its error page says nothing.
                break
            figures = server_figures(response)
            if figures is None:
                result.error = "response has no Server-Timing header (is KOLLEGAN_BENCH set?)"
                break
            result.server_ms.append(figures[0])
            result.queries.append(figures[1])
    except (OSError, http.client.HTTPException) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    return result
