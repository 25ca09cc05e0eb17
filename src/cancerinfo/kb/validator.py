"""Validate KB files: load every file, then lint the valid ones. Nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cancerinfo.kb.document import Document
from cancerinfo.kb.lint import lint_documents
from cancerinfo.kb.lint_policy import LintPolicy
from cancerinfo.kb.loader import LoadLimits, iter_kb_files, load_file, outside_root
from cancerinfo.kb.problems import Problem, count_by_code


@dataclass(slots=True)
class ValidationReport:
    """What ``cancerinfo validate`` found: files seen, files valid and every problem."""

    files: int = 0
    valid: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether no error was found (warnings allowed)."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: totals, counts by code and every problem."""
        return {
            "files": self.files,
            "valid": self.valid,
            "rejected": self.files - self.valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "counts": count_by_code(self.problems),
            "problems": [problem.as_dict() for problem in self.problems],
        }


def validate_paths(
    paths: Sequence[Path],
    *,
    limits: LoadLimits = LoadLimits(),
    today: date | None = None,
    strict: bool = False,
    policy: LintPolicy | None = None,
) -> ValidationReport:
    """Check every KB file under ``paths``; ``strict`` turns lint warnings into errors."""
    today = today or date.today()
    report = ValidationReport()
    documents: list[Document] = []
    for root, file in iter_kb_files(paths):
        report.files += 1
        result = outside_root(root, file) or load_file(file, limits=limits, today=today)
        report.problems.extend(result.problems)
        if result.document is not None:
            report.valid += 1
            documents.append(result.document)
    report.problems.extend(lint_documents(documents, today=today, policy=policy))
    if strict:
        report.problems = [problem.as_error() for problem in report.problems]
        report.valid = len({d.path for d in documents} - {Path(p.path) for p in report.problems})
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.code))
    return report
