"""The ``cancerinfo`` commands on KB files and the store: ``validate``, ``ingest``,
``status``, ``review``, ``verify`` and ``backup`` (registered on the app in
:mod:`cancerinfo.cli`), with the printing of an ingest report and its progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cancerinfo.cli_common import (
    DbOption,
    FormatOption,
    MaxSizeOption,
    OutputFormat,
    PathsArgument,
    _limits,
    _print_json,
    err,
    out,
)
from cancerinfo.kb.lint_policy import load_lint_policy
from cancerinfo.kb.problems import count_by_code, printable
from cancerinfo.kb.validator import validate_paths
from cancerinfo.pipeline.ingest import IngestReport, ingest
from cancerinfo.policies import policy_path
from cancerinfo.settings import Settings
from cancerinfo.store.status import review_queue, store_status


def validate(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat lint warnings as errors.")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="Print only the counts, not each finding.")] = False,
    max_file_size: MaxSizeOption = None,
) -> None:
    """Check KB files (front matter, encoding, YAML safety) and lint them; nothing is stored.

    Exit code 1 when any file has an error (with --strict: any finding).

    Example: cancerinfo validate examples/kb --format json
    """
    settings = Settings.load(max_file_bytes=max_file_size)
    policy = load_lint_policy(policy_path("lint.yaml", folder=settings.policies))
    report = validate_paths(paths, limits=_limits(settings), strict=strict, policy=policy)
    if output is OutputFormat.json:
        _print_json(report.as_dict())
    else:
        if not summary:
            for problem in report.problems:
                style = "red" if problem.severity == "error" else "yellow"
                out.print(f"[{style}]{escape(str(problem))}[/{style}]")
        _print_counts(count_by_code(report.problems))
        verdict = "[green]OK[/green]" if report.ok else "[red]FAILED[/red]"
        out.print(
            f"{verdict}: {report.files} files, {report.valid} valid, "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        )
    if not report.ok:
        raise typer.Exit(1)


def ingest_command(
    paths: PathsArgument,
    db: DbOption = None,
    output: FormatOption = OutputFormat.text,
    max_file_size: MaxSizeOption = None,
) -> None:
    """Store KB pages in the SQLite store: new pages are added, changed pages get a new
    version (old ones kept), pages gone from a re-ingested folder are marked removed.
    Bad files are rejected with reasons; good files are stored anyway (exit code 1).

    Example: cancerinfo ingest examples/kb --db cancerinfo.db
    """
    settings = Settings.load(db=db, max_file_bytes=max_file_size)
    with _progress(enabled=output is OutputFormat.text and err.is_terminal) as progress:
        report = ingest(paths, db=settings.db, limits=_limits(settings), progress=progress)
    if output is OutputFormat.json:
        _print_json(report.as_dict())
    else:
        _print_ingest(report)
    if not report.ok:
        raise typer.Exit(1)


def status(db: DbOption = None, output: FormatOption = OutputFormat.text) -> None:
    """Summarise the store: documents, versions, sources, reviews due, last ingest.

    Example: cancerinfo status --format json
    """
    settings = Settings.load(db=db)
    summary = store_status(settings.db, today=date.today())
    if output is OutputFormat.json:
        _print_json(summary)
        return
    out.print(f"Store {escape(str(settings.db))} (schema {summary['schema_version']})")
    out.print(f"  documents (active): {summary['documents']}")
    out.print(f"  versions:           {summary['versions']}")
    out.print(f"  removed:            {summary['removed']}")
    out.print(f"  review overdue:     {summary['review_overdue']}")
    out.print(f"  review due soon:    {summary['review_due_soon']}")
    for source_type, count in summary["by_source_type"].items():
        out.print(f"  {escape(source_type)}: {count}")
    last = summary["last_ingest"]
    if last:
        out.print(
            f"  last ingest #{last['id']} at {last['finished_at']}: {last['added']} added, "
            f"{last['changed']} changed, {last['unchanged']} unchanged, {last['removed']} removed, "
            f"{last['rejected']} rejected"
        )


def review(
    db: DbOption = None,
    output: FormatOption = OutputFormat.text,
    include_ok: Annotated[bool, typer.Option("--all", help="List pages whose review is not due too.")] = False,
) -> None:
    """List pages whose review is overdue or due soon, oldest due date first.

    Example: cancerinfo review --format json
    """
    settings = Settings.load(db=db)
    items = review_queue(settings.db, today=date.today(), include_ok=include_ok)
    if output is OutputFormat.json:
        _print_json({"count": len(items), "pages": items})
        return
    table = Table("review", "due", "last reviewed", "title", "url")
    for item in items:
        table.add_row(
            item["review_status"], str(item["due_date"] or "-"), item["last_reviewed"],
            escape(item["title"]), escape(item["url"]),
        )
    out.print(table)
    out.print(f"{len(items)} pages")


def verify(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check the store against its content hashes: every stored page version re-hashed,
    every page body and chunk compared with the text it came from. One line per problem;
    exit code 1 when anything is damaged. Nothing is written.

    Example: cancerinfo verify --db kb.db
    """
    from cancerinfo.pipeline.verify import verify_store

    settings = Settings.load(db=db)
    report = verify_store(settings.db)
    if as_json:
        _print_json(report.as_dict())
    else:
        for problem in report.problems:
            out.print(f"[red]{escape(str(problem))}[/red]")
        counts = f"{report.documents} pages, {report.versions} versions, {report.chunks} chunks"
        if report.ok:
            out.print(f"[green]OK[/green]: {escape(str(settings.db))}: {counts} match their hashes")
        else:
            out.print(f"[red]DAMAGED[/red]: {escape(str(settings.db))}: {len(report.problems)} problems in {counts}")
    if not report.ok:
        raise typer.Exit(1)


def backup(
    dest: Annotated[Path, typer.Argument(help="The backup file to write.", show_default=False)],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace DEST when it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Copy the store to DEST with SQLite's online backup: safe while the store is served,
    and the newest writes still in its write-ahead log are included. DEST is one
    self-contained file; an existing DEST is replaced only with --force.

    Example: cancerinfo backup --db kb.db backups/kb-2025-06-01.db
    """
    from cancerinfo.store.backup import backup_store

    settings = Settings.load(db=db)
    result = backup_store(settings.db, dest, force=force)
    if as_json:
        _print_json(result)
        return
    out.print(
        f"backed up {escape(result['source'])} -> {escape(result['dest'])}: "
        f"{result['documents']} pages, {result['bytes']:,} bytes"
    )


def _print_counts(counts: dict[str, int]) -> None:
    if counts:
        table = Table("finding", "count")
        for code, count in counts.items():
            table.add_row(code, str(count))
        out.print(table)


def _print_ingest(report: IngestReport) -> None:
    for path, problems in report.rejected.items():
        out.print(f"[red]rejected {escape(printable(path))}[/red]")
        for problem in problems:
            out.print(f"  [red]{escape(str(problem))}[/red]")
    for problem in report.warnings:  # the stored text differs from the file: say where
        if problem.code == "INVISIBLE_CHARACTER":
            out.print(f"[yellow]{escape(str(problem))}[/yellow]")
    if report.warnings:
        out.print(f"[yellow]{len(report.warnings)} warnings[/yellow] (run 'cancerinfo validate' to see them):")
        _print_counts(count_by_code(report.warnings))
    out.print(
        f"{report.files} files in {report.seconds:.1f} s -> {escape(printable(report.db))}: "
        f"{len(report.added)} added, {len(report.changed)} changed, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, {len(report.restored)} restored, {len(report.rejected)} rejected"
    )


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update
