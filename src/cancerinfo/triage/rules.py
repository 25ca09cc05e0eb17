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
3. **abstained**: about an animal (``OUT_OF_SCOPE``); written in another language than
   English (``LANGUAGE_NOT_SUPPORTED``, with that language's notice and the emergency
   number); no health word (``OFF_TOPIC``);
4. otherwise the message is answered from the knowledge base.

Every step leaves :class:`Evidence` (which concept, number, cue or exemplar led to the
decision) for ``cancerinfo triage --explain``; nothing of the message is logged.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cancerinfo.triage.cues import simplify
from cancerinfo.triage.language import Identified, LanguageIdentifier
from cancerinfo.triage.lexicon import Reading, TriageFiles
from cancerinfo.triage.meaning import ExampleVoter, ExemplarMatcher
from cancerinfo.triage.numbers import pain_scores, temperatures, vitals
from cancerinfo.triage.safety import Refusal, SafetyPolicy
from cancerinfo.triage.terms import Match
from cancerinfo.triage.text import fold, split_sentences

__all__ = ["URGENCY_REASONS", "Evidence", "Triage", "TriageResult"]

URGENT = "urgent"
REFUSED = "refused"
ABSTAINED = "abstained"
#: The response's reason code for each urgency level.
URGENCY_REASONS = {
    "emergency": "EMERGENCY",
    "care_team_now": "CARE_TEAM_NOW",
    "crisis": "SELF_HARM",
    "poison": "POISONING",
}
#: Words that may stand between a negation and the concept it cancels ("no sign of any fever").
_NEGATION_FILLER = frozenset({"a", "an", "any", "the", "had", "have", "got", "really", "much", "more", "real", "high", "sign", "signs", "of", "other"})
#: Sentences shorter than this are not compared on their own ("Does it hurt?" is near any
#: exemplar about hurting); the whole message always is.
_MEANING_MIN_WORDS = 6
#: A resolution ("it went away", "none since") covers the danger named up to this many sentences before it.
_RESOLVED_REACH = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing that led to the decision (shown by ``--explain``, never logged)."""

    kind: str  # concept, number, exemplar, refusal, language, context
    name: str  # the concept, cue list, template, ... it is about
    level: str | None = None
    words: str = ""  # the words of the message it matched
    note: str = ""  # why it counted or not

    def as_dict(self) -> dict[str, str | None]:
        """The evidence as JSON."""
        return {"kind": self.kind, "name": self.name, "level": self.level, "words": self.words, "note": self.note}


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What the triage decided about one message."""

    status: str | None  # "urgent" | "refused" | "abstained" | None (go on and answer)
    urgency: str | None  # emergency | care_team_now | crisis | poison (urgent only)
    reason: str | None  # the response's reason code (EMERGENCY, DIAGNOSE_ME, OFF_TOPIC, ...)
    language: str  # the message's language (ISO 639-1)
    message: str  # the template text shown first ('' when status is None)
    questions_for_doctor: tuple[str, ...] = ()
    #: A danger named but not reported (asked about in general): the answer shows this
    #: level's guidance (templates.informational_<level>).
    informational: str | None = None
    #: The message tells how someone feels now (a person and a symptom word, not past):
    #: the answer shows templates.check_in when no danger sign was found.
    personal: bool = False
    evidence: tuple[Evidence, ...] = ()
    seconds: float = 0.0
    #: A second urgent level found in the same message (its message follows the first).
    also: str | None = None

    @property
    def category(self) -> str | None:
        """The urgency level, refusal kind or abstain kind in lower case (``self_harm`` for crisis)."""
        if self.urgency == "crisis":
            return "self_harm"
        if self.urgency == "poison":
            return "poisoning"
        return self.urgency or (self.reason.lower() if self.reason else None)

    @property
    def matched(self) -> str | None:
        """The name of the first evidence that counted (for ``explain`` in responses)."""
        counted = [e for e in self.evidence if e.note in ("counted", "refusal", "")]
        return counted[0].name if counted else None

    @property
    def informational_emergency(self) -> bool:
        """Whether a danger was named without being reported (``informational`` is set)."""
        return self.informational is not None


