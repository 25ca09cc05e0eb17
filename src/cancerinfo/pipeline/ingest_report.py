"""What an ingest run reports (:class:`IngestReport`: urls added, changed, removed and
restored, files rejected, warnings) and the ``progress`` callback it calls; re-exported by
:mod:`cancerinfo.pipeline.ingest`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cancerinfo.kb.problems import Problem

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are ``read`` (read, parse, chunk), ``embed``
and ``write``."""


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: urls added, changed, removed and restored, files rejected,
    warnings."""

    run_id: int
    db: str
    roots: list[str]
    files: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    rejected: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether no file was rejected."""
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: counts, the rejected files with their problems, and the urls by
        change."""
        return {
            "run_id": self.run_id,
            "db": self.db,
            "roots": self.roots,
            "files": self.files,
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "removed": len(self.removed),
            "restored": len(self.restored),
            "rejected": len(self.rejected),
            "seconds": round(self.seconds, 3),
            "rejected_files": [
                {"path": path, "problems": [p.as_dict() for p in problems]}
                for path, problems in self.rejected.items()
            ],
            "warnings": [problem.as_dict() for problem in self.warnings],
            "urls": {
                "added": self.added,
                "changed": self.changed,
                "removed": self.removed,
                "restored": self.restored,
            },
        }
