"""The labelled answer sets (``benchmarks/answers-dev.jsonl``, ``answers-test.jsonl``):
patient-style questions with their best page(s), section and 1-3 key facts copied verbatim
from the page, written by helpers who never read the answer code.

Each question goes through the whole assistant (a line with ``previous`` is asked as a
follow-up in a session). Figures, over the answerable questions unless said:

- **best page cited**: a page of ``relevant`` among the citations of the sections shown (not
  those kept for "more"); **in the short answer**: among the citations of the first KB section;
- **key fact present**: a key fact in the answer's text (after folding quotes, spaces and
  case), or 80 % of its words in order inside one quoted sentence;
- **on the asked cancer**: every cited page is a relevant page, a page whose title names no
  cancer, or one whose title names a cancer the question or a relevant page's title names
  (:mod:`cancerinfo.eval.page_subjects`; checked against a blind reader's labels in
  ``benchmarks/grades/cancer-labels/``);
- **cancer types agree** (the figure called "on topic" before): the same with the front
  matter's ``cancerTypes`` instead of titles, where a page with no value or a relevant page
  with none always passes; kept for comparison, it measures the KB's noisy tags as much as
  the answer;
- **words** (median) of the sections a reader sees (the disclaimer not counted), and the
  **reading grade** (Flesch-Kincaid, syllables by vowel groups) of the quoted text;
- **leftovers**: answers quoting page furniture (figure or table captions, "Adapted from",
  link teasers, bibliography entries, a list intro without its items, a line pointing at
  what the page shows elsewhere or promising a list not shown);
- unanswerable questions **declined** (status not ``answered``);
- the **baseline**: the first five sentences of the top hit of ``search``, scored the same way.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from pathlib import Path
from typing import Any

from cancerinfo.eval.answers import ask_turns
from cancerinfo.eval.page_subjects import CancerNames, on_asked_cancer
from cancerinfo.kb.lint_policy import load_lint_policy
from cancerinfo.policies import policy_path

_SPACES = re.compile(r"\s+")
_CITE = re.compile(r"\s*\[\d{1,3}\]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CITATIONS = re.compile(r"\[(\d{1,3})\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
LEFTOVERS = {
    "caption": re.compile(r"^(?:-\s*)?(?:figure|fig\.|table|image|photo|illustration)\s*\d*[.:]|\benlarge\b|\bcredit:", re.IGNORECASE),
    "adapted": re.compile(r"\b(?:adapted from|reprinted (?:with|from)|used with permission|source:)", re.IGNORECASE),
    "teaser": re.compile(
        r"\b(?:click here|see the (?:pdq|summary|page)|visit (?:the|our)|watch (?:the|this) video|"
        r"for more information(?:,| about| on| see))\b|"
        # "Learn more about ...", "... To learn more, see ...", "Refer to the PDQ summary ..."; not
        # "doctors are working to learn more about what causes it" nor "you can also refer to
        # the Children's Oncology Group, which ..." (text, not a link)
        r"(?:^(?:-\s*)?|[.!?]\s+)(?:to )?(?:learn|read) more\b|\b(?:learn|read) more\b[^.;]{0,80}, see\b|"
        r"(?:^(?:-\s*)?|[.!?]\s+)(?:go|refer) to the\b|"
        # "For information about a specific stage ..., see Cervical Cancer Stages."
        r"^(?:-\s*)?(?:for|to) [^.;]{0,120}, (?:see|visit|go to)\b",
        re.IGNORECASE,
    ),
    "bibliography": re.compile(r"\bet al\.|\bdoi:|\bpmid\b|\bj clin\b|\bvol\. \d|\b\d{4};\d+", re.IGNORECASE),
    "list_intro": re.compile(r":\s*(?:\[\d+\])?\s*$"),
    # a line pointing at what the page shows elsewhere, or promising a list the answer does
    # not show ("Common situations ... are below.", "Try these 10 tips ...", "There are things
    # you can do ..."); kept apart from the composer's own pattern (quoting.ANNOUNCES)
    "pointer": re.compile(
        r"\bbelow(?=\s*(?:[.:,;)]|$|in\b|to\b))|\b(?:listed|described|shown|found|discussed) below\b|"
        r"\b(?:these|this|our) \d+ (?:tips|ways|steps|things|ideas|questions)\b|^(?:- )?here are\b|"
        r"^(?:- )?(?:but,? )?there are (?:some |many |several |a few )?(?:things|ways|steps) (?:that )?you can\b|"
        r"\b(?:is|are) (?:also )?(?:available|described|explained|covered) (?:in|on) (?:the|our|this)\b",
        re.IGNORECASE,
    ),
}


def read_answer_set(path: Path) -> list[dict[str, Any]]:
    """The questions of ``path``; ``ValueError`` names a bad line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or "answerable" not in row:
            raise ValueError(f"{path}:{number}: needs a question and answerable")
        rows.append(row)
    return rows