@dataclass(slots=True)
class _Found:
    """Concepts found in a message, with the context that decides whether they count."""

    reports: dict[str, list[Evidence]] = field(default_factory=dict)  # level -> evidence
    asked: dict[str, list[Evidence]] = field(default_factory=dict)  # not reported
    evidence: list[Evidence] = field(default_factory=list)
    personal: bool = False

    def add(self, level: str, evidence: Evidence, *, reported: bool) -> None:
        (self.reports if reported else self.asked).setdefault(level, []).append(evidence)
        self.evidence.append(evidence)


class Triage:
    """Applies the safety policy and the triage files to messages."""

    def __init__(
        self,
        safety: SafetyPolicy,
        files: TriageFiles,
        *,
        exemplars: Mapping[str, ExemplarMatcher] | None = None,
        examples: ExampleVoter | None = None,
    ) -> None:
        self.safety = safety
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
        """Load the language model now (a server calls this once at start)."""
        self.languages.warm()

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
        """Triage ``message``.

        ``known_terms(text)``: does the KB know a term of it (a drug, a disease)? A health
        signal, asked only when the safety policy's health words find nothing.
        ``treatment_terms(text)``: does it name a drug, brand or regimen the KB knows?
        Counts as anticancer treatment named."""
        started = time.perf_counter()
        result = self._assess(message, known_terms, treatment_terms)
        return _with_seconds(result, time.perf_counter() - started)

    def _assess(
        self,
        message: str,
        known_terms: Callable[[str], bool] | None,
        treatment_terms: Callable[[str], bool] | None,
    ) -> TriageResult:
        """:meth:`assess` without the timing: urgent, refused, abstained or answered, first match wins."""
        identified = self._language(message)
        language = identified.language
        readings = self._readings(message, identified)
        found = self._find_concepts(message, language, readings, treatment_terms)
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
            return self._not_english(language, readings, found, evidence, informational)
        return self._in_english(message, language, sentences, known_terms, found, evidence, informational)

    def _readings(self, message: str, identified: Identified) -> list[Reading]:
        """The message read by each lexicon it may be written in (full languages, then its own or guessed one)."""
        language = identified.language
        lexicons = [self.files.lexicons[code] for code in self.rules.languages.full if self._may_be(code, language, message)]
        if language in self.files.lexicons and language not in self.rules.languages.full:
            lexicons.append(self.files.lexicons[language])
        guess = identified.how.removeprefix("default (guess ").rstrip(")") if identified.how.startswith("default (guess") else None
        if guess and guess in self.files.lexicons and guess not in self.rules.languages.full:
            lexicons.append(self.files.lexicons[guess])  # a short message the identifier was unsure of
        return [lexicon.read(message) for lexicon in lexicons]

    def _find_concepts(
        self,
        message: str,
        language: str,
        readings: Sequence[Reading],
        treatment_terms: Callable[[str], bool] | None,
    ) -> _Found:
        """The concepts and numbers of every reading, with whether each is reported or only asked about."""
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
        for reading in readings:
            own = reading.lexicon.language == language
            foreign = not own and not (reading.lexicon.language == "en" and anyone)
            self._concepts(reading, treatment, found, foreign=foreign, excepted_elsewhere=() if own else own_exceptions)
        self._numbers(message, readings, treatment, found)
        return found

    def _reported(self, message: str, language: str, found: _Found, evidence: list[Evidence]) -> TriageResult | None:
        """The urgent result of the first level with a reported concept (a crisis meaning first), if any."""
        for level in self.rules.levels:
            if found.reports.get(level):
                if level != "crisis":
                    # a crisis signal anywhere wins ("how many of my tablets would it take to
                    # not wake up" reads as an emergency too): both replies, the crisis first
                    meaning = self._meaning(message, language)
                    if meaning is not None:
                        evidence.append(meaning[0])
                        if meaning[1]:
                            return self._urgent("crisis", language, found, evidence, also=level)
                return self._urgent(level, language, found, evidence)
        return None

    def _declined(
        self,
        message: str,
        language: str,
        sentences: list[str],
        found: _Found,
        evidence: list[Evidence],
        informational: str | None,
    ) -> TriageResult | None:
        """Out of scope, a crisis by meaning, or a refusal of the personal part of care, if any."""
        hit = self.safety.out_of_scope.find(sentences)
        if hit is not None:
            evidence.append(Evidence("cue", "out_of_scope", words=hit, note="counted"))
            return self._abstained("OUT_OF_SCOPE", "out_of_scope", language, evidence, informational)
        refusal, hit, spanish_cue = self._refusal(sentences, language)
        meaning = self._meaning(message, language)
        if meaning is not None:
            evidence.append(meaning[0])
            passed, strong = meaning[1], meaning[2]
            if passed and (strong or refusal is None):
                found.add("crisis", meaning[0], reported=True)
                return self._urgent("crisis", language, found, evidence)
        if refusal is not None:
            evidence.append(Evidence("refusal", refusal.kind, words=hit or "", note="refusal"))
            in_spanish = (language == "es" and language in self.rules.languages.full) or spanish_cue
            return TriageResult(
                status=REFUSED,
                urgency=None,
                reason=refusal.kind.upper(),
                language="es" if spanish_cue else language,
                message=self.safety.fill(refusal.kind, language="es" if in_spanish else "en"),
                questions_for_doctor=refusal.questions_for_doctor_es if in_spanish else refusal.questions_for_doctor,
                informational=informational,
                personal=found.personal,
                evidence=tuple(evidence),
            )
        return None

    def _not_english(
        self,
        language: str,
        readings: Sequence[Reading],
        found: _Found,
        evidence: list[Evidence],
        informational: str | None,
    ) -> TriageResult:
        """A message in another language: refused when it asks for the personal part of care, else abstained."""
        asked = self._other_language_refusal(language, readings)
        if asked is not None:
            kind, words = asked
            evidence.append(Evidence("refusal", kind, words=words, note="refusal"))
            return self._refused_in_other_language(kind, language, evidence, informational, found.personal)
        return self._other_language(language, evidence, informational)

    def _in_english(
        self,
        message: str,
        language: str,
        sentences: list[str],
        known_terms: Callable[[str], bool] | None,
        found: _Found,
        evidence: list[Evidence],
        informational: str | None,
    ) -> TriageResult:
        """An English message with nothing urgent or refused: off topic, another language, or to answer."""
        health = informational is not None or self.safety.health_cues.found(sentences)
        if not health and known_terms is not None:
            health = bool(known_terms(message))
        if not health:
            other = self.languages.any_language(message) if len(message.split()) >= 3 else None
            if other is not None and other.language != "en" and other.confidence >= self.rules.languages.min_confidence:
                # not English, nor a language listed: never a silent OFF_TOPIC
                evidence.append(Evidence("language", other.language, note=f"{other.how} {other.confidence:.2f}"))
                return self._other_language(other.language, evidence, None)
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

    # -- the parts --------------------------------------------------------------------------
    def _language(self, message: str) -> Identified:
        identified = self.languages.identify(message)
        if identified.language == "en" or identified.how == "script":
            return identified
        share = self._english_share(message)
        if share >= self.rules.languages.english_share:
            return Identified("en", identified.confidence, f"english words {share:.2f}")
        return identified

    def _english_share(self, message: str) -> float:
        """The share of a message's words that are common English function words."""
        words = [w.strip("'?!.,") for w in fold(message).split()]
        return sum(w in self._english_words for w in words) / max(len(words), 1)

    def _may_be(self, code: str, language: str, message: str) -> bool:
        """Read ``message`` with the full lexicon of ``code``? English and the identified
        language always; another full lexicon when its language is listed in ``always``
        (Spanish: a short Spanish message is often taken for English) or the message uses
        two of its marker words (code-switching)."""
        if code in ("en", language) or code in self.rules.languages.always:
            return True
        markers = self.rules.languages.markers.get(code, ())
        words = set(fold(message).replace("?", " ").replace(",", " ").split())
        return len(words & set(markers)) >= 2

    def _someone(self, reading: Reading, own: bool) -> bool:
        """Does the reading find someone affected? A lexicon reading text in another
        language counts only its words that are not common English words ("me", "mi")."""
        matches = reading.group("cue:personal")
        if not own:
            known = reading.lexicon.reader.known_words
            matches = [m for m in matches if not all(w in known for w in m.text.split())]
        return bool(matches)

    def _concepts(
        self,
        reading: Reading,
        treatment: bool,
        found: _Found,
        *,
        foreign: bool = False,
        excepted_elsewhere: Sequence[str] = (),
    ) -> None:
        """The concepts of one reading. ``foreign``: the lexicon is not the message's
        language: a concept that needs a report counts only when that lexicon's own words
        say someone is affected (its context rules cannot read the message otherwise)."""
        lexicon = reading.lexicon
        context = _Context(reading) if lexicon.has_cues else None
        excepted = _excepted(reading)
        negations = reading.group("cue:negation")
        if context is not None and context.personal:
            found.personal = found.personal or any(
                not _negated(m, negations, reading) and context.not_reported(m) is None
                for m in reading.group("cue:symptoms")
            )
        for match in reading.matches:
            if not match.group.startswith("concept:"):
                continue
            concept_id = match.group.removeprefix("concept:")
            concept = lexicon.concepts[concept_id]
            name = f"{lexicon.language}:{concept_id}"
            if _overlaps(match, excepted.get(concept_id, ())):
                found.evidence.append(Evidence("concept", name, concept.level, match.text, "exception"))
                continue
            if any(fold(match.text) in text for text in excepted_elsewhere):
                found.evidence.append(Evidence("concept", name, concept.level, match.text, "exception (message's language)"))
                continue
            if _negated(match, negations, reading):
                found.evidence.append(Evidence("concept", name, concept.level, match.text, "negated"))
                continue
            if concept.needs_treatment and not treatment:
                found.evidence.append(Evidence("concept", name, concept.level, match.text, "no treatment named"))
                continue
            if context is None or not concept.needs_report:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "counted"), reported=True)
                continue
            why = context.not_reported(match)
            if why is None and foreign and not self._someone(reading, False):
                why = "another language's words"
            if why is None:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "counted"), reported=True)
            else:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, why), reported=False)

    def _numbers(self, message: str, readings: Sequence[Reading], treatment: bool, found: _Found) -> None:
        rules = self.rules
        words = {w for r in readings for w in r.lexicon.temperature_words}
        text = fold(message)
        english = next((r for r in readings if r.lexicon.language == "en"), None)
        context = _Context(english) if english is not None else None
        for temperature in temperatures(text, words):
            fever = temperature.celsius >= rules.fever_celsius.value
            low = temperature.celsius <= rules.low_temperature_celsius.value and treatment
            if not (fever or low):
                found.evidence.append(
                    Evidence("number", "temperature", None, temperature.text, f"{temperature.celsius} °C: below the threshold")
                )
                continue
            name = "fever" if fever else "low_temperature"
            why = context.not_reported_text(temperature.text) if context is not None else None
            note = f"{why or 'counted'}; {temperature.celsius} °C ({temperature.why})"
            found.add(
                "care_team_now", Evidence("number", name, "care_team_now", temperature.text, note), reported=why is None
            )
        limits = {
            "oxygen": (rules.oxygen_saturation.value, "emergency", lambda v, t: v <= t),
            "systolic": (rules.systolic_pressure.value, "emergency", lambda v, t: v <= t),
            "pulse": (rules.pulse.value, "emergency", lambda v, t: v >= t),
        }
        for vital in vitals(text):
            threshold, level, beyond = limits[vital.name]
            if not beyond(vital.value, threshold):
                found.evidence.append(Evidence("number", vital.name, None, vital.text, "within the threshold"))
                continue
            why = context.not_reported_text(vital.text) if context is not None else None
            found.add(level, Evidence("number", vital.name, level, vital.text, why or "counted"), reported=why is None)
        for score in pain_scores(text):
            if score.score >= rules.pain_score.value:
                why = context.not_reported_text(score.text) if context is not None else None
                found.add(
                    "care_team_now",
                    Evidence("number", "severe_pain", "care_team_now", score.text, why or "counted"),
                    reported=why is None,
                )

    def _refusal(self, sentences: list[str], language: str) -> tuple[Refusal | None, str | None, bool]:
        """The first refusal kind whose cues the message matches (Spanish cues for Spanish),
        its words, and whether a Spanish cue matched (the reply is then in Spanish)."""
        spanish = language == "es"
        folded = [fold(s) for s in sentences] if spanish else sentences
        for refusal in self.safety.refusals:
            hit = (refusal.cues_es if spanish else refusal.cues).find(folded)
            if hit is not None:
                return refusal, hit, spanish
            if spanish:
                hit = refusal.cues.find(sentences)  # Spanglish
                if hit is not None:
                    return refusal, hit, False
        if language == "en":  # a short Spanish message the identifier took for English
            folded = [fold(s) for s in sentences]
            for refusal in self.safety.refusals:
                hit = refusal.cues_es.find(folded)
                if hit is not None:
                    return refusal, hit, True
        return None, None, False

    def _meaning(self, message: str, language: str) -> tuple[Evidence, bool, bool] | None:
        """Self-harm by meaning, for a language the rules list (evidence, passed, strong).

        Asked only when no level was found by the lexicons (a lexicon crisis wins anyway; a
        message that reads like an exemplar but names an emergency keeps the emergency
        reply). A passing score is a crisis unless the message is a refusal (a dose or
        prognosis question reads like some exemplars) and the score is below ``strong``."""
        matcher = self.exemplars.get(language)
        rule = self.rules.meaning
        if matcher is None or language not in rule.languages:
            return None
        sentences = [s for s in split_sentences(message) if len(s.split()) >= _MEANING_MIN_WORDS]
        units = [message, *sentences] if len(sentences) > 1 else [message]
        closest = matcher.closest(units[: rule.max_units])
        if closest is None:
            return None
        passed = (closest.score >= rule.threshold and closest.margin >= rule.margin) or (
            closest.score >= rule.high and closest.margin >= rule.high_margin
        )
        strong = passed and closest.score >= rule.strong
        note = f"cosine {closest.score:.2f}, margin {closest.margin:+.2f}"
        word = "counted" if passed else "below the threshold"
        return Evidence("exemplar", closest.exemplar, "crisis", f"unit {closest.unit}", f"{word}; {note}"), passed, strong

    def refusal_by_example(self, result: TriageResult, vector: object, kb_similarity: float) -> TriageResult:
        """``result`` (a message the lexicons and cues let through to the KB) refused when
        its nearest example messages are mostly refusals, the nearest refusal is close
        (``refusal_examples.threshold``) and closer than the KB's best section by
        ``kb_margin``: requests about one person's case read unlike the KB's pages.
        ``vector``: the message's unit vector from the encoder the examples were read by."""
        rule = self.rules.refusal_examples
        if self.examples is None or rule is None or result.status is not None or result.language not in rule.languages:
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

    # -- replies ----------------------------------------------------------------------------
    def _urgent(
        self, level: str, language: str, found: _Found, evidence: list[Evidence], *, also: str | None = None
    ) -> TriageResult:
        """The reply of ``level``; ``also``: a second level found in the same message, whose
        message follows (a crisis signal in a message that also names an emergency)."""
        text = self.safety.fill(level)
        if also is not None:
            text += "\n\n" + self.safety.fill(also)
        if language == "es":
            spanish = self.safety.fill(level, language="es")
            if also is not None:
                spanish += "\n\n" + self.safety.fill(also, language="es")
            text = spanish + "\n\n" + text
        elif language != "en":
            notice = self._notice(language)
            text = f"{notice}\n\n{text}" if notice else text
        return TriageResult(
            status=URGENT,
            urgency=level,
            reason=URGENCY_REASONS[level],
            language=language,
            message=text,
            personal=found.personal,
            evidence=tuple(evidence),
            also=also,
        )

    def _abstained(
        self, reason: str, template: str, language: str, evidence: list[Evidence], informational: str | None
    ) -> TriageResult:
        return TriageResult(
            status=ABSTAINED,
            urgency=None,
            reason=reason,
            language=language,
            message=self.safety.fill(template),
            informational=informational,
            evidence=tuple(evidence),
        )

    def _other_language(self, language: str, evidence: list[Evidence], informational: str | None) -> TriageResult:
        if language == "es":
            text = self.safety.fill("english_only", language="es")
        else:
            text = self._notice(language) or self._multilingual_notice()
        text = f"{text}\n\n{self.safety.fill('multilingual_notice')}"
        evidence.append(Evidence("language", language, note="not answered in this language"))
        return TriageResult(
            status=ABSTAINED,
            urgency=None,
            reason="LANGUAGE_NOT_SUPPORTED",
            language=language,
            message=text,
            informational=informational,
            evidence=tuple(evidence),
        )

    def _other_language_refusal(self, language: str, readings: Sequence[Reading]) -> tuple[str, str] | None:
        """The refusal kind (and its words) a language without a full lexicon lists for the
        message (other-languages.yaml ``refusals``), in the policy's order of kinds."""
        reading = next((r for r in readings if r.lexicon.language == language and not r.lexicon.has_cues), None)
        if reading is None:
            return None
        for refusal in self.safety.refusals:
            match = next(iter(reading.group(f"refusal:{refusal.kind}")), None)
            if match is not None:
                return refusal.kind, match.text
        return None

    def _refused_in_other_language(
        self, kind: str, language: str, evidence: list[Evidence], informational: str | None, personal: bool
    ) -> TriageResult:
        """A request for personal care in a language nobody here answers in: the refusal in
        English, then the language's notice (where to turn, in the asker's words)."""
        refusal = next(r for r in self.safety.refusals if r.kind == kind)
        notice = self._notice(language) or self._multilingual_notice()
        return TriageResult(
            status=REFUSED,
            urgency=None,
            reason=kind.upper(),
            language=language,
            message=f"{notice}\n\n{self.safety.fill(kind, language='en')}",
            questions_for_doctor=refusal.questions_for_doctor,
            informational=informational,
            personal=personal,
            evidence=tuple(evidence),
        )

    def _notice(self, language: str) -> str | None:
        lexicon = self.files.lexicons.get(language)
        if lexicon is None or lexicon.notice is None:
            return None
        return lexicon.notice.format_map(dict(self.safety.contacts))

    def _multilingual_notice(self) -> str:
        """The notice in a few widely spoken languages (for a language nobody here reads)."""
        lines = [self.safety.fill("english_only", language="es")]
        for code in ("fr", "pt", "zh", "ar", "vi", "ru"):
            notice = self._notice(code)
            if notice:
                lines.append(notice)
        return "\n".join(lines)


