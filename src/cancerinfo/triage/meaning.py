"""Self-harm by meaning: a message compared with reviewed exemplar messages.

The exemplars (``policies/triage/exemplars.yaml``) are short messages that express suicidal
thinking or self-harm (direct, indirect, a passive wish to be dead, a plan, preparations,
what a relative said) and messages that do not (fear of dying, a wish to die at home,
questions about depression). The message, and each of its sentences when it has several,
is embedded with the packaged sentence encoder (all-MiniLM-L6-v2, :mod:`cancerinfo.index.dense`)
and compared by cosine with every exemplar. A unit is a crisis signal when its nearest
crisis exemplar is at least ``threshold`` close and closer than the nearest non-crisis
exemplar by ``margin`` or more (``policies/triage/rules.yaml``; the calibration table is in
docs/benchmarks.md).

The exemplars' vectors are kept in the cache folder (like the question model), keyed by the
embedder and the exemplar texts, so a process embeds them once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cancerinfo.index.dense import Embedder

__all__ = ["Closest", "CrisisDirection", "ExampleVoter", "ExemplarMatcher", "RecentEmbeddings", "Vote"]


@dataclass(frozen=True, slots=True)
class Closest:
    """The unit of a message nearest to a crisis exemplar."""

    score: float  # cosine with the nearest crisis exemplar
    margin: float  # that, minus the cosine with the nearest non-crisis exemplar
    exemplar: str  # the crisis exemplar (policy text, safe to show)
    unit: int  # which unit of the message (0: the whole message, then its sentences)


class ExemplarMatcher:
    """Compares message units with the crisis and non-crisis exemplars."""

    def __init__(
        self,
        embedder: Embedder,
        crisis: Sequence[str],
        not_crisis: Sequence[str],
        *,
        cache: Path | None = None,
        shipped: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.crisis = tuple(crisis)
        self.not_crisis = tuple(not_crisis)
        vectors = cached_vectors(embedder, (*self.crisis, *self.not_crisis), cache, shipped)
        self._crisis = vectors[: len(self.crisis)]
        self._not_crisis = vectors[len(self.crisis) :]

    @property
    def crisis_vectors(self) -> np.ndarray:
        """The crisis exemplars' vectors (in ``crisis`` order)."""
        return self._crisis

    @property
    def not_crisis_vectors(self) -> np.ndarray:
        """The not-crisis exemplars' vectors (in ``not_crisis`` order)."""
        return self._not_crisis

    def closest(self, units: Sequence[str]) -> Closest | None:
        """The unit nearest to a crisis exemplar (with its margin), or None without units."""
        units = [u for u in units if u.strip()]
        if not units:
            return None
        vectors = np.vstack([self.embedder.embed([unit]) for unit in units])
        crisis = vectors @ self._crisis.T
        best_crisis = crisis.max(axis=1)
        if len(self.not_crisis):
            best_other = (vectors @ self._not_crisis.T).max(axis=1)
        else:
            best_other = np.full(len(units), -1.0, dtype=np.float32)
        margins = best_crisis - best_other
        # the unit that passes best: rank by the smaller of score and margin-shifted score
        unit = int(np.argmax(best_crisis + np.minimum(margins, 0)))
        exemplar = self.crisis[int(np.argmax(crisis[unit]))]
        return Closest(float(best_crisis[unit]), float(margins[unit]), exemplar, unit)


class CrisisDirection:
    """One direction through an encoder's space that separates the crisis examples from the
    others: ridge regression of +1 (crisis) against -1 (not crisis, other urgent levels) on
    the examples' vectors, fitted when the examples are loaded (closed form, so the same
    examples always give the same direction; nothing is stored beside them). Where the
    nearest example says little (a crisis put in words no single example uses), the examples
    together still point one way."""

    def __init__(self, crisis: np.ndarray, others: np.ndarray, *, penalty: float, crisis_weight: float) -> None:
        rows = np.vstack([crisis, others]).astype(np.float64)
        rows = np.hstack([rows, np.ones((len(rows), 1))])
        target = np.r_[np.ones(len(crisis)), -np.ones(len(others))]
        weight = np.where(target > 0, crisis_weight, 1.0)
        weighted = rows * weight[:, None]
        self._weights = np.linalg.solve(weighted.T @ rows + penalty * np.eye(rows.shape[1]), weighted.T @ target)

    def score(self, vector: np.ndarray) -> float:
        """The score of one unit vector along the direction (above 0: nearer the crisis side)."""
        return float(vector.astype(np.float64) @ self._weights[:-1] + self._weights[-1])


@dataclass(frozen=True, slots=True)
class Vote:
    """What the nearest example messages say about one message."""

    reason: str | None  # the refusal most of the nearest refusals carry; None: not refused
    votes: int  # refusals among the k nearest examples
    score: float  # cosine with the nearest refusal example
    example: str  # that example (policy text, safe to show)


