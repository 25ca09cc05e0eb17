"""The triage policy files under ``policies/triage/``, checked and compiled.

- ``rules.yaml``: levels in order of precedence, thresholds (temperature, pain score, the
  exemplar similarity), each with its reference;
- ``en.yaml``, ``es.yaml``: a full lexicon: rewrites, context cues, concepts;
- ``other-languages.yaml``: short lexicons (concepts only) and a safety notice for other
  languages;
- ``exemplars.yaml``: messages that express suicidal thinking or self-harm, and messages
  that do not, compared by meaning (:mod:`.meaning`).

Every file is validated by the pydantic models of :mod:`.policy_models`; a mistake names
the file and the key.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cancerinfo.errors import PolicyError
from cancerinfo.policies import policy_path, read_policy, validated
from cancerinfo.triage.policy_models import (
    LEVELS,
    Concept,
    CrisisExamplesFile,
    ExemplarsFile,
    LexiconFile,
    OtherLanguage,
    OtherLanguagesFile,
    RefusalExamplesFile,
    Rules,
)
from cancerinfo.triage.terms import Match, TermError, TermSet
from cancerinfo.triage.text import Reader, Word

__all__ = [
    "LEVELS",
    "Lexicon",
    "Reading",
    "TriageFiles",
    "load_triage_files",
]

# -- compiled -----------------------------------------------------------------------------
@dataclass(slots=True)
class Reading:
    """A message as one lexicon read it."""

    lexicon: Lexicon
    text: str
    words: list[Word]
    matches: list[Match]
    questions: frozenset[int]  # sentences ending with "?"

    def group(self, name: str) -> list[Match]:
        """The matches of the group ``name`` (``concept:<id>``, ``except:<id>`` or
        ``cue:<name>``)."""
        return [m for m in self.matches if m.group == name]


@dataclass(slots=True)
class Lexicon:
    """One language's terms, compiled: concepts (``concept:<id>``), their exceptions
    (``except:<id>``) and cue lists (``cue:<name>``)."""

    language: str
    reader: Reader
    terms: TermSet
    concepts: Mapping[str, Concept]
    has_cues: bool
    notice: str | None = None
    temperature_words: tuple[str, ...] = ()
    source: str = ""

    def read(self, message: str) -> Reading:
        """``message`` as this lexicon reads it: prepared text, words, term matches and question
        sentences."""
        text = self.reader.prepare(message)
        words = self.reader.words(text) if self.reader.spaced else []
        questions = frozenset(
            i for i, sentence in enumerate(_sentences_with_marks(text)) if sentence.endswith("?")
        )
        return Reading(self, text, words, self.terms.find(text, words), questions)


@dataclass(frozen=True, slots=True)
class TriageFiles:
    """Everything under ``policies/triage/``, checked."""

    rules: Rules
    lexicons: Mapping[str, Lexicon]  # en, es, and the other languages
    exemplars: ExemplarsFile
    folder: Path
    digest: str = field(default="")
    #: refusal-examples.yaml, when the folder has one
    refusal_examples: RefusalExamplesFile | None = None
    #: crisis-examples.yaml, when the folder has one
    crisis_examples: CrisisExamplesFile | None = None


def load_triage_files(folder: Path | None = None, *, known_words: frozenset[str] | None = None) -> TriageFiles:
    """Read and compile ``policies/triage/`` (or ``folder``). ``known_words`` are never
    taken for typos (default: :func:`~cancerinfo.triage.text.common_words`)."""
    folder = folder or policy_path("triage")
    if known_words is None:
        from cancerinfo.triage.text import common_words

        known_words = common_words()
    rules_path = _file(folder, "rules.yaml")
    rules = validated(Rules, read_policy(rules_path, what="triage rules"), rules_path)
    lexicons: dict[str, Lexicon] = {}
    for language in rules.languages.full:
        path = _file(folder, f"{language}.yaml")
        data = validated(LexiconFile, read_policy(path, what="triage lexicon"), path)
        if data.language != language:
            raise PolicyError(f"{path}: key language must be {language!r}")
        lexicons[language] = _compile_full(data, path, known_words)
    others_path = _file(folder, "other-languages.yaml")
    others = validated(OtherLanguagesFile, read_policy(others_path, what="triage languages"), others_path)
    for language, entry in others.languages.items():
        if language in lexicons:
            raise PolicyError(f"{others_path}: key languages.{language} has a full lexicon already")
        lexicons[language] = _compile_other(language, entry, others_path)
    exemplars_path = _file(folder, "exemplars.yaml")
    exemplars = validated(ExemplarsFile, read_policy(exemplars_path, what="triage exemplars"), exemplars_path)
    if not any(exemplars.crisis.values()):
        raise PolicyError(f"{exemplars_path}: key crisis must list exemplar messages")
    examples = None
    examples_path = folder / "refusal-examples.yaml"
    if examples_path.is_file():
        examples = validated(
            RefusalExamplesFile, read_policy(examples_path, what="refusal examples"), examples_path
        )
    crisis_examples = None
    crisis_path = folder / "crisis-examples.yaml"
    if crisis_path.is_file():
        crisis_examples = validated(
            CrisisExamplesFile, read_policy(crisis_path, what="crisis examples"), crisis_path
        )
    digest = json.dumps([exemplars.model_dump()], sort_keys=True, ensure_ascii=False)
    return TriageFiles(rules, lexicons, exemplars, folder, digest, examples, crisis_examples)


def _file(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise PolicyError(f"{path}: policy file not found")
    return path


def _compile_full(data: LexiconFile, path: Path, known_words: frozenset[str]) -> Lexicon:
    rewrites = {form: target for forms, target in data.rewrites.items() for form in forms.split("|")}
    all_terms = [t for ts in data.cues.values() for t in ts]
    all_terms += [t for c in data.concepts.values() for t in (*c.terms, *c.except_)]
    plain = {w for term in all_terms for w in _plain(term)}
    reader = Reader(
        data.language,
        stemmer=data.stemmer,
        rewrites=rewrites,
        lexicon_words=plain,
        known_words=known_words,
        spaced=data.spaced,
        fillers=frozenset(data.fillers),
        min_mend_length=data.min_mend_length,
    )
    terms = TermSet(reader)
    for name, cue_terms in data.cues.items():
        for index, text in enumerate(cue_terms, 1):
            _add(terms, text, f"cue:{name}", path, f"cues.{name} item {index}")
    for concept_id, concept in data.concepts.items():
        for index, text in enumerate(concept.terms, 1):
            _add(terms, text, f"concept:{concept_id}", path, f"concepts.{concept_id}.terms item {index}")
        for index, text in enumerate(concept.except_, 1):
            _add(terms, text, f"except:{concept_id}", path, f"concepts.{concept_id}.except item {index}")
    temperature_words = tuple(sorted({w for t in data.cues["temperature_words"] for w in _plain(t)}))
    return Lexicon(
        data.language, reader, terms, dict(data.concepts), True,
        temperature_words=temperature_words, source=str(path),
    )


def _compile_other(language: str, entry: OtherLanguage, path: Path) -> Lexicon:
    reader = Reader(
        language, stemmer=None, rewrites={}, lexicon_words=(), spaced=False, keep_accents=entry.keep_accents
    )
    terms = TermSet(reader)
    concepts: dict[str, Concept] = {}
    for level, level_terms in entry.concepts.items():
        concept_id = f"{language}_{level}"
        concepts[concept_id] = Concept(level=level, about=f"{entry.name}: {level}", terms=level_terms, needs_report=False)
        for index, text in enumerate(level_terms, 1):
            _add(terms, text, f"concept:{concept_id}", path, f"languages.{language}.concepts.{level} item {index}")
    for index, text in enumerate(entry.negation, 1):
        _add(terms, text, "cue:negation", path, f"languages.{language}.negation item {index}")
    for kind, kind_terms in entry.refusals.items():
        for index, text in enumerate(kind_terms, 1):
            _add(terms, text, f"refusal:{kind}", path, f"languages.{language}.refusals.{kind} item {index}")
    return Lexicon(language, reader, terms, concepts, False, notice=entry.notice, source=str(path))


def _add(terms: TermSet, text: str, group: str, path: Path, key: str) -> None:
    try:
        terms.add(text, group)
    except TermError as exc:
        raise PolicyError(f"{path}: key {key} {exc}") from None


@functools.lru_cache(maxsize=4096)
def _plain(term: str) -> tuple[str, ...]:
    from cancerinfo.triage.text import fold

    out = []
    for token in fold(term).replace("(", " ").replace(")", " ").replace("|", " ").replace("?", " ").split():
        if token not in ("...", "_", "$") and not token.endswith("*"):
            out.append(token.removeprefix("="))
    return tuple(out)


def _sentences_with_marks(text: str) -> list[str]:
    """The sentences of a prepared text, each with its end mark kept (to see questions)."""
    import re

    from cancerinfo.triage.text import split_sentences

    pieces = re.split(r"((?<!\d)\.|\.(?!\d)|[!?;…\n\r。！？]+)", text)
    out: list[str] = []
    for index in range(0, len(pieces), 2):
        body = pieces[index]
        mark = pieces[index + 1] if index + 1 < len(pieces) else ""
        if body.strip():
            out.append(body.strip() + ("?" if "?" in mark or "？" in mark else ""))
    assert len(out) == len(split_sentences(text))
    return out


def same_sentences(own: Reading | None, other: Reading) -> bool:
    """Do two lexicons' readings of a message cut it into the same sentences?"""
    return own is not None and bool(own.words) and bool(other.words) and own.words[-1].sentence == other.words[-1].sentence
