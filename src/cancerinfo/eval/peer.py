"""Score our responses on a peer bot's test suite (``cases.jsonl``) with its own rubric pack.

Only the pack's *deterministic* checks run, not its LLM-judged ones. Some ids occur in two
suite files: each stays a case, keyed by ``(suite, id)``.
Checks of one response (:mod:`cancerinfo.answer.contract`), outcome ids in brackets:

1. [status] ``RED_FLAG_URGENT`` cases must be ``urgent``, others ``answered`` or ``refused``.
2. [nci_citations] non-urgent cases: >= 2 distinct urls among ``02_nci_core`` citations
   (urgent cases have the rubric's ``citations_present``, min 1).
3. The rubric's checks for the case's intent, under their ids, on the ``text`` as read (link
   targets dropped). ``citation_format``: citations have n (unique), url, title and quote, and
   every ``[n]`` marker and section citation names one. ``citation_confidence``: every quote is
   in its page. ``no_misplaced_clarifying_questions``: no ``?`` in a section other than
   ``questions_for_doctor`` and quoted KB (``source: kb``) ones.
4. Expectations: [must_include_any_phrases] one phrase, whole words, any case; [must_not]
   descriptions mapped to rubric patterns by :data:`MUST_NOT_CHECKS` (tone judgements are listed
   as not checked); [emergency_required] a ``RED_FLAG_URGENT`` ``emergency_guidance_phrase``;
   [must_mention_tests] evidence only: a test is required when the retrieved text the answer
   cites names it (the cited sections, given ``chunk_text``; else the cited pages).
5. [grounded] every citation quote is in its page word for word (:func:`quote_in_page`); our
   contract, kept apart from ``citation_confidence``. Page checks pass as ``not checked``
   without ``page_text``.

A case passes when every *required* check passes; checks the pack marks ``required: false``
(``citation_format_valid``) are reported as advisory. Interpretations:

* ``RED_FLAGS_URGENT`` (general "when to seek urgent care" questions) has no rubric in the pack;
  :data:`INTENT_ALIASES` scores it with ``RED_FLAG_URGENT`` (one question at most, an emergency
  phrase, not schedule-only), which is what those cases expect. Its cases are not urgent ones.
* Clarifying questions (``max_question_count``) are counted only in text addressed to the user:
  lines of ``questions_for_doctor`` sections (questions *for the doctor*), of ``kb`` sections and
  citation quotes (quoted KB text) are left out. Per the pack's counting rules each line loses
  its bullet marker and is cut into sentences; the count is the ``?`` marks plus the sentences
  without one that *open* with an interrogative (``do you``, ``which``…): anchored, so that
  relative clauses ("ask them which…") and headings ("## Which…") do not count.
* Peer section names are satisfied by our kinds per :data:`SECTION_EQUIVALENTS` (non-empty text).
  ``section_presence_min`` asks for the rubric's sections that the case itself lists in its
  ``required_sections`` (a case that requires only a disclaimer needs no section), at least
  ``min_present`` of them or all when fewer are listed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import Any

from cancerinfo.eval.peer_cases import CHECK_TYPES as CHECK_TYPES
from cancerinfo.eval.peer_cases import (
    DOCTOR_QUESTIONS_KIND,
    MIN_NCI_URLS,
    MUST_NOT_CHECKS,
    NCI_SOURCE_TYPE,
    OVER_QUESTIONING,
    SECTION_EQUIVALENTS,
    URGENT_INTENT,
    Ask,
    CaseResult,
    CheckOutcome,
    ChunkText,
    PageText,
    PeerCase,
    Rubric,
    RubricCheck,
)
from cancerinfo.eval.peer_cases import INTENT_ALIASES as INTENT_ALIASES
from cancerinfo.eval.peer_cases import PROHIBITED_DIAGNOSIS as PROHIBITED_DIAGNOSIS
from cancerinfo.eval.peer_cases import QUESTION_COUNT_METHOD as QUESTION_COUNT_METHOD
from cancerinfo.eval.peer_cases import load_cases as load_cases
from cancerinfo.eval.peer_cases import load_rubric as load_rubric
from cancerinfo.eval.peer_text import (
    LINE_MARKS,
    MARKER,
    SENTENCE_BREAK,
    phrase,
    quote_in_page,
    regex,
    visible,
)


def _sections(response: Mapping[str, Any], key: str = "sections") -> list[dict[str, Any]]:
    """A response's sections (with those behind "more from these pages": the whole answer
    the reader has, one tap away) or its citations."""
    items = list(response.get(key) or [])
    if key == "sections":
        items += list(response.get("more") or [])
    return [item for item in items if isinstance(item, dict)]


def _text(item: Mapping[str, Any], key: str = "text") -> str:
    return str(item.get(key) or "")


def _line_key(line: str) -> str:
    return " ".join(MARKER.sub(" ", LINE_MARKS.sub("", line)).split()).casefold()


def _quoted_or_for_doctor(section: Mapping[str, Any]) -> bool:
    return section.get("kind") == DOCTOR_QUESTIONS_KIND or section.get("source") == "kb"


def addressed_text(response: Mapping[str, Any]) -> str:
    """The response text without questions for the doctor and without quoted KB text."""
    text = _text(response)
    bodies = [_text(s) for s in _sections(response) if _quoted_or_for_doctor(s)]
    quotes = [_text(c, "quote") for c in _sections(response, "citations")]
    for body in sorted((b for b in [*bodies, *quotes] if b.strip()), key=len, reverse=True):
        text = text.replace(body, "\n")
    dropped = {key for body in bodies for key in map(_line_key, body.splitlines()) if key}
    return "\n".join(line for line in text.splitlines() if _line_key(line) not in dropped)


def count_clarifying_questions(response: Mapping[str, Any], rubric: Rubric) -> int:
    """Clarifying questions per the pack's counting rules (see the module docstring)."""
    bullets = [regex(p) for p in rubric.bullet_patterns]
    interrogatives = [regex(p) for p in rubric.interrogative_patterns]
    count = 0
    for line in visible(addressed_text(response)).splitlines():
        for bullet in bullets:
            line = bullet.sub("", line, count=1)
        sentences = (s.strip(" \t*_>\"'") for s in SENTENCE_BREAK.split(line))  # "## Which…" stays
        count += line.count("?") + sum(1 for s in sentences if "?" not in s and any(p.match(s) for p in interrogatives))
    return count