def fold(text: str) -> str:
    """Lower case, one kind of quote and space, no citation marks or markdown emphasis."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = _CITE.sub("", text).replace("**", "").replace("*", "")
    return _SPACES.sub(" ", text).strip().lower()


def fact_present(fact: str, answer_text: str, quotes: list[str]) -> bool:
    """The fact in the answer, verbatim after folding, or 80 % of its words in order in one quote."""
    folded_fact = fold(fact)
    if folded_fact and folded_fact in fold(answer_text):
        return True
    words = _WORD.findall(folded_fact)
    if not words:
        return False
    for quote in quotes:
        quote_words = _WORD.findall(fold(quote))
        position, found = 0, 0
        for word in words:
            try:
                position = quote_words.index(word, position) + 1
                found += 1
            except ValueError:
                continue
        if found >= 0.8 * len(words):
            return True
    return False


def leftovers(response: dict[str, Any]) -> list[str]:
    """The kinds of page furniture the answer quotes."""
    found = []
    for section in response["sections"]:
        if section["source"] != "kb":
            continue
        lines = [line.strip() for line in section["text"].splitlines() if line.strip()]
        for index, text in enumerate(lines):
            for kind, pattern in LEFTOVERS.items():
                if not pattern.search(text) or kind in found:
                    continue
                # an intro is a leftover when its items do not follow (a pointer: unless it is
                # an intro, "... listed below: [2]")
                if kind == "list_intro" or (kind == "pointer" and LEFTOVERS["list_intro"].search(text)):
                    following = lines[index + 1] if index + 1 < len(lines) else ""
                    if _CITATIONS.findall(following) and _CITATIONS.findall(following) == _CITATIONS.findall(text):
                        continue
                found.append(kind)
    return found


def visible_words(response: dict[str, Any]) -> int:
    """Words of the sections a reader sees (titles and the disclaimer not counted)."""
    return sum(len(_WORD.findall(fold(section["text"]))) for section in response["sections"])


_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables of an English word by vowel groups (a silent final e, -ed and -es dropped):
    the usual heuristic of readability tools, exact enough for a median grade."""
    word = word.lower().strip("'’")
    if not word.isalpha():
        return 1
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if count > 1 and len(word) > 3 and (
        (word.endswith("ed") and word[-3] not in "td") or (word.endswith("es") and word[-3] not in "scxzgh")
    ):
        count -= 1
    return max(count, 1)


def reading_grade(texts: list[str]) -> float | None:
    """Flesch-Kincaid grade of the quoted sentences: 0.39 words per sentence + 11.8
    syllables per word - 15.59 (Kincaid et al., 1975)."""
    sentences = 0
    words: list[str] = []
    for text in texts:
        for part in (p for line in _CITE.sub("", text).splitlines() for p in _SENTENCE.split(line.strip(" -*"))):
            tokens = re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*", part)
            if len(tokens) >= 3:
                sentences += 1
                words += tokens
    if not sentences:
        return None
    syllable_count = sum(syllables(word) for word in words)
    return round(0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59, 1)


def _cancer_types(assistant: Any) -> dict[str, frozenset[str]]:
    return {doc.url: doc.cancer_types for doc in assistant.searcher.index.documents}


def cancer_names(assistant: Any) -> CancerNames:
    """The cancer names of the assistant's KB: its ``cancerTypes`` values and the synonyms
    of ``policies/lint.yaml``."""
    rules = load_lint_policy(policy_path("lint.yaml")).cancer_types
    values = {value for doc in assistant.searcher.index.documents for value in doc.cancer_types}
    return CancerNames(values, rules.synonyms, ignore=rules.always_fit)


def on_topic(cited: list[str], relevant: list[str], types: dict[str, frozenset[str]]) -> bool:
    """Every cited page is relevant, general, or shares a cancer type with a relevant page
    (front matter: the "cancer types agree" figure)."""
    wanted = set().union(*(types.get(url, frozenset()) for url in relevant)) if relevant else set()
    for url in cited:
        if url in relevant:
            continue
        mine = types.get(url, frozenset())
        if mine and wanted and not (mine & wanted):
            return False
    return True


