"""Safety triage: what happens to a question before any retrieval (``policies/safety.yaml``).

:meth:`Triage.assess` sorts a question into one of these, first match wins:

1. ``urgent`` / ``self_harm``: thoughts of suicide or self-harm; the crisis line;
2. ``urgent`` / ``poisoning``: an overdose or poisoning described as happening;
3. ``urgent`` / ``emergency``: an emergency sign (breathing trouble, heavy bleeding,
   fainting, stroke signs, ...) described for the asker or someone with them, now;
4. ``abstained`` / ``out_of_scope`` (``OUT_OF_SCOPE``): a question about an animal;
5. ``refused`` / the kind: the personal part of care (diagnose me, read my report, set my
   dose, choose my treatment), with that kind's questions to ask a doctor;
6. ``abstained`` / ``off_topic`` (``OFF_TOPIC``): no health word and no term the knowledge
   base knows;
7. status ``None``: answer it. ``informational_emergency`` is set when the question is
   about warning signs or urgent care, or names an emergency sign in general terms, so
   the answer adds :meth:`Triage.emergency_guidance`.

Every word list and every reply text is in the policy: the messages are its templates
filled with the contact texts, nothing more. The question is simplified first (lower
case, one kind of apostrophe, "cant"/"cannot" -> "can't", sentences split) so a cue is
written once; the YAML file explains the cue syntax.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cancerinfo.errors import PolicyError
from cancerinfo.policies import any_of, policy_path, read_policy

URGENT = "urgent"
REFUSED = "refused"
ABSTAINED = "abstained"

CONTACTS = ("emergency_number", "crisis_line", "poison_control")
REFUSAL_KINDS = ("diagnose_me", "interpret_my_report", "set_my_dose", "choose_my_treatment")
# Templates that must send the reader to emergency care (they must say "emergency").
EMERGENCY_TEMPLATES = ("emergency", "self_harm", "poisoning", "informational_emergency")
TEMPLATE_NAMES = (*EMERGENCY_TEMPLATES, *REFUSAL_KINDS, "off_topic", "out_of_scope")
CONTEXT_LISTS = ("now", "present", "general", "ongoing")
MAX_TEMPLATE_CHARS = 400
MAX_QUESTION_CHARS = 200
QUESTIONS_PER_KIND = (3, 5)
TOP_LEVEL_KEYS = frozenset(
    {
        "version",
        "contacts",
        "context",
        "self_harm",
        "poisoning",
        "emergency",
        "warning_sign_questions",
        "out_of_scope",
        "refusals",
        "health_cues",
        "templates",
    }
)

# " ... " in a cue: up to four other words in between.
_FILLER = " ... "
_FILLER_PATTERN = r"(?: \S+){0,4} "


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What the triage decided about one question."""

    status: str | None  # "urgent" | "refused" | "abstained" | None (go on and answer)
    category: str | None  # emergency, self_harm, poisoning, diagnose_me, interpret_my_report,
    # set_my_dose, choose_my_treatment, off_topic, out_of_scope
    reason: str | None  # for abstained: "OFF_TOPIC" / "OUT_OF_SCOPE"
    matched: str | None  # the phrase that triggered it (for explain/debug)
    message: str  # the filled template text ('' when status is None)
    questions_for_doctor: tuple[str, ...] = ()
    # The question is ABOUT warning signs / urgent care: answer it from the KB, and add
    # emergency guidance.
    informational_emergency: bool = False


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

    #: Where any one-part cue matches (for :meth:`found`); None when there is none or a
    #: pattern refers to its own groups.
    any_single: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        firsts = [cue.parts[0] for cue in self.cues]
        singles = [cue.parts[0] for cue in self.cues if len(cue.parts) == 1]
        with contextlib.suppress(ValueError):  # not mergeable: each cue is tried, as without it
            object.__setattr__(self, "any_first", any_of([p.pattern for p in firsts], re.IGNORECASE))
            object.__setattr__(self, "any_single", any_of([p.pattern for p in singles], re.IGNORECASE))

    def find(self, sentences: Sequence[str]) -> str | None:
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


