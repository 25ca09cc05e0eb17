"""The document page never shows a bidi control, an invisible character or an HTML comment,
even from a store ingested before the loader removed them (issue 15, point 4).

The app runs in-process (FastAPI's TestClient, its lifespan loading a real store); the
store is built by the real ingest, then edited with SQL to hold what an older cancerinfo
stored: a title and a body with bidi overrides and zero-width characters, a comment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cancerinfo.pipeline.ingest import ingest
from cancerinfo.service import render
from cancerinfo.service.app import create_app
from cancerinfo.settings import Settings
from tests.helpers import write_page
from tests.service.conftest import build_kb

URL = "https://www.cancer.gov/types/fatigue-old"
COMMENT_URL = "https://www.cancer.gov/types/fatigue-notes"
RLO, PDF, LRI, PDI, ZWSP = "\u202e", "\u202c", "\u2066", "\u2069", "\u200b"
INVISIBLE = (RLO, PDF, LRI, PDI, ZWSP, "\u200e", "\u200f", "\u061c", "\u2060", "\ufeff")


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("deceptive")
    kb = build_kb(folder, examples_kb)
    write_page(
        kb / "en" / "02_nci_core" / "types",
        "old.md",
        "# Fatigue\n\nRest helps most people.\n",
        url=URL,
        title="Fatigue - NCI",
    )
    write_page(
        kb / "en" / "02_nci_core" / "types",
        "notes.md",
        "# Fatigue notes\n\nSleep well.\n\n<!-- curators: 98% is unconfirmed -->\n\n"
        "Eat well. <!-- inline secret --> Drink water.\n\n<!--\nmulti-line draft\n-->\nWalk daily.\n",
        url=COMMENT_URL,
        title="Fatigue notes - NCI",
    )
    db = folder / "store.db"
    assert ingest([kb], db=db).ok
    with sqlite3.connect(db) as connection:  # what a store written before this change holds
        connection.execute(
            "UPDATE documents SET title = ?, body = ? WHERE url = ?",
            (
                f"Fatigue {LRI}gnp.exe{PDI} - NCI",
                f"# Fatigue{ZWSP}\n\nRest helps {RLO}exe.gnp{PDF} most people.\n\n<!-- old note -->\n",
                URL,
            ),
        )
    connection.close()
    with TestClient(create_app(Settings(db=db)), follow_redirects=False) as client:
        assert client.post("/consent", data={"agree": "yes"}).status_code == 303
        yield client


def test_an_old_stores_title_and_body_show_no_bidi_or_invisible_character(http: TestClient) -> None:
    page = http.get("/documents", params={"url": URL})
    assert page.status_code == 200, page.text
    html = page.text
    for char in INVISIBLE:
        assert char not in html, f"U+{ord(char):04X}"
    assert "Fatigue gnp.exe - NCI" in html  # the title, in <title> and <h1>
    assert "Rest helps exe.gnp most people." in html
    assert "old note" not in html and "&lt;!--" not in html


def test_html_comments_in_a_page_are_not_shown(http: TestClient) -> None:
    page = http.get("/documents", params={"url": COMMENT_URL})
    assert page.status_code == 200, page.text
    for text in ("Sleep well.", "Eat well.", "Drink water.", "Walk daily."):
        assert text in page.text
    for hidden in ("curators", "98%", "inline secret", "multi-line draft", "&lt;!--", "--&gt;"):
        assert hidden not in page.text


def test_answer_text_drops_comments_and_invisible_characters_of_old_chunks() -> None:
    html = str(
        render.answer_text(
            f"Rest {RLO}helps{PDF} <!-- note --> most people [1].", citations=[1], anchor="a"
        )
    )
    assert "note" not in html and "&lt;!--" not in html and RLO not in html and PDF not in html
    assert "Rest helps" in html and 'href="#src-a-1"' in html
    assert render.finalize(f"a{RLO}b") == "ab" and render.finalize(None) is None
