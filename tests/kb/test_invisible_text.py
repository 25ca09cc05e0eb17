"""Text that deceives (issue 15, point 4): bidi controls and invisible format characters in
a KB page are named (file:line) at validate and ingest and removed from the stored text;
HTML comments never reach the clean text that is indexed, quoted and shown."""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from pathlib import Path

import pytest

from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.markdown import parse_markdown
from cancerinfo.kb.text import INVISIBLE, KEPT_FORMAT
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.pipeline.verify import verify_store
from tests.helpers import cli, write_page

RLO, PDF, ZWSP, LRI, PDI, WJ, BOM = (
    "\u202e",
    "\u202c",
    "\u200b",
    "\u2066",
    "\u2069",
    "\u2060",
    "\ufeff",
)
SOFT_HYPHEN, ZWNJ, ZWJ = "\u00ad", "\u200c", "\u200d"
BIDI_CONTROLS = [
    chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
]

BODY = (
    "# Fatigue\n"
    "\n"
    f"Rest helps {RLO}exe.gnp{PDF} most people.\n"
    "\n"
    f"Chemo{ZWSP}therapy can cause tired{WJ}ness{BOM}.\n"
    "\n"
    f"Keep: chemo{SOFT_HYPHEN}therapy, \u0645\u06cc{ZWNJ}\u062e\u0648\u0627\u0647\u0645, \U0001f469{ZWJ}\u2695.\n"
    "\n"
    "<!-- curators: the 98% figure is unconfirmed, check with Dr X -->\n"
    "Sleep well.\n"
    "\n"
    "<!--\nTODO secret draft paragraph\n-->\n"
    "Eat well.\n"
)
TITLE = f"Fatigue {LRI}gnp.exe{PDI} - NCI"




@pytest.fixture
def page(tmp_path: Path) -> Path:
    return write_page(
        tmp_path / "kb", "fatigue.md", BODY, title=TITLE, url="https://example.org/fatigue"
    )