def section_satisfied(name: str, kinds: Iterable[str]) -> bool:
    """Whether a peer section name is met by one of our section kinds."""
    present = set(kinds)
    return any(kind in present for kind in (name, *SECTION_EQUIVALENTS.get(name, ())))


def _quotes_outcome(check_id: str, response: Mapping[str, Any], pages: PageText | None,
                    required: bool = True) -> CheckOutcome:
    if pages is None:
        return CheckOutcome(check_id, True, "not checked", required)
    problems: list[str] = []
    for citation in _sections(response, "citations"):
        n, url, quote = citation.get("n"), _text(citation, "url"), _text(citation, "quote")
        page = pages(url)
        if not quote.strip():
            problems.append(f"[{n}] has no quote")
        elif page is None:
            problems.append(f"[{n}] page not found: {url}")
        elif not quote_in_page(quote, page):
            problems.append(f"[{n}] quote not in {url}")
    return CheckOutcome(check_id, not problems, "; ".join(problems) or "all quotes found", required)


def _format_problems(response: Mapping[str, Any]) -> list[str]:
    citations = _sections(response, "citations")
    problems = [f"citation {index} lacks {', '.join(missing)}" for index, c in enumerate(citations)
                if (missing := [f for f in ("n", "url", "title", "quote") if c.get(f) in (None, "")])]
    numbers = [str(c.get("n")) for c in citations]
    if len(set(numbers)) < len(numbers):
        problems.append("duplicate citation numbers")
    markers = {n.strip() for m in MARKER.finditer(_text(response)) for n in m.group(1).split(",")}
    markers |= {str(n) for s in _sections(response) for n in s.get("citations") or []}
    if unknown := sorted(markers - set(numbers), key=lambda n: (len(n), n)):
        problems.append(f"markers without a citation: {', '.join(unknown)}")
    return problems