@dataclass(frozen=True, slots=True)
class Refusal:
    """One kind of personal request the assistant declines, and what to ask a doctor."""

    kind: str
    cues: CueList
    questions_for_doctor: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyPolicy:
    """The checked contents of ``policies/safety.yaml``.

    The contact texts can be overridden for a deployment: ``SafetyPolicy.load(
    emergency_number="112")``, or :meth:`with_contacts` on a loaded policy.
    """

    emergency_number: str
    crisis_line: str
    poison_control: str
    now: CueList
    present: CueList
    general: CueList
    ongoing: CueList
    self_harm: CueList
    poisoning: CueList
    emergency_signs: CueList
    emergency_signs_if_now: CueList
    warning_sign_questions: CueList
    out_of_scope: CueList
    refusals: tuple[Refusal, ...]
    health_cues: CueList
    templates: Mapping[str, str]
    source: str = "safety.yaml"

    def __post_init__(self) -> None:
        for name in CONTACTS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise PolicyError(f"{self.source}: key contacts.{name} must be non-empty text")
        missing = [name for name in TEMPLATE_NAMES if name not in self.templates]
        if missing:
            raise PolicyError(f"{self.source}: key templates.{missing[0]} must be non-empty text")
        object.__setattr__(self, "templates", MappingProxyType(dict(self.templates)))

    @classmethod
    def load(
        cls,
        path: Path | None = None,
        *,
        emergency_number: str | None = None,
        crisis_line: str | None = None,
        poison_control: str | None = None,
    ) -> SafetyPolicy:
        """Read and check the safety policy; contact texts given here replace the file's."""
        path = path or policy_path("safety.yaml")
        policy = _Reader(path).policy()
        return policy.with_contacts(
            emergency_number=emergency_number,
            crisis_line=crisis_line,
            poison_control=poison_control,
        )

    def with_contacts(
        self,
        *,
        emergency_number: str | None = None,
        crisis_line: str | None = None,
        poison_control: str | None = None,
    ) -> SafetyPolicy:
        """A copy with the given contact texts (``None`` keeps the current one)."""
        changes = {
            name: value
            for name, value in (
                ("emergency_number", emergency_number),
                ("crisis_line", crisis_line),
                ("poison_control", poison_control),
            )
            if value is not None
        }
        return replace(self, **changes) if changes else self

    def fill(self, template: str) -> str:
        """Template ``template`` with the contact texts put in."""
        return self.templates[template].format_map({name: getattr(self, name) for name in CONTACTS})

    def refusal(self, kind: str) -> Refusal:
        return next(refusal for refusal in self.refusals if refusal.kind == kind)