class ExampleVoter:
    """Refusals by meaning: a message among labelled example messages
    (``policies/triage/refusal-examples.yaml``), by cosine of their sentence vectors."""

    def __init__(
        self,
        embedder: Embedder,
        refuse: dict[str, Sequence[str]],
        not_refuse: Sequence[str],
        *,
        cache: Path | None = None,
        vectors: np.ndarray | None = None,
    ) -> None:
        """``vectors``: the examples' rows (refusals in ``refuse`` order, then ``not_refuse``)
        when they are already at hand; else read from the cache or embedded."""
        texts = [t for ts in refuse.values() for t in ts]
        self.embedder = embedder
        self.reasons = tuple(reason for reason, ts in refuse.items() for _ in ts)
        self.texts = (*texts, *not_refuse)
        self._vectors = cached_vectors(embedder, self.texts, cache) if vectors is None else vectors
        self._refusals = len(texts)

    def vote(self, vector: np.ndarray, *, k: int) -> Vote:
        """The ``k`` nearest examples of ``vector`` (a unit vector of the same encoder)."""
        scores = self._vectors @ vector.astype(np.float32)
        nearest = np.argsort(-scores, kind="stable")[:k]
        refusals = [int(i) for i in nearest if i < self._refusals]
        if not self._refusals:
            return Vote(None, 0, -1.0, "")
        best = int(np.argmax(scores[: self._refusals]))
        counts: dict[str, int] = {}
        for i in refusals:
            counts[self.reasons[i]] = counts.get(self.reasons[i], 0) + 1
        # the reason most nearest refusals carry; counts holds them nearest first and max keeps
        # the first of equal counts, so a tie goes to the nearer one
        reason = max(counts, key=counts.__getitem__) if counts else None
        return Vote(reason, len(refusals), float(scores[best]), self.texts[best])


def vectors_key(embedder: Embedder, texts: Sequence[str]) -> str:
    """The name of the vectors of ``texts`` by ``embedder`` (cache and shipped files)."""
    key = hashlib.sha256("\x00".join([embedder.name, *texts]).encode("utf-8")).hexdigest()[:24]
    return f"triage-exemplars-{key}.npy"


def cached_vectors(
    embedder: Embedder, texts: Sequence[str], cache: Path | None, shipped: Path | None = None
) -> np.ndarray:
    """The vectors of ``texts``: from ``shipped`` (a folder of the policies) or ``cache`` when
    a file there has their key, else embedded now (and kept in ``cache``)."""
    name = vectors_key(embedder, texts)
    path = (cache / name) if cache is not None else None
    for folder in (shipped, cache):
        if folder is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            vectors = np.load(folder / name, allow_pickle=False)
            if vectors.shape == (len(texts), embedder.dimension):
                return vectors.astype(np.float32)
    # one text per call: the question model's vectors depend a little on their batch
    vectors = np.vstack([embedder.embed([text]) for text in texts]) if texts else np.zeros((0, embedder.dimension), np.float32)
    if path is not None:
        scratch: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".exemplars-", suffix=".npy", delete=False) as out:
                scratch = out.name
                np.save(out, vectors, allow_pickle=False)
            os.replace(scratch, path)
        except OSError:
            if scratch is not None:
                with contextlib.suppress(OSError):
                    os.unlink(scratch)
    return vectors.astype(np.float32)


class RecentEmbeddings:
    """An embedder that remembers the vectors of the last few single texts it embedded, so
    the message the triage embedded is not embedded again by the search (the same text,
    one call each)."""

    def __init__(self, embedder: Embedder, *, size: int = 16) -> None:
        self.inner = embedder
        self.size = size
        self._recent: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    @property
    def name(self) -> str:
        """The inner embedder's name."""
        return self.inner.name

    @property
    def document_name(self) -> str:
        """The inner embedder's ``document_name``."""
        return self.inner.document_name

    @property
    def dimension(self) -> int:
        """The inner embedder's dimension."""
        return self.inner.dimension

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """The inner embedder's token counts."""
        return self.inner.token_counts(texts, truncate=truncate)

    def embed(self, texts: Sequence[str], *, progress: object = None) -> np.ndarray:
        """One text: its remembered vector if it was embedded lately, else embedded and remembered
        (a copy either way); several texts: embedded as they are."""
        if len(texts) != 1:
            return self.inner.embed(texts, progress=progress)  # type: ignore[arg-type]
        text = texts[0]
        with self._lock:
            vector = self._recent.get(text)
        if vector is None:
            vector = self.inner.embed([text])
            with self._lock:
                if len(self._recent) >= self.size:
                    self._recent.pop(next(iter(self._recent)))
                self._recent[text] = vector
        return vector.copy()
