"""The parts of the triage's decision (:class:`~cancerinfo.triage.rules.Triage` inherits
them from :class:`_Signals`): the message's language, the concepts of each lexicon's
reading with whether they are reported, temperatures, vital signs and pain scores, the
refusal cues it matches and self-harm by meaning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cancerinfo.triage.context import _Context, _excepted, _negated, _overlaps
from cancerinfo.triage.language import Identified, LanguageIdentifier
from cancerinfo.triage.lexicon import Reading, TriageFiles
from cancerinfo.triage.meaning import Closest, CrisisDirection, ExampleVoter, ExemplarMatcher
from cancerinfo.triage.multilingual import LevelExamples, is_deferred
from cancerinfo.triage.numbers import pain_scores, temperatures, vitals
from cancerinfo.triage.policy_models import MeaningRule, Rules
from cancerinfo.triage.result import Evidence, _Found
from cancerinfo.triage.safety import Refusal, SafetyPolicy
from cancerinfo.triage.text import fold, holds_words, split_sentences

#: Sentences shorter than this are not compared on their own ("Does it hurt?" is near any
#: exemplar about hurting); the whole message always is.
_MEANING_MIN_WORDS = 6


class _Signals:
    """The language, concepts, numbers, refusal cues and meaning of a message, for
    :class:`~cancerinfo.triage.rules.Triage` (which sets the attributes below)."""

    safety: SafetyPolicy
    files: TriageFiles
    rules: Rules
    exemplars: dict[str, ExemplarMatcher]
    multilingual: ExemplarMatcher | None
    levels: LevelExamples | None
    direction: CrisisDirection | None
    any_language_refusals: ExampleVoter | None
    languages: LanguageIdentifier
    _english_words: frozenset[str]

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

    def _unlisted_language(self, message: str, *, answerable: bool) -> Identified | None:
        """The language of a message first taken for English, when the model of every language
        is sure it is another one (and, for a message that would be answered, few of its words
        are English function words); for one that would not, with few such words, a lower bar."""
        if len(message.split()) < 3:
            return None
        rule = self.rules.languages
        english = self._english_share(message) >= rule.english_share
        if answerable and english:
            return None
        other = self.languages.any_language(message)
        bar = rule.min_confidence if answerable or english else rule.off_topic_min_confidence
        return other if other.language != "en" and other.confidence >= bar else None

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
        own_context: _Context | None = None,
    ) -> None:
        """The concepts of one reading. ``foreign``: the lexicon is not the message's
        language: a concept that needs a report counts only when that lexicon's own words
        say someone is affected (its context rules cannot read the message otherwise).
        ``own_context``: the context of the message's own language, when this reading is
        another lexicon's and both cut the message into the same sentences: a sentence it
        finds past, hypothetical or asked in general is that for this reading too."""
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
            if context is not None and concept.level == "crisis" and context.framed_before(match):
                # what a patient might say to a volunteer, or a character in a novel: the
                # answer shows the crisis guidance, the meaning check still reads the message
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "framed"), reported=False)
                continue
            if context is not None and concept.level == "poison" and context.asks_permission(match):
                # "can I take 2 of my oxycodone instead of 1?": nothing taken yet, a dose question
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "asks before taking"), reported=False)
                continue
            if context is None or not concept.needs_report:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "counted"), reported=True)
                continue
            why = context.not_reported(match)
            if why is None and foreign and not self._someone(reading, False):
                why = "another language's words"
            if why is None and own_context is not None:
                # the message's own language reads its time and asking cues ("hace tres
                # meses", "il y a deux ans") that this lexicon cannot
                own_why = own_context.not_reported_sentence(match.sentence)
                why = f"{own_why} (message's language)" if own_why else None
            if why is None:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, "counted"), reported=True)
            else:
                found.add(concept.level, Evidence("concept", name, concept.level, match.text, why), reported=False)

    def _numbers(
        self, message: str, readings: Sequence[Reading], treatment: bool, found: _Found, language: str = "en"
    ) -> None:
        """Temperatures, vital signs and pain scores of the message against the thresholds,
        each read in the context of the message's own language ("el mes pasado tuve 38 y
        pico", past) when a lexicon with cues reads it, else of English."""
        rules = self.rules
        words = {w for r in readings for w in r.lexicon.temperature_words}
        text = fold(message)
        reader = next((r for r in readings if r.lexicon.language == language and r.lexicon.has_cues and r.words), None)
        reader = reader or next((r for r in readings if r.lexicon.language == "en"), None)
        context = _Context(reader) if reader is not None else None
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
            if hit is not None and refusal.not_when.find(sentences) is not None:
                continue  # a general question in the words of a request ("does she have liver cancer now?")
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

    def _meaning(
        self, message: str, language: str, *, any_language: bool = True, beyond_gate: bool = False, past: Sequence[str] = ()
    ) -> tuple[Evidence, bool, bool] | None:
        """Self-harm by meaning, for a language the rules list (evidence, passed, strong).

        Asked only when no level was found by the lexicons (a lexicon crisis wins anyway; a
        message that reads like an exemplar but names an emergency keeps the emergency
        reply). A passing score is a crisis unless the message is a refusal (a dose or
        prognosis question reads like some exemplars) and the score is below ``strong``.
        ``any_language``: in a language the English check does not read, ask the multilingual
        check (not asked beside another level: its not-crisis examples hold no other danger);
        ``beyond_gate``: ask it too however far the English check puts the message (a message
        about to get no answer); ``past``: crisis words read as past: the English check's pass
        by their sentence does not count ("I self-harmed at uni, been fine for years")."""
        matcher = self.exemplars.get(language)
        rule = self.rules.meaning
        if matcher is None or language not in rule.languages:
            return self._meaning_any_language(message) if any_language else None
        closest, passed = _english_closest(matcher, rule, message)
        if closest is None:
            return None
        word = "counted" if passed else "below the threshold"
        if passed and past and closest.unit > 0 and holds_words(_long_sentences(message)[closest.unit - 1], past):
            passed, word = False, "not counted (the sentence of a past event)"
        if passed and closest.score < rule.veto_below and self._vetoed(message, rule.veto):
            passed, word = False, "vetoed by the multilingual check"
        strong = passed and closest.score >= rule.strong
        note = f"cosine {closest.score:.2f}, margin {closest.margin:+.2f}"
        english = Evidence("exemplar", closest.exemplar, "crisis", f"unit {closest.unit}", f"{word}; {note}"), passed, strong
        gate = self.rules.meaning_any_language.english_gate if self.rules.meaning_any_language is not None else None
        if passed or not any_language or gate is None or (closest.score < gate and not beyond_gate):
            return english
        # near enough to a crisis exemplar to ask the multilingual check too, whose examples
        # hold many more ways people put it; it passes or the English reading stands. Beyond
        # the gate only the crisis direction counts (each writer left out: of the English
        # messages of the dev sets that got no answer, 2 crises and 1 general message pass it,
        # 2 and 3 with the nearest example too)
        other = self._meaning_any_language(message, english=True, direction_only=closest.score < gate)
        return other if other is not None and other[1] else english

    def _vetoed(self, message: str, veto: float | None) -> bool:
        """Does the multilingual check put the whole message nearer a not-crisis example than
        any crisis example by more than ``veto``? (One sentence of a question about lymphoedema,
        "my arm feels a bit heavy", lies near "I burn my arm"; "does morphine make you stop
        breathing?" near an overdose exemplar; the whole messages lie near ordinary questions
        among the many more examples the multilingual check reads.)"""
        if veto is None or self.multilingual is None or not message.strip() or is_deferred():
            return False
        whole = self.multilingual.closest([message])
        return whole is not None and whole.margin < -veto

    def _meaning_any_language(
        self, message: str, *, english: bool = False, direction_only: bool = False
    ) -> tuple[Evidence, bool, bool] | None:
        """Self-harm by meaning for a language the English check does not read: the whole
        message against the crisis and not-crisis examples of every language, by the
        multilingual encoder (``meaning_any_language`` of rules.yaml); when the nearest example
        does not pass, the whole message along the crisis direction fitted to all the examples
        (``linear_threshold``); then each of its sentences, at the stricter sentence threshold
        and margin (the crisis in one clause of a long message about something else).
        ``english``: an English message, whose pass does not count far on the not-crisis side
        of the direction (``english_direction_floor``); ``direction_only``: only the direction counts."""
        rule = self.rules.meaning_any_language
        if self.multilingual is None or rule is None or not message.strip() or is_deferred():
            return None
        closest = self.multilingual.closest([message])
        if closest is None:
            return None
        passed = not direction_only and closest.score >= rule.threshold and closest.margin >= rule.margin
        unit = 0
        along = None  # the whole message's score along the crisis direction, when asked
        if not passed and self.direction is not None and rule.linear_threshold is not None:
            along = self.direction.score(self.multilingual.embedder.embed([message])[0])
            passed = along >= rule.linear_threshold
        if not passed and not direction_only and rule.sentence_threshold is not None:
            sentences = [s for s in split_sentences(message) if len(s.split()) >= rule.sentence_min_words]
            part = self.multilingual.closest(sentences[: rule.max_sentences]) if len(sentences) > 1 else None
            if part is not None and part.score >= rule.sentence_threshold and part.margin >= rule.sentence_margin:
                closest, passed, unit = part, True, part.unit + 1
        floor = rule.english_direction_floor if english and self.direction is not None else None
        word = "counted" if passed else "below the threshold"
        if passed and floor is not None and along is None:
            along = self.direction.score(self.multilingual.embedder.embed([message])[0])  # type: ignore[union-attr]
            if along < floor:
                passed, word = False, "not counted (far on the not-crisis side)"
        strong = passed and closest.score >= rule.strong
        note = f"multilingual; cosine {closest.score:.2f}, margin {closest.margin:+.2f}"
        if along is not None:
            note += f", along the crisis direction {along:+.2f}"
        return Evidence("exemplar", closest.exemplar, "crisis", f"unit {unit}", f"{word}; {note}"), passed, strong

    def _crisis_beside_level(self, message: str, language: str) -> tuple[Evidence, bool, bool] | None:
        """The multilingual crisis check beside another level a lexicon found (a message not in
        English): a crisis signal only when the message is closer to a crisis example than to
        any not-crisis *and any other urgent* example by ``margin`` (a Spanish fever lies near
        the fever examples, not the crisis ones). Never strong: the lexicon's level leads."""
        rule = self.rules.meaning_any_language
        levels = self.levels
        if self.multilingual is None or levels is None or rule is None or language in self.rules.meaning.languages:
            return None
        closest = self.multilingual.closest([message])
        nearest = levels.nearest(message)
        if closest is None or nearest is None:
            return None
        margin = closest.score - max(closest.score - closest.margin, nearest.score)
        passed = closest.score >= rule.threshold and margin >= rule.margin
        word = "counted" if passed else "below the threshold"
        note = f"{word}; multilingual, beside {nearest.level}; cosine {closest.score:.2f}, margin {margin:+.2f}"
        return Evidence("exemplar", closest.exemplar, "crisis", "unit 0", note), passed, False

    def _refusal_by_meaning(self, message: str, evidence: list[Evidence]) -> Refusal | None:
        """The refusal most of the message's nearest examples carry (a message not in English
        that nothing routed), by the multilingual encoder: at least ``refusal_votes`` of the
        ``refusal_k`` nearest are refusals, the nearest at least ``refusal_threshold`` close."""
        rule = self.rules.meaning_any_language
        voter = self.any_language_refusals
        if voter is None or rule is None or rule.refusal_k is None or not message.strip():
            return None
        vote = voter.vote(voter.embedder.embed([message])[0], k=rule.refusal_k)
        passed = vote.reason is not None and vote.votes >= rule.refusal_votes and vote.score >= rule.refusal_threshold
        note = f"multilingual; {vote.votes} of {rule.refusal_k} nearest are refusals; cosine {vote.score:.2f}"
        evidence.append(Evidence("example", vote.example, None, vote.reason or "", f"refusal; {note}" if passed else f"not counted: {note}"))
        if not passed:
            return None
        return next((r for r in self.safety.refusals if r.kind.upper() == vote.reason), None)

    def _level_by_meaning(self, message: str, evidence: list[Evidence]) -> str | None:
        """The level of the nearest urgent example, when it is close enough and closer than any
        not-urgent example (``meaning_any_language.level_threshold`` and ``level_margin``)."""
        rule = self.rules.meaning_any_language
        if self.levels is None or rule is None or rule.level_threshold is None:
            return None
        nearest = self.levels.nearest(message)
        if nearest is None:
            return None
        passed = nearest.score >= rule.level_threshold and nearest.margin >= rule.level_margin
        word = "counted" if passed else "below the threshold"
        note = f"{word}; multilingual; cosine {nearest.score:.2f}, margin {nearest.margin:+.2f}"
        evidence.append(Evidence("example", nearest.example, nearest.level, "", note))
        return nearest.level if passed else None


