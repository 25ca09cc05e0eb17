"""The question model (cancerinfo.index.question_model): derived offline from the shipped
MiniLM file, pinned by sha256, cached, close to the shipped model, and used for questions
against stores whose pages the shipped model embedded. Real onnxruntime, real files, real
stores built by the real ingest.

Deriving takes about 3 s, so it happens twice in this file: once when the module's empty
cache folder is first filled (``cached_model``) and once in memory when the cache folder
cannot be written (which is also the determinism check). Elsewhere derive_question_model
is replaced only to prove it is not called, to stand for a derivation whose bytes are the
module's (a damaged cached file), or to return bytes that are not the pinned model.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.assistant_layout import _ShortAnswer
from cancerinfo.errors import PolicyError, StoreMismatch
from cancerinfo.index import question_model
from cancerinfo.index.dense import (
    DIMENSION,
    MODEL_MODULE,
    EmbeddingModelMismatch,
    HashingEmbedder,
    MiniLMEmbedder,
    minilm_name,
)
from cancerinfo.index.question_model import (
    QUESTION_MODEL_FILE,
    QUESTION_MODEL_SHA256,
    MiniLMQuestionEmbedder,
    cache_folder,
    question_embedder,
    question_model_bytes,
)
from cancerinfo.index.ranking import load_retrieval_policy
from cancerinfo.index.search import Searcher
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.policies import policy_path

#: Short questions of different kinds: drug, brand, symptom, procedure, risk, lay wording.
QUESTIONS = [
    "What is ixabepilone used to treat?",
    "is Ninlaro a chemo pill?",
    "what are the warning signs of cancer of the voice box?",
    "How long does radiation therapy take?",
    "Can breast cancer come back after a mastectomy?",
    "what does stage 3 mean",
    "Side effects of chemotherapy on hair",
    "Is lung cancer hereditary?",
    "Should I get screened for colon cancer at 45?",
    "What is a biopsy?",
    "my dad has leukemia what now",
]

#: Passages (embedded by the shipped model, as pages are) and, in the same order, a
#: question each one answers.
PASSAGES = [
    "Ixabepilone is a chemotherapy drug used to treat breast cancer that has spread.",
    "Hoarseness and a lump in the neck can be signs of laryngeal cancer.",
    "Radiation therapy is usually given five days a week for several weeks.",
    "Colorectal cancer screening is recommended starting at age 45.",
    "Smoking is the most important risk factor for bladder cancer.",
    "A biopsy is the removal of cells or tissues so they can be viewed under a microscope.",
]
PASSAGE_QUESTIONS = [
    "What is ixabepilone used for?",
    "what are signs of throat cancer",
    "how many weeks does radiotherapy last",
    "when should I start colon screening",
    "what causes bladder cancer",
    "what is a biopsy",
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def op_counts(model: bytes) -> collections.Counter[str]:
    return collections.Counter(node.op_type for node in onnx.load_model_from_string(model).graph.node)


def must_not_derive() -> bytes:
    raise AssertionError("the question model was derived again instead of read from the cache")


@pytest.fixture(scope="module")
def cached_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """What question_model_bytes() gives with an empty cache folder (not created yet), and
    that folder: the first of this file's two derivations."""
    folder = tmp_path_factory.mktemp("cache") / "not-yet" / "cancerinfo"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CANCERINFO_CACHE_DIR", str(folder))
        question_model_bytes.cache_clear()
        try:
            data = question_model_bytes()
        finally:
            question_model_bytes.cache_clear()
    return data, folder


@pytest.fixture
def cache_env(monkeypatch: pytest.MonkeyPatch, cached_model: tuple[bytes, Path]) -> Iterator[Path]:
    """CANCERINFO_CACHE_DIR at the module's filled cache folder; deriving again would fail."""
    _, folder = cached_model
    monkeypatch.setenv("CANCERINFO_CACHE_DIR", str(folder))
    monkeypatch.setattr(question_model, "derive_question_model", must_not_derive)
    question_model_bytes.cache_clear()
    yield folder
    question_model_bytes.cache_clear()


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """question_model_bytes() forgets what an earlier call returned, before and after."""
    question_model_bytes.cache_clear()
    yield
    question_model_bytes.cache_clear()


