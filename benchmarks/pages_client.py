"""The HTTP client of the page benchmark (benchmarks/pages.py): standard library only.

A few threads, each with its own keep-alive ``http.client`` connection (gunicorn's sync workers
close every connection after the response: ``http.client`` then opens a new one, as a browser
would), request URLs from a ``Source`` for a slice of time. The client runs on the same two cores
as the server, so a page is always measured in short slices alternating with slices of
``/healthz`` of the same length: both see the same machine, and their ratio is fair even when
other work comes and goes.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HEADERS = {
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5",
    "User-Agent": "sr62-pages-benchmark",
}


def percentile(values: list[float], share: float) -> float:
    """Nearest rank, as benchmarks/search.py computes it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Source:
    """What to request: ``(path, headers)`` items, cycled (warm) or each once (cold)."""

    def __init__(self, items: list[tuple[str, dict[str, str]]], once: bool = False) -> None:
        if not items:
            raise ValueError("a source needs at least one URL")
        self.items, self.once = items, once
        self.position = 0
        self._lock = threading.Lock()

    def next(self) -> tuple[str, dict[str, str]] | None:
        with self._lock:
            if self.once and self.position >= len(self.items):
                return None
            item = self.items[self.position % len(self.items)]
            self.position += 1
            return item

    @property
    def exhausted(self) -> bool:
        return self.once and self.position >= len(self.items)

    @classmethod
    def paths(cls, paths: list[str], once: bool = False, **headers: str) -> Source:
        return cls([(path, dict(headers)) for path in paths], once=once)


@dataclass
class Tally:
    """What one or more slices saw: latencies (ms), statuses, requests and wall time."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: Tally) -> None:
        self.latencies.extend(other.latencies)
        self.statuses.update(other.statuses)
        self.seconds += other.seconds

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "p50_ms": round(percentile(self.latencies, 0.50), 2),
            "p95_ms": round(percentile(self.latencies, 0.95), 2),
            "p99_ms": round(percentile(self.latencies, 0.99), 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
        }


class Client:
    """``concurrency`` connections to one server, reused from slice to slice."""

    def __init__(self, base_url: str, concurrency: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.concurrency = concurrency
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="bench-client")
        self._local = threading.local()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self._local.connection = connection
        return connection

    def get(
        self, path: str, headers: dict[str, str] | None = None, method: str = "GET", body=None
    ) -> http.client.HTTPResponse:
        """One request on this thread's connection; the response with its body read
        (``response.body``). A connection that failed is closed and reopened next time."""
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
            response = connection.getresponse()
            response.body = response.read()  # type: ignore[attr-defined]
        except (OSError, http.client.HTTPException):
            connection.close()
            raise
        return response

    def _work(self, source: Source, deadline: float, budget: list[int] | None, lock) -> Tally:
        tally = Tally()
        while time.perf_counter() < deadline:
            if budget is not None:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
            item = source.next()
            if item is None:
                break
            self._timed(item, tally)
        return tally

    def _timed(self, item: tuple[str, dict], tally: Tally) -> None:
        """One request of ``item`` (path, headers), its latency and status into ``tally``."""
        path, headers = item
        started = time.perf_counter()
        try:
            status: int | str = self.get(path, headers).status
        except (OSError, http.client.HTTPException) as exc:
            status = f"error {exc.__class__.__name__}"
        elapsed = time.perf_counter() - started
        tally.latencies.append(elapsed * 1000)
        tally.seconds += elapsed
        tally.statuses[status] += 1

    def slice(self, source: Source, seconds: float, count: int | None = None) -> Tally:
        """Requests from ``source`` on every connection for ``seconds`` (or ``count`` requests,
        whichever ends first, or until a cold source runs out)."""
        lock = threading.Lock()
        budget = [count] if count is not None else None
        started = time.perf_counter()
        deadline = started + seconds
        futures = [
            self._pool.submit(self._work, source, deadline, budget, lock)
            for _ in range(self.concurrency)
        ]
        total = Tally()
        for future in futures:
            total.add(future.result())
        total.seconds = time.perf_counter() - started
        return total

    def interleaved(
        self,
        source: Source,
        reference: Source,
        *,
        seconds: float,
        slices: int,
        requests: int | None = None,
    ) -> tuple[Tally, Tally]:
        """The page and ``/healthz`` in alternating slices of equal length: (page, reference).

        With ``requests``, each page slice stops after its share of them and the reference
        slice that follows lasts as long as it did."""
        page, healthz = Tally(), Tally()
        share = None if requests is None else max(1, requests // slices)
        for _ in range(slices):
            measured = self.slice(source, seconds / slices if share is None else 3600, share)
            page.add(measured)
            if measured.seconds > 0:
                healthz.add(self.slice(reference, measured.seconds))
            if source.exhausted:
                break
        return page, healthz

    def serial(self, sources: list[tuple[Source, int]]) -> list[Tally]:
        """One request at a time, taking each source in turn until it made its count of
        requests: latencies without queueing."""
        tallies = [Tally() for _ in sources]
        while True:
            pending = [
                (source, tally)
                for (source, count), tally in zip(sources, tallies, strict=True)
                if tally.requests < count and not source.exhausted
            ]
            if not pending:
                return tallies
            for source, tally in pending:
                item = source.next()
                if item is None:
                    continue
                self._timed(item, tally)


def cookies_of(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(client: Client, email: str, password: str) -> str:
    """Sign in as a browser does (the form's CSRF token and hidden fields); the Cookie header
    of the signed-in session. Raises RuntimeError when the app does not sign the member in."""
    from load_forms import find_form

    jar: dict[str, str] = {}
    page = client.get("/compte/connexion")
    cookies_of(page, jar)
    form = find_form(page.body.decode(), "/compte/connexion")  # type: ignore[attr-defined]
    if form is None:
        raise RuntimeError("no sign-in form on /compte/connexion")
    fields = {**form["fields"], "email": email, "password": password}
    answer = client.get(
        urlsplit(form["action"]).path or "/compte/connexion",
        {"Cookie": cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
        body=urlencode(fields).encode(),
    )
    cookies_of(answer, jar)
    if answer.status not in (302, 303):
        raise RuntimeError(f"signing in answered {answer.status}, not a redirect")
    check = client.get("/mon-espace", {"Cookie": cookie_header(jar)})
    if check.status != 200:
        raise RuntimeError(f"/mon-espace answered {check.status} after signing in")
    return cookie_header(jar)
