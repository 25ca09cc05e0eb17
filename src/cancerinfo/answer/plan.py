"""``policies/answer.yaml``: which sections an answer has, the evidence gate's thresholds,
and the navigation texts. Validated on load; a bad file names the key."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cancerinfo.policies import any_of, cue_pattern, policy_path, read_policy, validated

GENERAL = "general"


class GatePolicy(BaseModel):
    """``gate``: the evidence gate's thresholds (similarity, specific words, outdated pages)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_similarity: float = Field(ge=-1, le=1)
    weak_similarity: float = Field(ge=-1, le=1)
    specific_word_max_share: float = Field(gt=0, le=1)
    drug_word_max_share: float = Field(gt=0, le=1)
    max_missing_specific_words: int = Field(ge=0)
    story_words_per_missing_word: int = Field(ge=1)
    outdated_after_days: int = Field(ge=0)


class SectionKind(BaseModel):
    """One kind of answer section: its title, and either the KB headings it quotes (``from: kb``) or
    its policy text (``from: policy``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    from_: Literal["kb", "policy"] = Field(alias="from")
    headings: tuple[str, ...] = ()
    #: headings that never fit, whatever cue they hold (word starts, as ``headings``)
    not_headings: tuple[str, ...] = ()
    quotes: int = Field(default=4, ge=1, le=20)
    first_section: bool = False
    text: str | None = None
    questions: dict[str, tuple[str, ...]] | None = None
    items: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _has_content(self) -> SectionKind:
        if self.from_ == "kb" and not self.headings:
            raise ValueError("a section 'from: kb' needs a non-empty 'headings' list")
        if self.from_ == "policy" and not (self.text or self.questions or self.items):
            raise ValueError("a section 'from: policy' needs 'text', 'questions' or 'items'")
        if self.questions is not None and GENERAL not in self.questions:
            raise ValueError("'questions' needs a 'general' list")
        return self


class LayoutPolicy(BaseModel):
    """``layout``: how long an answer is, how many supporting parts it shows and for which intents
    each navigation part is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_words: int = Field(ge=40)
    support_parts: int = Field(ge=0)
    support_lines: int = Field(ge=1)
    min_support_similarity: float = Field(default=-1.0, ge=-1.0, le=1.0)
    min_same_section_similarity: float | None = Field(default=None, ge=-1.0, le=1.0)
    navigation_for: dict[str, tuple[str, ...]]


class AdvicePolicy(BaseModel):
    """``advice``: questions that ask what to do, and the page sections that give advice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cues: tuple[str, ...] = Field(min_length=1)
    headings: tuple[str, ...] = Field(min_length=1)
    not_headings: tuple[str, ...] = ()
    pages: int = Field(ge=0)
    openers: tuple[str, ...] = ()
    prior: float = Field(ge=0, le=1)
    candidates: int = Field(ge=0)
    section_weight: float = Field(ge=0, le=1)
    opener_weight: float = Field(ge=0, le=1)


class AnswerType(BaseModel):
    """One kind of answer a question asks for (a time, an age, a chance, a cost): the words
    of a question that ask for it and the words of a sentence that give it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: tuple[str, ...] = Field(min_length=1)
    answer: tuple[str, ...] = Field(min_length=1)


class DefinitionPolicy(BaseModel):
    """``definition``: questions that ask what something is, and the sentences that say it
    ("Cancer cachexia is a wasting syndrome ...")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    before: tuple[str, ...] = Field(min_length=1)
    after: tuple[str, ...] = Field(min_length=1)
    term_words: int = Field(ge=1, le=10)
    clause_words: int = Field(ge=1, le=20)
    term_ends: frozenset[str] = frozenset()
    verbs: tuple[str, ...] = Field(min_length=1)
    subject_words: int = Field(ge=1, le=20)
    not_terms: frozenset[str] = frozenset()
    candidates: int = Field(ge=0)
    weight: float = Field(ge=0, le=1)


class Exclusion(BaseModel):
    """A line never quoted unless the question matches ``asked``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str
    asked: str