def _english_closest(matcher: ExemplarMatcher, rule: MeaningRule, message: str) -> tuple[Closest | None, bool]:
    """The English check's nearest crisis exemplar to the message or one of its sentences
    (of at least ``_MEANING_MIN_WORDS`` words, when it has several), and whether it passes
    (``threshold`` and ``margin``, or ``high`` and ``high_margin``): the whole message first,
    then its best sentence (``unit`` counts the whole as 0)."""

    def passes(found: Closest) -> bool:
        return (found.score >= rule.threshold and found.margin >= rule.margin) or (
            found.score >= rule.high and found.margin >= rule.high_margin
        )

    sentences = _long_sentences(message)
    whole = matcher.closest([message])
    if whole is None:
        return None, False
    if passes(whole) or len(sentences) < 2:
        return whole, passes(whole)
    part = matcher.closest(sentences[: rule.max_units - 1])
    if part is None:
        return whole, False
    part = replace(part, unit=part.unit + 1)
    if passes(part):
        return part, True
    # neither passes: the nearer of the two (its score opens the multilingual check's gate)
    return max((whole, part), key=lambda c: c.score + min(c.margin, 0.0)), False


def _long_sentences(message: str) -> list[str]:
    """The sentences the English check reads one by one (``_MEANING_MIN_WORDS`` or more)."""
    return [s for s in split_sentences(message) if len(s.split()) >= _MEANING_MIN_WORDS]

