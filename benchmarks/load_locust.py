"""The simulated visitors of the load test (locust), and one phase run headless as a library.

Run by benchmarks/load.py, one process per phase (locust patches the standard library with
gevent on import, so it never runs inside the orchestrator):

    python benchmarks/load_locust.py --hosts http://127.0.0.1:8001,http://127.0.0.1:8002 \
        --catalogue catalogue.json --users 30 --spawn-rate 10 --duration 60 --out phase.json

Two kinds of visitors, weighted like a public classifieds site: mostly anonymous browsing
(``Visitor``), and members (``Member``) who sign in, read their messages, write about a listing
and ask to borrow gear (then cancel, as people change their minds, so the borrower's limits
never refuse them). Each request is named by its kind in the statistics. With several hosts,
an anonymous visitor stays on one server and a member switches server at random on every
request: their session cookie and CSRF tokens must be valid on each, as behind a load balancer
without sticky sessions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from load_forms import find_form
from locust import HttpUser, between, events, task
from locust.env import Environment

CATALOGUE: dict = {}
HOSTS: list[str] = []
_host_turn = itertools.count()
_account_turn = itertools.count()
PER_SERVER: dict[str, int] = {}


@events.request.add_listener
def count_per_server(url=None, **_kwargs):
    """Requests answered by each server (phase 2: both must serve)."""
    if url:
        server = urlsplit(url).netloc
        PER_SERVER[server] = PER_SERVER.get(server, 0) + 1


# --- visitors ---------------------------------------------------------------------------------


def _pick(key: str):
    return random.choice(CATALOGUE[key])


class Browsing:
    """What anyone does: home, searches (with and without filters, « Où ? »), a zone, listings,
    venues. ``go`` sends one GET to this visitor's server (or a random one for members)."""

    def go(self, path: str, name: str):
        raise NotImplementedError

    def home(self):
        self.go("/", "home")

    def search(self):
        self.go("/annonces", "search")

    def search_filtered(self):
        sport, category = _pick("sports")
        args = random.choice(
            [
                {"q": _pick("words")},
                {"sport": sport, "category": category},
                {"q": _pick("words"), "kind": random.choice(["gift", "sale", "loan"])},
                {"zone": _pick("zones"), "kind": "loan"},
                {"with_photos": "1", "sort": "cheapest"},
            ]
        )
        self.go("/annonces?" + urlencode(args), "search filtered")

    def search_where(self):
        args = {"where": _pick("communes"), "radius": random.choice(["5", "10", "20"])}
        if random.random() < 0.5:
            args["q"] = _pick("words")
        self.go("/annonces?" + urlencode(args), "search « Où ? »")

    def zone(self):
        self.go(f"/territoire/{_pick('zones')}", "zone")

    def listing(self):
        self.go(f"/annonces/{_pick('listings')}", "listing")

    def venue(self):
        self.go(f"/lieux/{_pick('venues')}", "venue")


class Visitor(Browsing, HttpUser):
    """An anonymous visitor: nine in ten of the traffic of a public classifieds site."""

    weight = 9
    wait_time = between(0.2, 1.0)
    host = "http://127.0.0.1"  # replaced per visitor by one of HOSTS

    def on_start(self):
        self.base = HOSTS[next(_host_turn) % len(HOSTS)]

    def go(self, path: str, name: str):
        self.client.get(self.base + path, name=name)

    tasks = {
        Browsing.home: 12,
        Browsing.search: 10,
        Browsing.search_filtered: 10,
        Browsing.search_where: 6,
        Browsing.zone: 3,
        Browsing.listing: 25,
        Browsing.venue: 4,
    }


