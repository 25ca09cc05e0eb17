"""Sessions: the turns of a conversation, kept in the store so follow-ups can be resolved.

A turn keeps what was typed, the question as it was searched (a follow-up like "what
about side effects?" resolved against the previous turn's topic), the status and the
answer given. Nothing else about the person is stored.

Storage is bounded whatever a client does:

* a session keeps its last ``max_turns`` turns (the oldest are dropped, so a long
  conversation keeps working);
* a turn keeps at most ``max_turn_chars`` characters of each text (an answer too long is
  stored as its status, reason and intent, marked ``"truncated": true``);
* no row is written until a session's first turn: :meth:`SessionStore.issue` hands out an
  id signed with a key kept in the store (``meta.session_key``), and a signed id not used
  yet is accepted by :meth:`SessionStore.issued`;
* sessions not used for ``retention_days`` are deleted by :meth:`SessionStore.purge`, run
  when a turn is recorded and at most once per ``purge_every`` seconds (a server also
  runs it on a timer).

Shared answers live here too (table ``shares``): :meth:`SessionStore.share` keeps a copy of
one answer under a random id of 128 bits, so a link to it (``/answers/ID``) carries no
question. A share is kept ``retention_days`` after it was made, like a conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cancerinfo.errors import CancerInfoError
from cancerinfo.store.database import Store, utc_now

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_RETENTION_DAYS = 30
DEFAULT_MAX_TURNS = 50
DEFAULT_MAX_TURN_CHARS = 20_000
#: Seconds between purges of expired sessions (when turns are recorded, and on a timer).
PURGE_EVERY_SECONDS = 3600.0
_KEY = "session_key"  # meta key of the secret that signs issued session ids
_RANDOM_CHARS, _STAMP_CHARS, _MAC_CHARS = 16, 8, 22
_ISSUED_CHARS = _RANDOM_CHARS + _STAMP_CHARS + _MAC_CHARS
#: A share's id: 16 random bytes, URL-safe base64 without padding (22 characters).
SHARE_ID = re.compile(r"[A-Za-z0-9_-]{22}")


class SessionError(CancerInfoError):
    """A session id that cannot be used."""


class TurnNotFound(SessionError):
    """No such turn in that session (it was never asked, or it expired)."""


@dataclass(frozen=True, slots=True)
class Shared:
    """An answer kept for a share link: what was asked, with which filters, and the answer."""

    share_id: str
    created_at: str
    expires_at: str
    question: str
    filters: dict[str, str]
    response: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Turn:
    """One stored turn of a session: the question as typed and as resolved, the answer's status and
    intent, and its topic."""

    session_id: str
    turn: int
    question: str
    resolved: str
    status: str
    intent: str
    topic: dict[str, Any]


def check_session_id(session_id: str) -> str:
    """``session_id`` if well-formed; else :class:`SessionError`."""
    if not SESSION_ID.fullmatch(session_id):
        raise SessionError(
            f"session id {session_id[:80]!r} is not valid: use 1-64 letters, digits, '-' or '_'"
        )
    return session_id


def new_session_id() -> str:
    """A random, URL-safe session id."""
    return secrets.token_urlsafe(16)


class SessionStore:
    """Sessions in the store's SQLite file (its own read-write connection)."""

    def __init__(
        self,
        db: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        max_turns: int = DEFAULT_MAX_TURNS,
        max_turn_chars: int = DEFAULT_MAX_TURN_CHARS,
        purge_every: float = PURGE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_turns < 1 or max_turn_chars < 1:
            raise ValueError(f"max_turns and max_turn_chars must be positive, got {max_turns}, {max_turn_chars}")
        self.db = db
        self.retention_days = retention_days
        self.max_turns = max_turns
        self.max_turn_chars = max_turn_chars
        self.purge_every = purge_every
        self.clock = clock
        self._last_purge: float | None = None
        self._key: bytes | None = None
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """The store's read-write connection, opened on first use."""
        if self._store is None:
            self._store = Store.open(self.db, readonly=False)
        return self._store

    def close(self) -> None:
        """Close the connection, if open."""
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

    def issue(self) -> str:
        """A new session id, signed, with no row written: the session is stored with its
        first turn (a client that never asks leaves nothing behind)."""
        body = new_session_id()[:_RANDOM_CHARS] + f"{int(time.time()):08x}"
        return body + self._mac(body)

    def issued(self, session_id: str) -> bool:
        """Is ``session_id`` one :meth:`issue` gave out, within the retention period?"""
        if len(session_id) != _ISSUED_CHARS:
            return False
        body, mac = session_id[:-_MAC_CHARS], session_id[-_MAC_CHARS:]
        if not hmac.compare_digest(mac, self._mac(body)):
            return False
        try:
            stamp = int(body[_RANDOM_CHARS:], 16)
        except ValueError:
            return False
        return -300 <= time.time() - stamp < self.retention_days * 86_400  # 300: clocks of servers differ

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._secret(), body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]

    def _secret(self) -> bytes:
        if self._key is None:
            with self.store.transaction() as connection:
                connection.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (_KEY, secrets.token_hex(32))
                )
                value = connection.execute("SELECT value FROM meta WHERE key = ?", (_KEY,)).fetchone()[0]
            self._key = bytes.fromhex(value)
        return self._key

    def exists(self, session_id: str) -> bool:
        """Whether the session has a stored turn (a session is stored with its first turn)."""
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
        """Store a turn (creating the session when needed); returns its number. The
        session keeps its last ``max_turns`` turns; texts are cut to ``max_turn_chars``."""
        now = utc_now()
        limit = self.max_turn_chars
        stored_topic = json.dumps(topic)
        if len(stored_topic) > limit:
            stored_topic = "{}"
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
                    session_id, turn, now, question[:limit], resolved[:limit], response["status"],
                    response["reason"], response["intent"], stored_topic, bounded_response(response, limit),
                ),
            )
            # the oldest turns past the cap go (their feedback stays: it was acknowledged)
            connection.execute(
                "DELETE FROM turns WHERE session_id = ? AND turn <= ?", (session_id, turn - self.max_turns)
            )
        now_clock = self.clock()
        if self._last_purge is None or now_clock - self._last_purge >= self.purge_every:
            self.purge()
        return int(turn)

    def purge(self) -> int:
        """Delete the sessions not used for ``retention_days`` (turns and feedback with
        them) and the shares made before then; returns how many sessions went."""
        self._last_purge = self.clock()
        cutoff = self._cutoff()
        with self.store.transaction() as connection:
            old = [r[0] for r in connection.execute("SELECT id FROM sessions WHERE updated_at < ?", (cutoff,))]
            for expired in old:
                connection.execute("DELETE FROM turns WHERE session_id = ?", (expired,))
                connection.execute("DELETE FROM feedback WHERE session_id = ?", (expired,))
                connection.execute("DELETE FROM sessions WHERE id = ?", (expired,))
            connection.execute("DELETE FROM shares WHERE created_at < ?", (cutoff,))
        return len(old)

    def _cutoff(self) -> str:
        """The time before which a session or a share has expired (ISO, UTC)."""
        return (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")

    # -- shared answers -----------------------------------------------------------------
    def share(self, question: str, filters: dict[str, str], response: dict[str, Any]) -> Shared:
        """Keep ``response`` (the answer to ``question``) under a new random id."""
        share_id = secrets.token_urlsafe(16)
        now = utc_now()
        response = {**response, "session_id": None}  # the sharer's conversation stays theirs
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO shares(id, created_at, question, filters, response) VALUES (?, ?, ?, ?, ?)",
                (share_id, now, question, json.dumps(filters), json.dumps(response)),
            )
        return Shared(share_id, now, self._expiry(now), question, dict(filters), response)

    def share_turn(self, session_id: str, turn: int) -> Shared:
        """Share turn ``turn`` of a session: its question as typed and the answer it got.
        :class:`TurnNotFound` when there is no such turn; :class:`SessionError` when its
        answer was too long to be stored whole (``max_turn_chars``)."""
        check_session_id(session_id)
        rows = self.store.query(
            "SELECT question, response FROM turns WHERE session_id = ? AND turn = ?", (session_id, turn)
        )
        if not rows:
            raise TurnNotFound(f"no turn {turn} in that session")
        response = json.loads(rows[0]["response"])
        if response.get("truncated"):
            raise SessionError(
                "that answer was too long to keep whole, so it cannot be shared; "
                "share the question instead (POST /v1/shares with a question)"
            )
        return self.share(rows[0]["question"], {}, response)

    def shared(self, share_id: str) -> Shared | None:
        """The share with this id, or None: unknown, malformed or expired."""
        if not SHARE_ID.fullmatch(share_id):
            return None
        rows = self.store.query(
            "SELECT id, created_at, question, filters, response FROM shares WHERE id = ? AND created_at >= ?",
            (share_id, self._cutoff()),
        )
        if not rows:
            return None
        row = rows[0]
        return Shared(
            row["id"], row["created_at"], self._expiry(row["created_at"]), row["question"],
            json.loads(row["filters"]), json.loads(row["response"]),
        )

    def _expiry(self, created_at: str) -> str:
        made = datetime.fromisoformat(created_at)
        return (made + timedelta(days=self.retention_days)).isoformat(timespec="seconds")


def bounded_response(response: dict[str, Any], limit: int) -> str:
    """The answer contract as stored: its JSON, or when that is over ``limit`` characters,
    its status, reason and intent marked ``truncated`` (never cut mid-JSON)."""
    text = json.dumps(response)
    if len(text) <= limit:
        return text
    return json.dumps(
        {
            "status": response.get("status"),
            "reason": response.get("reason"),
            "intent": response.get("intent"),
            "truncated": True,
            "chars": len(text),
        }
    )
