"""Read-only views of the store for the service: one page, and the curators' metrics.

Each call opens its own read-only connection (a millisecond), so these run on any thread.
Metrics count the turns of sessions (every web-chat question, and API questions asked
with a session id); they never return what anybody typed, only counts and feedback
comments, which people wrote for the curators.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.kb.lint_policy import load_lint_policy
from cancerinfo.kb.review import review_state
from cancerinfo.service.errors import NotFound
from cancerinfo.store.database import Store

RECENT_COMMENTS = 20


def document(db: Path, url: str, *, today: date) -> dict[str, Any]:
    """A live, active page by its url: its metadata, review status and Markdown body."""
    with Store.open(db) as store:
        rows = store.query(
            "SELECT url, title, source, source_type, citation, language, audience_level, status,"
            " last_reviewed, review_frequency, license, cancer_types, tags, front_matter, body,"
            " current_version, updated_at FROM documents"
            " WHERE url = ? AND removed_at IS NULL AND status = 'active'",
            (url,),
        )
    if not rows:
        raise NotFound("no page with that url in the knowledge base")
    row = rows[0]
    window = load_lint_policy().review_due_window_days
    state = review_state(
        FrontMatter.model_validate(json.loads(row["front_matter"])), today=today, due_window_days=window
    )
    return {
        "url": row["url"],
        "title": row["title"],
        "source": row["source"],
        "sourceType": row["source_type"],
        "citation": row["citation"],
        "language": row["language"],
        "audienceLevel": row["audience_level"],
        "cancerTypes": json.loads(row["cancer_types"]),
        "tags": json.loads(row["tags"]),
        "license": row["license"],
        "lastReviewed": row["last_reviewed"],
        "reviewFrequency": row["review_frequency"],
        "review_status": state.status,
        "due_date": state.due_date.isoformat() if state.due_date else None,
        "version": row["current_version"],
        "updated_at": row["updated_at"],
        "body": row["body"],
    }


def metrics(db: Path, *, days: int, today: date) -> dict[str, Any]:
    """Questions per day, statuses, reasons by status and feedback over the last ``days``."""
    since = (today - timedelta(days=days - 1)).isoformat()
    empty: dict[str, Any] = {
        "days": days, "since": since, "sessions": 0, "questions": 0, "questions_per_day": [],
        "statuses": {}, "reasons": {}, "feedback": {"helpful": 0, "not_helpful": 0, "comments": []},
    }
    with Store.open(db) as store:
        tables = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"turns", "feedback", "sessions"} <= tables:
            return empty  # a store older than sessions: nothing asked yet
        per_day = store.query(
            "SELECT substr(asked_at, 1, 10) AS day, count(*) AS n FROM turns WHERE asked_at >= ?"
            " GROUP BY day ORDER BY day",
            (since,),
        )
        statuses = store.query(
            "SELECT status, count(*) AS n FROM turns WHERE asked_at >= ? GROUP BY status ORDER BY n DESC, status",
            (since,),
        )
        reasons = store.query(
            "SELECT status, reason, count(*) AS n FROM turns WHERE asked_at >= ? AND reason IS NOT NULL"
            " GROUP BY status, reason ORDER BY n DESC, reason",
            (since,),
        )
        ratings = store.query(
            "SELECT rating, count(*) AS n FROM feedback WHERE created_at >= ? GROUP BY rating", (since,)
        )
        comments = store.query(
            "SELECT f.rating, f.comment, f.created_at, t.status, t.reason FROM feedback f"
            " LEFT JOIN turns t ON t.session_id = f.session_id AND t.turn = f.turn"
            " WHERE f.created_at >= ? AND f.comment IS NOT NULL ORDER BY f.created_at DESC, f.id DESC LIMIT ?",
            (since, RECENT_COMMENTS),
        )
        sessions = store.query("SELECT count(*) FROM sessions WHERE updated_at >= ?", (since,))[0][0]
    by_status: dict[str, dict[str, int]] = {}
    for row in reasons:
        by_status.setdefault(row["status"], {})[row["reason"]] = row["n"]
    rating = {row["rating"]: row["n"] for row in ratings}
    return {
        **empty,
        "sessions": sessions,
        "questions": sum(row["n"] for row in per_day),
        "questions_per_day": [{"date": row["day"], "questions": row["n"]} for row in per_day],
        "statuses": {row["status"]: row["n"] for row in statuses},
        "reasons": by_status,
        "feedback": {
            "helpful": rating.get(1, 0),
            "not_helpful": rating.get(-1, 0),
            "comments": [
                {
                    "rating": row["rating"], "comment": row["comment"], "created_at": row["created_at"],
                    "answer_status": row["status"], "answer_reason": row["reason"],
                }
                for row in comments
            ],
        },
    }


def utc_today() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()
