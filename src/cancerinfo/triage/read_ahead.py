"""The triage's slow check read ahead, so that an answer does not wait for it.

An English message that the English crisis check does not pass but puts near a crisis
exemplar (at least ``meaning_any_language.english_gate``) is read by the multilingual
encoder too (:mod:`.multilingual`): about 30 ms on a 2-core machine, for about a fifth of
ordinary questions. The decision cannot skip it (recall first), but the answer need not
wait for it:

1. the encoder starts reading the message (and its sentences) in a worker thread;
2. meanwhile the triage decides with that check deferred (:func:`.multilingual.deferred`):
   a *provisional* result, which the caller acts on (searches, composes its answer);
3. :meth:`Pending.settle` waits for the encoder and assesses the message again in full,
   the vectors now at hand: exactly :meth:`Triage.assess`'s result. The caller keeps what
   it made from the provisional result only when the two are the same decision, and
   otherwise starts again from the full one (a crisis the multilingual check found gets
   the crisis reply, as it would have without reading ahead).

So the reply is the one the triage-first order gives, always; only the time changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from cancerinfo.triage.multilingual import deferred
from cancerinfo.triage.result import TriageResult
from cancerinfo.triage.rules import Triage
from cancerinfo.triage.signals import _english_closest
from cancerinfo.triage.text import split_sentences

__all__ = ["Pending", "ReadAhead", "same_decision"]


def same_decision(first: TriageResult, second: TriageResult) -> bool:
    """Are two results the same decision, evidence included (the time taken aside)?"""
    return dataclasses.replace(first, seconds=0.0) == dataclasses.replace(second, seconds=0.0)


@dataclass(slots=True)
class Pending:
    """A triage whose multilingual check is being read in a worker thread."""

    triage: Triage
    message: str
    known_terms: Callable[[str], bool] | None
    treatment_terms: Callable[[str], bool] | None
    reading: Future[None]

    def settle(self) -> TriageResult:
        """The full :meth:`Triage.assess` of the message, once the encoder has read it (a
        failed read ahead is only lost time: the assessment embeds again and raises as
        :meth:`Triage.assess` does)."""
        with contextlib.suppress(Exception):
            self.reading.result()
        return self.triage.assess(self.message, known_terms=self.known_terms, treatment_terms=self.treatment_terms)


class ReadAhead:
    """Assesses messages for a caller that acts on the result, reading the multilingual
    check ahead in one worker thread when the triage will ask it."""

    def __init__(self, triage: Triage) -> None:
        self.triage = triage
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def assess(
        self,
        message: str,
        *,
        known_terms: Callable[[str], bool] | None = None,
        treatment_terms: Callable[[str], bool] | None = None,
    ) -> tuple[TriageResult, Pending | None]:
        """:meth:`Triage.assess`'s result and ``None``; or, when the multilingual check will be
        asked, a provisional result (that check deferred) and the :class:`Pending` full one."""
        texts = self._multilingual_texts(message)
        if not texts:
            return self.triage.assess(message, known_terms=known_terms, treatment_terms=treatment_terms), None
        reading = self._worker().submit(self._read, texts)
        with deferred():
            provisional = self.triage.assess(message, known_terms=known_terms, treatment_terms=treatment_terms)
        return provisional, Pending(self.triage, message, known_terms, treatment_terms, reading)

    def close(self) -> None:
        """Stop the worker thread (after the read it may be doing)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _multilingual_texts(self, message: str) -> list[str]:
        """What the multilingual crisis check of an English message will embed: the whole
        message and its longer sentences, when the English check does not pass it and puts
        it at the gate or nearer (else nothing: the triage will not ask that check, or it is
        not an English message, whose checks are read in order as before)."""
        triage = self.triage
        rule, gate = triage.rules.meaning, triage.rules.meaning_any_language
        matcher = triage.exemplars.get("en")
        if triage.multilingual is None or gate is None or matcher is None or not message.strip():
            return []
        if triage._language(message).language not in rule.languages:
            return []
        closest, passed = _english_closest(matcher, rule, message)
        if closest is None or passed or closest.score < gate.english_gate:
            return []
        sentences = [s for s in split_sentences(message) if len(s.split()) >= gate.sentence_min_words]
        return [message, *(sentences[: gate.max_sentences] if len(sentences) > 1 else [])]

    def _read(self, texts: list[str]) -> None:
        """Embed ``texts`` one by one, as the check will (the encoder keeps the last few)."""
        encoder = self.triage.multilingual.embedder  # type: ignore[union-attr]
        for text in texts:
            encoder.embed([text])

    def _worker(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage-read-ahead")
            return self._pool