# -- context ----------------------------------------------------------------------------
class _Context:
    """Whether a concept found in a message is reported as happening (see the module doc)."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        frames = reading.group("cue:asking_frames")
        personal = [m for m in reading.group("cue:personal") if not _overlaps(m, frames)]
        self.personal_sentences = {m.sentence for m in personal}
        self.personal = bool(personal)
        openers = reading.group("cue:question_openers")
        first_word = _first_words(reading.words)
        self.opened = {m.sentence for m in openers if first_word.get(m.sentence) == m.start}
        self.general = {m.sentence for m in reading.group("cue:general")}
        self.hypothetical = reading.group("cue:hypothetical")
        resolved = reading.group("cue:resolved")
        # "it's been normal all day today": a time word after a resolution is part of it
        self.present = [
            m for m in reading.group("cue:present")
            if not _overlaps(m, resolved) and not any(r.sentence == m.sentence and r.start <= m.start for r in resolved)
        ]
        self.past_sentences = {m.sentence for m in reading.group("cue:past")}
        self.resolved_sentences = {m.sentence for m in resolved}
        self.present_sentences = {m.sentence for m in self.present}
        self.questions = reading.questions
        self.care_in_hand = bool(reading.group("cue:care_in_hand"))
        #: in hospital with staff who know ("the nurse said"): help is already there
        inpatient = reading.group("cue:inpatient")
        staff = [m for m in reading.group("cue:care_in_hand") if not _overlaps(m, inpatient)]
        self.staff_there = bool(inpatient) and bool(staff)

    def not_reported(self, match: Match, *, measured: bool = False) -> str | None:
        """Why ``match`` is not a report (None: it is one). A ``measured`` value (a reading
        such as "temp 38.3") is a report even in a question ("..., is this normal?")."""
        sentence = match.sentence
        if self.staff_there:
            return "in hospital, staff aware"
        if sentence not in self.present_sentences:
            if any(m.sentence == sentence and m.start <= match.start for m in self.hypothetical):
                return "hypothetical"
            if sentence in self.past_sentences or any(
                sentence <= r <= sentence + _RESOLVED_REACH for r in self.resolved_sentences
            ):
                return "past"
            if self.care_in_hand and not self.present:
                return "care already in hand"
        asks = sentence in self.opened or sentence in self.questions or sentence in self.general
        if self.personal:
            if sentence in self.general and sentence not in self.personal_sentences:
                return "asked in general"
            return None
        if measured:
            return "asked in general" if sentence in self.general else None
        return "asked in general" if asks else None

    def not_reported_text(self, text: str) -> str | None:
        """Like :meth:`not_reported` for a number: the sentence holding it (found by its
        digits, which the lexicon's rewrites never change)."""
        digits = re.search(r"\d+(?:[.,]\d+)?", text)
        folded = digits.group(0) if digits else fold(text)
        sentences = split_sentences(self.reading.text)
        for index, sentence in enumerate(sentences):
            if folded in sentence:
                words = [w for w in self.reading.words if w.sentence == index]
                start = next((i for i, w in enumerate(self.reading.words) if w.sentence == index), 0)
                probe = Match(_NUMBER_TERM, index, start + len(words), start + len(words), text)
                return self.not_reported(probe, measured=True)
        return None


def _first_words(words: Sequence[object]) -> dict[int, int]:
    first: dict[int, int] = {}
    for index, word in enumerate(words):
        first.setdefault(word.sentence, index)  # type: ignore[attr-defined]
    return first


def _excepted(reading: Reading) -> dict[str, list[Match]]:
    out: dict[str, list[Match]] = {}
    for match in reading.matches:
        if match.group.startswith("except:"):
            out.setdefault(match.group.removeprefix("except:"), []).append(match)
    return out


def _overlaps(match: Match, others: Iterable[Match]) -> bool:
    return any(o.sentence == match.sentence and o.start < match.end and match.start < o.end for o in others)


def _negated(match: Match, negations: Sequence[Match], reading: Reading) -> bool:
    """A negation just before the match, or before it with only filler words between ("no
    fever", "hasn't had any fever"); unspaced languages: within three characters."""
    for n in negations:
        if n.sentence != match.sentence or n.end > match.start or _overlaps(n, [match]):
            continue
        if not reading.lexicon.reader.spaced:
            if match.start - n.end <= 3:
                return True
            continue
        between = reading.words[n.end : match.start]
        if len(between) <= 2 and all(w.text in _NEGATION_FILLER for w in between):
            return True
    return False


def _with_seconds(result: TriageResult, seconds: float) -> TriageResult:
    from dataclasses import replace

    return replace(result, seconds=seconds)


from cancerinfo.triage.terms import Term  # noqa: E402

_NUMBER_TERM = Term("<number>", "number", ())
