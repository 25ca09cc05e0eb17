"""Admin page sessions expire and sign-out revokes them; cookies are Secure over HTTPS.

The app runs in-process (FastAPI's TestClient, its lifespan loading a real store) so the
session clock can be moved forward without waiting and the scheme can be ``https``. The
clock is the one thing replaced: sign-in, cookies and pages are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cancerinfo.service.app import create_app
from cancerinfo.settings import Settings
from tests.service.conftest import ADMIN_TOKEN, build_store

COOKIE = "cancerinfo_admin"
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    return build_store(tmp_path_factory.mktemp("admin-sessions"), examples_kb)


@pytest.fixture(scope="module")
def app(store: Path) -> Iterator[FastAPI]:
    application = create_app(Settings(db=store), environ={"CANCERINFO_ADMIN_TOKEN": ADMIN_TOKEN})
    with TestClient(application):  # runs the lifespan once: the KB is loaded
        yield application


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    sessions = app.state.admin_sessions
    real, sessions.clock = sessions.clock, Clock()
    yield sessions.clock
    sessions.clock = real


def client(app: FastAPI, scheme: str = "https") -> TestClient:
    return TestClient(app, base_url=f"{scheme}://testserver", follow_redirects=False)


def sign_in(http: TestClient) -> str:
    response = http.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert response.status_code == 303, response.text
    return str(response.cookies[COOKIE])


def test_a_signed_in_cookie_opens_the_dashboard_and_is_not_derived_from_the_token_alone(
    app: FastAPI, clock: Clock
) -> None:
    http = client(app)
    first, second = sign_in(http), sign_in(http)
    assert first != second  # a fresh session each time, not a fixed HMAC of the token
    assert ADMIN_TOKEN not in first
    http.cookies.set(COOKIE, first)
    assert "Review queue" in http.get("/admin").text
    assert http.get("/admin").status_code == 200


def test_an_expired_cookie_is_refused_with_401(app: FastAPI, clock: Clock) -> None:
    http = client(app)
    cookie = sign_in(http)
    http.cookies.set(COOKIE, cookie)
    clock.now += 7 * HOUR
    assert http.get("/admin").status_code == 200  # still within the session
    clock.now += 2 * HOUR
    expired = http.get("/admin")
    assert expired.status_code == 401 and "Review queue" not in expired.text
    assert 'name="token"' in expired.text and "signed out" in expired.text
    assert http.get("/admin/documents").status_code == 401


def test_a_cookie_reused_after_sign_out_is_refused_with_401(app: FastAPI, clock: Clock) -> None:
    http = client(app)
    cookie = sign_in(http)
    other = sign_in(http)
    http.cookies.set(COOKIE, cookie)
    signed_out = http.post("/admin/logout")
    assert signed_out.status_code == 303
    assert (
        COOKIE in signed_out.headers["set-cookie"]
        and "Max-Age=0" in signed_out.headers["set-cookie"]
    )
    replay = client(app)
    replay.cookies.set(COOKIE, cookie)  # a copy of the cookie kept from before the sign-out
    refused = replay.get("/admin")
    assert refused.status_code == 401 and "Review queue" not in refused.text
    still = client(app)
    still.cookies.set(COOKIE, other)  # another session is not signed out with it
    assert "Review queue" in still.get("/admin").text


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "x",
        "a.b.c",
        "a.99999999999999999999.c",
        "..",
        "abc.1800009999.",
        "a.1.2",
        "a.00000000001.b",
    ],
)
def test_a_forged_or_altered_cookie_is_refused(app: FastAPI, clock: Clock, forged: str) -> None:
    http = client(app)
    genuine = sign_in(http)
    session, expires, mac = genuine.split(".")
    for value in (
        forged,
        f"{session}.{int(expires) + 10 * int(HOUR)}.{mac}",
        f"other.{expires}.{mac}",
    ):
        bad = client(app)
        bad.cookies.set(COOKIE, value)
        response = bad.get("/admin")
        assert response.status_code in (200, 401) and "Review queue" not in response.text


def test_cookies_are_secure_over_https_only(app: FastAPI, clock: Clock) -> None:
    for scheme, secure in (("https", True), ("http", False)):
        http = client(app, scheme)
        admin_cookie = http.post("/admin/login", data={"token": ADMIN_TOKEN}).headers["set-cookie"]
        consent_cookie = http.post("/consent", data={"agree": "yes", "next": "/"}).headers[
            "set-cookie"
        ]
        for header in (admin_cookie, consent_cookie):
            attributes = {part.strip().lower() for part in header.split(";")}
            assert ("secure" in attributes) is secure, (scheme, header)
            assert "httponly" in attributes
        assert "samesite=strict" in admin_cookie.lower() and "path=/admin" in admin_cookie.lower()
