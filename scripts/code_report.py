"""Code size and complexity of ``src/cancerinfo``, as Markdown for docs/code-report.md:

    python scripts/code_report.py > docs/code-report.md

Lists the modules over 400 lines, the functions (and methods) over 80 lines, and the 10 most
complex functions by cyclomatic complexity as ruff's mccabe rule (C901) counts it, asked to
report every function (``max-complexity=1``). Lines are physical lines, blank lines and
comments included; a function's run from its ``def`` line to its last line. For reading, not
a gate: nothing fails on these numbers.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "cancerinfo"
MODULE_LINES = 400
FUNCTION_LINES = 80
TOP = 10
COMMAND = "python scripts/code_report.py > docs/code-report.md"
RUFF_ARGS = (
    "check",
    "--select",
    "C901",
    "--config",
    "lint.mccabe.max-complexity=1",
    "--output-format",
    "json",
)
#: What :func:`complexities` runs, as one would type it.
RUFF_COMMAND = (
    "ruff check --select C901 --config 'lint.mccabe.max-complexity=1' --output-format json"
    " src/cancerinfo"
)
_COMPLEXITY = re.compile(r"is too complex \((\d+) > \d+\)")


def ruff_executable() -> str:
    """The ruff beside this Python (the project's venv), else the one on ``PATH``."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ruff")
    if found is None:
        raise SystemExit("ruff not found: run 'make setup' (it is pinned in requirements.lock)")
    return found


def functions(tree: ast.Module) -> dict[int, tuple[str, int]]:
    """Every function and method (nested ones too) by its ``def`` line: dotted name, lines."""
    found: dict[int, tuple[str, int]] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                found[child.lineno] = (name, (child.end_lineno or child.lineno) - child.lineno + 1)
                walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def complexities(ruff: str, root: Path) -> list[tuple[str, int, int]]:
    """``(file, def line, complexity)`` of every function ruff's C901 reports under ``root``
    (all but those of complexity 1)."""
    run = subprocess.run(
        [ruff, *RUFF_ARGS, str(root)], capture_output=True, text=True, cwd=REPO, check=False
    )
    if run.returncode not in (0, 1):  # 1: findings, which is the point here
        raise SystemExit(f"ruff failed (exit {run.returncode}): {run.stderr.strip()}")
    found = []
    for item in json.loads(run.stdout):
        match = _COMPLEXITY.search(item["message"])
        if item["code"] == "C901" and match:
            found.append((item["filename"], item["location"]["row"], int(match.group(1))))
    return found


def report(
    *,
    module_lines: int = MODULE_LINES,
    function_lines: int = FUNCTION_LINES,
    top: int = TOP,
    today: date | None = None,
) -> str:
    """The Markdown report."""
    ruff = ruff_executable()
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True, check=False)
    modules: list[tuple[str, int]] = []
    long_functions: list[tuple[str, int]] = []
    names: dict[tuple[str, int], tuple[str, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(REPO).as_posix()
        lines = len(text.splitlines())
        if lines > module_lines:
            modules.append((relative, lines))
        for line, (name, length) in functions(ast.parse(text)).items():
            names[(relative, line)] = (name, length)
            if length > function_lines:
                long_functions.append((f"{relative}:{name}", length))
    complex_ = []
    for filename, line, complexity in complexities(ruff, PACKAGE):
        relative = Path(filename).resolve().relative_to(REPO).as_posix()
        name, length = names.get((relative, line), ("?", 0))
        complex_.append((complexity, f"{relative}:{name}", length))
    complex_.sort(key=lambda item: (-item[0], item[1]))
    modules.sort(key=lambda item: (-item[1], item[0]))
    long_functions.sort(key=lambda item: (-item[1], item[0]))
    out = [
        "# Code size and complexity",
        "",
        f"Generated on {(today or date.today()).isoformat()} by `{COMMAND}`; complexity from "
        f"`{RUFF_COMMAND}` ({version.stdout.strip() or 'ruff'}). Lines are physical lines "
        "(blank lines and comments included); a function's from its `def` to its last line. "
        "Ties are listed in path order. For reading, not a gate.",
        "",
        f"## Modules over {module_lines} lines ({len(modules)})",
        "",
        "| module | lines |",
        "|---|---:|",
        *(f"| `{path}` | {lines:,} |" for path, lines in modules),
        "",
        f"## Functions over {function_lines} lines ({len(long_functions)})",
        "",
        "| function | lines |",
        "|---|---:|",
        *(f"| `{name}` | {lines:,} |" for name, lines in long_functions),
        "",
        f"## The {top} most complex functions (cyclomatic complexity)",
        "",
        "| # | function | complexity | lines |",
        "|---:|---|---:|---:|",
        *(
            f"| {rank} | `{name}` | {complexity} | {lines} |"
            for rank, (complexity, name, lines) in enumerate(complex_[:top], start=1)
        ),
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the report (thresholds as flags)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module-lines", type=int, default=MODULE_LINES)
    parser.add_argument("--function-lines", type=int, default=FUNCTION_LINES)
    parser.add_argument("--top", type=int, default=TOP)
    args = parser.parse_args(argv)
    sys.stdout.write(
        report(module_lines=args.module_lines, function_lines=args.function_lines, top=args.top)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
