"""Bounded session storage (issue 15, point 3): a cap on turns per session and on the text
of a turn, sessions stored with their first turn only, expired sessions purged while a
server runs. Real SQLite files; the last tests use a real server."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cancerinfo.answer.sessions import SessionStore
from cancerinfo.store.database import Store
from tests.service.conftest import Server

OLD = "2000-01-01T00:00:00+00:00"


def response(text: str = "An answer.") -> dict[str, object]:
    return {"status": "answered", "reason": None, "intent": "general", "answer": text}


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[SessionStore]:
    path = tmp_path / "sessions.db"
    Store.create_or_open(path).close()
    store = SessionStore(path, max_turns=5, max_turn_chars=2_000)
    yield store
    store.close()


def count(db: Path, sql: str, parameters: tuple[object, ...] = ()) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute(sql, parameters).fetchone()[0])
    finally:
        connection.close()


def age(db: Path, session_id: str) -> None:
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (OLD, session_id))
    connection.close()


def test_a_long_conversation_keeps_its_last_turns_and_goes_on(sessions: SessionStore) -> None:
    numbers = [
        sessions.record(
            "chat",
            question=f"question {n}",
            resolved=f"question {n}",
            response=response(),
            topic={},
        )
        for n in range(1, 41)
    ]
    assert numbers == list(range(1, 41))  # every turn was taken: the conversation keeps working
    kept = count(sessions.db, "SELECT count(*) FROM turns WHERE session_id = 'chat'")
    oldest = count(sessions.db, "SELECT min(turn) FROM turns WHERE session_id = 'chat'")
    assert kept == 5 and oldest == 36
    last = sessions.last_turn("chat")
    assert last is not None and last.turn == 40 and last.question == "question 40"


def test_a_huge_answer_and_question_are_stored_bounded(sessions: SessionStore) -> None:
    sessions.record(
        "big",
        question="q" * 50_000,
        resolved="r" * 50_000,
        response=response("x" * 1_000_000),
        topic={"text": "t" * 10_000},
    )
    connection = sqlite3.connect(sessions.db)
    row = connection.execute(
        "SELECT question, resolved, topic, response, status FROM turns WHERE session_id = 'big'"
    ).fetchone()
    connection.close()
    assert all(len(text) <= 2_000 for text in row[:4]), [len(text) for text in row[:4]]
    stored = json.loads(row[3])
    assert stored["status"] == "answered" and stored["truncated"] is True and row[4] == "answered"
    sessions.record(
        "small", question="q", resolved="q", response=response(), topic={"text": "larynx"}
    )
    small = sessions.last_turn("small")
    assert small is not None and small.topic == {"text": "larynx"}  # what fits is kept as it was


def test_an_issued_session_leaves_no_row_until_its_first_turn(sessions: SessionStore) -> None:
    issued = [sessions.issue() for _ in range(200)]
    assert len(set(issued)) == 200
    assert count(sessions.db, "SELECT count(*) FROM sessions") == 0
    assert all(sessions.issued(session_id) for session_id in issued)
    forged = issued[0][:-1] + ("A" if issued[0][-1] != "A" else "B")
    assert not sessions.issued(forged) and not sessions.issued("never-made")
    sessions.record(issued[0], question="q", resolved="q", response=response(), topic={})
    assert count(sessions.db, "SELECT count(*) FROM sessions") == 1
    # the signing key is the store's: another connection (another process) accepts the id
    other = SessionStore(sessions.db)
    try:
        assert other.issued(issued[1])
    finally:
        other.close()


def test_expired_sessions_are_purged_periodically_not_only_once(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    Store.create_or_open(path).close()
    now = [1000.0]
    sessions = SessionStore(path, retention_days=30, purge_every=60.0, clock=lambda: now[0])
    try:
        sessions.record(
            "first", question="q", resolved="q", response=response(), topic={}
        )  # the first purge
        age(path, "first")
        now[0] += 61.0
        sessions.record("second", question="q", resolved="q", response=response(), topic={})
        assert count(path, "SELECT count(*) FROM sessions WHERE id = 'first'") == 0
        age(path, "second")
        now[0] += 61.0
        assert sessions.purge() == 1
        assert count(path, "SELECT count(*) FROM turns") == 0
    finally:
        sessions.close()


@pytest.fixture(scope="module")
def purging(
    service_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Path]]:
    """A server of its own store that purges expired sessions every second."""
    folder = tmp_path_factory.mktemp("bounded")
    db = folder / "store.db"
    shutil.copy(service_db, db)
    running = Server(
        db,
        folder / "server.log",
        env={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "100000", "CANCERINFO_SESSION_PURGE_SECONDS": "1"},
    )
    yield running, db
    running.stop()


def test_creating_sessions_without_asking_leaves_no_row(purging: tuple[Server, Path]) -> None:
    server, db = purging
    before = count(db, "SELECT count(*) FROM sessions")
    with httpx.Client(base_url=server.url, timeout=60.0) as http:
        made = [http.post("/v1/sessions") for _ in range(30)]
        assert {response.status_code for response in made} == {201}
        assert count(db, "SELECT count(*) FROM sessions") == before
        session = made[0].json()["session_id"]
        asked = http.post(
            "/v1/ask", json={"question": "What is ixabepilone?", "session_id": session}
        )
        assert asked.status_code == 200 and asked.headers["X-CancerInfo-Turn"] == "1"
        assert count(db, "SELECT count(*) FROM sessions WHERE id = ?", (session,)) == 1
        forged = session[:-2] + ("AA" if not session.endswith("AA") else "BB")
        refused = http.post(
            "/v1/ask", json={"question": "What is ixabepilone?", "session_id": forged}
        )
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"


def test_expired_sessions_are_purged_while_the_server_runs(purging: tuple[Server, Path]) -> None:
    server, db = purging
    with httpx.Client(base_url=server.url, timeout=60.0) as http:
        session = http.post("/v1/sessions").json()["session_id"]
        assert (
            http.post(
                "/v1/ask", json={"question": "What is ixabepilone?", "session_id": session}
            ).status_code
            == 200
        )
    age(db, session)
    # nobody asks anything more: the server's own timer deletes it (a wait, not a timed check)
    deadline = time.monotonic() + 120
    while (
        count(db, "SELECT count(*) FROM sessions WHERE id = ?", (session,))
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    assert count(db, "SELECT count(*) FROM sessions WHERE id = ?", (session,)) == 0
    assert count(db, "SELECT count(*) FROM turns WHERE session_id = ?", (session,)) == 0
