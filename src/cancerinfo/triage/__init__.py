"""Safety triage: urgency levels, refusals and languages, decided before any search.

Read in this order: :mod:`.rules` (the decision; :mod:`.result` what it returns,
:mod:`.signals` the cues it reads, :mod:`.context` how a sentence's time, person and
negation qualify them, :mod:`.replies` the replies it builds), :mod:`.lexicon` (the policy files and
what they compile to), :mod:`.terms` and :mod:`.text` (how words are matched),
:mod:`.numbers`, :mod:`.meaning`, :mod:`.language`, :mod:`.safety` (templates, contacts,
refusals) and :mod:`.cues` (refusal phrase patterns). Every word list, threshold and reply
is data in ``policies/safety.yaml`` and ``policies/triage/``; docs/triage.md explains them
for a clinical reviewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from cancerinfo.index.dense import Embedder
from cancerinfo.triage.lexicon import TriageFiles, load_triage_files
from cancerinfo.triage.meaning import CrisisDirection, ExampleVoter, ExemplarMatcher
from cancerinfo.triage.multilingual import LevelExamples, MultilingualEncoder, available
from cancerinfo.triage.rules import URGENCY_REASONS, Evidence, Triage, TriageResult
from cancerinfo.triage.safety import SafetyPolicy

__all__ = [
    "URGENCY_REASONS",
    "Evidence",
    "SafetyPolicy",
    "Triage",
    "TriageFiles",
    "TriageResult",
    "build_triage",
    "crisis_example_texts",
]


def build_triage(
    safety: SafetyPolicy,
    *,
    folder: Path | None = None,
    embedder: Embedder | None = None,
    cache: Path | None = None,
) -> Triage:
    """A :class:`Triage` from the policy files (``folder``: a ``policies/triage`` folder to
    use instead of the shipped one). Without an ``embedder`` there is no self-harm-by-meaning
    check (the lexicons still apply)."""
    files = load_triage_files(folder)
    matchers = {}
    if embedder is not None:
        for language, crisis in files.exemplars.crisis.items():
            if crisis:
                not_crisis = (*files.exemplars.not_crisis.get(language, ()), *files.exemplars.everyday.get(language, ()))
                matchers[language] = ExemplarMatcher(embedder, crisis, not_crisis, cache=cache)
    multilingual = None
    levels = None
    any_language_refusals = None
    direction = None
    rule = files.rules.meaning_any_language
    if embedder is not None and files.crisis_examples is not None and rule is not None and available():
        crisis_texts, not_crisis_texts = crisis_example_texts(files)
        encoder = MultilingualEncoder()
        shipped = files.folder / "vectors"
        multilingual = ExemplarMatcher(encoder, crisis_texts, not_crisis_texts, cache=cache, shipped=shipped)
        if files.crisis_examples.urgent and rule.level_threshold is not None:
            levels = LevelExamples(
                encoder, files.crisis_examples.urgent, multilingual.not_crisis_vectors, cache=cache, shipped=shipped
            )
        if files.crisis_examples.refuse and rule.refusal_k is not None:
            any_language_refusals = _any_language_voter(files.crisis_examples.refuse, multilingual, levels)
        if rule.linear_threshold is not None:
            others = [multilingual.not_crisis_vectors, *([levels.vectors] if levels is not None else [])]
            direction = CrisisDirection(
                multilingual.crisis_vectors, np.vstack(others),
                penalty=rule.linear_penalty, crisis_weight=rule.linear_crisis_weight,
            )
    voter = _voter(files, embedder, cache)
    return Triage(
        safety, files, exemplars=matchers, examples=voter, multilingual=multilingual, levels=levels,
        any_language_refusals=any_language_refusals, direction=direction,
    )


def _any_language_voter(
    refusals: Mapping[str, Sequence[str]], multilingual: ExemplarMatcher, levels: LevelExamples | None
) -> ExampleVoter:
    """Refusals by meaning in any language: every example the multilingual checks compare
    with (crisis, not crisis, the other levels), the ``refusals`` (crisis-examples.yaml
    ``refuse``, all among the not-crisis ones) labelled with their reason; their vectors are
    those already loaded for the other checks."""
    texts = [*multilingual.crisis, *multilingual.not_crisis, *(levels.texts if levels is not None else ())]
    rows = np.vstack([
        multilingual.crisis_vectors, multilingual.not_crisis_vectors,
        *([levels.vectors] if levels is not None else []),
    ])
    row: dict[str, int] = {}
    for i, text in enumerate(texts):
        row.setdefault(text, i)
    refuse = {reason: [t for t in ts if t in row] for reason, ts in refusals.items()}
    refused = {t for ts in refuse.values() for t in ts}
    others = [t for t in row if t not in refused]
    order = [row[t] for ts in refuse.values() for t in ts] + [row[t] for t in others]
    return ExampleVoter(multilingual.embedder, refuse, others, vectors=rows[order])


def _voter(files: TriageFiles, embedder: Embedder | None, cache: Path | None) -> ExampleVoter | None:
    """Refusals by meaning (refusal-examples.yaml), when there is an embedder and a rule."""
    if embedder is None or files.refusal_examples is None or files.rules.refusal_examples is None:
        return None
    examples = files.refusal_examples
    return ExampleVoter(embedder, dict(examples.refuse), examples.not_refuse, cache=cache)


def crisis_example_texts(files: TriageFiles) -> tuple[list[str], list[str]]:
    """The crisis and not-crisis texts the multilingual check compares a message with: the
    exemplars of every language, then the examples of ``crisis-examples.yaml`` (each once)."""
    crisis = [t for texts in files.exemplars.crisis.values() for t in texts]
    not_crisis = [t for texts in files.exemplars.not_crisis.values() for t in texts]
    if files.crisis_examples is not None:
        crisis += files.crisis_examples.crisis
        not_crisis += files.crisis_examples.not_crisis
    return list(dict.fromkeys(crisis)), list(dict.fromkeys(not_crisis))
