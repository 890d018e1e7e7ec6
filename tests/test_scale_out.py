"""Two app servers, one worker: nothing a member relies on lives in one process.

Two gunicorn instances of the app listen on two loopback ports, as two machines behind a proxy
would; one Celery worker drains the task queue. They share one PostgreSQL database (the test's
schema), one Redis (rate limits and task broker) and one S3-compatible store (moto's server mode),
and each has its own, empty, local upload directory. A member signs in on the first server and is
signed in on the second; a photo uploaded through the first is served by the second, from the
store; the sign-in rate limit counts the attempts made on both; a loan accepted on one server
sends exactly one email, through the worker, also when the SMTP server stops for a while. The
rendering cache is shared through Redis too, and a listing changed through one server changes
the other's pages and their validators at its next request.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from sportressources.core.db import db
from sportressources.core.storage_s3 import S3Storage
from sportressources.trade.loans import services as loans
from sportressources.trade.loans import terms
from tests.core.celery_worker import (
    PROJECT_ROOT,
    REDIS_URL,
    Worker,
    exclusive_redis_db,
    message_ids,
    outbox_rows,
    require_postgresql,
    tasks_broker_url,
    wait_until,
    worker_env,
)
from tests.factories import PASSWORD, committed, make_listing, make_user
from tests.fixtures.s3 import free_port
from tests.listings.helpers import form_data, jpeg_bytes

LOGIN_LIMIT = 6  # sign-in attempts per minute and client address, all servers together
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(params=["postgresql"])
def backend(request) -> str:
    require_postgresql()
    return request.param


@pytest.fixture
def broker_url() -> str:
    return tasks_broker_url()


@pytest.fixture
def app_overrides(broker_url, s3_config):
    # The test process writes through the same services, queue and store as the servers
    return {
        **s3_config,
        "TASKS_BROKER_URL": broker_url,
        "MAIL_DELIVERY": "queue",
        "MAIL_RETRY_DELAY": 1,
        "MAIL_MAX_ATTEMPTS": 30,
    }


class AppServer:
    """``gunicorn wsgi:app`` with two workers on a loopback port; its output kept in a file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "60",
                    "wsgi:app",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 120
            while not self._answers():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-3000:]
                    pytest.fail(f"gunicorn did not start:\n{tail}")
                time.sleep(0.2)
        except BaseException:
            self.stop()  # whatever stopped the wait, no server outlives the test
            raise

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still loading the app
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def cluster(app, smtp_server, broker_url, s3_config, tmp_path):
    """Two app servers and one worker for ``app``'s database, store and SMTP server."""
    smtp_server.start()
    limits_prefix = f"scale{secrets.token_hex(4)}"
    servers: list[AppServer] = []
    with exclusive_redis_db(broker_url):
        worker = Worker(worker_env(app, broker_url, **s3_config), "worker1")
        try:
            for name in ("first", "second"):
                uploads = tmp_path / f"{name}-uploads"
                uploads.mkdir()
                env = worker_env(
                    app,
                    broker_url,
                    **s3_config,
                    UPLOAD_DIR=str(uploads),
                    RATELIMIT_STORAGE_URI=REDIS_URL,
                    PAGE_CACHE_URL=REDIS_URL,
                    WEB_CONCURRENCY="4",
                    SPORTRESSOURCES_RATELIMIT_KEY_PREFIX=limits_prefix,
                    SPORTRESSOURCES_RATELIMIT_LOGIN=f"{LOGIN_LIMIT} per minute",
                    # Plain http on loopback: the cookies may not require TLS here
                    SPORTRESSOURCES_SESSION_COOKIE_SECURE="false",
                    SPORTRESSOURCES_REMEMBER_COOKIE_SECURE="false",
                )
                servers.append(AppServer(env, tmp_path / f"{name}.log"))
            yield servers[0], servers[1], worker
        finally:
            for server in servers:
                server.stop()
            worker.stop()


def csrf_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    match = CSRF.search(page.text)
    assert match, f"no form token on {url}"
    return match.group(1)


def sign_in(browser: requests.Session, server: AppServer, email: str, password: str = PASSWORD):
    token = csrf_token(browser, f"{server.url}/compte/connexion")
    return browser.post(
        f"{server.url}/compte/connexion",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )


def requested_loan(owner, borrower, title: str, start_in_days: int):
    listing = make_listing(owner=owner, kind="loan", title=title, category="velos", size='20"')
    committed(terms.set_terms(owner, listing, 1, 14, None))
    start = date.today() + timedelta(days=start_in_days)
    return committed(loans.request_loan(borrower, listing, start, start + timedelta(days=3)))


