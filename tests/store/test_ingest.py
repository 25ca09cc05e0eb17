"""Ingest into real SQLite files: versions, removals, rejections, conflicts, crashes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cancerinfo.errors import InputPathError, StoreMismatch
from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.pipeline import ingest as ingest_module
from cancerinfo.store.database import Store
from tests.helpers import rows, write_page


def ingest(paths: list[Path], *, db: Path) -> ingest_module.IngestReport:
    """The real ingest with the deterministic stand-in embedder (quality is not tested here)."""
    return ingest_module.ingest(paths, db=db, embedder=HashingEmbedder())




@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb" / "en" / "02_nci_core"
    write_page(root, "a.md", "# A\n\nAlpha text.\n", url="https://example.org/a", title="A")
    write_page(root, "b.md", "# B\n\nBeta text.\n", url="https://example.org/b", title="B")
    write_page(root / "sub", "c.txt", "# C\n\nGamma text.\n", url="https://example.org/c", title="C")
    return tmp_path / "kb"


def test_first_ingest_adds_every_page_with_one_version(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    report = ingest([kb], db=db)
    assert report.ok
    assert sorted(report.added) == ["https://example.org/a", "https://example.org/b", "https://example.org/c"]
    assert rows(db, "SELECT count(*) FROM versions") == [(3,)]
    assert rows(db, "SELECT url, current_version FROM documents ORDER BY url")[0] == ("https://example.org/a", 1)
    body = rows(db, "SELECT body FROM documents WHERE url = 'https://example.org/c'")[0][0]
    assert "Gamma text." in body


def test_unchanged_reingest_writes_no_version(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    report = ingest([kb], db=db)
    assert (report.unchanged, report.added, report.changed, report.removed) == (3, [], [], [])
    assert rows(db, "SELECT count(*) FROM versions") == [(3,)]
    assert rows(db, "SELECT count(*) FROM ingest_runs") == [(2,)]


def test_changed_page_gets_a_new_version_and_keeps_the_old(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    page = kb / "en" / "02_nci_core" / "a.md"
    page.write_text(page.read_text().replace("Alpha text.", "Alpha text, revised."))
    report = ingest([kb], db=db)
    assert report.changed == ["https://example.org/a"]
    versions = rows(
        db,
        "SELECT version_no, text FROM versions JOIN documents d ON d.id = document_id"
        " WHERE d.url = 'https://example.org/a' ORDER BY version_no",
    )
    assert [v[0] for v in versions] == [1, 2]
    assert "revised" not in versions[0][1] and "revised" in versions[1][1]
    assert rows(db, "SELECT current_version FROM documents WHERE url = 'https://example.org/a'") == [(2,)]


def test_crlf_and_bom_only_changes_are_not_new_versions(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    page = kb / "en" / "02_nci_core" / "b.md"
    page.write_bytes(b"\xef\xbb\xbf" + page.read_bytes().replace(b"\n", b"\r\n"))
    report = ingest([kb], db=db)
    assert report.changed == [] and report.unchanged == 3


def test_missing_page_is_marked_removed_not_deleted_and_comes_back(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    page = kb / "en" / "02_nci_core" / "sub" / "c.txt"
    saved = page.read_bytes()
    page.unlink()
    report = ingest([kb], db=db)
    assert report.removed == ["https://example.org/c"]
    assert rows(db, "SELECT removed_at IS NOT NULL, body FROM documents WHERE url = 'https://example.org/c'")[0][0] == 1
    assert rows(db, "SELECT count(*) FROM versions") == [(3,)]
    page.write_bytes(saved)
    report = ingest([kb], db=db)
    assert report.restored == ["https://example.org/c"]
    assert rows(db, "SELECT removed_at FROM documents WHERE url = 'https://example.org/c'") == [(None,)]


def test_ingesting_one_file_never_removes_its_neighbours(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    report = ingest([kb / "en" / "02_nci_core" / "a.md"], db=db)
    assert report.removed == []
    assert rows(db, "SELECT count(*) FROM documents WHERE removed_at IS NULL") == [(3,)]


def test_bad_file_is_rejected_and_its_stored_version_kept(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    page = kb / "en" / "02_nci_core" / "a.md"
    page.write_text(page.read_text().replace("status: active", "status: published"))
    write_page(kb / "en" / "02_nci_core", "d.md", "# D\n\nDelta.\n", url="https://example.org/d", title="D")
    report = ingest([kb], db=db)
    assert list(report.rejected) == [str(page)]
    [problem] = report.rejected[str(page)]
    assert problem.field == "status" and "published" in problem.message
    assert report.added == ["https://example.org/d"]
    assert report.removed == []
    assert rows(db, "SELECT removed_at, body FROM documents WHERE url = 'https://example.org/a'") == [
        (None, "\n# A\n\nAlpha text.\n")
    ]


def test_two_files_with_one_url_are_both_rejected_naming_each_other(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    twin = write_page(kb / "en" / "02_nci_core", "a-copy.md", "# A2\n\nOther.\n", url="https://example.org/a")
    original = kb / "en" / "02_nci_core" / "a.md"
    original.write_text(original.read_text().replace("Alpha text.", "Alpha changed."))
    report = ingest([kb], db=db)
    assert set(report.rejected) == {str(twin), str(original)}
    assert str(original) in report.rejected[str(twin)][0].message
    assert str(twin) in report.rejected[str(original)][0].message
    # neither wins: the stored page is the old one, still live
    assert rows(db, "SELECT body, removed_at FROM documents WHERE url = 'https://example.org/a'") == [
        ("\n# A\n\nAlpha text.\n", None)
    ]


def test_url_owned_by_a_file_in_another_folder_is_a_conflict(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    other = tmp_path / "other"
    intruder = write_page(other, "x.md", "# X\n\nIntruder.\n", url="https://example.org/b")
    report = ingest([other], db=db)
    assert list(report.rejected) == [str(intruder)]
    assert report.rejected[str(intruder)][0].code == "URL_CONFLICT"
    assert "Beta" in rows(db, "SELECT body FROM documents WHERE url = 'https://example.org/b'")[0][0]


def test_moved_folder_takes_over_its_urls(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    moved = kb.rename(tmp_path / "kb-moved")
    report = ingest([moved], db=db)
    assert report.ok and report.unchanged == 3 and report.added == []
    paths = [r[0] for r in rows(db, "SELECT path FROM documents")]
    assert all(path.startswith(str(moved.resolve())) for path in paths)


def test_missing_input_path_raises_before_anything_is_written(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with pytest.raises(InputPathError, match="no-such-folder"):
        ingest([tmp_path / "no-such-folder"], db=db)
    assert not db.exists()


def test_a_sqlite_file_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreMismatch, match="not a cancerinfo store"):
        Store.open(db)


def test_a_store_of_another_schema_version_is_refused(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    connection = sqlite3.connect(db)
    connection.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    with pytest.raises(StoreMismatch, match="schema 999"):
        ingest([kb], db=db)


def test_a_file_of_garbage_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "garbage.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreMismatch):
        Store.open(db)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cancerinfo.index.dense import HashingEmbedder
    from cancerinfo.pipeline.ingest import ingest

    def progress(stage, done, total):
        if stage == "write" and done == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)

    ingest([Path(sys.argv[1])], db=Path(sys.argv[2]), progress=progress, embedder=HashingEmbedder())
    """
)


