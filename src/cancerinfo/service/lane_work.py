"""What runs in a lane (:mod:`cancerinfo.service.lanes`): module-level functions of the
assistant, so that they can be pickled to an answer process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.sessions import Shared, TurnNotFound, check_session_id
from cancerinfo.index.filters import Filters
from cancerinfo.service.errors import NotFound
from cancerinfo.store.database import utc_now


@dataclass(frozen=True, slots=True)
class Asked:
    """An answer and, in a session, the number of the turn it was stored as."""

    response: dict[str, Any]
    turn: int | None



def ask_in_lane(assistant: Assistant, question: str, session_id: str | None, filters: Filters | None) -> Asked:
    """The answer to ``question``; :class:`NotFound` for a session that does not exist (or
    expired)."""
    if session_id is not None:
        check_session_id(session_id)
        if not assistant.sessions.exists(session_id) and not assistant.sessions.issued(session_id):
            raise NotFound("no such session (it may have expired); create one with POST /v1/sessions")
    response = assistant.ask(question, session_id=session_id, filters=filters)
    return Asked(response.as_dict(), response.turn)


def kb_state_in_lane(assistant: Assistant) -> str:
    """The fingerprint of the KB snapshot this lane's index was loaded from."""
    return assistant.searcher.kb_state


def search_in_lane(assistant: Assistant, query: str, k: int, filters: Filters | None) -> dict[str, Any]:
    """The ``search --json`` result for ``query``."""
    return assistant.searcher.search(query, k=k, filters=filters).as_dict()


def new_session_in_lane(assistant: Assistant) -> str:
    """A signed id; the session is stored with its first turn (none for a client that never asks)."""
    return assistant.sessions.issue()


def share_in_lane(
    assistant: Assistant, question: str, filters: dict[str, str], response: dict[str, Any]
) -> Shared:
    """Keep ``response`` to ``question`` under a new share id."""
    return assistant.sessions.share(question, filters, response)


def share_turn_in_lane(assistant: Assistant, session_id: str, turn: int) -> Shared:
    """Keep a session's turn under a new share id; :class:`NotFound` if there is no such turn."""
    try:
        return assistant.sessions.share_turn(session_id, turn)
    except TurnNotFound as exc:
        raise NotFound(str(exc)) from None


def shared_in_lane(assistant: Assistant, share_id: str) -> Shared | None:
    """The shared answer with this id, or ``None`` (unknown or expired)."""
    return assistant.sessions.shared(share_id)


def purge_sessions_in_lane(assistant: Assistant) -> int:
    """Delete the sessions past their retention period; how many."""
    return assistant.sessions.purge()


def document_count_in_lane(assistant: Assistant) -> int:
    """How many pages this lane's index holds."""
    return len(assistant.searcher.index.documents)


def site_in_lane(assistant: Assistant) -> dict[str, str]:
    """What every page shows: the emergency number and the disclaimer."""
    return {"emergency_number": assistant.safety.emergency_number, "disclaimer": assistant.policy.disclaimer}


def feedback_in_lane(
    assistant: Assistant, session_id: str, turn: int, rating: int, comment: str | None
) -> None:
    """One rating per turn: a second one replaces the first (a changed thumb)."""
    check_session_id(session_id)
    store = assistant.sessions.store
    if not store.query("SELECT 1 FROM turns WHERE session_id = ? AND turn = ?", (session_id, turn)):
        raise NotFound(f"no turn {turn} in that session")
    with store.transaction() as connection:
        connection.execute("DELETE FROM feedback WHERE session_id = ? AND turn = ?", (session_id, turn))
        connection.execute(
            "INSERT INTO feedback(session_id, turn, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)",
            (session_id, turn, rating, comment or None, utc_now()),
        )


def filter_choices_in_lane(assistant: Assistant) -> dict[str, list[str]]:
    """The cancer types and audiences the live KB has (the web page's filter menus)."""
    documents = assistant.searcher.index.documents
    return {
        "cancer_types": sorted({t for d in documents for t in d.cancer_types}),
        "audiences": sorted({d.audience_level for d in documents}),
    }
