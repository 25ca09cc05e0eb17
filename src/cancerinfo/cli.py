"""The ``cancerinfo`` command line: thin commands that read options, call one library
function and print. Library errors become one-line messages (exit 1); no traceback."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cancerinfo import __version__
from cancerinfo.errors import CancerInfoError, InputPathError
from cancerinfo.kb.frontmatter import front_matter_json_schema
from cancerinfo.kb.lint_policy import load_lint_policy
from cancerinfo.kb.loader import LoadLimits
from cancerinfo.kb.problems import count_by_code, printable
from cancerinfo.kb.validator import validate_paths
from cancerinfo.pipeline.ingest import IngestReport, ingest
from cancerinfo.policies import policy_path
from cancerinfo.settings import Settings
from cancerinfo.store.status import review_queue, store_status

app = typer.Typer(
    name="cancerinfo",
    help="Offline, grounded cancer information from a curated Markdown knowledge base.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
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


@app.command()
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


@app.command("ingest")
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question or words to search for.", show_default=False)],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many hits.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
    db: DbOption = None,
    cancer_type: Annotated[str | None, typer.Option("--cancer-type", help="Only pages with this cancerTypes value.")] = None,
    audience: Annotated[str | None, typer.Option("--audience", help="Only pages with this audienceLevel.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Only pages in this language (ISO 639-1).")] = None,
    source_type: Annotated[str | None, typer.Option("--source-type", help="Only pages of this sourceType.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only pages with this tag (repeatable).")] = None,
) -> None:
    """Search the KB: the best sections for a question, with page, heading, review status
    and a snippet. A filter that matches nothing returns nothing and says why.

    Example: cancerinfo search "is Tafinlar a chemo pill?" --k 5 --json
    """
    from cancerinfo.index.filters import Filters
    from cancerinfo.index.search import Searcher

    settings = Settings.load(db=db)
    filters = Filters(cancer_type, audience, language, source_type, tuple(tag or ()))
    searcher = Searcher(settings.db)
    try:
        result = searcher.search(query, k=k, filters=filters)
    finally:
        searcher.close()
    if as_json:
        _print_json(result.as_dict())
        return
    if not result.hits:
        out.print(f"No results ({result.reason}): {escape(result.detail or 'nothing in the KB matches')}")
        return
    for rank, hit in enumerate(result.hits, start=1):
        section = f" > {hit.section}" if hit.section else ""
        out.print(f"[bold]{rank}. {escape(hit.title)}{escape(section)}[/bold]  ({hit.score:.4f})")
        out.print(f"   {escape(hit.url)}  [{hit.sourceType}, reviewed {hit.lastReviewed}, {hit.review_status}]")
        out.print(f"   {escape(hit.snippet)}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in your own words.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the response contract as JSON.")] = False,
    db: DbOption = None,
    session: Annotated[
        str | None, typer.Option("--session", help="Session id: follow-ups resolve against its last turn.")
    ] = None,
    cancer_type: Annotated[str | None, typer.Option("--cancer-type", help="Only pages with this cancerTypes value.")] = None,
    audience: Annotated[str | None, typer.Option("--audience", help="Only pages with this audienceLevel.")] = None,
    more: Annotated[bool, typer.Option("--more", help="Also print the further quotes kept behind 'more from these pages'.")] = False,
) -> None:
    """Answer a question from the KB: quotes with numbered citations, or an honest "I can't"
    with a reason. An emergency gets the emergency message first.

    Example: cancerinfo ask "What is Ninlaro used for?" --db demo.db
    """
    from cancerinfo.answer.assistant import assistant_from_settings
    from cancerinfo.index.filters import Filters

    settings = Settings.load(db=db)
    filters = Filters(cancer_type, audience, None, None, ()) if cancer_type or audience else None
    assistant = assistant_from_settings(settings)
    try:
        response = assistant.ask(question, session_id=session, filters=filters)
    finally:
        assistant.close()
    if as_json:
        _print_json(response.as_dict())
        return
    _print_response(response.as_dict(), more=more)


def _print_response(response: dict[str, Any], *, more: bool = False) -> None:
    """A reply for a terminal: status, sections, numbered sources with review status."""
    colour = {"answered": "green", "urgent": "bold red", "refused": "yellow", "abstained": "yellow"}
    label = response["status"].upper() + (f" ({response['reason']})" if response["reason"] else "")
    if response.get("urgency"):
        label += f" - {response['urgency'].replace('_', ' ')}"
    out.print(f"[{colour.get(response['status'], 'white')}]{escape(label)}[/]")
    for action in response.get("actions", []):
        out.print(f"[bold red]{escape(action['label'])}[/]  ({escape(action['href'])})")
    if not response["sections"]:
        out.print(escape(response["text"].replace(f"_{response['disclaimer']}_", "").strip()))
        out.print(f"\n[italic]{escape(response['disclaimer'])}[/italic]")
        return
    shown = list(response["sections"])
    for section in shown:
        marker = "" if section["source"] == "kb" else f"  [dim]({section['source']})[/dim]"
        out.print(f"\n[bold]{escape(section['title'])}[/bold]{marker}")
        out.print(escape(section["text"]))
    extra = response.get("more") or []
    if extra and more:
        out.print("\n[bold]More from these pages[/bold]")
        for section in extra:
            out.print(f"\n[bold]{escape(section['title'])}[/bold]")
            out.print(escape(section["text"]))
        shown += extra
    elif extra:
        out.print(f"\n[dim]{len(extra)} more part(s) from these pages: ask again with --more[/dim]")
    cited = {n for section in shown for n in section["citations"]}
    if response["citations"]:
        out.print("\n[bold]Sources[/bold]")
        pages: dict[str, list[dict[str, Any]]] = {}  # one entry a page, its quotes' numbers first
        for citation in response["citations"]:
            if citation["n"] in cited:
                pages.setdefault(citation["url"], []).append(citation)
        for group in pages.values():
            first = group[0]
            numbers = "".join(f"[{c['n']}]" for c in group)
            sections = ", ".join(dict.fromkeys(c["section"] for c in group if c["section"]))
            flag = " [red]review overdue[/red]" if first["review_status"] == "overdue" else ""
            out.print(
                f"{escape(numbers)} {escape(first['title'])}" + (f" > {escape(sections)}" if sections else "") + "\n"
                f"    {escape(first['url'])}  ({escape(first['citation'] or first['source'])}, "
                f"last reviewed {first['lastReviewed']}){flag}"
            )
    out.print(f"\n[italic]{escape(response['disclaimer'])}[/italic]")


@app.command()
def triage(
    message: Annotated[str, typer.Argument(help="The message, as a patient or caregiver wrote it.", show_default=False)],
    explain: Annotated[bool, typer.Option("--explain", help="Show which concept, number, cue or exemplar led to it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """The safety triage alone (no KB needed): urgent at a level, refused, abstained, or
    answerable; with --explain, what led to it. The message is not logged or stored.

    Example: cancerinfo triage "temp 38.6 a week after FOLFOX" --explain
    """
    from cancerinfo.index.question_model import cache_folder, question_embedder
    from cancerinfo.index.ranking import load_retrieval_policy
    from cancerinfo.triage import SafetyPolicy, build_triage

    settings = Settings.load()
    from cancerinfo.answer.assistant import CONTACT_SETTINGS

    contacts = {n: v for n in CONTACT_SETTINGS if (v := getattr(settings, n))}
    folder = settings.policies
    safety = SafetyPolicy.load(policy_path("safety.yaml", folder=folder), **contacts)
    embedder = question_embedder(load_retrieval_policy(), threads=1)
    triage_folder = policy_path("triage", folder=folder)
    result = build_triage(safety, folder=triage_folder, embedder=embedder, cache=cache_folder()).assess(message)
    decision = {
        "status": result.status or "answer",
        "urgency": result.urgency,
        "reason": result.reason,
        "language": result.language,
        "informational": result.informational,
        "personal_report": result.personal,
        "message": result.message,
        "ms": round(result.seconds * 1000, 2),
    }
    if explain:
        decision["evidence"] = [e.as_dict() for e in result.evidence]
    if as_json:
        _print_json(decision)
        return
    label = decision["status"].upper() + (f" ({result.reason})" if result.reason else "")
    if result.urgency:
        label += f" - {result.urgency.replace('_', ' ')}"
    out.print(f"[bold]{escape(label)}[/]  language {result.language}")
    if result.informational:
        out.print(f"an answer would add the {result.informational.replace('_', ' ')} guidance")
    if result.message:
        out.print(escape(result.message))
    if explain:
        out.print("\n[bold]Why[/bold]")
        for item in result.evidence:
            level = f" [{item.level}]" if item.level else ""
            words = f' "{item.words}"' if item.words else ""
            out.print(f"- {item.kind} {escape(item.name)}{escape(level)}{escape(words)}: {escape(item.note)}")


eval_app = typer.Typer(help="Run benchmark question files through cancerinfo.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Option("--questions", help="JSON lines with id and question.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write one line of hits per question.")],
    db: DbOption = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Hits per question.")] = 10,
) -> None:
    """Search every question of a file in one process; print doc@1, doc@5, MRR@10 (and
    section@1/@5) when the file has relevant labels.

    Example: cancerinfo eval retrieval --db nci.db --questions q.jsonl --output hits.jsonl
    """
    from cancerinfo.eval.retrieval import run_retrieval_eval
    from cancerinfo.index.search import Searcher

    settings = Settings.load(db=db)
    if not questions.is_file():
        raise InputPathError(f"{questions}: no such file")
    searcher = Searcher(settings.db)
    try:
        summary = run_retrieval_eval(searcher, questions, output, k=k)
    except ValueError as exc:
        raise InputPathError(str(exc)) from None
    finally:
        searcher.close()
    _print_json(summary)


@eval_app.command("run")
def eval_run(
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", help="all, retrieval, liveqa, peer, answers, latency, load, scale or smoke (repeatable)."),
    ] = None,
    shared: Annotated[Path, typer.Option("--shared", help="The folder of real corpora and benchmarks.")] = Path("../shared"),
    output: Annotated[Path, typer.Option("--output", help="The Markdown report (a .json beside it).")] = Path("docs/benchmarks.md"),
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Ingest the KBs again even when cached.")] = False,
    scale_sizes: Annotated[str, typer.Option("--scale-sizes", help="Synthetic KB sizes, comma-separated.")] = "10000",
    cache: Annotated[Path | None, typer.Option("--cache", help="Where built KBs are cached.")] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The JSON report whose other suites are kept [default: the .json beside --output]."),
    ] = None,
) -> None:
    """Run benchmark suites (building the KBs they need, cached by content hash), write a JSON
    report and regenerate the Markdown report from it. Suites not run are kept from the
    previous report.

    Example: cancerinfo eval run --suite smoke --shared ../shared --output /tmp/bench.md

    Example: cancerinfo eval run --suite scale --scale-sizes 10000,100000 --previous docs/benchmarks.json --output /tmp/scale/benchmarks.md
    """
    from cancerinfo.eval.run import DEFAULT_CACHE, KBCache, merge_previous, run_suites, write_report

    chosen = suite or ["all"]
    if chosen != ["smoke"] and not (shared / "corpus").is_dir():
        raise InputPathError(f"{shared}: no corpus/ folder here; pass --shared with the real corpora")
    try:
        results = run_suites(
            chosen,
            shared=shared,
            cache=KBCache(cache or DEFAULT_CACHE, rebuild=rebuild),
            progress=lambda message: err.print(escape(message)),
            scale_sizes=tuple(int(size) for size in scale_sizes.split(",") if size.strip()),
        )
    except ValueError as exc:
        raise InputPathError(str(exc)) from None
    write_report(merge_previous(results, previous or output.with_suffix(".json")), output)
    out.print(f"wrote {escape(str(output))} and {escape(str(output.with_suffix('.json')))}")


@eval_app.command("answers")
def eval_answers(
    questions: Annotated[Path, typer.Option("--questions", help="JSON lines with id and question (or messages).")],
    output: Annotated[Path, typer.Option("--output", help="Where to write one response contract per question.")],
    db: DbOption = None,
) -> None:
    """Answer every question of a file in one process; a line with ``messages`` is one
    session whose turns are asked in order (the last is answered). Prints status counts
    and latency.

    Example: cancerinfo eval answers --db nci.db --questions q.jsonl --output answers.jsonl
    """
    from cancerinfo.answer.assistant import assistant_from_settings
    from cancerinfo.eval.answers import run_answers_eval

    settings = Settings.load(db=db)
    if not questions.is_file():
        raise InputPathError(f"{questions}: no such file")
    assistant = assistant_from_settings(settings)
    try:
        summary = run_answers_eval(assistant, questions, output)
    except ValueError as exc:
        raise InputPathError(str(exc)) from None
    finally:
        assistant.close()
    _print_json(summary)


@eval_app.command("triage")
def eval_triage(
    messages: Annotated[Path, typer.Option("--set", help="A labelled triage set (JSON lines: message, expected, reason).")],
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the figures as JSON here too.")] = None,
) -> None:
    """Every message of a triage set through the whole assistant; prints urgent recall
    (and per level), self-harm with the crisis line, non-English urgent, refusals and
    general questions sent to urgent.

    Example: cancerinfo eval triage --set benchmarks/triage-dev.jsonl --db nci.db
    """
    from cancerinfo.answer.assistant import assistant_from_settings
    from cancerinfo.eval.triage_bench import run_triage_set

    settings = Settings.load(db=db)
    if not messages.is_file():
        raise InputPathError(f"{messages}: no such file")
    assistant = assistant_from_settings(settings)
    try:
        figures = run_triage_set(assistant, messages)
    except ValueError as exc:
        raise InputPathError(str(exc)) from None
    finally:
        assistant.close()
    if output is not None:
        output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    _print_json(figures)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0-65535).")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes; each loads the KB and uses one core.")
    ] = 1,
    answer_processes: Annotated[
        int | None,
        typer.Option(
            "--answer-processes",
            min=0,
            max=64,
            help="Processes that answer, fed from one queue (each loads the KB and uses one core); "
            "0 answers in the server process. Default: CANCERINFO_ANSWER_PROCESSES, else 0.",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address (or network) of a reverse proxy whose X-Forwarded-For names the client; "
            "repeat for several. Default: CANCERINFO_TRUSTED_PROXIES, else none (the header is ignored).",
        ),
    ] = None,
) -> None:
    """Run the web chat and the HTTP API (uvicorn): the chat at /, the API reference at
    /docs. Curator pages (/admin) and /v1/admin need CANCERINFO_ADMIN_TOKEN.

    Example: cancerinfo serve --db kb.db --port 8000 --answer-processes 2
    """
    from dataclasses import replace

    from cancerinfo.service.app import admin_token, check_port, check_store

    if not 0 <= port <= 65535:  # a usage error, like click's own: one line, exit 2
        err.print(f"[red]error:[/red] --port must be between 0 and 65535, got {port}")
        raise typer.Exit(2)
    settings = Settings.load(
        db=db, answer_processes=answer_processes, trusted_proxies=",".join(trusted_proxy) if trusted_proxy else None
    )
    proxies = _serve_proxies(settings)
    token = admin_token()  # a token too short stops here, with a one-line error
    check_port(host, port)  # a port in use stops here, before the KB is loaded
    check_store(settings)
    settings = replace(settings, db=settings.db.resolve())  # the same file in every process
    if workers > 1 or settings.answer_processes > 1:  # one process per core: numeric libraries' own threads would only spin
        _one_numeric_thread_per_process()
    _run_uvicorn(settings, token, host=host, port=port, workers=workers, proxies=proxies)


def _serve_proxies(settings: Settings) -> list[str]:
    """The trusted proxies of ``settings``; one that is no address is a usage error (exit 2)."""
    from cancerinfo.service.limits import trusted_proxies

    try:
        return trusted_proxies(settings.trusted_proxies)
    except ValueError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from None


def _one_numeric_thread_per_process() -> None:
    """Keep numeric libraries to one thread each unless the environment says otherwise."""
    import os

    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # measured: twice the answers a second


def _run_uvicorn(
    settings: Settings, token: str | None, *, host: str, port: int, workers: int, proxies: list[str]
) -> None:
    """Serve until stopped; uvicorn's start-up failure (already said in one line) exits 1."""
    from cancerinfo.service.app import AppFactory, log_config, run_server

    try:
        run_server(  # every worker gets these settings and token with the factory, not via os.environ
            AppFactory(settings, token),
            host=host,
            port=port,
            workers=workers,
            http="cancerinfo.service.protocol:NoDelayHttpToolsProtocol",  # TCP_NODELAY with any --workers
            loop="uvloop",
            access_log=False,  # its lines carry query strings; ours log paths only
            log_config=log_config(),
            server_header=False,
            timeout_graceful_shutdown=10,
            # X-Forwarded-For/-Proto only from the proxies named (uvicorn trusts loopback by default)
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies,
        )
    except SystemExit as stopped:
        if stopped.code == 3:  # uvicorn's start-up failure, already said in one line
            raise typer.Exit(1) from None
        raise


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
