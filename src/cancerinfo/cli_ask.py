"""The ``cancerinfo`` commands that read the KB for a question: ``search``, ``ask`` (with
the printing of a reply for a terminal) and ``triage`` (the safety triage alone),
registered on the app in :mod:`cancerinfo.cli`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from cancerinfo.cli_common import DbOption, _print_json, out
from cancerinfo.policies import policy_path
from cancerinfo.settings import Settings


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
