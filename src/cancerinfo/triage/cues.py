"""Phrase cues of ``policies/safety.yaml`` (refusals, animals, health words, questions about
urgent care): regular expressions looked for in a simplified question.

The question is simplified first (:func:`simplify`: lower case, one kind of apostrophe,
"cant"/"cannot" -> "can't", sentences split) so a cue is written once. ``" ... "`` in a cue
stands for up to four other words; a cue ``{all: [a, b]}`` needs every part somewhere in
the question. Danger words are not cues: they are concepts of the triage lexicons
(:mod:`.lexicon`), matched by meaning-preserving word forms rather than strings.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cancerinfo.policies import any_of

__all__ = ["Cue", "CueList", "compile_cue", "compile_cues", "simplify"]

# " ... " in a cue: up to four other words in between.
_FILLER = " ... "
_FILLER_PATTERN = r"(?: \S+){0,4} "


@dataclass(frozen=True, slots=True)
class Cue:
    """One policy entry: a pattern, or several (``all:``) that must all be found."""

    text: str
    parts: tuple[re.Pattern[str], ...]

    def find(self, sentences: Sequence[str]) -> str | None:
        """The matched words (parts joined with ``+``), or ``None``."""
        found = []
        for part in self.parts:
            hit = next((m.group(0).strip() for s in sentences if (m := part.search(s))), None)
            if hit is None:
                return None
            found.append(hit)
        return " + ".join(found)


@dataclass(frozen=True, slots=True)
class CueList:
    """A policy list of cues; the first one found wins."""

    cues: tuple[Cue, ...]
    #: Where any cue's first part matches (one pass instead of one per cue): no sentence
    #: matching it means no cue can be found. None when a pattern refers to its own groups.
    any_first: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)
    #: Where any one-part cue matches (for :meth:`found`).
    any_single: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        firsts = [cue.parts[0] for cue in self.cues]
        singles = [cue.parts[0] for cue in self.cues if len(cue.parts) == 1]
        with contextlib.suppress(ValueError):  # not mergeable: each cue is tried, as without it
            object.__setattr__(self, "any_first", any_of([p.pattern for p in firsts], re.IGNORECASE))
            object.__setattr__(self, "any_single", any_of([p.pattern for p in singles], re.IGNORECASE))

    def __add__(self, other: CueList) -> CueList:
        return CueList(self.cues + other.cues)

    def find(self, sentences: Sequence[str]) -> str | None:
        """The words of the first cue found, or ``None``."""
        if self.any_first is not None and not any(self.any_first.search(s) for s in sentences):
            return None
        for cue in self.cues:
            hit = cue.find(sentences)
            if hit is not None:
                return hit
        return None

    def found(self, sentences: Sequence[str]) -> bool:
        """Is any cue found? (``find(sentences) is not None``, without working out which.)"""
        if self.any_first is None:
            return self.find(sentences) is not None
        if self.any_single is not None and any(self.any_single.search(s) for s in sentences):
            return True
        return any(cue.find(sentences) is not None for cue in self.cues if len(cue.parts) > 1)


def compile_cue(value: Any) -> Cue:
    """A cue from its policy form (a pattern, or ``{all: [patterns]}``); ``ValueError`` says why not."""
    if isinstance(value, dict) and set(value) == {"all"}:
        parts = value["all"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise ValueError("must list at least two patterns under 'all'")
        return Cue(" + ".join(str(p) for p in parts), tuple(_pattern(p) for p in parts))
    return Cue(str(value), (_pattern(value),))


def compile_cues(values: Any) -> CueList:
    """A :class:`CueList` from a non-empty list of policy cues; ``ValueError`` names the item."""
    if not isinstance(values, list | tuple) or not values:
        raise ValueError("must be a non-empty list of patterns")
    cues = []
    for index, value in enumerate(values, 1):
        try:
            cues.append(compile_cue(value))
        except ValueError as exc:
            raise ValueError(f"item {index} {exc}") from None
    return CueList(tuple(cues))


def _pattern(value: Any) -> re.Pattern[str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a pattern (text) or {all: [patterns]}")
    source = value.strip().replace(_FILLER, _FILLER_PATTERN)
    try:
        compiled = re.compile(rf"(?<!\w)(?:{source})", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"is not a valid pattern: {exc}") from None
    if compiled.search("") is not None or compiled.search(" ") is not None:
        raise ValueError("matches empty text; it would match every question")
    return compiled


# -- simplifying a question ---------------------------------------------------------------
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\"“”«»()\[\]{},:*_]")
_DASHES = re.compile(r"\s*[—–]\s*|\s+-+\s+")
_SENTENCE_END = re.compile(r"[.?!;…]+(?=\s|$)|\s-\s")
_CONTRACTIONS = tuple(
    (re.compile(rf"\b(?:{forms})\b"), replacement)
    for forms, replacement in (
        (r"can ?not|cant|can't", "can't"),
        (r"could not|couldnt", "couldn't"),
        (r"do not|dont", "don't"),
        (r"does not|doesnt", "doesn't"),
        (r"did not|didnt", "didn't"),
        (r"will not|wont", "won't"),
        (r"is not|isnt", "isn't"),
        (r"are not|arent", "aren't"),
        (r"was not|wasnt", "wasn't"),
        (r"have not|havent", "haven't"),
        (r"has not|hasnt", "hasn't"),
        (r"i am|im", "i'm"),
        (r"ive", "i've"),
        (r"hes", "he's"),
        (r"shes", "she's"),
        (r"theyre", "they're"),
        (r"whats", "what's"),
        (r"u", "you"),
        (r"ur", "your"),
    )
)


def simplify(question: str) -> list[str]:
    """The question as lower-case sentences with one apostrophe and spelled-out negations."""
    text = question.translate(_APOSTROPHES).lower()
    text = _PUNCTUATION.sub(" ", text)
    text = _DASHES.sub(" - ", text)
    text = _SPACES.sub(" ", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    sentences = (_SPACES.sub(" ", part).strip(" '-") for part in _SENTENCE_END.split(text))
    return [sentence for sentence in sentences if sentence]
