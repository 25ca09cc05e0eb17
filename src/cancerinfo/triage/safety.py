"""``policies/safety.yaml``: contacts, refusals, phrase cues and reply templates, checked.

More refusal cues live in ``policies/triage/refusals.yaml`` (beside the safety file's
folder: ``triage/refusals.yaml``; optional): ``cue_words`` names word lists a cue uses as
``{@name}`` ("{@report}" = reports, results, scans, biopsy...), and ``cues`` / ``cues_es`` add
cues to each refusal kind.

The contact texts can be overridden for a deployment: ``SafetyPolicy.load(
emergency_number="112")``, or :meth:`SafetyPolicy.with_contacts` on a loaded policy.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cancerinfo.errors import PolicyError
from cancerinfo.policies import policy_path, read_policy, validated
from cancerinfo.triage.cues import CueList, compile_cues

__all__ = ["CONTACTS", "REFUSAL_KINDS", "TEMPLATE_NAMES", "URGENT_TEMPLATES", "Refusal", "SafetyPolicy"]

CONTACTS = (
    "emergency_number",
    "emergency_tel",
    "crisis_line",
    "crisis_line_es",
    "crisis_tel",
    "poison_control",
    "poison_tel",
    "care_team",
    "care_team_tel",
)
#: Contacts that may be empty (a deployment that has no number to dial for them).
OPTIONAL_CONTACTS = frozenset({"care_team_tel"})
#: In the order checked: an attempt to change the rules first, 'is it cancer' (the broadest) last.
REFUSAL_KINDS = (
    "rules_not_changeable",
    "my_prognosis",
    "interpret_my_report",
    "set_my_dose",
    "choose_my_treatment",
    "diagnose_me",
)
URGENT_TEMPLATES = ("emergency", "care_team_now", "crisis", "poison")
INFORMATIONAL_TEMPLATES = tuple(f"informational_{level}" for level in URGENT_TEMPLATES)
TEMPLATE_NAMES = (
    *URGENT_TEMPLATES,
    *INFORMATIONAL_TEMPLATES,
    "check_in",
    *REFUSAL_KINDS,
    "no_general_information",
    "off_topic",
    "out_of_scope",
    "multilingual_notice",
)
SPANISH_TEMPLATE_NAMES = (*URGENT_TEMPLATES, "english_only", *REFUSAL_KINDS)
MAX_TEMPLATE_CHARS = 500
MAX_QUESTION_CHARS = 200
QUESTIONS_PER_KIND = (3, 5)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _cue_list(value: Any) -> CueList:
    if isinstance(value, CueList):
        return value
    return compile_cues(value)


class RefusalFile(_Strict):
    """One refusal kind of ``safety.yaml``: its English and Spanish cues and its questions for the
    care team."""

    cues: CueList
    cues_es: CueList
    not_when: CueList = CueList(())  # cues that make a match a general question (not refused)
    questions_for_doctor: tuple[str, ...] = Field(min_length=QUESTIONS_PER_KIND[0], max_length=QUESTIONS_PER_KIND[1])

    _compile = field_validator("cues", "cues_es", "not_when", mode="before")(lambda cls, v: _cue_list(v))

    @field_validator("questions_for_doctor")
    @classmethod
    def _short(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            if len(text) > MAX_QUESTION_CHARS:
                raise ValueError(f"a question must be at most {MAX_QUESTION_CHARS} characters")
        return tuple(" ".join(t.split()) for t in value)


_CUE_WORD = re.compile(r"\{@([a-z_]+)\}")


class RefusalCuesFile(_Strict):
    """``triage/refusals.yaml``: word lists and more cues for the refusal kinds (raw, expanded
    by :func:`_extra_refusal_cues`)."""

    version: int = Field(ge=1, le=1)
    cue_words: dict[str, str]
    cues: dict[str, list[Any]]
    cues_es: dict[str, list[Any]]

    @field_validator("cue_words")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            if not re.fullmatch(r"[a-z_]+", name):
                raise ValueError(f"{name!r}: a cue word name is lower-case letters and _")
            if not str(pattern).strip() or "@" in str(pattern):
                raise ValueError(f"{name}: must be a non-empty pattern without {{@name}} lists")
        return value

    @field_validator("cues", "cues_es")
    @classmethod
    def _kinds(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        unknown = sorted(set(value) - set(REFUSAL_KINDS))
        if unknown:
            raise ValueError(f"{unknown[0]} is not a refusal kind ({', '.join(REFUSAL_KINDS)})")
        return value


def _expand(value: Any, words: Mapping[str, str], where: str) -> Any:
    """A cue with its ``{@name}`` word lists written out."""
    if isinstance(value, dict) and set(value) == {"all"} and isinstance(value["all"], list):
        return {"all": [_expand(part, words, where) for part in value["all"]]}
    if not isinstance(value, str):
        return value

    def word(match: re.Match[str]) -> str:
        if match.group(1) not in words:
            raise PolicyError(f"{where}: unknown cue word {{@{match.group(1)}}}")
        return f"(?:{words[match.group(1)]})"

    return _CUE_WORD.sub(word, value)


def _extra_refusal_cues(path: Path) -> dict[str, tuple[CueList, CueList]]:
    """The cues ``path`` adds to each refusal kind (English, Spanish); none when absent."""
    if not path.is_file():
        return {}
    data = validated(RefusalCuesFile, read_policy(path, what="refusal cues"), path)
    extra: dict[str, tuple[CueList, CueList]] = {}
    for kind in REFUSAL_KINDS:
        lists = []
        for key, cues in (("cues", data.cues.get(kind)), ("cues_es", data.cues_es.get(kind))):
            if not cues:
                lists.append(CueList(()))
                continue
            expanded = [_expand(cue, data.cue_words, f"{path}: {key}.{kind} item {i}") for i, cue in enumerate(cues, 1)]
            try:
                lists.append(compile_cues(expanded))
            except ValueError as exc:
                raise PolicyError(f"{path}: key {key}.{kind}: {exc}") from None
        extra[kind] = (lists[0], lists[1])
    return extra


class SafetyFile(_Strict):
    """``safety.yaml`` as written: contacts, cue lists, refusal kinds, titles, templates (English
    and Spanish)."""

    version: int
    contacts: dict[str, str]
    warning_sign_questions: CueList
    out_of_scope: CueList
    about_people: CueList
    about_no_one: CueList = CueList(())
    general_forms: CueList = CueList(())
    refusals: dict[str, RefusalFile]
    health_cues: CueList
    titles: dict[str, str]
    titles_es: dict[str, str]
    templates: dict[str, str]
    templates_es: dict[str, str]
    questions_for_doctor_es: dict[str, tuple[str, ...]]

    _compile = field_validator(
        "warning_sign_questions", "out_of_scope", "about_people", "about_no_one", "general_forms", "health_cues", mode="before"
    )(lambda cls, v: _cue_list(v))

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 2:
            raise ValueError("must be 2")
        return value

    @field_validator("contacts")
    @classmethod
    def _contacts(cls, value: dict[str, str]) -> dict[str, str]:
        for name in CONTACTS:
            if name not in value:
                raise ValueError(f"misses {name}")
            if name not in OPTIONAL_CONTACTS and not str(value[name]).strip():
                raise ValueError(f"{name} must be non-empty text")
        unknown = sorted(set(value) - set(CONTACTS))
        if unknown:
            raise ValueError(f"{unknown[0]} is not a contact ({', '.join(CONTACTS)})")
        return {k: " ".join(str(v).split()) for k, v in value.items()}

    @field_validator("refusals")
    @classmethod
    def _kinds(cls, value: dict[str, RefusalFile]) -> dict[str, RefusalFile]:
        if sorted(value) != sorted(REFUSAL_KINDS):
            raise ValueError(f"must have exactly the kinds {', '.join(REFUSAL_KINDS)}")
        return value

    @field_validator("titles", "titles_es")
    @classmethod
    def _titles(cls, value: dict[str, str]) -> dict[str, str]:
        if sorted(value) != sorted(URGENT_TEMPLATES):
            raise ValueError(f"must have exactly the levels {', '.join(URGENT_TEMPLATES)}")
        if any(not str(text).strip() for text in value.values()):
            raise ValueError("a title must be non-empty text")
        return value

    @field_validator("templates")
    @classmethod
    def _templates(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_templates(value, TEMPLATE_NAMES, english=True)

    @field_validator("templates_es")
    @classmethod
    def _templates_es(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_templates(value, SPANISH_TEMPLATE_NAMES, english=False)

    @field_validator("questions_for_doctor_es")
    @classmethod
    def _questions_es(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if sorted(value) != sorted(REFUSAL_KINDS):
            raise ValueError(f"must have exactly the kinds {', '.join(REFUSAL_KINDS)}")
        low, high = QUESTIONS_PER_KIND
        for kind, questions in value.items():
            if not low <= len(questions) <= high:
                raise ValueError(f"{kind} must list {low} to {high} questions")
        return value


def _check_templates(value: dict[str, str], names: tuple[str, ...], *, english: bool) -> dict[str, str]:
    missing = [name for name in names if name not in value]
    if missing:
        raise ValueError(f"misses the template {missing[0]!r}")
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a template ({', '.join(names)})")
    out = {}
    for name, raw in value.items():
        text = " ".join(str(raw).split())
        if not text:
            raise ValueError(f"{name} must be non-empty text")
        if len(text) >= MAX_TEMPLATE_CHARS:
            raise ValueError(f"{name} must be shorter than {MAX_TEMPLATE_CHARS} characters (it has {len(text)})")
        try:
            fields = [f for _, f, spec, conv in string.Formatter().parse(text) if f is not None or spec or conv]
        except ValueError as exc:
            raise ValueError(f"{name} has a stray {{ or }}: {exc}") from None
        for placeholder in fields:
            if placeholder not in CONTACTS:
                raise ValueError(f"{name} uses {{{placeholder}}}; the placeholders are the contacts")
        urgent = name in URGENT_TEMPLATES or name == "informational_emergency"
        if urgent and not ({"emergency_number", "emergency_tel"} & set(fields)):
            raise ValueError(f"{name} must name the emergency number ({{emergency_number}} or {{emergency_tel}})")
        out[name] = text
    return out


@dataclass(frozen=True, slots=True)
class Refusal:
    """One kind of personal request the assistant declines, and what to ask a doctor."""

    kind: str
    cues: CueList
    cues_es: CueList
    questions_for_doctor: tuple[str, ...]
    questions_for_doctor_es: tuple[str, ...]
    not_when: CueList  # English cues that make a match of ``cues`` a general question


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyPolicy:
    """The checked contents of ``policies/safety.yaml``."""

    contacts: Mapping[str, str]
    warning_sign_questions: CueList
    out_of_scope: CueList
    #: words that say a message is (also) about a person, not only an animal
    about_people: CueList
    refusals: tuple[Refusal, ...]
    health_cues: CueList
    titles: Mapping[str, str]
    titles_es: Mapping[str, str]
    templates: Mapping[str, str]
    templates_es: Mapping[str, str]
    #: words that say a question asks about no one in particular ("not asking about mine"):
    #: no refusal, whatever else it says (never a reason to leave out an urgent reply)
    about_no_one: CueList
    #: forms of a general question in another language: never refused by example ("¿qué significa ...?")
    general_forms: CueList
    source: str = "safety.yaml"

    @classmethod
    def load(cls, path: Path | None = None, **contacts: str | None) -> SafetyPolicy:
        """Read and check the safety policy; contact texts given here replace the file's."""
        path = path or policy_path("safety.yaml")
        data = validated(SafetyFile, read_policy(path, what="safety policy"), path)
        extra = _extra_refusal_cues(path.parent / "triage" / "refusals.yaml")
        empty = (CueList(()), CueList(()))
        refusals = tuple(
            Refusal(
                kind,
                data.refusals[kind].cues + extra.get(kind, empty)[0],
                data.refusals[kind].cues_es + extra.get(kind, empty)[1],
                data.refusals[kind].questions_for_doctor,
                data.questions_for_doctor_es[kind],
                data.refusals[kind].not_when,
            )
            for kind in REFUSAL_KINDS
        )
        policy = cls(
            contacts=MappingProxyType(dict(data.contacts)),
            warning_sign_questions=data.warning_sign_questions,
            out_of_scope=data.out_of_scope,
            about_people=data.about_people,
            about_no_one=data.about_no_one,
            general_forms=data.general_forms,
            refusals=refusals,
            health_cues=data.health_cues,
            titles=MappingProxyType(dict(data.titles)),
            titles_es=MappingProxyType(dict(data.titles_es)),
            templates=MappingProxyType(dict(data.templates)),
            templates_es=MappingProxyType(dict(data.templates_es)),
            source=str(path),
        )
        return policy.with_contacts(**contacts)

    def with_contacts(self, **contacts: str | None) -> SafetyPolicy:
        """A copy with the given contact texts (``None`` keeps the current one)."""
        unknown = sorted(set(contacts) - set(CONTACTS))
        if unknown:
            raise PolicyError(f"{self.source}: {unknown[0]} is not a contact ({', '.join(CONTACTS)})")
        changes = {k: " ".join(v.split()) for k, v in contacts.items() if v is not None}
        for name, value in changes.items():
            if not value and name not in OPTIONAL_CONTACTS:
                raise PolicyError(f"{self.source}: contact {name} must be non-empty text")
        if not changes:
            return self
        return replace(self, contacts=MappingProxyType({**self.contacts, **changes}))

    def __getattr__(self, name: str) -> str:
        # policy.emergency_number, policy.crisis_line, ...
        if name in CONTACTS:
            return self.contacts[name]
        raise AttributeError(name)

    def fill(self, template: str, *, language: str = "en") -> str:
        """Template ``template`` (of ``language``: en or es) with the contact texts put in."""
        texts = self.templates_es if language == "es" else self.templates
        return texts[template].format_map(dict(self.contacts))

    def title(self, level: str, *, language: str = "en") -> str:
        """The heading of an urgent reply of ``level``."""
        return (self.titles_es if language == "es" else self.titles)[level]

    def actions(self, level: str) -> list[tuple[str, str, str]]:
        """(kind, label, href) of the numbers to call or text for an urgent ``level``."""
        contacts = self.contacts
        out: list[tuple[str, str, str]] = []

        def call(tel: str, label: str) -> None:
            digits = "".join(ch for ch in tel if ch.isdigit() or ch == "+")
            if digits:
                out.append(("call", label, f"tel:{digits}"))

        if level == "crisis":
            call(contacts["crisis_tel"], f"Call {contacts['crisis_tel']} (crisis line)")
            digits = "".join(ch for ch in contacts["crisis_tel"] if ch.isdigit())
            if digits:
                out.append(("text", f"Text {contacts['crisis_tel']}", f"sms:{digits}"))
        elif level == "poison":
            call(contacts["poison_tel"], f"Call {contacts['poison_tel']} (poison help)")
        elif level == "care_team_now" and contacts.get("care_team_tel"):
            call(contacts["care_team_tel"], f"Call {contacts['care_team_tel']} (care team)")
        call(contacts["emergency_tel"], f"Call {contacts['emergency_tel']} (emergency)")
        return out

    def refusal(self, kind: str) -> Refusal:
        """The refusal of ``kind``."""
        return next(refusal for refusal in self.refusals if refusal.kind == kind)
