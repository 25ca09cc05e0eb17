"""Render the demo commands' real terminal output to docs/screenshots/demo.svg.

Usage: .venv/bin/python scripts/screenshot_demo.py
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

REPO = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["validate", "examples/kb", "--summary"],
    ["ingest", "examples/kb", "--db", "{db}"],
    ["status", "--db", "{db}"],
    ["search", "is Ninlaro a chemo pill?", "--db", "{db}", "--k", "2"],
    ["ask", "What is Ninlaro used for?", "--db", "{db}"],
]


def main() -> None:
    console = Console(record=True, width=104, force_terminal=True, color_system="truecolor")
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "104", "TERM": "xterm-256color"}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        for command in COMMANDS:
            args = [part.replace("{db}", db) for part in command]
            shown = shlex.join(args).replace(db, "demo.db")
            console.print(Text(f"$ cancerinfo {shown}", style="bold green"))
            result = subprocess.run(
                [sys.executable, "-m", "cancerinfo", *args], capture_output=True, text=True, cwd=REPO, env=env
            )
            console.print(Text.from_ansi(result.stdout.rstrip().replace(db, "demo.db")))
    target = REPO / "docs" / "screenshots" / "demo.svg"
    console.save_svg(str(target), title="make demo")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
