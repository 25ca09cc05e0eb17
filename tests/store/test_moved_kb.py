"""A KB folder that is moved stays the same KB: pages deleted after the move are removed
(issue 15, point 8). Real folders, real stores; the commands as a curator runs them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.pipeline import ingest as ingest_module
from tests.helpers import write_page
from tests.test_cli import cli


def ingest(paths: list[Path], *, db: Path) -> ingest_module.IngestReport:
    return ingest_module.ingest(paths, db=db, embedder=HashingEmbedder())


def live_urls(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [
            row[0]
            for row in connection.execute(
                "SELECT url FROM documents WHERE removed_at IS NULL ORDER BY url"
            )
        ]
    finally:
        connection.close()


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_page(
        root / "en",
        "a.md",
        "# Alpha\n\nAlpha text about chemotherapy.\n",
        url="https://example.org/a",
        title="A",
    )
    write_page(
        root / "en",
        "b.md",
        "# Bravo\n\nZanubrutinib is a targeted drug.\n",
        url="https://example.org/b",
        title="B",
    )
    write_page(
        root / "en" / "sub",
        "c.md",
        "# Charlie\n\nCharlie text.\n",
        url="https://example.org/c",
        title="C",
    )
    return root


def test_a_page_deleted_from_a_moved_kb_is_removed_and_no_longer_served(
    kb: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kb.db"
    first = cli("ingest", str(kb), "--db", str(db))
    assert first.returncode == 0, first.stdout + first.stderr
    served = json.loads(cli("search", "zanubrutinib", "--db", str(db), "--json").stdout)
    assert "https://example.org/b" in [hit["url"] for hit in served["hits"]]

    moved = tmp_path / "elsewhere" / "kb"
    moved.parent.mkdir()
    shutil.move(kb, moved)
    (moved / "en" / "b.md").unlink()
    result = cli("ingest", str(moved), "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["removed"] == 1 and report["urls"]["removed"] == ["https://example.org/b"]
    assert report["unchanged"] == 2 and report["added"] == 0

    status = json.loads(cli("status", "--db", str(db), "--format", "json").stdout)
    assert status["documents"] == 2 and status["removed"] == 1
    hits = json.loads(cli("search", "zanubrutinib", "--db", str(db), "--json").stdout)["hits"]
    assert "https://example.org/b" not in [hit["url"] for hit in hits]
    again = json.loads(cli("ingest", str(moved), "--db", str(db), "--format", "json").stdout)
    assert (again["removed"], again["unchanged"]) == (0, 2)


def test_a_bad_file_in_a_moved_kb_keeps_its_stored_version(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    ingest([kb], db=db)
    moved = kb.rename(tmp_path / "kb-renamed")
    page = moved / "en" / "sub" / "c.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("status: active", "status: published"),
        encoding="utf-8",
    )
    (moved / "en" / "b.md").unlink()
    report = ingest([moved], db=db)
    assert list(report.rejected) == [str(page)]
    assert report.removed == ["https://example.org/b"]
    assert live_urls(db) == ["https://example.org/a", "https://example.org/c"]


def test_a_copied_kb_does_not_remove_pages_still_in_the_original(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    ingest([kb], db=db)
    copy = Path(shutil.copytree(kb, tmp_path / "kb-copy"))
    (copy / "en" / "b.md").unlink()
    report = ingest([copy], db=db)
    assert report.removed == []  # b.md is still a file of the original folder
    assert live_urls(db) == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]


def test_ingesting_a_subfolder_of_a_moved_kb_keeps_the_other_folders(
    kb: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kb.db"
    ingest([kb], db=db)
    moved = kb.rename(tmp_path / "kb-renamed")
    report = ingest([moved / "en" / "sub"], db=db)
    assert report.removed == [] and report.unchanged == 1
    assert live_urls(db) == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]