class Member(Browsing, HttpUser):
    """A signed-in member. Signs in on one server, then each request goes to any server."""

    weight = 1
    wait_time = between(0.2, 1.0)
    host = "http://127.0.0.1"

    def on_start(self):
        accounts = CATALOGUE["accounts"]
        self.email = accounts[next(_account_turn) % len(accounts)]
        self.sign_in()

    def base(self) -> str:
        return random.choice(HOSTS)

    def go(self, path: str, name: str):
        self.client.get(self.base() + path, name=name)

    def page(self, path: str, name: str) -> str | None:
        """A member-only page; a redirect to the sign-in form means the session was lost."""
        with self.client.get(
            self.base() + path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (302, 303) and "/compte/connexion" in response.headers.get(
                "Location", ""
            ):
                response.failure("session not recognised (sent to the sign-in form)")
                return None
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            return response.text

    def submit(self, html: str, action_part: str, name: str, fields: dict | None = None):
        """Post the form of ``html`` whose action contains ``action_part``; a redirect other than
        to the sign-in form is success (the site answers a form it refuses with the page)."""
        form = find_form(html, action_part)
        if form is None:
            self.environment.events.request.fire(
                request_type="POST",
                name=name,
                response_time=0,
                response_length=0,
                response=None,
                context={},
                exception=LookupError(f"no form posting to {action_part} on the page"),
            )
            return None
        data = {**form["fields"], **(fields or {})}
        with self.client.post(
            self.base() + form["action"],
            data=data,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 200 and "confirmed" in response.text:
                return response  # a confirmation page: the caller confirms
            if response.status_code not in (302, 303):
                response.failure(f"HTTP {response.status_code} (form not accepted)")
                return None
            if "/compte/connexion" in response.headers.get("Location", ""):
                response.failure("session not recognised (sent to the sign-in form)")
                return None
            return response

    def sign_in(self):
        self.client.cookies.clear()
        html = self.page("/compte/connexion", "sign-in form")
        if html:
            self.submit(
                html,
                "/compte/connexion",
                "sign in (POST)",
                {"email": self.email, "password": CATALOGUE["password"]},
            )

    @task(2)
    def sign_out_and_in(self):
        html = self.page("/mon-espace", "my space")
        if html and self.submit(html, "/compte/deconnexion", "sign out (POST)"):
            self.sign_in()

    @task(6)
    def inbox(self):
        self.page("/messages", "messages inbox")

    @task(4)
    def my_space(self):
        self.page("/mon-espace", "my space")

    @task(5)
    def write_about_listing(self):
        """Open a listing, « Contacter » (the conversation is reused once it exists), write."""
        listing = _pick("listings")
        html = self.page(f"/annonces/{listing}", "listing")
        if not html or not find_form(html, "/contacter"):
            return  # the member's own listing, or one taken meanwhile: nothing to write
        response = self.submit(html, "/contacter", "contact owner (POST)")
        if response is None:
            return
        path = urlsplit(response.headers["Location"]).path
        html = self.page(path, "conversation")
        if html:
            body = random.choice(["Bonjour, toujours disponible ?", "Merci, à samedi !"])
            self.submit(html, path, "send message (POST)", {"body": body})

    @task(2)
    def request_and_cancel_loan(self):
        listing = _pick("loan_listings")
        html = self.page(f"/prets/annonces/{listing}", "loan listing")
        if not html or not find_form(html, "/demander"):
            return
        start = date.today() + timedelta(days=random.randint(20, 300))
        fields = {
            "loan-start_date": start.isoformat(),
            "loan-end_date": (start + timedelta(days=1)).isoformat(),
            "loan-message": "Pour un week-end, merci !",
        }
        response = self.submit(html, "/demander", "loan request (POST)", fields)
        if response is None:
            return
        path = urlsplit(response.headers["Location"]).path
        html = self.page(path, "loan page")
        if html is None:
            return
        asked = self.submit(html, "/annuler", "loan cancel (POST)")
        if asked is not None and asked.status_code == 200:
            self.submit(asked.text, "/annuler", "loan cancel confirmed (POST)")

    @task(20)
    def browse(self):
        random.choice(
            [self.home, self.search, self.search_filtered, self.search_where, self.listing]
        )()

    @task(2)
    def venue_or_zone(self):
        random.choice([self.venue, self.zone])()


# --- one phase, headless ----------------------------------------------------------------------


def _entry(entry, duration: float) -> dict:
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.num_requests / duration, 2),
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "avg_ms": round(entry.avg_response_time, 1),
        "max_ms": round(entry.max_response_time or 0, 1),
    }