class AnswerPolicy(BaseModel):
    """The whole of ``policies/answer.yaml`` (module docstring), checked for consistency on load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    disclaimer: str = Field(min_length=20)
    abstain_messages: dict[str, str]
    leads: dict[str, str]
    gate: GatePolicy
    conversational_words: frozenset[str]
    topic_generic_words: frozenset[str]
    audience_qualifiers: frozenset[str]
    treatment_title_words: frozenset[str] = frozenset()
    treatment_kinds: dict[str, tuple[str, ...]] = {}
    treatment_opening_words: int = Field(default=4, ge=1)
    answer_intents: dict[str, tuple[str, ...]]
    advice: AdvicePolicy
    answer_types: dict[str, AnswerType] = {}
    answer_type_weight: float = Field(default=0.0, ge=0, le=1)
    definition: DefinitionPolicy | None = None
    plans: dict[str, tuple[str, ...]]
    sections: dict[str, SectionKind]
    doctor_questions_for_intent: dict[str, str]
    layout: LayoutPolicy
    skip_lines: tuple[str, ...]
    skip_sections: tuple[str, ...]
    min_quote_chars: int = Field(ge=1)
    max_quote_chars: int = Field(ge=40)
    max_list_items: int = Field(ge=1)
    specific_term_max_share: float = Field(gt=0, le=1)
    pages_per_section: int = Field(ge=1)
    max_pages: int = Field(ge=1)
    general_pages: int = Field(ge=0)
    other_site_pages: int = Field(ge=0)
    quote_exclusions: tuple[str, ...]
    quote_exclusions_unless_asked: tuple[Exclusion, ...]
    local_details: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> AnswerPolicy:
        if "default" not in self.abstain_messages:
            raise ValueError("'abstain_messages' needs a 'default' message")
        if GENERAL not in self.plans:
            raise ValueError(f"'plans' needs a '{GENERAL}' plan")
        for intent, kinds in self.plans.items():
            for kind in kinds:
                if kind not in self.sections:
                    raise ValueError(f"plans.{intent}: unknown section kind {kind!r}")
        questions = self.sections.get("questions_for_doctor")
        for intent, name in self.doctor_questions_for_intent.items():
            if questions is None or questions.questions is None or name not in questions.questions:
                raise ValueError(f"doctor_questions_for_intent.{intent}: no question list {name!r}")
        for pattern in [*self.skip_lines, *self.skip_sections, *self.quote_exclusions, *self.local_details]:
            _compile(pattern)
        for exclusion in self.quote_exclusions_unless_asked:
            _compile(exclusion.pattern)
            _compile(exclusion.asked)
        return self

    # -- compiled views ------------------------------------------------------------------
    def classify(self, question: str) -> str | None:
        """The answer intent named by ``answer_intents`` cues, or None. The asked part is read
        first: people give the background, then ask ("29F just diagnosed w hodgkin. will it
        make me infertile, can i freeze my eggs": fertility, not a new diagnosis), so the last
        sentence that asks (or the last sentence) is classified before the whole message."""
        lowered = _lowered(question)
        asked = asked_part(lowered)
        for text in (asked, lowered) if asked and asked != lowered else (lowered,):
            for intent, cues in self.answer_intents.items():
                if _cues_pattern(tuple(cues)).search(text):
                    return intent
        return None

    def treatments_named(self, text: str, *, opening: bool = False) -> frozenset[str]:
        """The kinds of treatment (``treatment_kinds``) that ``text`` names, or (``opening``)
        names within its first ``treatment_opening_words`` words."""
        lowered = _lowered(text)
        if opening:
            lowered = " ".join(re.findall(r"[\w'-]+", lowered)[: self.treatment_opening_words])
        return frozenset(kind for kind, cues in self.treatment_kinds.items() if _cues_pattern(tuple(cues)).search(lowered))

    def asks_what_to_do(self, question: str) -> bool:
        """Does the question ask what to do ("is there anything she can do", "ways to",
        "what are my options")? ``advice.cues``, whole words."""
        lowered = _lowered(question)
        return _whole_words_pattern(self.advice.cues).search(lowered) is not None

    def opens_with_advice(self, text: str) -> bool:
        """Does a sentence open with one of ``advice.openers`` ("Eat small meals.", "Try
        cold foods", "Don't eat ...")?"""
        return _opening_pattern(self.advice.openers).match(text.replace("’", "'")) is not None

    def asked_what_it_is(self, question: str) -> tuple[str, ...]:
        """The words of ``question`` that name what it asks to be told ("mohs" of "what is
        mohs exactly", "the word cachexia" of "the word cachexia, whats that", "neuropathy"
        of "what does neuropathy mean"): at most ``definition.term_words`` words after a
        ``definition.before`` cue (up to a ``term_ends`` word or a mark), or the last
        ``clause_words`` before an ``after`` cue (from the last mark); none when it asks no
        such thing."""
        definition = self.definition
        if definition is None:
            return ()
        lowered = _lowered(question)
        words: list[str] = []
        for found in _whole_words_pattern(definition.before).finditer(lowered):
            for word in re.split(r"\s+", re.split(r"[?.,;:!()]", lowered[found.end() :], maxsplit=1)[0].strip()):
                if not word or word in definition.term_ends or len(words) >= definition.term_words:
                    break
                words.append(word)
        for found in _whole_words_pattern(definition.after).finditer(lowered):
            before = re.split(r"[?.,;:!()]", lowered[: found.start()])[-1].split()
            if not before and found.start():  # "the word cachexia, whats that"
                before = re.split(r"[?.,;:!()]", lowered[: found.start()].rstrip(" ,.?;:!"))[-1].split()
            words.extend(before[-definition.clause_words :])
        return tuple(words)

    def defined_subject(self, text: str) -> str | None:
        """The subject of a sentence that says what something is: the words before the first
        of ``definition.verbs`` ("Cancer cachexia" of "Cancer cachexia is a wasting syndrome
        ..."), at most ``definition.subject_words`` of them; None when it says no such thing."""
        if self.definition is None:
            return None
        lowered = _lowered(text)
        found = _whole_words_pattern(self.definition.verbs).search(lowered)
        colon = lowered.find(": ")
        if colon > 0 and (found is None or colon < found.start()):  # "Mohs micrographic surgery: The tumor is ..."
            subject = lowered[:colon]
        elif found is not None and found.start() > 0:
            subject = lowered[: found.start()]
        else:
            return None
        subject = subject.strip()
        return subject if len(subject.split()) <= self.definition.subject_words else None

    def answer_types_asked(self, question: str) -> tuple[str, ...]:
        """The kinds of answer ``question`` asks for ("how long till it grows back": a time),
        by ``answer_types`` question words (whole words, as typed)."""
        lowered = _lowered(question)
        return tuple(
            name for name, kind in self.answer_types.items() if _whole_words_pattern(kind.question).search(lowered)
        )

    def gives_answer_type(self, name: str, text: str) -> bool:
        """Does ``text`` give an answer of kind ``name``: one of its ``answer`` words, whole,
        any case ("5%" reads as "5 percent")?"""
        lowered = text.lower().replace("’", "'").replace("%", " percent")
        return _whole_words_pattern(self.answer_types[name].answer).search(lowered) is not None

    def asks_local_details(self, question: str) -> str | None:
        """The words of ``question`` that ask what a general KB never holds (``local_details``:
        a doctor's reviews, which brand is better, one place's prices, hours or waiting list),
        or None."""
        pattern = _merged(self.local_details)
        found = pattern.search(_lowered(question)) if pattern is not None else None
        return found.group(0) if found else None

    def abstain_message(self, reason: str) -> str:
        """The message for abstain ``reason``, else the ``default`` one."""
        return self.abstain_messages.get(reason, self.abstain_messages["default"])

    def plan(self, intent: str) -> tuple[str, ...]:
        """The section kinds of an answer of ``intent``, in order (the ``general`` plan for an
        intent without one)."""
        return self.plans.get(intent, self.plans[GENERAL])

    def navigation_shown(self, intent: str) -> set[str]:
        """The navigation parts shown (not kept for "more") in an answer of ``intent``."""
        return {kind for kind, intents in self.layout.navigation_for.items() if intent in intents}

    def doctor_questions(self, intent: str) -> tuple[str, ...]:
        """The questions to ask the care team for ``intent`` (the ``general`` list unless the intent
        has its own)."""
        section = self.sections["questions_for_doctor"]
        assert section.questions is not None
        name = self.doctor_questions_for_intent.get(intent, GENERAL)
        return section.questions.get(name, section.questions[GENERAL])


_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\n")
_ASKS = re.compile(
    r"\?|^(?:how|what|whats|what's|when|why|which|who|where|will|would|can|could|should|shud|is|are|does|do|did|any|anything)\b"
)


def _sentences(lowered: str) -> tuple[list[str], list[str]]:
    """The sentences of a message, and those of them that ask (a "?" or a question word first)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(lowered) if s and s.strip()]
    return sentences, [s for s in sentences if _ASKS.search(s)]


def asked_part(lowered: str) -> str:
    """The last sentence of a message that asks (a "?" or a question word first), else its
    last sentence."""
    sentences, asking = _sentences(lowered)
    return (asking or sentences)[-1] if sentences else lowered


def asking_sentences(lowered: str) -> str:
    """Every sentence of a message that asks, else its last sentence: what was asked, without
    the story told around it ("my gyn said ..."). A long sentence run on with commas keeps
    only its clauses that ask, when some do ("my son got cisplatin, hes 9 now, ..., can it
    really show up years later")."""
    sentences, asking = _sentences(lowered)
    if not sentences:
        return lowered
    return " ".join(_asking_clauses(s) for s in (asking or sentences[-1:]))


#: A sentence of more words than this, run on with commas, is read clause by clause.
_RUN_ON_WORDS = 25
_CLAUSE_OPENING = re.compile(r"^(?:(?:and|but|so|or|ok|well)\s+)+")


def _asking_clauses(sentence: str) -> str:
    """The clauses of a long run-on sentence that ask, else the whole sentence."""
    if len(sentence.split()) <= _RUN_ON_WORDS or "," not in sentence:
        return sentence
    clauses = [_CLAUSE_OPENING.sub("", c.strip()) for c in sentence.split(",")]
    asking = [c for c in clauses if c and _ASKS.search(c)]
    return " ".join(asking) if asking else sentence


@lru_cache(maxsize=256)
def _cues_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Where any of an intent's cues starts a word (as typed: the question is lower-cased)."""
    return cue_pattern(cues, flags=0)


@lru_cache(maxsize=64)
def _whole_words_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Where any of ``cues`` stands as whole words (as typed: the question is lower-cased)."""
    return cue_pattern(cues, whole_words=True, flags=0)


@lru_cache(maxsize=16)
def _opening_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A text that opens (after any marks) with one of ``words``, as whole words, any case."""
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"\W*(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def _lowered(question: str) -> str:
    """A question as the cues read it: lower case, "'" for "’", single spaces."""
    return " ".join(question.lower().replace("’", "'").split())


@lru_cache(maxsize=4)
def _merged(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """``patterns`` as one (case-insensitive), read in one pass; None when there are none."""
    return any_of(patterns)


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None


def load_answer_policy(path: Path | None = None) -> AnswerPolicy:
    """The answer policy (the shipped one by default), validated."""
    path = path or policy_path("answer.yaml")
    return validated(AnswerPolicy, read_policy(path, what="answer policy"), path)
