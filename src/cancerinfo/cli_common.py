"""What every ``cancerinfo`` command shares: the consoles it prints to (``out``, ``err``),
the output format, the option types (``--db``, ``--format``, ``--max-file-size``, the KB
paths), the load limits read from the settings and the JSON printer."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from cancerinfo.kb.loader import LoadLimits
from cancerinfo.settings import Settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    """How a command prints its result: readable text or JSON (``--format``)."""

    text = "text"
    json = "json"


PathsArgument = Annotated[
    list[Path], typer.Argument(help="KB files or folders (.md and .txt pages).", show_default=False)
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store file [env CANCERINFO_DB; default ./cancerinfo.db].", show_default=False),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
MaxSizeOption = Annotated[
    int | None,
    typer.Option(
        "--max-file-size",
        help="Largest accepted file in bytes [env CANCERINFO_MAX_FILE_BYTES; default 5000000].",
        show_default=False,
    ),
]


def _limits(settings: Settings) -> LoadLimits:
    return LoadLimits(
        max_file_bytes=settings.max_file_bytes, max_front_matter_bytes=settings.max_front_matter_bytes
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
