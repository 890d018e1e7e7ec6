"""Request logging names the route, never a password or a token."""

import logging

from tests.factories import PASSWORD, make_user


def test_request_log_has_route_status_and_user_but_no_secret(app, client, outbox, caplog):
    user = make_user(email="log@example.org")
    with caplog.at_level(logging.INFO, logger="sportressources.request"):
        client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
        client.post("/compte/mot-de-passe-oublie", data={"email": user.email})
        token_link = outbox.last(user.email).link("/compte/reinitialiser/")
        token = token_link.rsplit("/", 1)[-1]
        client.get(token_link.replace("http://localhost", "") + "?utm=secret-query")

    lines = [r.getMessage() for r in caplog.records if r.name == "sportressources.request"]
    assert any(line.startswith("POST /compte/connexion 302") for line in lines), lines
    assert any(line.startswith("GET /compte/reinitialiser/<token> 200") for line in lines), lines
    assert any(f"user={user.id}" in line for line in lines)
    everything = caplog.text
    assert PASSWORD not in everything
    assert token not in everything
    assert "secret-query" not in everything
    assert user.email not in everything


def test_development_server_request_lines_are_dropped():
    from sportressources.core.requestlog import DropRawRequestLines

    keep = logging.LogRecord("werkzeug", logging.INFO, "", 0, " * Running on %s", ("url",), None)
    drop = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '127.0.0.1 - - [date] "%s" %s %s',
        ("GET /compte/reinitialiser/abc HTTP/1.1", "200", "-"),
        None,
    )
    assert DropRawRequestLines().filter(keep)
    assert not DropRawRequestLines().filter(drop)