@pytest.fixture(scope="module")
def question(cached_model: tuple[bytes, Path]) -> MiniLMQuestionEmbedder:
    _, folder = cached_model
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CANCERINFO_CACHE_DIR", str(folder))
        patch.setattr(question_model, "derive_question_model", must_not_derive)
        question_model_bytes.cache_clear()
        try:
            return MiniLMQuestionEmbedder(threads=1)
        finally:
            question_model_bytes.cache_clear()


@pytest.fixture(scope="module")
def shipped() -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=1)


@pytest.fixture(scope="module")
def minilm_db(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    """The seed pages, ingested as every real store is (default embedder: the shipped model)."""
    path = tmp_path_factory.mktemp("minilm") / "store.db"
    assert ingest([examples_kb], db=path).ok
    return path


@pytest.fixture(scope="module")
def hashing_db(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    path = tmp_path_factory.mktemp("hashing") / "store.db"
    assert ingest([examples_kb], db=path, embedder=HashingEmbedder()).ok
    return path


# --- deriving and caching -----------------------------------------------------------------


def test_the_first_call_derives_the_pinned_model_and_caches_it(cached_model: tuple[bytes, Path]) -> None:
    data, folder = cached_model
    assert sha256(data) == QUESTION_MODEL_SHA256
    assert QUESTION_MODEL_SHA256[:16] in QUESTION_MODEL_FILE
    # the missing folder was created; only the model is left in it (no temporary file)
    assert sorted(path.name for path in folder.iterdir()) == [QUESTION_MODEL_FILE]
    assert (folder / QUESTION_MODEL_FILE).read_bytes() == data


def test_the_derived_model_multiplies_the_weights_as_8_bit_integers(cached_model: tuple[bytes, Path]) -> None:
    import importlib.resources

    data, _ = cached_model
    shipped_ops = op_counts(importlib.resources.files(MODEL_MODULE).joinpath("model.onnx").read_bytes())
    derived_ops = op_counts(data)
    # 36 linear layers (6 per block) become 8-bit integer products; the 12 attention products of two
    # activations stay float MatMul.
    assert shipped_ops["MatMul"] == 48 and shipped_ops["MatMulInteger"] == 0
    assert derived_ops["MatMulInteger"] == 36 and derived_ops["MatMul"] == 12


def test_every_integer_product_is_unsigned_by_unsigned(cached_model: tuple[bytes, Path]) -> None:
    # An unsigned-by-signed product saturates on x86 CPUs without VNNI (the same question
    # got another vector there); uint8 by uint8 never does, so every CPU sums the same.
    data, _ = cached_model
    graph = onnx.load_model_from_string(data).graph
    initializers = {tensor.name: tensor.data_type for tensor in graph.initializer}
    produced_by = {out: node for node in graph.node for out in node.output}
    products = [node for node in graph.node if node.op_type == "MatMulInteger"]
    assert len(products) == 36
    for node in products:
        activations, weights = node.input[0], node.input[1]
        assert produced_by[activations].op_type == "DynamicQuantizeLinear"  # always uint8
        assert initializers[weights] == onnx.TensorProto.UINT8, node.name
        assert initializers[node.input[3]] == onnx.TensorProto.UINT8  # the weights' zero points


def test_a_cached_model_is_read_not_derived(cache_env: Path, cached_model: tuple[bytes, Path]) -> None:
    data, _ = cached_model
    cached = cache_env / QUESTION_MODEL_FILE
    before = cached.stat().st_mtime_ns
    assert question_model_bytes() == data  # derive_question_model raises here (cache_env)
    assert cached.stat().st_mtime_ns == before
    assert sorted(path.name for path in cache_env.iterdir()) == [QUESTION_MODEL_FILE]


def test_a_damaged_cached_file_is_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_cache: None, cached_model: tuple[bytes, Path]
) -> None:
    data, _ = cached_model
    cached = tmp_path / QUESTION_MODEL_FILE
    cached.write_bytes(data[: len(data) // 2])  # a cut-off copy
    monkeypatch.setenv("CANCERINFO_CACHE_DIR", str(tmp_path))
    calls: list[str] = []

    def derive() -> bytes:  # the module's derived bytes, not 3 s of deriving them again
        calls.append("derive")
        return data

    monkeypatch.setattr(question_model, "derive_question_model", derive)
    assert sha256(question_model_bytes()) == QUESTION_MODEL_SHA256
    assert calls == ["derive"]
    assert sha256(cached.read_bytes()) == QUESTION_MODEL_SHA256
    assert sorted(path.name for path in tmp_path.iterdir()) == [QUESTION_MODEL_FILE]


def test_a_derived_model_that_is_not_the_pinned_one_is_refused_and_not_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_cache: None
) -> None:
    monkeypatch.setenv("CANCERINFO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(question_model, "derive_question_model", lambda: b"another onnxruntime's model")
    with pytest.raises(EmbeddingModelMismatch, match="question_model: document-model") as raised:
        question_model_bytes()
    assert QUESTION_MODEL_SHA256 in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_cannot_be_written_gets_the_same_model_derived_in_memory(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fresh_cache: None,
    caplog: pytest.LogCaptureFixture,
    cached_model: tuple[bytes, Path],
) -> None:
    """Also the determinism check: this second derivation gives the first one's bytes."""
    data, _ = cached_model
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CANCERINFO_CACHE_DIR", str(blocker / "cache"))  # under a regular file
    caplog.set_level(logging.WARNING, logger="cancerinfo.index")
    derived = question_model_bytes()
    assert sha256(derived) == QUESTION_MODEL_SHA256
    assert derived == data
    assert "could not cache the question model" in caplog.text
    assert blocker.read_text() == "not a folder"


def test_the_cache_folder_is_cancerinfo_cache_dir_else_xdg_else_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CANCERINFO_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache_folder() == tmp_path / "explicit"
    monkeypatch.delenv("CANCERINFO_CACHE_DIR")
    assert cache_folder() == tmp_path / "xdg" / "cancerinfo"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_folder() == tmp_path / "home" / ".cache" / "cancerinfo"


# --- the embedder ---------------------------------------------------------------------------


def test_the_question_embedder_names_itself_and_the_model_of_the_pages(
    question: MiniLMQuestionEmbedder, shipped: MiniLMEmbedder
) -> None:
    assert question.name != shipped.name
    assert "questions=int8-dynamic" in question.name
    # the model's hash in its name: example vectors cached under it (triage/meaning.py) are
    # not read for another derivation (the int8-weight model's vectors were, for the uint8 one)
    assert f"sha256={QUESTION_MODEL_SHA256[:16]}" in question.name
    assert question.document_name == shipped.name == shipped.document_name == minilm_name()
    assert question.dimension == DIMENSION and question.max_tokens == shipped.max_tokens


def test_question_vectors_are_unit_rows_of_384(question: MiniLMQuestionEmbedder) -> None:
    vectors = question.embed(QUESTIONS)
    assert vectors.shape == (len(QUESTIONS), DIMENSION) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert question.embed([]).shape == (0, DIMENSION)


def test_question_vectors_are_close_to_the_shipped_models(
    question: MiniLMQuestionEmbedder, shipped: MiniLMEmbedder
) -> None:
    # one question per call, as the Searcher embeds them
    ours = np.stack([question.embed([text])[0] for text in QUESTIONS])
    theirs = shipped.embed(QUESTIONS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.97, dict(zip(QUESTIONS, cosines.round(4), strict=True))
    assert cosines.max() < 0.999  # close, but another model: the int8 products do run


def test_a_question_vector_barely_depends_on_its_batch(question: MiniLMQuestionEmbedder) -> None:
    """Activations are quantised per call, so unlike the shipped model a question's vector
    depends a little on the texts embedded with it; only a little."""
    alone = np.stack([question.embed([text])[0] for text in QUESTIONS])
    together = question.embed(QUESTIONS)
    assert ((alone * together).sum(axis=1)).min() >= 0.97


class _Candidates(_ShortAnswer):
    """The short-answer step's kept candidate vectors, on the question model alone."""

    def __init__(self, embedder: MiniLMQuestionEmbedder) -> None:
        self.searcher = SimpleNamespace(embedder=embedder)  # type: ignore[assignment]
        self._windows = collections.OrderedDict()
        self._window_lock = threading.Lock()


def test_a_kept_candidate_vector_does_not_depend_on_what_came_before(question: MiniLMQuestionEmbedder) -> None:
    """A short-answer candidate's vector is kept between questions; computed in a batch it
    would depend on its neighbours, and the next answer on which questions came before."""
    seen_with_others = _Candidates(question)._window_vectors(QUESTIONS)
    for row, text in enumerate(QUESTIONS):
        met_alone = _Candidates(question)._window_vectors([text])[0]
        assert np.array_equal(seen_with_others[row], met_alone), text


def test_questions_find_the_same_best_passage_as_with_the_shipped_model(
    question: MiniLMQuestionEmbedder, shipped: MiniLMEmbedder
) -> None:
    passages = shipped.embed(PASSAGES)  # pages are always embedded by the shipped model
    ours = np.stack([question.embed([text])[0] for text in PASSAGE_QUESTIONS]) @ passages.T
    theirs = shipped.embed(PASSAGE_QUESTIONS) @ passages.T
    expected = list(range(len(PASSAGES)))
    assert list(theirs.argmax(axis=1)) == expected
    assert list(ours.argmax(axis=1)) == expected


# --- the policy, the Searcher and the Assistant ------------------------------------------------


def test_the_policy_chooses_the_question_embedder(cache_env: Path) -> None:
    shipped_policy = load_retrieval_policy()
    assert shipped_policy.question_model == "int8-dynamic"
    int8 = question_embedder(shipped_policy.model_copy(update={"question_model": "int8-dynamic"}), threads=1)
    assert type(int8) is MiniLMQuestionEmbedder and int8.threads == 1
    plain = question_embedder(shipped_policy.model_copy(update={"question_model": "document-model"}))
    assert type(plain) is MiniLMEmbedder


def test_an_unknown_question_model_in_the_policy_is_refused(tmp_path: Path) -> None:
    text = policy_path("retrieval.yaml").read_text(encoding="utf-8")
    path = tmp_path / "retrieval.yaml"
    path.write_text(re.sub(r"(?m)^question_model: .*$", "question_model: fp16", text), encoding="utf-8")
    with pytest.raises(PolicyError, match="question_model"):
        load_retrieval_policy(path)


def test_a_searcher_with_the_question_embedder_searches_a_store_of_the_shipped_model(
    minilm_db: Path, question: MiniLMQuestionEmbedder
) -> None:
    searcher = Searcher(minilm_db, embedder=question)
    try:
        hits = searcher.search("What is ixabepilone used to treat?").hits
        assert hits[0].url.endswith("/drugs/ixabepilone")
    finally:
        searcher.close()


def test_by_default_a_searcher_embeds_questions_with_the_question_model(minilm_db: Path, cache_env: Path) -> None:
    searcher = Searcher(minilm_db)
    try:
        assert type(searcher.embedder) is MiniLMQuestionEmbedder
    finally:
        searcher.close()


def test_a_store_of_another_embedder_is_refused_naming_the_document_model(
    hashing_db: Path, question: MiniLMQuestionEmbedder
) -> None:
    with pytest.raises(StoreMismatch) as raised:
        Searcher(hashing_db, embedder=question)
    message = str(raised.value)
    assert repr(question.document_name) in message and "hashing-stand-in-v1" in message
    assert "questions=int8-dynamic" not in message


def test_the_assistant_honours_question_model_document_model_in_a_policies_folder(
    minilm_db: Path, tmp_path: Path, cache_env: Path
) -> None:
    db = tmp_path / "store.db"  # the assistant keeps its sessions in the store
    shutil.copy(minilm_db, db)
    folder = tmp_path / "policies"  # a deployment's folder: the files it lacks are the shipped ones
    folder.mkdir()
    retrieval = shutil.copy(policy_path("retrieval.yaml"), folder / "retrieval.yaml")
    text, edits = re.subn(
        r"(?m)^question_model: int8-dynamic$", "question_model: document-model", retrieval.read_text(encoding="utf-8")
    )
    assert edits == 1
    retrieval.write_text(text, encoding="utf-8")

    for policies, expected in ((folder, MiniLMEmbedder), (None, MiniLMQuestionEmbedder)):
        assistant = Assistant(db, policies=policies)
        try:
            # the searcher's embedder is wrapped so the triage's vector of a message is reused
            assert type(assistant.searcher.embedder.inner) is expected, policies
        finally:
            assistant.close()