class CpuWatch:
    """CPU seconds used by the app servers (gunicorn masters and workers), the PostgreSQL
    backends serving the load database, this process (locust), and the whole machine."""

    def __init__(self, app_pids: list[int], pg_url: str | None) -> None:
        self.app_pids, self.pg_url = app_pids, pg_url

    def _pg_pids(self) -> list[int]:
        if not self.pg_url:
            return []
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [pid for (pid,) in rows]

    @staticmethod
    def _seconds(processes) -> dict[int, float]:
        import psutil

        seconds = {}
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            seconds[process.pid] = times.user + times.system
        return seconds

    def snapshot(self) -> dict:
        import psutil

        app = []
        for pid in self.app_pids:
            try:
                master = psutil.Process(pid)
                app += [master, *master.children(recursive=True)]
            except psutil.Error:
                continue
        machine = psutil.cpu_times()
        return {
            "app": self._seconds(app),
            "pg": self._seconds(psutil.Process(pid) for pid in self._pg_pids()),
            "locust": self._seconds([psutil.Process()]),
            "machine_busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0),
            "machine_all": sum(machine),
        }

    @staticmethod
    def used(before: dict, after: dict, requests: int, elapsed: float) -> dict:
        import psutil

        def delta(key: str) -> float:
            return sum(t - before[key].get(pid, 0.0) for pid, t in after[key].items())

        app, pg, locust = delta("app"), delta("pg"), delta("locust")
        busy = after["machine_busy"] - before["machine_busy"]
        return {
            "cores": psutil.cpu_count(),
            "app_cpu_s": round(app, 1),
            "pg_cpu_s": round(pg, 1),
            "locust_cpu_s": round(locust, 1),
            "other_cpu_s": round(max(busy - app - pg - locust, 0.0), 1),
            "machine_busy_share": round(busy / (psutil.cpu_count() * elapsed), 2),
            "app_cpu_ms_per_request": round(1000 * app / requests, 1) if requests else None,
            "pg_cpu_ms_per_request": round(1000 * pg / requests, 1) if requests else None,
        }


def run_phase(
    hosts: list[str],
    users: int,
    spawn_rate: float,
    duration: float,
    watch: CpuWatch | None = None,
    user_classes: list | None = None,
) -> dict:
    import time

    import gevent

    HOSTS[:] = hosts
    env = Environment(user_classes=user_classes or [Visitor, Member], events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    # Measure from the moment every visitor is running
    gevent.sleep(users / spawn_rate + 1)
    env.stats.reset_all()
    PER_SERVER.clear()
    started = time.monotonic()
    cpu_before = watch.snapshot() if watch else None
    gevent.sleep(duration)
    cpu_after = watch.snapshot() if watch else None
    measured = time.monotonic() - started
    entries = sorted(env.stats.entries.values(), key=lambda e: (e.name, e.method))
    result = {
        "hosts": hosts,
        "users": users,
        "spawn_rate": spawn_rate,
        "duration_s": round(measured, 1),
        "total": _entry(env.stats.total, measured),
        "requests_per_server": dict(sorted(PER_SERVER.items())),
        "requests": [_entry(entry, measured) for entry in entries],
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in env.stats.errors.values()
        ],
    }
    if watch:
        result["cpu"] = CpuWatch.used(cpu_before, cpu_after, env.stats.total.num_requests, measured)
    runner.quit()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", required=True, help="comma-separated base URLs")
    parser.add_argument("--catalogue", type=Path, required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--spawn-rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--app-pids", default="", help="gunicorn masters, comma-separated")
    parser.add_argument("--pg-url", default=None, help="the load database (CPU of its backends)")
    args = parser.parse_args(argv)
    CATALOGUE.update(json.loads(args.catalogue.read_text(encoding="utf-8")))
    pids = [int(pid) for pid in args.app_pids.split(",") if pid]
    watch = CpuWatch(pids, args.pg_url) if pids else None
    result = run_phase(args.hosts.split(","), args.users, args.spawn_rate, args.duration, watch)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
