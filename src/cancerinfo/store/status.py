"""Read-only summaries of a store: ``cancerinfo status`` and the review queue."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.kb.lint_policy import LintPolicy, load_lint_policy
from cancerinfo.kb.review import review_state
from cancerinfo.store.database import Store

_RUN_FIELDS = (
    "id",
    "started_at",
    "finished_at",
    "files",
    "added",
    "changed",
    "unchanged",
    "removed",
    "restored",
    "rejected",
)


def store_status(db: Path, *, today: date, policy: LintPolicy | None = None) -> dict[str, Any]:
    """Counts of the store at ``db`` (the JSON of ``cancerinfo status``)."""
    policy = policy or load_lint_policy()
    with Store.open(db) as store:
        meta = store.meta()
        rows = store.query(
            "SELECT status, source_type, language, front_matter, removed_at FROM documents"
        )
        versions = store.query("SELECT count(*) FROM versions")[0][0]
        last = store.query(
            f"SELECT {', '.join(_RUN_FIELDS)} FROM ingest_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        )
        runs = store.query("SELECT count(*) FROM ingest_runs")[0][0]
    live = [row for row in rows if row["removed_at"] is None]
    active = [row for row in live if row["status"] == "active"]
    reviews = Counter(
        review_state(
            _front_matter(row), today=today, due_window_days=policy.review_due_window_days
        ).status
        for row in active
    )
    return {
        "db": str(db),
        "schema_version": int(meta["schema_version"]),
        "created_by": meta.get("created_by"),
        "documents": len(active),
        "documents_by_status": dict(sorted(Counter(row["status"] for row in live).items())),
        "removed": len(rows) - len(live),
        "versions": versions,
        "by_source_type": dict(sorted(Counter(row["source_type"] for row in active).items())),
        "by_language": dict(sorted(Counter(row["language"] for row in active).items())),
        "review_overdue": reviews.get("overdue", 0),
        "review_due_soon": reviews.get("due", 0),
        "ingest_runs": runs,
        "last_ingest": dict(last[0]) if last else None,
    }


def review_queue(
    db: Path, *, today: date, include_ok: bool = False, policy: LintPolicy | None = None
) -> list[dict[str, Any]]:
    """Live pages with their review status, overdue and due first, oldest due date first."""
    policy = policy or load_lint_policy()
    with Store.open(db) as store:
        rows = store.query(
            "SELECT url, title, path, status, last_reviewed, review_frequency, front_matter FROM documents"
            " WHERE removed_at IS NULL ORDER BY url"
        )
    items = []
    for row in rows:
        state = review_state(
            _front_matter(row), today=today, due_window_days=policy.review_due_window_days
        )
        if not include_ok and state.status not in ("overdue", "due"):
            continue
        items.append(
            {
                "url": row["url"],
                "title": row["title"],
                "path": row["path"],
                "status": row["status"],
                "last_reviewed": row["last_reviewed"],
                "review_frequency": row["review_frequency"],
                "due_date": state.due_date.isoformat() if state.due_date else None,
                "review_status": state.status,
            }
        )
    order = {"overdue": 0, "due": 1, "ok": 2, "unscheduled": 3}
    items.sort(
        key=lambda item: (
            order.get(item["review_status"], 9),
            item["due_date"] or "9999",
            item["url"],
        )
    )
    return items


def _front_matter(row: Any) -> FrontMatter:
    return FrontMatter.model_validate(json.loads(row["front_matter"]))
