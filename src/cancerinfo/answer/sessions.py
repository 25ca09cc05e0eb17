"""Sessions: the turns of a conversation, kept in the store so follow-ups can be resolved.

A turn keeps what was typed, the question as it was searched (a follow-up like "what
about side effects?" resolved against the previous turn's topic), the status and the
answer given. Nothing else about the person is stored. Sessions not used for
``retention_days`` are deleted (whenever a turn is recorded).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cancerinfo.errors import CancerInfoError
from cancerinfo.store.database import Store, utc_now

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_RETENTION_DAYS = 30


class SessionError(CancerInfoError):
    """A session id that cannot be used."""


@dataclass(frozen=True, slots=True)
class Turn:
    session_id: str
    turn: int
    question: str
    resolved: str
    status: str
    intent: str
    topic: dict[str, Any]


def check_session_id(session_id: str) -> str:
    if not SESSION_ID.fullmatch(session_id):
        raise SessionError(
            f"session id {session_id[:80]!r} is not valid: use 1-64 letters, digits, '-' or '_'"
        )
    return session_id


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


class SessionStore:
    """Sessions in the store's SQLite file (its own read-write connection)."""

    def __init__(self, db: Path, *, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.db = db
        self.retention_days = retention_days
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db, readonly=False)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def create(self, session_id: str | None = None) -> str:
        """A new session (with the given id, when it is not taken yet)."""
        session_id = check_session_id(session_id) if session_id else new_session_id()
        now = utc_now()
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO sessions(id, created_at, updated_at) VALUES (?, ?, ?)",
                (session_id, now, now),
            )
        return session_id

    def exists(self, session_id: str) -> bool:
        return bool(self.store.query("SELECT 1 FROM sessions WHERE id = ?", (session_id,)))

    def last_turn(self, session_id: str, *, with_topic: bool = False) -> Turn | None:
        """The session's latest turn (``with_topic``: the latest that was about something,
        so an off-topic question in between does not end the conversation's topic)."""
        only_topical = " AND topic != '{}'" if with_topic else ""
        rows = self.store.query(
            "SELECT session_id, turn, question, resolved, status, intent, topic FROM turns"
            f" WHERE session_id = ?{only_topical} ORDER BY turn DESC LIMIT 1",
            (session_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return Turn(
            row["session_id"], row["turn"], row["question"], row["resolved"], row["status"],
            row["intent"], json.loads(row["topic"]),
        )

    def record(
        self,
        session_id: str,
        *,
        question: str,
        resolved: str,
        response: dict[str, Any],
        topic: dict[str, Any],
    ) -> int:
        """Store a turn (creating the session when needed); returns its number."""
        now = utc_now()
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO sessions(id, created_at, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at",
                (session_id, now, now),
            )
            turn = connection.execute(
                "SELECT COALESCE(MAX(turn), 0) + 1 FROM turns WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO turns(session_id, turn, asked_at, question, resolved, status, reason,"
                " intent, topic, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, turn, now, question, resolved, response["status"], response["reason"],
                    response["intent"], json.dumps(topic), json.dumps(response),
                ),
            )
            old = [r[0] for r in connection.execute("SELECT id FROM sessions WHERE updated_at < ?", (cutoff,))]
            for expired in old:
                connection.execute("DELETE FROM turns WHERE session_id = ?", (expired,))
                connection.execute("DELETE FROM feedback WHERE session_id = ?", (expired,))
                connection.execute("DELETE FROM sessions WHERE id = ?", (expired,))
        return int(turn)
