"""What the scripts that generate example-message policy files share (refusal_examples.py,
crisis_examples.py): the rows of labelled sets, the answers-dev questions, and writing the
generated file or checking that it is up to date. Only dev sets are ever named to it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: the patient questions of the answers' dev half: ordinary questions, never refusals or crises
ANSWERS = "answers-dev.jsonl"


def set_rows(names: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The rows of ``benchmarks/<name>`` for each name, in order."""
    for name in names:
        for line in (ROOT / "benchmarks" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def one_line(text: str) -> str:
    """``text`` with its runs of white space made one space."""
    return " ".join(text.split())


def answer_questions() -> list[str]:
    """The questions of benchmarks/answers-dev.jsonl, each on one line."""
    return [one_line(row["question"]) for row in set_rows([ANSWERS])]


def write_or_check(out: Path, text: str, script: str, *, check: bool) -> bool:
    """Write ``text`` to ``out``; with ``check``, only say (on stderr) whether it differs.
    True when the file is (now) up to date."""
    if not check:
        out.write_text(text, encoding="utf-8")
        return True
    if (out.read_text(encoding="utf-8") if out.is_file() else "") != text:
        print(f"{out}: out of date, run python scripts/{script}", file=sys.stderr)
        return False
    return True
