"""The pydantic models of the triage policy files under ``policies/triage/`` (``rules.yaml``,
``en.yaml`` / ``es.yaml``, ``other-languages.yaml``, ``exemplars.yaml``,
``refusal-examples.yaml``): :mod:`.lexicon` validates each file with them (a mistake names
the file and the key) and compiles what they hold."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Level = Literal["crisis", "emergency", "poison", "care_team_now"]
#: The refusal kinds of policies/safety.yaml (a language without a full lexicon lists
#: phrases per kind in other-languages.yaml)
RefusalKind = Literal[
    "rules_not_changeable", "diagnose_me", "interpret_my_report", "set_my_dose", "choose_my_treatment", "my_prognosis"
]
LEVELS: tuple[str, ...] = ("crisis", "emergency", "poison", "care_team_now")
CUE_LISTS = (
    "inpatient",
    "personal",
    "asking_frames",
    "question_openers",
    "general",
    "hypothetical",
    "past",
    "resolved",
    "present",
    "ongoing",
    "contrast",
    "negation",
    "care_in_hand",
    "veiled",
    "framed",
    "denied",
    "masked",
    "permission",
    "treatment",
    "symptoms",
    "temperature_words",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- rules.yaml ---------------------------------------------------------------------------
class Threshold(_Strict):
    """A threshold of ``rules.yaml`` with its reference."""

    value: float
    reference: str = Field(min_length=1)


class MeaningRule(_Strict):
    """``meaning``: when a message is close enough to the crisis exemplars (by meaning) to count."""

    languages: tuple[str, ...]
    threshold: float = Field(ge=-1, le=1)
    margin: float = Field(ge=-1, le=1)
    strong: float = Field(ge=-1, le=1)
    #: a score at least ``high`` passes with a margin of at least ``high_margin`` (a message
    #: very close to a crisis exemplar and about as close to a not-crisis one: recall first)
    high: float = Field(default=1.0, ge=-1, le=1)
    high_margin: float = Field(default=0.0, ge=-1, le=1)
    #: a pass with a cosine below ``veto_below`` is cancelled when the multilingual check
    #: puts the whole message nearer a not-crisis example than any crisis example by more
    #: than ``veto`` (none: never cancelled)
    veto: float | None = Field(default=None, ge=0, le=1)
    veto_below: float = Field(default=1.0, ge=-1, le=1.01)
    max_units: int = Field(ge=1, le=64)
    reference: str = Field(min_length=1)


class AnyLanguageMeaningRule(_Strict):
    """``meaning_any_language``: self-harm by meaning for the languages ``meaning`` does not
    read, with the multilingual encoder (:mod:`cancerinfo.triage.multilingual`)."""

    threshold: float = Field(ge=-1, le=1)
    margin: float = Field(ge=-1, le=1)
    #: a passing score at least this high overrides a refusal and leads over another level
    strong: float = Field(ge=-1, le=1.01)
    #: an English message the English check did not pass is asked too when its score there is
    #: at least this (none: never)
    english_gate: float | None = Field(default=None, ge=-1, le=1)
    #: the other urgent levels (crisis-examples.yaml ``urgent``), for a message in another
    #: language than English that nothing else routed: nearest urgent example at least
    #: ``level_threshold`` close and closer than any not-urgent one by ``level_margin``
    level_threshold: float | None = Field(default=None, ge=-1, le=1)
    level_margin: float = Field(default=0.0, ge=-1, le=1)
    #: a message of several sentences whose whole did not pass: its sentences (of at least
    #: ``sentence_min_words`` words, the first ``max_sentences``) judged one by one, each at
    #: least ``sentence_threshold`` close and closer than any not-crisis example by
    #: ``sentence_margin`` (none: the whole message only)
    sentence_threshold: float | None = Field(default=None, ge=-1, le=1)
    sentence_margin: float = Field(default=0.0, ge=-1, le=1)
    sentence_min_words: int = Field(default=4, ge=1, le=50)
    max_sentences: int = Field(default=5, ge=1, le=64)
    #: refusals by meaning for a message not in English that nothing routed (crisis-examples.yaml
    #: ``refuse``): at least ``refusal_votes`` of its ``refusal_k`` nearest examples are
    #: refusals and the nearest refusal is at least ``refusal_threshold`` close (none: off)
    refusal_k: int | None = Field(default=None, ge=1, le=50)
    refusal_votes: int = Field(default=3, ge=1, le=50)
    refusal_threshold: float = Field(default=0.88, ge=-1, le=1)
    #: a second reading of the same examples: one direction through the encoder's space fitted
    #: to them (ridge regression of crisis +1 against not-crisis and other urgent -1, penalty
    #: ``linear_penalty``, crisis rows weighted ``linear_crisis_weight``); a whole message whose
    #: score along it is at least ``linear_threshold`` is a crisis signal too (none: off)
    linear_threshold: float | None = Field(default=None, ge=-10, le=10)
    linear_penalty: float = Field(default=0.1, gt=0, le=100)
    linear_crisis_weight: float = Field(default=2.0, gt=0, le=100)
    #: an English message (asked through ``english_gate``) whose nearest example or sentence
    #: passed is not a crisis signal when its whole score along the direction is below this
    #: (none: never)
    english_direction_floor: float | None = Field(default=None, ge=-10, le=10)
    reference: str = Field(min_length=1)


class ExampleRule(_Strict):
    """Refusals by meaning: the vote of the nearest example messages (refusal-examples.yaml)."""

    languages: tuple[str, ...]
    k: int = Field(ge=1, le=50)
    votes: int = Field(ge=1, le=50)
    threshold: float = Field(ge=-1, le=1)
    kb_margin: float = Field(ge=-1, le=1)
    reference: str = Field(min_length=1)


class LanguageRule(_Strict):
    """``languages``: which languages have a full lexicon, how a language is recognised, and when a
    message counts as English."""

    full: tuple[str, ...]
    always: tuple[str, ...] = ()
    markers: dict[str, tuple[str, ...]]
    min_confidence: float = Field(ge=0, le=1)
    english_share: float = Field(ge=0, le=1)
    off_topic_min_confidence: float = Field(ge=0, le=1)
    english_words: tuple[str, ...]


class Rules(_Strict):
    """``rules.yaml``: the urgency levels in order of precedence and every threshold with its
    reference."""

    version: Literal[1]
    references: dict[str, str]
    levels: tuple[Level, ...]
    fever_celsius: Threshold
    low_temperature_celsius: Threshold
    pain_score: Threshold
    oxygen_saturation: Threshold
    systolic_pressure: Threshold
    pulse: Threshold
    meaning: MeaningRule
    meaning_any_language: AnyLanguageMeaningRule | None = None
    refusal_examples: ExampleRule | None = None
    languages: LanguageRule

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if sorted(value) != sorted(LEVELS):
            raise ValueError(f"must list each of {', '.join(LEVELS)} once")
        return value


# -- en.yaml / es.yaml ----------------------------------------------------------------------
class Concept(_Strict):
    """A danger a lexicon recognises: its level, its terms and exceptions, and whether it counts
    only when reported or only under anticancer treatment."""

    level: Level
    about: str = Field(min_length=1)
    terms: tuple[str, ...] = Field(min_length=1)
    needs_report: bool = True
    needs_treatment: bool = False
    except_: tuple[str, ...] = Field(default=(), alias="except")


class LexiconFile(_Strict):
    """A full lexicon (``en.yaml``, ``es.yaml``): reading settings, cue lists and concepts."""

    language: str = Field(min_length=2, max_length=3)
    stemmer: str | None = None
    spaced: bool = True
    rewrites: dict[str, str] = {}
    fillers: tuple[str, ...] = ()
    min_mend_length: int = Field(default=4, ge=3, le=20)
    cues: dict[str, tuple[str, ...]]
    concepts: dict[str, Concept]

    @field_validator("cues")
    @classmethod
    def _cue_lists(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        missing = [name for name in CUE_LISTS if name not in value]
        if missing:
            raise ValueError(f"misses the cue list {missing[0]!r}")
        unknown = [name for name in value if name not in CUE_LISTS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a cue list ({', '.join(CUE_LISTS)})")
        return value


# -- other-languages.yaml -------------------------------------------------------------------
class OtherLanguage(_Strict):
    """A short lexicon of ``other-languages.yaml``: concepts by level, refusal phrases and a safety
    notice."""

    name: str = Field(min_length=1)
    keep_accents: bool = False
    notice: str = Field(min_length=1)
    negation: tuple[str, ...] = ()
    concepts: dict[Level, tuple[str, ...]]
    #: requests for the personal part of care, per refusal kind (refused with the English
    #: reply and this language's notice)
    refusals: dict[RefusalKind, tuple[str, ...]] = {}


class OtherLanguagesFile(_Strict):
    """``other-languages.yaml``: the short lexicons by language code."""

    version: Literal[1]
    languages: dict[str, OtherLanguage]


# -- exemplars.yaml -----------------------------------------------------------------------
class ExemplarsFile(_Strict):
    """``exemplars.yaml``: crisis and not-crisis messages by language."""

    version: Literal[1]
    reference: str = Field(min_length=1)
    crisis: dict[str, tuple[str, ...]]
    not_crisis: dict[str, tuple[str, ...]]
    #: everyday questions, not-crisis messages for the check of their own language only (the
    #: multilingual check's not-crisis examples also stand for "not urgent" beside its level
    #: examples, and stay those it was calibrated with)
    everyday: dict[str, tuple[str, ...]] = {}


# -- crisis-examples.yaml ----------------------------------------------------------------
class CrisisExamplesFile(_Strict):
    """``crisis-examples.yaml``: messages of the dev triage sets, crisis and not crisis (any
    language), for the multilingual check."""

    version: Literal[1]
    reference: str = Field(min_length=1)
    crisis: tuple[str, ...]
    not_crisis: tuple[str, ...]
    #: messages of the other urgent levels (emergency, care_team_now, poison)
    urgent: dict[Literal["emergency", "care_team_now", "poison"], tuple[str, ...]] = Field(default_factory=dict)
    #: the refusals among the not-crisis messages, by reason (DIAGNOSE_ME, ...)
    refuse: dict[str, tuple[str, ...]] = Field(default_factory=dict)


# -- refusal-examples.yaml ---------------------------------------------------------------
class RefusalExamplesFile(_Strict):
    """``refusal-examples.yaml``: messages to refuse by kind, and messages not to refuse."""

    version: Literal[1]
    reference: str = Field(min_length=1)
    refuse: dict[str, tuple[str, ...]]
    not_refuse: tuple[str, ...]
