"""The ``cancerinfo`` command line: thin commands that read options, call one library
function and print. Library errors become one-line messages (exit 1); no traceback."""

from __future__ import annotations

import sqlite3
import sys

import typer
from rich.markup import escape

from cancerinfo import __version__
from cancerinfo.cli_ask import ask, search, triage
from cancerinfo.cli_common import (
    DbOption,
    FormatOption,
    MaxSizeOption,
    OutputFormat,
    PathsArgument,
    _print_json,
    err,
    out,
)
from cancerinfo.cli_eval import eval_answers, eval_app, eval_retrieval, eval_run, eval_triage
from cancerinfo.cli_serve import serve
from cancerinfo.cli_store import backup, ingest_command, review, status, validate, verify
from cancerinfo.errors import CancerInfoError
from cancerinfo.kb.frontmatter import front_matter_json_schema
from cancerinfo.kb.problems import printable

__all__ = [
    "DbOption",
    "FormatOption",
    "MaxSizeOption",
    "OutputFormat",
    "PathsArgument",
    "app",
    "ask",
    "backup",
    "err",
    "eval_answers",
    "eval_app",
    "eval_retrieval",
    "eval_run",
    "eval_triage",
    "ingest_command",
    "main",
    "out",
    "review",
    "schema",
    "search",
    "serve",
    "status",
    "triage",
    "validate",
    "verify",
    "version",
]

app = typer.Typer(
    name="cancerinfo",
    help="Offline, grounded cancer information from a curated Markdown knowledge base.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# The commands, in the order `cancerinfo --help` lists them (each module holds its functions).
app.command()(validate)
app.command("ingest")(ingest_command)
app.command()(status)
app.command()(review)
app.command()(verify)
app.command()(backup)
app.command()(search)
app.command()(ask)
app.command()(triage)
app.add_typer(eval_app, name="eval")
app.command()(serve)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the KB front matter.

    Example: cancerinfo schema > front-matter.schema.json
    """
    _print_json(front_matter_json_schema())


@app.command()
def version() -> None:
    """Print the cancerinfo version."""
    out.print(__version__)


def main() -> None:
    """Console entry point: run the app, turning library errors into one-line messages."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except CancerInfoError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written by an unfinished ingest")
        sys.exit(130)
    except sqlite3.DatabaseError as exc:  # a damaged store, a full disk: one line, with a hint
        from cancerinfo.store.database import database_error_message

        err.print(f"[red]error:[/red] {escape(database_error_message(exc))}")
        sys.exit(1)
    except OSError as exc:  # a full disk, a file size limit, a file that cannot be written
        from cancerinfo.store.database import os_error_message

        err.print(f"[red]error:[/red] {escape(printable(os_error_message(exc)))}")
        sys.exit(1)
    except Exception as exc:  # last resort: never show a traceback to a user
        # typer bundles its own copy of click: its exceptions are not click's classes
        if _is_click(exc, "NoArgsIsHelpError"):
            exc.show()  # type: ignore[attr-defined]  # the command's help
            sys.exit(2)
        if _is_click(exc, "UsageError"):
            context = getattr(exc, "ctx", None)
            command = context.command_path if context is not None else "cancerinfo"
            message = printable(exc.format_message())  # type: ignore[attr-defined]
            err.print(f"[red]error:[/red] {escape(message)} (see '{escape(command)} --help')")
            sys.exit(2)
        if _is_click(exc, "ClickException"):
            err.print(f"[red]error:[/red] {escape(printable(exc.format_message()))}")  # type: ignore[attr-defined]
            sys.exit(int(getattr(exc, "exit_code", 1)))
        if _is_click(exc, "Abort") or isinstance(exc, typer.Abort):
            sys.exit(1)
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}")
        sys.exit(2)


def _is_click(exc: BaseException, name: str) -> bool:
    """``exc`` is the exception class ``name`` of click or of the copy typer bundles."""
    import importlib

    for module_name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        kind = getattr(module, name, None)
        if isinstance(kind, type) and isinstance(exc, kind):
            return True
    return False
