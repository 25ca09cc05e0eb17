"""Problem records: what is wrong with a KB file, where, and how bad.

A problem is data, not an exception: validation and ingest collect them per file and go
on with the next file. Every problem names the file; the line and field when known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in a KB file: code, message, severity and, when known, line and field."""

    path: str
    code: str
    message: str
    severity: Severity = "error"
    line: int | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict."""
        return asdict(self)

    def as_error(self) -> Problem:
        """The same finding as an error (``--strict``)."""
        return Problem(self.path, self.code, self.message, "error", self.line, self.field)

    def __str__(self) -> str:
        """One line, whatever the file name holds: a newline or another control character in
        it is shown escaped (``\\n``), so it cannot start a line that looks like output."""
        path = printable(self.path)
        where = path if self.line is None else f"{path}:{self.line}"
        field = f" [{printable(self.field)}]" if self.field else ""
        return f"{where}: {self.severity} {self.code}{field}: {printable(self.message)}"


def printable(text: str) -> str:
    """``text`` as is when every character is printable, else with the others escaped as
    Python writes them (``\\n``, ``\\x1b``, ``\\u202e``), quotes aside: one line, always."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def count_by_code(problems: Iterable[Problem]) -> dict[str, int]:
    """Findings counted per code, most frequent first."""
    return dict(Counter(problem.code for problem in problems).most_common())


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of ``problems`` is an error (warnings do not count)."""
    return any(problem.severity == "error" for problem in problems)