class Triage:
    """Applies a :class:`SafetyPolicy` to questions."""

    def __init__(self, policy: SafetyPolicy | None = None) -> None:
        self.policy = policy or SafetyPolicy.load()

    def emergency_guidance(self) -> str:
        """The emergency guidance shown inside informational answers about warning signs."""
        return self.policy.fill("informational_emergency")

    def assess(
        self, question: str, *, known_terms: Callable[[str], bool] | None = None
    ) -> TriageResult:
        """Triage ``question``.

        ``known_terms(question)`` answers "does the knowledge base know a word or phrase of
        this question?" (a drug, a brand, a disease); it is a health signal like the
        policy's health cues, and is only called when those find nothing.
        """
        policy = self.policy
        sentences = simplify(question)
        hit = policy.self_harm.find(sentences)
        if hit is not None:
            return self._urgent("self_harm", hit)
        now = policy.now.found(sentences)
        informational = False
        informational_hit: str | None = None

        hit = policy.poisoning.find(sentences)
        if hit is not None:
            if self._described_as_happening(sentences, now):
                return self._urgent("poisoning", hit)
            informational, informational_hit = True, hit

        hit = policy.emergency_signs.find(sentences)
        if hit is not None:
            ongoing = policy.ongoing.found(sentences)
            if now or (self._described_as_happening(sentences, now) and not ongoing):
                return self._urgent("emergency", hit)
            informational, informational_hit = True, informational_hit or hit
        if now:
            hit = policy.emergency_signs_if_now.find(sentences)
            if hit is not None:
                return self._urgent("emergency", hit)

        hit = policy.out_of_scope.find(sentences)
        if hit is not None:
            return self._abstained("out_of_scope", "OUT_OF_SCOPE", hit)

        for refusal in policy.refusals:
            hit = refusal.cues.find(sentences)
            if hit is not None:
                return TriageResult(
                    status=REFUSED,
                    category=refusal.kind,
                    reason=None,
                    matched=hit,
                    message=policy.fill(refusal.kind),
                    questions_for_doctor=refusal.questions_for_doctor,
                )

        health = informational or policy.health_cues.found(sentences)
        if not health and known_terms is not None:
            health = bool(known_terms(question))
        if not health:
            return self._abstained("off_topic", "OFF_TOPIC", None)

        warning = policy.warning_sign_questions.find(sentences)
        return TriageResult(
            status=None,
            category=None,
            reason=None,
            matched=informational_hit or warning,
            message="",
            informational_emergency=informational or warning is not None,
        )

    def _described_as_happening(self, sentences: Sequence[str], now: bool) -> bool:
        """Now, or someone present is affected and the question does not ask in general."""
        if now:
            return True
        if self.policy.general.found(sentences):
            return False
        return self.policy.present.found(sentences)

    def _urgent(self, category: str, matched: str) -> TriageResult:
        return TriageResult(
            status=URGENT,
            category=category,
            reason=None,
            matched=matched,
            message=self.policy.fill(category),
        )

    def _abstained(self, category: str, reason: str, matched: str | None) -> TriageResult:
        return TriageResult(
            status=ABSTAINED,
            category=category,
            reason=reason,
            matched=matched,
            message=self.policy.fill(category),
        )


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


