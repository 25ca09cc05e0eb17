"""Pages read back from the store on demand: the vocabulary mined from them is the one
mined from whole documents in memory, on real NCI pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.vocabulary import Vocabulary, load_lay_terms
from cancerinfo.kb.document import Document
from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.pipeline.vocabulary import mine_vocabulary
from cancerinfo.policies import policy_path
from cancerinfo.store.pages import stored_pages
from tests.conftest import copy_pages


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nci_kb: Path) -> Path:
    """A store of 120 real NCI pages (drugs, regimens and topics among them)."""
    kb = tmp_path_factory.mktemp("kb") / "nci-kb"
    copy_pages(sorted(nci_kb.rglob("*.md"))[::12], nci_kb, kb)
    path = tmp_path_factory.mktemp("store") / "store.db"
    ingest([kb], db=path, embedder=HashingEmbedder())
    return path


def documents_in_memory(connection: sqlite3.Connection) -> list[Document]:
    """Every live page as a whole Document (how the vocabulary was mined before)."""
    return [
        Document(
            path=Path(row[0]),
            front_matter=FrontMatter.model_validate(json.loads(row[1])),
            body=row[2],
            body_line=row[3],
            text=row[2],
        )
        for row in connection.execute(
            "SELECT path, front_matter, body, body_line FROM documents WHERE removed_at IS NULL ORDER BY url"
        )
    ]


def test_the_vocabulary_of_stored_pages_is_the_vocabulary_of_whole_documents(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        expected = Vocabulary.from_documents(
            documents_in_memory(connection), lay_terms=load_lay_terms(policy_path("lay_terms.yaml"))
        )
        mined = mine_vocabulary(connection)
    finally:
        connection.close()
    assert len(mined) > 100
    assert mined.to_rows() == expected.to_rows()


def test_a_stored_page_reads_what_its_document_holds(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        pages = stored_pages(connection)
        documents = documents_in_memory(connection)
        assert [page.url for page in pages] == [document.url for document in documents]
        for page, document in zip(pages[:10], documents[:10], strict=True):
            assert (page.path, page.body, page.body_line, page.text) == (
                document.path, document.body, document.body_line, document.text,
            )
            assert page.front_matter == document.front_matter
            assert page.content_hash == document.content_hash
    finally:
        connection.close()