def test_a_kill_in_the_middle_of_an_ingest_leaves_the_previous_kb(kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ingest([kb], db=db)
    before = rows(db, "SELECT url, content_hash, current_version, removed_at FROM documents ORDER BY url")
    for name in ("a.md", "b.md"):
        page = kb / "en" / "02_nci_core" / name
        page.write_text(page.read_text().replace(" text.", " text, edited."))
    for index in range(20):
        write_page(kb / "new", f"n{index}.md", f"# N{index}\n\nNew.\n", url=f"https://example.org/n{index}")
    (kb / "en" / "02_nci_core" / "sub" / "c.txt").unlink()
    result = subprocess.run(
        [sys.executable, "-c", KILLER, str(kb), str(db), "10"], capture_output=True, text=True, check=False
    )
    assert result.returncode == -9, result.stderr
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT url, content_hash, current_version, removed_at FROM documents ORDER BY url") == before
    assert rows(db, "SELECT count(*) FROM ingest_runs") == [(1,)]
    report = ingest([kb], db=db)  # and the next run completes normally
    assert len(report.added) == 20 and len(report.changed) == 2 and len(report.removed) == 1


def _kb_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".md", ".txt"))


@pytest.mark.slow
def test_real_nci_kb_ingests_incrementally(nci_kb: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "nci-kb"
    shutil.copytree(nci_kb, copy)
    files = _kb_files(copy)
    db = tmp_path / "nci.db"
    first = ingest([copy], db=db)
    assert first.files == len(files) > 1000
    assert len(first.added) + len(first.rejected) == len(files)
    assert len(first.rejected) < 10, first.rejected
    assert all(problems and problems[0].severity == "error" for problems in first.rejected.values())
    assert rows(db, "SELECT count(*) FROM documents") == [(len(first.added),)]
    second = ingest([copy], db=db)
    assert (second.unchanged, len(second.added), len(second.changed)) == (len(first.added), 0, 0)
    stored = {r[0] for r in rows(db, "SELECT path FROM documents")}
    edited, deleted = sorted(Path(p) for p in stored)[:2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    deleted.unlink()
    third = ingest([copy], db=db)
    assert (len(third.changed), len(third.removed), third.unchanged) == (1, 1, len(first.added) - 2)
    assert rows(db, "SELECT count(*) FROM versions") == [(len(first.added) + 1,)]


class CountingEmbedder(HashingEmbedder):
    """The stand-in, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts, *, progress=None):  # type: ignore[no-untyped-def]
        self.texts.extend(texts)
        return super().embed(texts, progress=progress)


def test_each_new_text_is_embedded_once_longest_first_and_nothing_is_left_beside_the_store(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cancerinfo.index.build as build

    monkeypatch.setattr(build, "EMBED_COMMIT_BATCH", 2)
    for index in range(5):
        write_page(kb / "more", f"m{index}.md", f"# M{index}\n\nMore text {index}.\n\n## Part\n\nPart {index}.\n",
                   url=f"https://example.org/m{index}")
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "store.db"
    embedder = CountingEmbedder()
    calls: list[tuple[int, int]] = []
    ingest_module.ingest([kb], db=db, embedder=embedder,
                         progress=lambda stage, done, total: calls.append((done, total)) if stage == "embed" else None)
    keys = rows(db, "SELECT count(DISTINCT embed_key) FROM chunks")[0][0]
    assert len(embedder.texts) == len(set(embedder.texts)) == keys > 2
    assert [len(t) for t in embedder.texts] == sorted((len(t) for t in embedder.texts), reverse=True)
    assert rows(db, "SELECT count(*) FROM vectors") == [(keys,)]
    assert calls[-1] == (keys, keys) and len(calls) == (keys + 1) // 2
    page = kb / "more" / "m0.md"
    page.write_text(page.read_text().replace("Part 0.", "Part zero."))
    embedder.texts.clear()
    report = ingest_module.ingest([kb], db=db, embedder=embedder)
    assert report.changed == ["https://example.org/m0"]
    assert len(embedder.texts) == 1 and "Part zero." in embedder.texts[0]
    assert {p.name for p in folder.iterdir()} <= {"store.db", "store.db-shm", "store.db-wal"}


def test_an_edited_lay_terms_file_reaches_the_vocabulary_without_a_page_change(tmp_path: Path, examples_kb: Path) -> None:
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(examples_kb, kb)
    lay = tmp_path / "lay_terms.yaml"
    lay.write_text("version: 1\nlay_terms:\n  - {lay: chemo, kb: chemotherapy}\n", encoding="utf-8")
    db = tmp_path / "store.db"
    assert ingest_module.ingest([kb], db=db, embedder=HashingEmbedder(), lay_terms=lay).ok

    def lay_rows() -> set[str]:
        with sqlite3.connect(db) as connection:
            return {row[0] for row in connection.execute("SELECT term FROM vocabulary WHERE kind = 'lay'")}

    assert "chemo" in lay_rows() and "kemo" not in lay_rows()
    lay.write_text(
        "version: 1\nlay_terms:\n  - {lay: chemo, kb: chemotherapy}\n  - {lay: kemo, kb: chemotherapy}\n", encoding="utf-8"
    )
    report = ingest_module.ingest([kb], db=db, embedder=HashingEmbedder(), lay_terms=lay)
    assert report.ok and not (report.added or report.changed)  # no page changed
    assert "kemo" in lay_rows()
