"""The ``cancerinfo eval`` command group: ``eval retrieval``, ``eval run``, ``eval answers``
and ``eval triage`` on ``eval_app``, which :mod:`cancerinfo.cli` adds to the app as
``eval``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cancerinfo.cli_common import DbOption, _print_json, err, out
from cancerinfo.errors import InputPathError
from cancerinfo.settings import Settings

eval_app = typer.Typer(help="Run benchmark question files through cancerinfo.", no_args_is_help=True)


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
