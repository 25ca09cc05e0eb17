"""Whether a concept or number found in a message is *reported* (see
:mod:`cancerinfo.triage.rules`): not hypothetical, not past and resolved, not asked in
general, not already in the care team's hands; and the matching helpers the triage uses
with it: exceptions, overlaps and a negation just before a concept ("no fever")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from cancerinfo.triage.lexicon import Reading
from cancerinfo.triage.terms import Match, Term
from cancerinfo.triage.text import fold, split_sentences

#: Words that may stand between a negation and the concept it cancels ("no sign of any fever").
_NEGATION_FILLER = frozenset({"a", "an", "any", "the", "had", "have", "got", "really", "much", "more", "real", "high", "sign", "signs", "of", "other"})
#: A resolution ("it went away", "none since") covers the danger named up to this many sentences before it.
_RESOLVED_REACH = 3
#: A dose question's poisoning words follow its "can I take" within this many words, and
#: none of them says something was already taken.
_PERMISSION_GAP = 4
_TAKEN = frozenset({"took", "taken", "swallowed", "swallow", "ate", "eaten", "gave", "given", "had", "tome", "tomo", "trago", "comio", "di", "dio", "dimos"})
#: "... it's happened twice in the last 10 mins" makes a report of what this many sentences
#: before it name ("is it normal to cough up blood?").
_ONGOING_REACH = 2
#: A sentence this short that names a person after a question says whose case it is.
_NAMED_ALONE_WORDS = 3
_NUMBER_TERM = Term("<number>", "number", ())


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
        # "in the past hour", "... 2 days" say when, recently (an ``ongoing`` cue), not "in the past"
        ongoing = reading.group("cue:ongoing")
        self.past = [m for m in reading.group("cue:past") if not _overlaps(m, ongoing)]
        self.past_sentences = {m.sentence for m in self.past}
        self.resolved = resolved
        #: "the rash cleared up but her lips are swelling": what follows a contrast word is
        #: not covered by a past or resolution cue before it in the sentence
        self.contrasts = [m.start for m in reading.group("cue:contrast")]
        #: where a question starts ("... but he wasn't worried, what temp counts as a fever?"):
        #: a question after the contrast word asks; it is not the new report
        self.asking = [*reading.group("cue:general"), *reading.group("cue:question_openers")]
        self.present_sentences = {m.sentence for m in self.present}
        #: sentences saying that something is going on now ("it's happened twice in the last
        #: 10 mins"), not past: the sentences just before them report what they name
        self.ongoing_sentences = {m.sentence for m in ongoing} - self.past_sentences
        self.questions = reading.questions
        self.care_in_hand = bool(reading.group("cue:care_in_hand"))
        #: "asking for a friend", "hypothetically ... my sister is lying here with it": a
        #: question framed as general or hypothetical that says it is someone's case
        self.veiled = bool(reading.group("cue:veiled")) or self._named_alone(frames)
        #: "I don't have any symptoms, I just read it": nothing is happening to anyone now
        self.denied = bool(reading.group("cue:denied"))
        #: "took a paracetamol and it came down": a fever brought down by a fever medicine
        #: is not over (it masks the fever, NICE NG151 / UKONS)
        self.masked = bool(reading.group("cue:masked"))
        #: "can I take 2 instead of 1?": asks before taking (a dose question, not a poisoning)
        #: "if a patient ever tells me ...", "in my novel ...": the words that follow are
        #: someone else's, or a story's
        self.framed = reading.group("cue:framed")
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
            if not self.veiled and any(m.sentence == sentence and m.start <= match.start for m in self.hypothetical):
                return "hypothetical"
            if any(m.sentence == sentence and not self._cut(m, match) for m in self.past) or (
                not self.masked
                and any(sentence <= r.sentence <= sentence + _RESOLVED_REACH and not self._cut(r, match) for r in self.resolved)
            ):
                return "past"
            if self.care_in_hand and not self.present:
                return "care already in hand"
            if self.denied and not measured:
                return "no symptoms now"
        if self.veiled or any(sentence < s <= sentence + _ONGOING_REACH for s in self.ongoing_sentences):
            return None
        asks = sentence in self.opened or sentence in self.questions or sentence in self.general
        if self.personal:
            if sentence in self.general and sentence not in self.personal_sentences:
                return "asked in general"
            return None
        if measured:
            return "asked in general" if sentence in self.general else None
        return "asked in general" if asks else None

    def _cut(self, cue: Match, match: Match) -> bool:
        """Is ``cue`` (a past or resolution cue) cut off from ``match`` by a contrast word
        between them in their sentence ("cleared up *but* she's wheezing"), with no question
        starting between that word and ``match``?"""
        if match.start == match.end:  # an end-of-sentence probe (not_reported_sentence)
            return False
        return cue.sentence == match.sentence and cue.end <= match.start and any(
            cue.end <= i < match.start
            and not any(a.sentence == match.sentence and i < a.start <= match.start for a in self.asking)
            for i in self.contrasts
        )

    def _named_alone(self, frames: Sequence[Match]) -> bool:
        """A question, then a sentence of at most three words naming whom it is about ("is
        it normal for someone on chemo to be gasping? my brother."): someone's case."""
        if not self.questions:
            return False
        sizes: dict[int, int] = {}
        for word in self.reading.words:
            sizes[word.sentence] = sizes.get(word.sentence, 0) + 1  # type: ignore[attr-defined]
        return any(
            sizes.get(m.sentence, 0) <= _NAMED_ALONE_WORDS and m.sentence not in self.questions
            and m.sentence > min(self.questions) and not _overlaps(m, frames)
            for m in self.reading.group("cue:personal")
        )

    def asks_permission(self, match: Match) -> bool:
        """Is ``match`` in a sentence asking whether to take or give something ("can I take 2
        of my oxycodone instead of 1?"; "¿me puedo tomar el doble?", where the cue's verb is the
        match's first word)?"""
        for cue in self.reading.group("cue:permission"):
            if cue.sentence != match.sentence or cue.start >= match.start or match.start - cue.end > _PERMISSION_GAP:
                continue
            said = {w.text for w in self.reading.words[max(cue.end, match.start) : match.end]}  # type: ignore[attr-defined]
            if not said & _TAKEN:
                return True
        return False

    def framed_before(self, match: Match) -> bool:
        """Does a frame ("if a patient ever tells me", "in my novel") open ``match``'s sentence
        before it?"""
        return any(m.sentence == match.sentence and m.end <= match.start for m in self.framed)

    def not_reported_text(self, text: str) -> str | None:
        """Like :meth:`not_reported` for a number: the sentence holding it (found by its
        digits, which the lexicon's rewrites never change)."""
        digits = re.search(r"\d+(?:[.,]\d+)?", text)
        folded = digits.group(0) if digits else fold(text)
        sentences = split_sentences(self.reading.text)
        for index, sentence in enumerate(sentences):
            if folded in sentence:
                # at the number's own word, so that "39 in 2019 ... but he wasn't worried"
                # is past before the "but" (the end of the sentence is after it)
                whole = folded.replace(",", ".").split(".")[0]
                at = next(
                    (i for i, w in enumerate(self.reading.words) if w.sentence == index and w.text.startswith(whole)),  # type: ignore[attr-defined]
                    None,
                )
                if at is not None:
                    return self.not_reported(Match(_NUMBER_TERM, index, at, at + 1, text), measured=True)
                return self.not_reported_sentence(index, text, measured=True)
        return None

    def not_reported_sentence(self, index: int, text: str = "", *, measured: bool = False) -> str | None:
        """Like :meth:`not_reported` for something found at the end of sentence ``index``
        (by another lexicon reading the same message, or a number). No contrast word cuts
        a cue off from the end of a sentence (:meth:`_cut`): where in it the thing was found
        is not known."""
        words = [w for w in self.reading.words if w.sentence == index]
        start = next((i for i, w in enumerate(self.reading.words) if w.sentence == index), 0)
        probe = Match(_NUMBER_TERM, index, start + len(words), start + len(words), text)
        return self.not_reported(probe, measured=measured)


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
