"""The KB reader: the evidence finder and the composer on a KB held in memory (no SQLite), the
reader's one bounded cache of pages, and the store reader against a real store of the seed
pages."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cancerinfo.answer.citations import fold
from cancerinfo.answer.composer import Composer
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB, SectionRow, SQLiteKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.postings import terms
from cancerinfo.index.records import DocumentInfo, SearchResult
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.store.database import Store
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()

SIGNS = "Signs and symptoms of laryngeal cancer include a sore throat and ear pain."
SIGN_ITEMS = [
    "A sore throat or cough that does not go away.",
    "Trouble or pain when swallowing.",
    "A change or hoarseness in the voice.",
]
TESTS = "Tests that examine the throat and neck are used to find laryngeal cancer, such as a laryngoscopy."
SCREENING_TESTS = "Doctors may look at the larynx during a routine exam of the head and neck."
UNCHECKED = "Ear pain that will not go away is another sign that needs a doctor's visit."
BREAST_SIGNS = "A lump in or near the breast or under the arm is a common sign of breast cancer."

#: (id in the store, title, url slug, chunks as (heading path, text)): ids not in list order
PAGES = [
    (
        40,
        "Laryngeal Cancer Treatment - NCI",
        "laryngeal-treatment",
        [
            (
                "",
                "Laryngeal cancer is a disease in which malignant cells form in the tissues of the larynx.",
            ),
            (
                "Laryngeal cancer can cause signs and symptoms",
                " ".join([SIGNS, UNCHECKED]) + "\n" + "\n".join(f"- {i}" for i in SIGN_ITEMS),
            ),
            ("Laryngeal cancer is found with tests", TESTS),
        ],
    ),
    (
        10,
        "Laryngeal Cancer Screening - NCI",
        "laryngeal-screening",
        [
            (
                "",
                "Screening is looking for cancer before a person has any symptoms of laryngeal cancer.",
            ),
            (
                "What happens during screening tests",
                SCREENING_TESTS,
            ),
        ],
    ),
    (
        30,
        "Breast Cancer Treatment - NCI",
        "breast-treatment",
        [
            (
                "",
                "Breast cancer is a disease in which malignant cells form in the tissues of the breast.",
            ),
            ("Signs of breast cancer", BREAST_SIGNS),
        ],
    ),
    (
        20,
        "Fatigue - NCI",
        "fatigue",
        [
            (
                "",
                "Fatigue is the most common side effect of cancer treatment and can last for months.",
            ),
        ],
    ),
]
LARYNX, SCREENING, BREAST, FATIGUE = range(4)


def document(page_id: int, title: str, slug: str) -> DocumentInfo:
    return patient_page(page_id, title, slug)


DOCUMENTS = [document(page_id, title, slug) for page_id, title, slug, _ in PAGES]
CHUNKS = [
    ChunkRow(page_id * 100 + ordinal, f"{slug}-{ordinal}", position, ordinal, section, text)
    for position, (page_id, _, slug, chunks) in enumerate(PAGES)
    for ordinal, (section, text) in enumerate(chunks)
]


def body_of(position: int, *, leave_out: str = "") -> str:
    """The page as Markdown: its title, then each chunk under its heading (``leave_out``: a
    sentence the body does not have)."""
    _, title, _, chunks = PAGES[position]
    parts = [f"# {title.removesuffix(' - NCI')}"]
    for section, text in chunks:
        if section:
            parts.append(f"## {section}")
        parts.append(text.replace(leave_out, "") if leave_out else text)
    return "\n\n".join(parts) + "\n"


BODIES = {position: body_of(position) for position in range(len(PAGES))}


def chunk(chunk_id: str) -> ChunkRow:
    return next(c for c in CHUNKS if c.chunk_id == chunk_id)


def composer_on(kb: MemoryKB) -> Composer:
    return pages.composer_on(kb, DOCUMENTS, CHUNKS, POLICY)


def laryngeal_question(text: str = "what are the signs of laryngeal cancer") -> SearchResult:
    """A search result naming the topic "Laryngeal Cancer" and hitting nothing: the pages come
    from the titles alone."""
    topic = {
        "kind": "topic",
        "canonical": "Laryngeal Cancer",
        "text": "laryngeal cancer",
        "urls": [],
        "fuzzy": False,
    }
    return SearchResult(query=text, intent="symptoms", hits=[], entities=[topic])


# -- the finder and the composer on a KB in memory ------------------------------------------


def test_a_question_naming_a_topic_gets_the_pages_titled_with_it_the_one_with_more_parts_first() -> (
    None
):
    finder = composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS)).finder
    evidence = finder.find(laryngeal_question(), POLICY.plan("symptoms"))
    # the treatment page has a signs and a tests section, the screening page only tests
    assert evidence.pages == [LARYNX, SCREENING]
    assert finder.page_parts[LARYNX] >= {"warning_signs", "tests_to_expect"}
    assert "warning_signs" not in finder.page_parts[SCREENING]
    # chunks in page-id then chunk order: the screening page (id 10) before the treatment page (id 40)
    assert [c.chunk_id for c in evidence.chunks] == [
        "laryngeal-screening-0",
        "laryngeal-screening-1",
        "laryngeal-treatment-0",
        "laryngeal-treatment-1",
        "laryngeal-treatment-2",
    ]


def test_each_part_quotes_the_section_its_heading_fits_on_the_right_page() -> None:
    composer = composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS))
    evidence = composer.evidence(laryngeal_question(), "symptoms")
    sections, citations = composer.compose(
        "what are the signs of laryngeal cancer", "symptoms", evidence, hit_chunks=set()
    )
    by_kind = {s.kind: s for s in sections}
    signs = [c for c in citations if c.n in by_kind["warning_signs"].citations]
    assert {c.chunk_id for c in signs} == {"laryngeal-treatment-1"}
    assert SIGNS in by_kind["warning_signs"].text
    assert all(item in by_kind["warning_signs"].text for item in SIGN_ITEMS)
    tests = [c for c in citations if c.n in by_kind["tests_to_expect"].citations]
    # both pages have a tests section, and a part quotes up to pages_per_section pages
    assert POLICY.pages_per_section >= 2
    assert {c.chunk_id for c in tests} == {"laryngeal-treatment-2", "laryngeal-screening-1"}
    assert TESTS in by_kind["tests_to_expect"].text
    assert SCREENING_TESTS in by_kind["tests_to_expect"].text
    for citation in citations:
        assert fold(citation.quote) in fold(chunk(citation.chunk_id).text)
        assert citation.url == DOCUMENTS[chunk(citation.chunk_id).document].url
    assert BREAST_SIGNS not in "\n".join(s.text for s in sections)


def test_a_sentence_its_page_body_does_not_have_is_never_quoted() -> None:
    bodies = {**BODIES, LARYNX: body_of(LARYNX, leave_out=UNCHECKED)}
    composer = composer_on(MemoryKB(DOCUMENTS, bodies, CHUNKS))
    evidence = composer.evidence(laryngeal_question(), "symptoms")
    sections, _ = composer.compose(
        "signs of laryngeal cancer", "symptoms", evidence, hit_chunks=set()
    )
    shown = "\n".join(s.text for s in sections)
    assert SIGNS in shown
    assert UNCHECKED not in shown
    # with the sentence in the body it is quoted: the check reads the page's own body
    full = composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS))
    sections, _ = full.compose(
        "signs of laryngeal cancer",
        "symptoms",
        full.evidence(laryngeal_question(), "symptoms"),
        hit_chunks=set(),
    )
    assert UNCHECKED in "\n".join(s.text for s in sections)


def test_warming_up_reads_every_page_once_and_answers_as_cold() -> None:
    kb = MemoryKB(DOCUMENTS, BODIES, CHUNKS)
    warm = composer_on(kb)
    assert warm.warm() == len(PAGES)
    assert kb.reads == len(PAGES)  # every body, no chunks yet
    cold = composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS))
    question = "what are the signs of laryngeal cancer"
    assert warm.compose(
        question, "symptoms", warm.evidence(laryngeal_question(), "symptoms"), hit_chunks=set()
    ) == cold.compose(
        question, "symptoms", cold.evidence(laryngeal_question(), "symptoms"), hit_chunks=set()
    )


# -- the reader ------------------------------------------------------------------------------


def test_the_memory_reader_gives_each_page_its_body_chunks_and_sections() -> None:
    kb = MemoryKB(DOCUMENTS, {LARYNX: BODIES[LARYNX]}, reversed(CHUNKS))
    assert kb.body(LARYNX) == BODIES[LARYNX]
    assert kb.body(FATIGUE) == ""  # no body given
    assert [c.ordinal for c in kb.chunks(LARYNX)] == [0, 1, 2]
    assert {c.document for c in kb.chunks(BREAST)} == {BREAST}
    assert set(kb.sections()) == {
        SectionRow(position, section, ordinal == 0)
        for position, (_, _, _, chunks) in enumerate(PAGES)
        for ordinal, (section, _) in enumerate(chunks)
    }


def test_a_chunk_on_no_page_and_an_empty_cache_are_refused() -> None:
    stray = ChunkRow(1, "stray", len(DOCUMENTS), 0, "", "text")
    with pytest.raises(ValueError, match="stray"):
        MemoryKB(DOCUMENTS, BODIES, [stray])
    with pytest.raises(ValueError, match="pages_kept"):
        MemoryKB(DOCUMENTS, BODIES, CHUNKS, pages_kept=0)


def test_the_cache_is_bounded_and_reads_a_page_again_after_it_was_dropped() -> None:
    kb = MemoryKB(DOCUMENTS, BODIES, CHUNKS, pages_kept=2)
    kb.body(LARYNX)
    kb.chunks(LARYNX)
    kb.body(SCREENING)
    assert (kb.reads, kb.kept) == (3, 2)
    kb.body(LARYNX)  # kept: no read, and now the most recently used
    assert kb.reads == 3
    kb.body(BREAST)  # drops the least recently used page: SCREENING, not LARYNX
    assert (kb.reads, kb.kept) == (4, 2)
    kb.body(LARYNX)
    kb.chunks(LARYNX)
    assert kb.reads == 4
    kb.chunks(BREAST)  # the page is kept, its chunks were not read yet
    assert kb.reads == 5
    kb.body(SCREENING)  # dropped: read again (and LARYNX, now the least recently used, goes)
    assert (kb.reads, kb.kept) == (6, 2)
    kb.body(LARYNX)
    assert kb.reads == 7
    for position in [FATIGUE, BREAST, LARYNX, SCREENING, FATIGUE, LARYNX]:
        kb.chunks(position)
        kb.page_terms(position)
        assert kb.kept <= 2


def test_page_terms_are_the_title_and_body_stemmed_as_the_search_stems() -> None:
    kb = MemoryKB(DOCUMENTS, BODIES, CHUNKS)
    words = kb.page_terms(LARYNX)
    assert words == frozenset(terms(f"{DOCUMENTS[LARYNX].title} {BODIES[LARYNX]}"))
    assert "symptom" in words and "symptoms" not in words  # "Signs and symptoms", stemmed
    assert "nci" in words  # from the title only
    assert "swallowing" in words and "swallowing" not in kb.page_terms(SCREENING)
    assert "breast" in kb.page_terms(BREAST) and "breast" not in words


# -- the store reader on a real store ---------------------------------------------------------


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    root = tmp_path_factory.mktemp("seed")
    shutil.copytree(examples_kb, root / "kb")
    path = root / "store.db"
    assert ingest([root / "kb"], db=path, embedder=HashingEmbedder()).ok
    return path


def raw(db: Path, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows read by a connection of the test's own."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def seed_documents(db: Path) -> list[DocumentInfo]:
    """The seed pages, highest id first (so a position is not an id), and a page the store
    does not have."""
    found = [
        document(page_id, title, url.removeprefix("https://www.cancer.gov/"))
        for page_id, title, url in raw(db, "SELECT id, title, url FROM documents ORDER BY id DESC")
    ]
    return [*found, document(99_999, "Gone - NCI", "gone")]


def test_the_store_reader_reads_each_page_by_its_position(seed_store: Path) -> None:
    documents = seed_documents(seed_store)
    assert len(documents) == 3  # two seed pages and the gone one
    with Store.open(seed_store) as store:
        kb = SQLiteKB(store, documents)
        ixazomib = next(p for p, d in enumerate(documents) if d.url.endswith("/ixazomibcitrate"))
        ixabepilone = next(p for p, d in enumerate(documents) if d.url.endswith("/ixabepilone"))
        assert "Ninlaro" in kb.body(ixazomib) and "Ninlaro" not in kb.body(ixabepilone)
        assert kb.body(2) == "" and kb.chunks(2) == ()
        for position in (ixazomib, ixabepilone):
            page_id = documents[position].id
            assert (
                kb.body(position)
                == raw(seed_store, "SELECT body FROM documents WHERE id = ?", (page_id,))[0][0]
            )
            chunks = kb.chunks(position)
            assert [(c.rowid, c.chunk_id, c.ordinal, c.section, c.text) for c in chunks] == raw(
                seed_store,
                "SELECT rowid, chunk_id, ordinal, section, text FROM chunks WHERE document_id = ? ORDER BY ordinal",
                (page_id,),
            )
            assert {c.document for c in chunks} == {position}
            assert [c.ordinal for c in chunks] == sorted(c.ordinal for c in chunks)
        headings = {
            row.section.split(" > ")[-1] for row in kb.sections() if row.document == ixazomib
        }
        assert {
            "Use in Cancer",
            "More About Ixazomib Citrate",
        } <= headings  # the seed page's own headings
        position_of = {d.id: p for p, d in enumerate(documents)}
        assert set(kb.sections()) == {
            SectionRow(position_of[page_id], section, ordinal == 0)
            for page_id, section, ordinal in raw(
                seed_store, "SELECT document_id, section, ordinal FROM chunks"
            )
        }
        assert "ninlaro" in kb.page_terms(ixazomib) and "ninlaro" not in kb.page_terms(ixabepilone)


def test_the_store_reader_queries_only_for_what_it_does_not_keep(seed_store: Path) -> None:
    documents = seed_documents(seed_store)
    with Store.open(seed_store) as store:
        statements: list[str] = []
        store.connection.set_trace_callback(statements.append)
        kb = SQLiteKB(store, documents, pages_kept=1)
        kb.body(0)
        kb.chunks(0)
        kb.page_terms(0)
        kb.body(0)
        assert len(statements) == 2 and kb.reads == 2
        kb.body(1)  # drops page 0
        kb.body(0)
        assert len(statements) == 4 and kb.reads == 4 and kb.kept == 1