def lines_with(path: Path, *needles: str) -> list[int]:
    """The file lines (1-based) holding any of ``needles``, as an editor numbers them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [n for n, line in enumerate(lines, start=1) if any(needle in line for needle in needles)]


def expected_lines(path: Path) -> tuple[int, int, int]:
    title, rlo, zwsp = (lines_with(path, needle) for needle in (LRI, RLO, ZWSP))
    assert len(title) == len(rlo) == len(zwsp) == 1 and title[0] < rlo[0] < zwsp[0]
    return title[0], rlo[0], zwsp[0]


def test_every_format_character_is_either_removed_or_kept_on_purpose() -> None:
    format_characters = [
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
    ]
    assert len(format_characters) > 150
    for char in format_characters:
        removed = INVISIBLE.fullmatch(char) is not None
        assert removed != (char in KEPT_FORMAT), f"U+{ord(char):04X}"
    for char in [*BIDI_CONTROLS, ZWSP, WJ, BOM, "\U000e0041"]:
        assert INVISIBLE.fullmatch(char), f"U+{ord(char):04X}"
    assert {SOFT_HYPHEN, ZWNJ, ZWJ} <= KEPT_FORMAT
    for char in "\n\t aé\u0645":
        assert INVISIBLE.fullmatch(char) is None


def test_validate_names_file_and_line_of_each_invisible_character(page: Path) -> None:
    result = cli("validate", str(page.parent), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr  # a warning, not an error
    found = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "INVISIBLE_CHARACTER"]
    title, rlo, zwsp = expected_lines(page)
    assert [(p["line"], p["severity"], p["path"]) for p in found] == [
        (title, "warning", str(page)),
        (rlo, "warning", str(page)),
        (zwsp, "warning", str(page)),
    ]
    assert "U+2066" in found[0]["message"] and "U+2069" in found[0]["message"]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in found[1]["message"]
    assert all(name in found[2]["message"] for name in ("U+200B", "U+2060", "U+FEFF"))
    text = cli("validate", str(page.parent))
    assert f"{page}:{rlo}: warning INVISIBLE_CHARACTER" in text.stdout
    strict = cli("validate", str(page.parent), "--strict")
    assert strict.returncode == 1 and f"{page}:{zwsp}: error INVISIBLE_CHARACTER" in strict.stdout


def test_ingest_removes_them_from_the_stored_text_and_says_where(
    page: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.db"
    report = ingest([page.parent], db=db, embedder=HashingEmbedder())
    assert report.ok and report.added == ["https://example.org/fatigue"]
    lines = sorted(p.line for p in report.warnings if p.code == "INVISIBLE_CHARACTER")
    assert lines == list(expected_lines(page))
    with sqlite3.connect(db) as connection:
        title, body = connection.execute("SELECT title, body FROM documents").fetchone()
        version_text = connection.execute("SELECT text FROM versions").fetchone()[0]
        chunks = " ".join(
            row[0] for row in connection.execute("SELECT title || section || text FROM chunks")
        )
    connection.close()
    for stored in (title, body, version_text, chunks):
        assert not any(char in stored for char in [*BIDI_CONTROLS, ZWSP, WJ, BOM])
    assert title == "Fatigue gnp.exe - NCI"
    assert "Rest helps exe.gnp most people." in body and "Chemotherapy can cause tiredness." in body
    assert f"chemo{SOFT_HYPHEN}therapy" in body and ZWNJ in body and ZWJ in body  # kept
    assert verify_store(db).ok
    again = ingest([page.parent], db=db, embedder=HashingEmbedder())
    assert again.unchanged == 1 and not again.changed  # the same file is the same version


def test_ingest_cli_prints_the_file_and_line_of_removed_characters(
    page: Path, tmp_path: Path
) -> None:
    result = cli("ingest", str(page.parent), "--db", str(tmp_path / "cli.db"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{page}:{expected_lines(page)[1]}: warning INVISIBLE_CHARACTER" in result.stdout
    assert "U+202E" in result.stdout


def test_html_comments_are_not_in_the_chunks_that_answers_quote(page: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    assert ingest([page.parent], db=db, embedder=HashingEmbedder()).ok
    with sqlite3.connect(db) as connection:
        chunks = " ".join(row[0] for row in connection.execute("SELECT text FROM chunks"))
        indexed = connection.execute(
            "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'curators OR secret OR unconfirmed'"
        ).fetchone()[0]
        body = connection.execute("SELECT body FROM documents").fetchone()[0]
    connection.close()
    assert "Sleep well." in chunks and "Eat well." in chunks
    for hidden in ("curators", "98%", "secret", "<!--", "-->"):
        assert hidden not in chunks
    assert indexed == 0
    assert "<!-- curators" in body  # the page as written is kept in the store
    assert verify_store(db).ok


@pytest.mark.parametrize(
    "markdown",
    [
        "Before <!-- note --> after.",
        "Before\n<!--\nnote\n-->\nafter.",
        "Before.\n\n<!-- never closed\n\nnote",
        "<!--a-->" * 5000 + "Before after." + "<!--" * 5000,
    ],
)
def test_clean_text_has_no_comment_and_offsets_still_point_into_the_page(markdown: str) -> None:
    plain = parse_markdown(markdown)
    assert "note" not in plain.text and "<!--" not in plain.text and "Before" in plain.text
    assert all(
        char.isspace() or markdown[at] == char
        for char, at in zip(plain.text, plain.offsets, strict=True)
    )


def test_an_unclosed_comment_is_a_lint_warning_at_its_line(tmp_path: Path) -> None:
    page = write_page(tmp_path / "kb", "open.md", "# Open\n\nText.\n\n<!-- draft\n\nHidden.\n")
    result = cli("validate", str(page.parent), "--format", "json")
    found = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "UNCLOSED_COMMENT"]
    opening = page.read_text(encoding="utf-8").split("\n").index("<!-- draft") + 1
    assert [(p["line"], p["path"]) for p in found] == [(opening, str(page))]