def _rubric_outcome(check: RubricCheck, response: Mapping[str, Any], rubric: Rubric,
                    pages: PageText | None, case_sections: list[str] | None = None) -> CheckOutcome:
    text, params = visible(_text(response)), check.params

    def outcome(passed: bool, detail: str) -> CheckOutcome:
        return CheckOutcome(check.id, passed, detail, check.required)

    if check.type in ("regex_absence", "regex_presence_any"):
        hits = [p for p in params.get("patterns_any", []) if regex(p).search(text)]
        if check.type == "regex_absence":
            return outcome(not hits, f"matched {hits}" if hits else "no match")
        return outcome(bool(hits), f"matched {hits[0]!r}" if hits else "no pattern matched")
    if check.type == "max_question_count":
        count, limit = count_clarifying_questions(response, rubric), int(params["max"])
        return outcome(count <= limit, f"{count} clarifying questions (max {limit})")
    if check.type == "section_presence_min":
        wanted = list(params.get("required_sections", []))
        if case_sections is not None:  # the case's own list narrows the rubric's
            wanted = [name for name in wanted if name in case_sections]
        kinds = [str(s.get("kind")) for s in _sections(response) if _text(s).strip()]
        present = [name for name in wanted if section_satisfied(name, kinds)]
        need = min(int(params.get("min_present", len(wanted))), len(wanted))
        return outcome(len(present) >= need, f"{len(present)} of {wanted} (min {need}): {present}")
    if check.type == "citation_presence":
        count, need = len(_sections(response, "citations")), int(params.get("min_count", 1))
        return outcome(count >= need, f"{count} citations (min {need})")
    if check.type == "citation_confidence":
        return _quotes_outcome(check.id, response, pages, check.required)
    if check.type == "citation_format":
        problems = _format_problems(response)
        return outcome(not problems, "; ".join(problems) or "ok")
    misplaced = [str(s.get("kind")) for s in _sections(response)  # no_misplaced_clarifying_questions
                 if not _quoted_or_for_doctor(s) and "?" in visible(_text(s))]
    return outcome(not misplaced, f"questions in {misplaced}" if misplaced else "ok")


def _must_not_outcome(case: PeerCase, response: Mapping[str, Any], rubric: Rubric) -> CheckOutcome:
    text = visible(_text(response))
    broken: list[str] = []
    unchecked: list[str] = []
    for description in case.expectations.get("must_not") or []:
        patterns = rubric.patterns(MUST_NOT_CHECKS.get(description, ""), intent=case.intent)
        if description == OVER_QUESTIONING:
            limit = int(case.expectations.get("max_clarifying_questions", 0))
            if (count := count_clarifying_questions(response, rubric)) > limit:
                broken.append(f"{description} ({count} > {limit})")
        elif not patterns:
            unchecked.append(description)
        elif hits := [p for p in patterns if regex(p).search(text)]:
            broken.append(f"{description} ({hits[0]!r})")
    detail = "; ".join(broken) or "ok"
    if unchecked:
        detail += f"; not checked (LLM-judged): {', '.join(unchecked)}"
    return CheckOutcome("must_not", not broken, detail)


def _tests_outcome(case: PeerCase, response: Mapping[str, Any], pages: PageText | None,
                   chunks: ChunkText | None = None) -> CheckOutcome:
    """Evidence only: a test is required when the retrieved text the answer cites names it —
    the cited chunks when ``chunks`` is given, else the cited pages."""
    citations = _sections(response, "citations")
    if chunks is not None:
        ids = dict.fromkeys(_text(c, "chunk_id") for c in citations)
        cited = [visible(text) for i in ids if (text := chunks(i)) is not None]
        where = "cited sections"
    elif pages is not None:
        urls = dict.fromkeys(_text(c, "url") for c in citations)
        cited = [visible(page) for url in urls if (page := pages(url)) is not None]
        where = "cited pages"
    else:
        return CheckOutcome("must_mention_tests", True, "not checked")
    text = visible("\n".join([_text(response), *(_text(s) for s in response.get("more") or [])]))
    needed = [t for t in case.expectations["must_mention_tests"]
              if any(phrase(t, plural=True).search(page) for page in cited)]
    missing = [t for t in needed if not phrase(t, plural=True).search(text)]
    detail = f"named in {where}: {needed}" + (f"; missing: {missing}" if missing else "")
    return CheckOutcome("must_mention_tests", not missing, detail)