def accept_on(browser: requests.Session, server: AppServer, loan) -> None:
    token = csrf_token(browser, f"{server.url}/prets/{loan.id}")
    answer = browser.post(
        f"{server.url}/prets/{loan.id}/accepter",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code in {302, 303}, answer.text[:500]
    page = browser.get(server.url + answer.headers["Location"], timeout=30)
    assert page.status_code == 200
    assert "Prêt accepté" in page.text


def test_two_servers_share_sessions_photos_limits_and_one_worker_mails_once(
    app, cluster, smtp_server, s3_config
):
    first, second, worker = cluster
    owner = make_user(email="owner@example.org", display_name="Olivier Propriétaire")
    borrower = make_user(email="borrower@example.org", display_name="Bérénice Emprunteuse")
    db.session.commit()

    # Signed in on the first server, the member is signed in on the second
    browser = requests.Session()
    assert sign_in(browser, first, owner.email).status_code == 302
    space = browser.get(f"{second.url}/mon-espace", allow_redirects=False, timeout=30)
    assert space.status_code == 200
    assert "Olivier" in space.text

    # A photo sent to the first server is served by the second, from the store
    photo = jpeg_bytes(640, 480)
    token = csrf_token(browser, f"{first.url}/annonces/nouvelle")
    created = browser.post(
        f"{first.url}/annonces/nouvelle",
        data={**form_data(), "csrf_token": token},
        files={"photos": ("velo.jpg", photo, "image/jpeg")},
        allow_redirects=False,
        timeout=60,
    )
    assert created.status_code == 302, created.text[:1000]
    listing_page = browser.get(second.url + created.headers["Location"], timeout=30)
    assert listing_page.status_code == 200
    names = re.findall(r"/medias/([a-z0-9-]+\.jpg)", listing_page.text)
    assert names, "the listing page shows its photo"
    served = requests.get(f"{second.url}/medias/{names[0]}", timeout=30)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    store = S3Storage.from_config(s3_config)
    assert served.content == store.read(names[0])
    # Nothing was written on either server's own disk
    assert [path for path in first.log.parent.glob("*-uploads/**/*") if path.is_file()] == []

    # One rate-limit counter for both servers: the attempts add up, whichever server gets them
    stranger = requests.Session()
    answers = [
        sign_in(stranger, server, "nobody@example.org", "wrong password 123")
        for server in [first, second] * LOGIN_LIMIT
    ]
    statuses = [answer.status_code for answer in answers]
    # The two sign-ins above (the member's) count too: the limit is reached earlier
    assert 429 in statuses
    refused_from = statuses.index(429)
    assert refused_from == LOGIN_LIMIT - 1
    assert set(statuses[refused_from:]) == {429}
    assert "Trop de" in answers[refused_from].text

    # A loan accepted on one server: exactly one email to the borrower, sent by the worker
    loan = requested_loan(owner, borrower, "Vélo enfant 20 pouces", 3)
    accept_on(browser, first, loan)
    wait_until(
        lambda: (
            [row for row in outbox_rows() if row.recipient == borrower.email]
            and all(row.status == "sent" for row in outbox_rows())
        ),
        "the acceptance email is sent",
        [worker],
    )

    # The SMTP server stops: the next acceptance shows no error, and its email waits
    smtp_server.stop()
    other = requested_loan(owner, borrower, "Vélo enfant 24 pouces", 10)
    accept_on(browser, second, other)
    wait_until(
        lambda: [row for row in outbox_rows() if row.status == "pending" and row.last_error],
        "a failed attempt is recorded while SMTP is down",
        [worker],
    )
    smtp_server.start()
    wait_until(
        lambda: all(row.status == "sent" for row in outbox_rows()),
        "every email is sent once SMTP is back",
        [worker],
    )

    rows = outbox_rows()
    to_borrower = [row for row in rows if row.recipient == borrower.email]
    assert len(to_borrower) == 2  # one per accepted loan
    assert message_ids(smtp_server) == {row.message_id: 1 for row in rows}
    for server in (first, second):
        assert "Traceback" not in server.log.read_text(errors="replace")


def test_a_listing_changed_through_one_server_changes_the_others_pages_at_once(app, cluster):
    first, second, _worker = cluster
    owner = make_user(email="owner@example.org", display_name="Olivier Propriétaire")
    listing = make_listing(owner=owner, title="Raquette Babolat junior")
    db.session.commit()
    page_path, search_path = f"/annonces/{listing.id}", "/annonces?q=raquette"

    # An anonymous visitor of the second server: public pages, with a validator, and a 304
    visitor = requests.Session()
    seen = {}
    for path in (page_path, search_path):
        page = visitor.get(second.url + path, timeout=30)
        assert page.status_code == 200
        assert page.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=")
        assert "Set-Cookie" not in page.headers and "csrf_token" not in page.text
        assert "Réservé" not in page.text
        seen[path] = page.headers["ETag"]
        again = visitor.get(second.url + path, headers={"If-None-Match": seen[path]}, timeout=30)
        assert again.status_code == 304

    # The owner marks it reserved through the first server
    browser = requests.Session()
    assert sign_in(browser, first, owner.email).status_code == 302
    token = csrf_token(browser, first.url + page_path)
    answer = browser.post(
        f"{first.url}/annonces/{listing.id}/disponibilite",
        data={"status": "reserved", "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302
    signed_in = browser.get(second.url + page_path, timeout=30)
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in signed_in.headers

    # The second server's next answer to the visitor's revalidation is the new page
    for path, tag in seen.items():
        page = visitor.get(second.url + path, headers={"If-None-Match": tag}, timeout=30)
        assert page.status_code == 200, path
        assert page.headers["ETag"] != tag
        assert "Réservé" in page.text, path
    for server in (first, second):
        assert "Traceback" not in server.log.read_text(errors="replace")
