"""The triage: what happens to a message before any search of the knowledge base.

:meth:`Triage.assess` decides, in this order (first match wins):

1. **urgent** at a level (``policies/triage/rules.yaml`` ``levels``: crisis, emergency,
   poison, care_team_now). What counts:

   - a *concept* of a lexicon (``policies/triage/<language>.yaml``): its terms match the
     message's words (word forms, spellings and small typos included, :mod:`.terms`),
     not cancelled by an exception or a negation just before it ("no fever");
   - a *number*: a temperature at or above the fever threshold is the ``fever`` concept,
     at or below the low threshold with treatment named is ``care_team_now``; a pain score
     at or above the threshold is ``severe_pain`` (:mod:`.numbers`);
   - for crisis also the *meaning*: the message or one of its sentences close to a crisis
     exemplar (:mod:`.meaning`). A crisis signal anywhere wins over everything else.

   A concept that ``needs_report`` counts only when the message **reports** it: the
   sentence is not hypothetical ("what if ...", "watch out for"), not about a past and
   resolved event ("last year ..., it's gone"), and either the message is about someone
   (I, my dad, patient here, ...; "I was wondering" does not count) and the sentence does
   not ask in general, or the sentence is a statement rather than a question ("fever 101
   day 10 after chemo"). A concept that ``needs_treatment`` counts only when anticancer
   treatment is named (a lexicon's treatment words, or any drug, brand or regimen the KB
   knows). A concept found but not reported makes the answer show that level's guidance
   (``informational``).
2. **refused**: an attempt to change the rules, then the personal part of care (diagnose
   me, read my report, set my dose, choose my treatment, my prognosis);
3. **abstained** (a crisis by meaning read first): about an animal (``OUT_OF_SCOPE``); in another
   language (``LANGUAGE_NOT_SUPPORTED``, its notice and the emergency number); no health word (``OFF_TOPIC``);
4. otherwise the message is answered from the knowledge base.

Every step leaves :class:`Evidence` (which concept, number, cue or exemplar led to the decision)
for ``cancerinfo triage --explain``; nothing of the message is logged. Emoji are read as their
names and as written (:meth:`Triage.assess`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence

from cancerinfo.triage.context import _Context, _excepted
from cancerinfo.triage.cues import simplify
from cancerinfo.triage.language import Identified, LanguageIdentifier, guessed
from cancerinfo.triage.lexicon import Reading, TriageFiles, same_sentences
from cancerinfo.triage.meaning import CrisisDirection, ExampleVoter, ExemplarMatcher
from cancerinfo.triage.multilingual import LevelExamples
from cancerinfo.triage.replies import _Replies
from cancerinfo.triage.result import (
    ABOUT_NO_ONE,
    REFUSED,
    URGENCY_REASONS,
    Evidence,
    TriageResult,
    _Found,
    about_no_one,
)
from cancerinfo.triage.safety import SafetyPolicy
from cancerinfo.triage.signals import _Signals
from cancerinfo.triage.text import emoji_words, fold

__all__ = ["URGENCY_REASONS", "Evidence", "Triage", "TriageResult"]


class Triage(_Signals, _Replies):
    """Applies the safety policy and the triage files to messages."""

    def __init__(
        self,
        safety: SafetyPolicy,
        files: TriageFiles,
        *,
        exemplars: Mapping[str, ExemplarMatcher] | None = None,
        examples: ExampleVoter | None = None,
        multilingual: ExemplarMatcher | None = None,
        levels: LevelExamples | None = None,
        any_language_refusals: ExampleVoter | None = None,
        direction: CrisisDirection | None = None,
    ) -> None:
        self.safety = safety
        #: The crisis direction through the multilingual examples (rules.yaml ``linear_*``); none: off.
        self.direction = direction
        #: Refusals by meaning for messages not in English (multilingual vectors); none: off.
        self.any_language_refusals = any_language_refusals
        #: Self-harm by meaning in the languages the exemplar matchers do not read; none: off.
        self.multilingual = multilingual
        #: The other urgent levels by meaning, for messages not in English; none: off.
        self.levels = levels
        #: Refusals by meaning (refusal-examples.yaml); none: cues only.
        self.examples = examples
        self.files = files
        self.rules = files.rules
        #: Exemplar matchers by language (self-harm by meaning); none: lexicons only.
        self.exemplars = dict(exemplars or {})
        others = [code for code, lexicon in files.lexicons.items() if not lexicon.has_cues]
        self.languages = LanguageIdentifier(
            [*self.rules.languages.full, *others], min_confidence=self.rules.languages.min_confidence
        )
        self._english_words = frozenset(self.rules.languages.english_words)

    @property
    def policy(self) -> SafetyPolicy:
        """The safety policy (``safety``)."""
        return self.safety

    def warm(self) -> None:
        """Load the language model (and the multilingual encoder) now (a server calls this once at start)."""
        self.languages.warm()
        if self.multilingual is not None:
            self.multilingual.embedder.warm()  # type: ignore[attr-defined]

    def emergency_guidance(self, level: str = "emergency") -> str:
        """The guidance shown inside an informational answer about a danger of ``level``."""
        return self.safety.fill(f"informational_{level}")

    # -- the decision -----------------------------------------------------------------------
    def assess(
        self,
        message: str,
        *,
        known_terms: Callable[[str], bool] | None = None,
        treatment_terms: Callable[[str], bool] | None = None,
    ) -> TriageResult:
        """Triage ``message``. ``known_terms(text)``: does the KB know a term of it (a drug, a
        disease)? A health signal, asked only when the safety policy's health words find
        nothing. ``treatment_terms(text)``: does it name a drug, brand or regimen the KB knows?
        Counts as anticancer treatment named. Emoji: see the module doc; an urgent reading wins."""
        started = time.perf_counter()
        identified = self._language(message)  # before emoji are named: the names are English
        named = emoji_words(message)
        result = self._assess(named, identified, known_terms, treatment_terms)
        if named != message and result.status != "urgent":  # recall first
            plain = self._assess(message, identified, known_terms, treatment_terms)
            result = plain if plain.status == "urgent" else result
        return dataclasses.replace(result, seconds=time.perf_counter() - started)

    def _assess(
        self, message: str, identified: Identified, known_terms: Callable[[str], bool] | None,
        treatment_terms: Callable[[str], bool] | None,
    ) -> TriageResult:
        """:meth:`assess` of one reading, untimed: urgent, refused, abstained or answered, first match wins."""
        language = identified.language
        readings = self._readings(message, identified)
        found = self._find_concepts(message, language, readings, treatment_terms, guess=guessed(identified))
        evidence: list[Evidence] = [Evidence("language", language, note=f"{identified.how} {identified.confidence:.2f}")]
        evidence += found.evidence

        reported = self._reported(message, language, found, evidence)
        if reported is not None:
            return reported

        sentences = simplify(message)
        informational = next((level for level in self.rules.levels if found.asked.get(level)), None)
        declined = self._declined(message, language, sentences, found, evidence, informational)
        if declined is not None:
            return declined

        if language != "en":
            return self._not_english(message, language, readings, found, evidence, informational, sentences)
        unsure = identified.how.startswith("default") or identified.confidence < self.rules.languages.min_confidence
        return self._in_english(message, language, sentences, known_terms, found, evidence, informational, unsure=unsure)

    def _readings(self, message: str, identified: Identified) -> list[Reading]:
        """The message read by each lexicon it may be written in (full languages, then its own or guessed one)."""
        language = identified.language
        lexicons = [self.files.lexicons[code] for code in self.rules.languages.full if self._may_be(code, language, message)]
        if language in self.files.lexicons and language not in self.rules.languages.full:
            lexicons.append(self.files.lexicons[language])
        guess = guessed(identified)
        if guess and guess in self.files.lexicons and guess not in self.rules.languages.full:
            lexicons.append(self.files.lexicons[guess])  # a short message the identifier was unsure of
        return [lexicon.read(message) for lexicon in lexicons]

    def _find_concepts(
        self,
        message: str,
        language: str,
        readings: Sequence[Reading],
        treatment_terms: Callable[[str], bool] | None,
        *,
        guess: str | None = None,
    ) -> _Found:
        """The concepts and numbers of every reading, with whether each is reported or only
        asked about. ``guess``: the language the identifier was unsure of (a short message
        taken for English by default): its reading is not discounted as another language's."""
        treatment = any(r.group("cue:treatment") for r in readings) or bool(
            treatment_terms is not None and treatment_terms(message)
        )
        found = _Found()
        anyone = any(self._someone(r, r.lexicon.language == language) for r in readings if r.lexicon.has_cues)
        # an exception in the message's own language ("prevención del suicidio") also holds
        # for another lexicon reading the same words ("suicid*" in English)
        own_exceptions = [
            fold(m.text) for r in readings if r.lexicon.language == language for ms in _excepted(r).values() for m in ms
        ]
        own_reading = next((r for r in readings if r.lexicon.language == language and r.lexicon.has_cues), None)
        # the own language's context, built once for every other lexicon's reading
        own_context = _Context(own_reading) if own_reading is not None and own_reading.words else None
        for reading in readings:
            own = reading.lexicon.language == language
            foreign = not own and not (reading.lexicon.language == "en" and anyone) and reading.lexicon.language != guess
            self._concepts(
                reading,
                treatment,
                found,
                foreign=foreign,
                excepted_elsewhere=() if own else own_exceptions,
                own_context=own_context if not own and same_sentences(own_reading, reading) else None,
            )
        self._numbers(message, readings, treatment, found, language)
        return found

    def _reported(self, message: str, language: str, found: _Found, evidence: list[Evidence]) -> TriageResult | None:
        """The urgent result of the first level with a reported concept (a crisis meaning first), if any."""
        animal = None
        for level in self.rules.levels:
            if found.reports.get(level):
                if level in ("emergency", "care_team_now"):
                    if animal is None:
                        animal = self._only_about_an_animal(message)
                    if animal:
                        continue  # for a vet: out of scope below
                if level != "crisis":
                    # a crisis signal anywhere is shown too: both replies. A strong one leads
                    # ("how many of my tablets would it take to not wake up" reads as an
                    # emergency too); a weak one follows the level the lexicon found ("38.2,
                    # do we really have to go in tonight" is a fever first)
                    meaning = self._meaning(message, language, any_language=False) or self._crisis_beside_level(message, language)
                    if meaning is not None:
                        evidence.append(meaning[0])
                        if meaning[1]:
                            if meaning[2]:
                                return self._urgent("crisis", language, found, evidence, also=level)
                            return self._urgent(level, language, found, evidence, also="crisis")
                return self._urgent(level, language, found, evidence)
        return None

    def _only_about_an_animal(self, message: str) -> bool:
        """Is the message about an animal and about no person (``out_of_scope`` and not
        ``about_people`` of the safety policy)?"""
        sentences = simplify(message)
        return self.safety.out_of_scope.find(sentences) is not None and self.safety.about_people.find(sentences) is None

    def _declined(
        self, message: str, language: str, sentences: list[str], found: _Found, evidence: list[Evidence],
        informational: str | None,
    ) -> TriageResult | None:
        """Out of scope, a crisis by meaning, or a refusal of the personal part of care, if any
        (none for a message that says it asks about no one, ``about_no_one``)."""
        # an animal's case is out of scope, but a crisis by meaning is read first ("make sure
        # my cat goes to my sister"), beyond the English check's gate: no answer would follow
        animal = self.safety.out_of_scope.find(sentences)
        refusal, hit, spanish_cue = self._refusal(sentences, language) if animal is None else (None, None, False)
        meaning = self._meaning(message, language, beyond_gate=animal is not None, past=found.past("crisis"))
        no_one = self.safety.about_no_one.find(sentences)
        if meaning is not None:
            evidence.append(meaning[0])
            passed, strong = meaning[1], meaning[2]
            # a refusal leads a weak crisis signal (a dose or prognosis question can read like
            # a crisis example) unless the message says it asks about no one: then nothing is
            # refused and the crisis stands
            if passed and (strong or refusal is None or no_one is not None):
                found.add("crisis", meaning[0], reported=True)
                return self._urgent("crisis", language, found, evidence)
            if passed:  # never dropped: its guidance (crisis line, emergency number) opens the reply
                informational = "crisis"
        if animal is not None:
            evidence.append(Evidence("cue", "out_of_scope", words=animal, note="counted"))
            return self._abstained("OUT_OF_SCOPE", "out_of_scope", language, evidence, informational)
        if no_one is not None:  # "not asking about mine": a general question, never refused
            evidence.append(Evidence("cue", ABOUT_NO_ONE, words=no_one, note="no refusal"))
            return None
        if refusal is not None:
            evidence.append(Evidence("refusal", refusal.kind, words=hit or "", note="refusal"))
            return self._refused(refusal, language, found, evidence, informational, spanish_cue=spanish_cue)
        return None

    def _not_english(self, message: str, language: str, readings: Sequence[Reading], found: _Found,
                     evidence: list[Evidence], informational: str | None, sentences: Sequence[str]) -> TriageResult:
        """A message in another language: refused when it asks for the personal part of care,
        urgent when it reads like the urgent examples of another level, else abstained."""
        no_one = about_no_one(evidence)
        asked = None if no_one else self._other_language_refusal(language, readings)
        if asked is not None:
            kind, words = asked
            evidence.append(Evidence("refusal", kind, words=words, note="refusal"))
            return self._refused_in_other_language(kind, language, evidence, informational, found.personal)
        level = self._level_by_meaning(message, evidence)
        if level is not None:
            return self._urgent(level, language, found, evidence)
        form = None if no_one else self.safety.general_forms.find(sentences)
        if form is not None:  # "¿qué significa ...?": a general question's form, never refused by example
            evidence.append(Evidence("context", "general_forms", None, form, "a general question: not refused by example"))
        refusal = None if no_one or form is not None else self._refusal_by_meaning(message, evidence)
        if refusal is not None:
            if language in self.rules.languages.full:  # Spanish: the refusal in Spanish
                return self._refused(refusal, language, found, evidence, informational)
            return self._refused_in_other_language(refusal.kind, language, evidence, informational, found.personal)
        return self._other_language(language, evidence, informational)

    def _in_english(
        self, message: str, language: str, sentences: list[str], known_terms: Callable[[str], bool] | None,
        found: _Found, evidence: list[Evidence], informational: str | None, *, unsure: bool = False,
    ) -> TriageResult:
        """An English message with nothing urgent or refused: off topic, another language, or
        to answer. ``unsure``: the identifier was not sure it is English."""
        health = informational is not None or self.safety.health_cues.found(sentences)
        if not health and known_terms is not None:
            health = bool(known_terms(message))
        other = self._unlisted_language(message, answerable=health) if unsure or not health else None
        if other is not None:
            # a language the identifier does not list ("ik wil niet meer leven sinds de chemo"):
            # read by meaning as other languages are; never a silent OFF_TOPIC
            evidence.append(Evidence("language", other.language, note=f"{other.how} {other.confidence:.2f}"))
            urgent = self._other_language_by_meaning(message, other.language, found, evidence, levels=not health)
            if urgent is not None:
                return urgent
            if not health:
                return self._other_language(other.language, evidence, None)
        if not health:  # no answer follows: the crisis direction first, beyond the English check's gate
            meaning = self._meaning_any_language(message, english=True, direction_only=True)
            if meaning is not None and meaning[1]:
                evidence.append(meaning[0])
                found.add("crisis", meaning[0], reported=True)
                return self._urgent("crisis", language, found, evidence)
            return self._abstained("OFF_TOPIC", "off_topic", language, evidence, None)
        warning = self.safety.warning_sign_questions.find(sentences)
        if warning is not None and informational is None:
            informational = "emergency"
            evidence.append(Evidence("cue", "warning_sign_questions", "emergency", warning, "informational"))
        return TriageResult(
            status=None,
            urgency=None,
            reason=None,
            language=language,
            message="",
            informational=informational,
            personal=found.personal,
            evidence=tuple(evidence),
        )

    def _other_language_by_meaning(
        self, message: str, language: str, found: _Found, evidence: list[Evidence], *, levels: bool
    ) -> TriageResult | None:
        """A crisis by meaning in a message of another language first taken for English, or
        (``levels``) another danger by meaning, as a message identified as that language gets."""
        meaning = self._meaning_any_language(message)
        if meaning is not None:
            evidence.append(meaning[0])
            if meaning[1]:
                found.add("crisis", meaning[0], reported=True)
                return self._urgent("crisis", language, found, evidence)
        level = self._level_by_meaning(message, evidence) if levels else None
        return self._urgent(level, language, found, evidence) if level is not None else None

    def before_no_answer(self, message: str) -> TriageResult | None:
        """The crisis reply to an English message the KB has no answer for, when the crisis check
        by meaning passes beyond the English check's gate (only the direction counts there)."""
        # the English check and the gated multilingual one did not pass it: only the direction is left
        english = self._language(message).language == "en"
        meaning = self._meaning_any_language(message, english=True, direction_only=True) if english else None
        if meaning is None or not meaning[1]:
            return None
        return self._urgent("crisis", "en", _Found(), [Evidence("language", "en"), meaning[0]])

    def refusal_by_example(self, result: TriageResult, vector: object, kb_similarity: float) -> TriageResult:
        """``result`` (a message the lexicons and cues let through to the KB) refused when
        its nearest example messages are mostly refusals, the nearest refusal is close
        (``refusal_examples.threshold``) and closer than the KB's best section by
        ``kb_margin``: requests about one person's case read unlike the KB's pages.
        ``vector``: the message's unit vector from the encoder the examples were read by."""
        rule = self.rules.refusal_examples
        if self.examples is None or rule is None or result.status is not None or result.language not in rule.languages:
            return result
        if about_no_one(result.evidence):  # "not asking about mine": never refused
            return result
        vote = self.examples.vote(vector, k=rule.k)  # type: ignore[arg-type]
        passed = (
            vote.reason is not None and vote.votes >= rule.votes and vote.score >= rule.threshold
            and vote.score - kb_similarity >= rule.kb_margin
        )
        note = f"{vote.votes} of {rule.k} nearest are refusals; cosine {vote.score:.2f}, KB {kb_similarity:.2f}"
        refusal = next((r for r in self.safety.refusals if r.kind.upper() == vote.reason), None) if passed else None
        said = "refusal" if refusal is not None else note if passed else f"not counted: {note}"
        evidence = (*result.evidence, Evidence("example", vote.example, None, vote.reason or "", said))
        if refusal is None:
            return dataclasses.replace(result, evidence=evidence)
        return TriageResult(
            status=REFUSED,
            urgency=None,
            reason=refusal.kind.upper(),
            language=result.language,
            message=self.safety.fill(refusal.kind, language="en"),
            questions_for_doctor=refusal.questions_for_doctor,
            informational=result.informational,
            personal=result.personal,
            evidence=evidence,
            seconds=result.seconds,
        )