def baseline(assistant: Any, question: str) -> dict[str, Any]:
    """The trivial baseline: the first five sentences of the top hit of ``search``."""
    result = assistant.searcher.search(question, k=1)
    if not result.hits:
        return {"url": None, "text": "", "words": 0}
    hit = result.hits[0]
    store = assistant.searcher.store
    row = store.connection.execute("SELECT text FROM chunks WHERE chunk_id = ?", (hit.chunk_id,)).fetchone()
    text = row[0] if row else hit.snippet
    sentences = [s for s in _SENTENCE.split(" ".join(text.split())) if s][:5]
    joined = " ".join(sentences)
    return {"url": hit.url, "text": joined, "words": len(_WORD.findall(fold(joined)))}


def run_answer_set(assistant: Any, path: Path) -> dict[str, Any]:
    """Every question of ``path`` through ``assistant``; the figures of the module doc,
    for the composer and the baseline side by side, and one row per question."""
    rows = read_answer_set(path)
    types = _cancer_types(assistant)
    titles = {doc.url: doc.title for doc in assistant.searcher.index.documents}
    names = cancer_names(assistant)
    per_question = []
    for row in rows:
        turns = ([row["previous"]] if row.get("previous") else []) + [row["question"]]
        response = ask_turns(assistant, turns)
        # what the asker sees: the citations of the shown sections ("more" is one tap away)
        shown = {n for section in response["sections"] for n in section["citations"]}
        shown_citations = [c for c in response["citations"] if c["n"] in shown]
        cited = [c["url"] for c in shown_citations]
        kb_sections = [s for s in response["sections"] if s["source"] == "kb"]
        first = kb_sections[0] if kb_sections else None
        first_urls = [response["citations"][n - 1]["url"] for n in (first["citations"] if first else [])]
        quotes = [c["quote"] for c in shown_citations]
        relevant = row.get("relevant") or []
        base = baseline(assistant, " ".join(turns[-1:]))
        record = {
            "id": row.get("id"),
            "answerable": row["answerable"],
            "status": response["status"],
            "reason": response["reason"],
            "best_page_cited": bool(set(cited) & set(relevant)),
            "best_page_in_short_answer": bool(set(first_urls) & set(relevant)),
            "key_fact": any(fact_present(f, response["text"], quotes) for f in row.get("key_facts") or []),
            "on_asked_cancer": on_asked_cancer(cited, relevant, " ".join(turns), titles, names),
            "on_topic": on_topic(cited, relevant, types),
            "words": visible_words(response),
            "grade": reading_grade([s["text"] for s in kb_sections]),
            "leftovers": leftovers(response),
            "pages_cited": len(set(cited)),
            "baseline_best_page": base["url"] in relevant,
            "baseline_key_fact": any(fact_present(f, base["text"], [base["text"]]) for f in row.get("key_facts") or []),
            "baseline_words": base["words"],
        }
        per_question.append(record)
    answerable = [r for r in per_question if r["answerable"]]
    unanswerable = [r for r in per_question if not r["answerable"]]
    answered = [r for r in answerable if r["status"] == "answered"]

    def share(records: list[dict[str, Any]], key: str) -> dict[str, Any]:
        ok = sum(bool(r[key]) for r in records)
        return {"ok": ok, "n": len(records), "rate": round(ok / len(records), 3) if records else None}

    grades = [r["grade"] for r in answered if r["grade"] is not None]
    return {
        "file": path.name,
        "questions": len(rows),
        "answerable": len(answerable),
        "answered": len(answered),
        "best_page_cited": share(answerable, "best_page_cited"),
        "best_page_in_short_answer": share(answerable, "best_page_in_short_answer"),
        "key_fact_present": share(answerable, "key_fact"),
        "on_asked_cancer": share([r for r in answerable if r["status"] != "abstained"], "on_asked_cancer"),
        "on_topic": share([r for r in answerable if r["status"] != "abstained"], "on_topic"),
        "median_words": statistics.median([r["words"] for r in answered]) if answered else None,
        "median_reading_grade": statistics.median(grades) if grades else None,
        "answers_with_leftovers": sum(bool(r["leftovers"]) for r in answered),
        "leftover_kinds": dict(
            sorted({k: sum(k in r["leftovers"] for r in answered) for k in LEFTOVERS}.items())
        ),
        "unanswerable_declined": {"ok": sum(r["status"] != "answered" for r in unanswerable), "n": len(unanswerable)},
        # the writers wrote ordinary questions (nothing urgent): an urgent reply is a false alarm
        "sent_to_urgent": {"ok": sum(r["status"] == "urgent" for r in per_question), "n": len(per_question)},
        "baseline": {
            "best_page_cited": share(answerable, "baseline_best_page"),
            "key_fact_present": share(answerable, "baseline_key_fact"),
            "median_words": statistics.median([r["baseline_words"] for r in answerable]) if answerable else None,
        },
        "per_question": per_question,
    }
