"""``cancerinfo verify`` and ``cancerinfo backup`` on real stores, run as real commands
(issue 15, points 12 and 13): silent corruption is found, a backup taken while the store
is written includes what is still in its write-ahead log."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.pipeline.ingest import ingest
from tests.helpers import write_page
from tests.test_cli import assert_clean_failure, cli

SURVIVAL = """# Survival

## How many people survive

About 98% of people with this cancer are alive five years after diagnosis.

## Treatment

Surgery is the main treatment. Radiation therapy may be used after surgery.
"""
SURVIVAL_URL = "https://example.org/survival"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    """A real store of two pages (one of them edited once: two versions)."""
    kb = tmp_path / "kb"
    page = write_page(kb, "survival.md", SURVIVAL, url=SURVIVAL_URL, title="Survival")
    write_page(
        kb,
        "other.md",
        "# Other\n\nSome other text about chemotherapy.\n",
        url="https://example.org/other",
    )
    db = tmp_path / "kb.db"
    assert ingest([kb], db=db, embedder=HashingEmbedder()).ok
    page.write_text(
        page.read_text(encoding="utf-8").replace("main treatment", "usual treatment"),
        encoding="utf-8",
    )
    assert ingest([kb], db=db, embedder=HashingEmbedder()).changed == [SURVIVAL_URL]
    return db


def execute(db: Path, sql: str, parameters: tuple[object, ...] = ()) -> int:
    connection = sqlite3.connect(db)
    try:
        changed = connection.execute(sql, parameters).rowcount
        connection.commit()
        return changed
    finally:
        connection.close()


def problems_of(db: Path) -> list[dict[str, str]]:
    result = cli("verify", "--db", str(db), "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    return report["problems"]


# --- verify ------------------------------------------------------------------------------


def test_verify_passes_a_clean_store(store: Path) -> None:
    result = cli("verify", "--db", str(store))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: ")
    assert "2 pages, 3 versions" in result.stdout
    report = json.loads(cli("verify", "--db", str(store), "--json").stdout)
    assert report["ok"] is True and report["problems"] == []
    assert (report["documents"], report["versions"]) == (2, 3) and report["chunks"] >= 3


def test_verify_finds_a_changed_figure_in_a_page_body(store: Path) -> None:
    assert execute(
        store,
        "UPDATE documents SET body = replace(body, '98%', '18%') WHERE url = ?",
        (SURVIVAL_URL,),
    )
    result = cli("verify", "--db", str(store))
    assert result.returncode == 1, result.stdout + result.stderr
    damaged = [line for line in result.stdout.splitlines() if line.startswith(SURVIVAL_URL)]
    assert any(
        "BODY_MISMATCH" in line and "survival.md" in line and "18%" in line for line in damaged
    ), result.stdout
    assert result.stdout.splitlines()[-1].startswith("DAMAGED: ")
    assert "Traceback" not in result.stdout + result.stderr


def test_verify_finds_a_changed_figure_in_a_chunk(store: Path) -> None:
    assert execute(
        store,
        "UPDATE chunks SET text = replace(text, '98%', '18%') WHERE text LIKE '%98\\%%' ESCAPE '\\'",
    )
    problems = problems_of(store)
    codes = {problem["code"] for problem in problems if problem["url"] == SURVIVAL_URL}
    assert {"CHUNK_HASH", "CHUNK_NOT_IN_PAGE"} <= codes, problems
    assert all(problem["path"].endswith("survival.md") for problem in problems)


def test_verify_finds_a_chunk_changed_together_with_its_hash(store: Path) -> None:
    """Whoever changes a chunk and its hash still cannot make it a quote of the page."""
    connection = sqlite3.connect(store)
    connection.create_function(
        "sha256", 1, lambda text: __import__("hashlib").sha256(text.encode()).hexdigest()
    )
    connection.execute(
        "UPDATE chunks SET text = replace(text, '98%', '18%'), content_hash = sha256(replace(text, '98%', '18%'))"
        " WHERE text LIKE '%98%'"
    )
    connection.commit()
    connection.close()
    assert [problem["code"] for problem in problems_of(store)] == ["CHUNK_NOT_IN_PAGE"]


def test_verify_finds_a_changed_old_version(store: Path) -> None:
    assert execute(
        store, "UPDATE versions SET text = replace(text, '98%', '18%') WHERE version_no = 1"
    )
    problems = problems_of(store)
    assert [(p["code"], p["url"]) for p in problems] == [("VERSION_HASH", SURVIVAL_URL)]
    assert "version 1" in problems[0]["message"]


def test_verify_finds_random_bytes_in_a_stored_body_without_a_traceback(store: Path) -> None:
    """512 random bytes over a body, stored as text that is not UTF-8."""
    body = (
        sqlite3.connect(store)
        .execute("SELECT body FROM documents WHERE url = ?", (SURVIVAL_URL,))
        .fetchone()[0]
    )
    damaged = body.encode()[:20] + os.urandom(512) + body.encode()[532:]
    assert execute(
        store, "UPDATE documents SET body = CAST(? AS TEXT) WHERE url = ?", (damaged, SURVIVAL_URL)
    )
    result = cli("verify", "--db", str(store))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(SURVIVAL_URL)]
    assert any("BODY_MISMATCH" in line for line in lines), result.stdout


def test_verify_of_a_file_that_is_not_a_store_is_a_one_line_error(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    result = cli("verify", "--db", str(other))
    assert_clean_failure(result, str(other), "not a cancerinfo store")
    assert len(result.stderr.strip().splitlines()) == 1


# --- backup ------------------------------------------------------------------------------


def test_backup_includes_rows_still_in_the_write_ahead_log(store: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(store, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("PRAGMA wal_autocheckpoint = 0")  # the rows stay in kb.db-wal
        writer.executemany(
            "INSERT INTO feedback(session_id, turn, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)",
            [(f"s{n}", 1, 1, f"comment {n}", "2025-06-01T00:00:00+00:00") for n in range(20)],
        )
        assert Path(f"{store}-wal").stat().st_size > 0
        # what copying the file alone would keep: none of the 20 rows
        copied = tmp_path / "copied" / "kb.db"
        copied.parent.mkdir()
        shutil.copy(store, copied)
        assert sqlite3.connect(copied).execute("SELECT count(*) FROM feedback").fetchone() == (0,)

        backup = tmp_path / "backups" / "kb-backup.db"
        backup.parent.mkdir()
        result = cli("backup", "--db", str(store), str(backup))
        assert result.returncode == 0, result.stdout + result.stderr
        assert str(backup) in result.stdout and "2 pages" in result.stdout
    finally:
        writer.close()
    restored = sqlite3.connect(backup)
    try:
        assert restored.execute("SELECT count(*) FROM feedback").fetchone() == (20,)
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert restored.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        restored.close()
    assert sorted(p.name for p in backup.parent.iterdir()) == [
        "kb-backup.db"
    ]  # one file, nothing beside it
    status = cli("verify", "--db", str(backup))
    assert status.returncode == 0, status.stdout + status.stderr


def test_backup_never_replaces_an_existing_file_without_force(store: Path, tmp_path: Path) -> None:
    dest = tmp_path / "existing.db"
    dest.write_bytes(b"precious")
    result = cli("backup", "--db", str(store), str(dest))
    assert_clean_failure(result, f"{dest} already exists", "--force")
    assert len(result.stderr.strip().splitlines()) == 1
    assert dest.read_bytes() == b"precious"
    forced = cli("backup", "--db", str(store), str(dest), "--force", "--json")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert json.loads(forced.stdout)["documents"] == 2
    assert sqlite3.connect(dest).execute("SELECT count(*) FROM documents").fetchone() == (2,)


@pytest.mark.parametrize(
    "case", ["missing folder", "source not a store", "missing source", "onto itself"]
)
def test_backup_errors_are_one_line_naming_the_file(store: Path, tmp_path: Path, case: str) -> None:
    source, dest = store, tmp_path / "backup.db"
    if case == "missing folder":
        dest = tmp_path / "no-such-folder" / "backup.db"
    elif case == "source not a store":
        source = tmp_path / "other.sqlite"
        connection = sqlite3.connect(source)
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    elif case == "missing source":
        source = tmp_path / "nope.db"
    else:
        dest = store
    before = store.read_bytes()
    result = cli("backup", "--db", str(source), str(dest), "--force")
    assert_clean_failure(result)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(dest if case in ("missing folder", "onto itself") else source) in result.stderr
    assert store.read_bytes() == before
    assert not dest.exists() or dest == store