# -- reading and checking the policy file -----------------------------------------------
class _Reader:
    """Builds a :class:`SafetyPolicy` from the file; every error names the file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = read_policy(path, what="safety policy")

    def fail(self, key: str, problem: str) -> PolicyError:
        return PolicyError(f"{self.path}: key {key} {problem}")

    def policy(self) -> SafetyPolicy:
        data = self.data
        unknown = sorted(str(key) for key in data if key not in TOP_LEVEL_KEYS)
        if unknown:
            raise self.fail(unknown[0], "is not a safety policy key")
        if data.get("version") != 1:
            raise self.fail("version", "must be 1")
        contacts = self.mapping("contacts", data.get("contacts"), CONTACTS)
        context = self.mapping("context", data.get("context"), CONTEXT_LISTS)
        emergency = self.mapping("emergency", data.get("emergency"), ("signs", "signs_if_now"))
        templates = self.mapping("templates", data.get("templates"), TEMPLATE_NAMES)
        return SafetyPolicy(
            emergency_number=self.text("contacts.emergency_number", contacts["emergency_number"]),
            crisis_line=self.text("contacts.crisis_line", contacts["crisis_line"]),
            poison_control=self.text("contacts.poison_control", contacts["poison_control"]),
            now=self.cues("context.now", context["now"]),
            present=self.cues("context.present", context["present"]),
            general=self.cues("context.general", context["general"]),
            ongoing=self.cues("context.ongoing", context["ongoing"]),
            self_harm=self.cues("self_harm", data.get("self_harm")),
            poisoning=self.cues("poisoning", data.get("poisoning")),
            emergency_signs=self.cues("emergency.signs", emergency["signs"]),
            emergency_signs_if_now=self.cues("emergency.signs_if_now", emergency["signs_if_now"]),
            warning_sign_questions=self.cues(
                "warning_sign_questions", data.get("warning_sign_questions")
            ),
            out_of_scope=self.cues("out_of_scope", data.get("out_of_scope")),
            refusals=self.refusals(data.get("refusals")),
            health_cues=self.cues("health_cues", data.get("health_cues")),
            templates={name: self.template(name, templates[name]) for name in TEMPLATE_NAMES},
            source=str(self.path),
        )

    def mapping(self, key: str, value: Any, names: Sequence[str]) -> dict[str, Any]:
        """A mapping with exactly the keys ``names``."""
        if not isinstance(value, dict):
            raise self.fail(key, f"must map {', '.join(names)}")
        for name in names:
            if name not in value:
                raise self.fail(f"{key}.{name}", "is missing")
        unknown = sorted(str(name) for name in value if name not in names)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"is not one of {', '.join(names)}")
        return value

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be non-empty text")
        return " ".join(value.split())

    def template(self, name: str, value: Any) -> str:
        key = f"templates.{name}"
        text = self.text(key, value)
        if len(text) >= MAX_TEMPLATE_CHARS:
            raise self.fail(
                key, f"must be shorter than {MAX_TEMPLATE_CHARS} characters (it has {len(text)})"
            )
        try:
            fields = [
                (name, spec, conversion)
                for _, name, spec, conversion in string.Formatter().parse(text)
            ]
        except ValueError as exc:
            raise self.fail(key, f"has a stray {{ or }}: {exc}") from None
        for placeholder, spec, conversion in fields:
            if placeholder is None:
                continue
            if placeholder not in CONTACTS or spec or conversion:
                allowed = ", ".join(f"{{{contact}}}" for contact in CONTACTS)
                raise self.fail(key, f"uses {{{placeholder}}}; the placeholders are {allowed}")
        if name in EMERGENCY_TEMPLATES and "emergency" not in text.lower():
            raise self.fail(key, "must mention 'emergency' (it sends the reader to emergency care)")
        return text

    def cues(self, key: str, value: Any) -> CueList:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a non-empty list of patterns")
        return CueList(
            tuple(self.cue(f"{key} item {index}", item) for index, item in enumerate(value, 1))
        )

    def cue(self, key: str, value: Any) -> Cue:
        if isinstance(value, dict) and set(value) == {"all"}:
            parts = value["all"]
            if not isinstance(parts, list) or len(parts) < 2:
                raise self.fail(key, "must list at least two patterns under 'all'")
            compiled = tuple(
                self.pattern(f"{key} part {index}", part) for index, part in enumerate(parts, 1)
            )
            return Cue(" + ".join(str(part) for part in parts), compiled)
        return Cue(str(value), (self.pattern(key, value),))

    def pattern(self, key: str, value: Any) -> re.Pattern[str]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a pattern (text) or {all: [patterns]}")
        source = value.strip().replace(_FILLER, _FILLER_PATTERN)
        try:
            compiled = re.compile(rf"(?<!\w)(?:{source})", re.IGNORECASE)
        except re.error as exc:
            raise self.fail(key, f"is not a valid pattern: {exc}") from None
        if compiled.search("") is not None or compiled.search(" ") is not None:
            raise self.fail(key, "matches empty text; it would match every question")
        return compiled

    def refusals(self, value: Any) -> tuple[Refusal, ...]:
        kinds = self.mapping("refusals", value, REFUSAL_KINDS)
        refusals = []
        for kind in REFUSAL_KINDS:
            entry = self.mapping(f"refusals.{kind}", kinds[kind], ("cues", "questions_for_doctor"))
            key = f"refusals.{kind}.questions_for_doctor"
            questions = entry["questions_for_doctor"]
            low, high = QUESTIONS_PER_KIND
            if not isinstance(questions, list) or not low <= len(questions) <= high:
                raise self.fail(key, f"must list {low} to {high} questions")
            texts = tuple(
                self.text(f"{key} item {index}", q) for index, q in enumerate(questions, 1)
            )
            for index, text in enumerate(texts, 1):
                if len(text) > MAX_QUESTION_CHARS:
                    raise self.fail(
                        f"{key} item {index}", f"must be at most {MAX_QUESTION_CHARS} characters"
                    )
            refusals.append(Refusal(kind, self.cues(f"refusals.{kind}.cues", entry["cues"]), texts))
        return tuple(refusals)