def _expectation_outcomes(case: PeerCase, response: Mapping[str, Any], rubric: Rubric,
                          pages: PageText | None, chunks: ChunkText | None = None) -> list[CheckOutcome]:
    expect, text = case.expectations, visible(_text(response))
    outcomes: list[CheckOutcome] = []
    if phrases := expect.get("must_include_any_phrases"):
        found = [p for p in phrases if phrase(p).search(text)]
        outcomes.append(CheckOutcome("must_include_any_phrases", bool(found),
                                     f"found {found}" if found else f"none of {phrases}"))
    if expect.get("must_not"):
        outcomes.append(_must_not_outcome(case, response, rubric))
    if expect.get("emergency_required"):
        patterns = rubric.patterns("emergency_guidance_phrase", intent=URGENT_INTENT)
        hits = [p for p in patterns if regex(p).search(text)]
        outcomes.append(CheckOutcome("emergency_required", bool(hits),
                                     f"matched {hits[0]!r}" if hits else "no emergency phrase"))
    if expect.get("must_mention_tests"):
        outcomes.append(_tests_outcome(case, response, pages, chunks))
    return outcomes


def check_case(case: PeerCase, response: Mapping[str, Any], rubric: Rubric, *,
               page_text: PageText | None = None, chunk_text: ChunkText | None = None) -> CaseResult:
    """Every check of one case; ``page_text(url)``: a page's markdown or None (once a url);
    ``chunk_text(chunk_id)``: the text of a cited chunk (the retrieved evidence)."""
    pages = lru_cache(maxsize=None)(page_text) if page_text is not None else None
    status = response.get("status")
    urgent = case.intent == URGENT_INTENT
    allowed = ("urgent",) if urgent else ("answered", "refused")
    outcomes = [CheckOutcome("status", status in allowed, f"{status!r}, expected {' or '.join(allowed)}")]
    if not urgent:
        urls = {_text(c, "url") for c in _sections(response, "citations") if c.get("sourceType") == NCI_SOURCE_TYPE}
        outcomes.append(CheckOutcome("nci_citations", len(urls) >= MIN_NCI_URLS,
                                     f"{len(urls)} distinct NCI urls (min {MIN_NCI_URLS})"))
    checks = rubric.for_intent(case.intent)
    if checks is None:
        outcomes.append(CheckOutcome("rubric", False, f"no rubric for intent {case.intent!r}"))
    case_sections = case.expectations.get("required_sections")
    outcomes += [_rubric_outcome(check, response, rubric, pages, case_sections) for check in checks or ()]
    outcomes += _expectation_outcomes(case, response, rubric, pages, chunk_text)
    outcomes.append(_quotes_outcome("grounded", response, pages))
    return CaseResult(case.id, case.suite, case.intent, None if status is None else str(status), outcomes)


def _rates(results: list[CaseResult]) -> dict[str, Any]:
    passed = sum(result.passed for result in results)
    return {"cases": len(results), "passed": passed,
            "pass_rate": round(passed / len(results), 4) if results else 0.0}


def summarise(results: Iterable[CaseResult]) -> dict[str, Any]:
    """Pass rates overall, by intent and by suite file; failed cases per check id, most first."""
    items = list(results)
    groups: dict[str, dict[str, list[CaseResult]]] = {"by_intent": {}, "by_suite": {}}
    for result in items:
        groups["by_intent"].setdefault(result.intent, []).append(result)
        groups["by_suite"].setdefault(result.suite, []).append(result)
    return {
        **_rates(items),
        **{name: {key: _rates(group) for key, group in sorted(by.items())} for name, by in groups.items()},
        "failures": dict(Counter(c for result in items for c in result.failed_checks).most_common()),
        "advisory_failures": dict(Counter(c for r in items for c in r.advisory_failed).most_common()),
    }


def run_peer_suite(ask: Ask, cases: Iterable[PeerCase], rubric: Rubric, *,
                   page_text: PageText | None = None, chunk_text: ChunkText | None = None,
                   output: Path | None = None) -> dict[str, Any]:
    """Ask each case's messages (one session a case), check the answer, write a JSON line per
    case to ``output`` if given; return :func:`summarise`. ``ask`` raising fails ``response``."""
    results: list[CaseResult] = []
    with ExitStack() as stack:
        out = stack.enter_context(output.open("w", encoding="utf-8")) if output else None
        for case in cases:
            try:
                response = ask(list(case.messages))
            except Exception as exc:
                failed = CheckOutcome("response", False, f"ask raised {type(exc).__name__}: {exc}")
                result = CaseResult(case.id, case.suite, case.intent, None, [failed])
            else:
                result = check_case(case, response, rubric, page_text=page_text, chunk_text=chunk_text)
            results.append(result)
            if out is not None:
                out.write(json.dumps(result.record(), ensure_ascii=False) + "\n")
    return summarise(results)
