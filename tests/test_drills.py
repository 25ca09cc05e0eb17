"""Fault drills in CI (issue 15): real processes hurt on purpose, real SQLite files.

A few of each drill of :mod:`cancerinfo.eval.drills` with fixed seeds; ``make bench`` runs
the full set (the ``drills`` suite). Plus the one-line errors the drills showed missing:
a file size limit, a full disk, a damaged search index, storage errors in the service.
"""

from __future__ import annotations

import errno
import resource
import sqlite3
from pathlib import Path

import httpx
import pytest

from cancerinfo.errors import StoreError
from cancerinfo.eval import drills
from cancerinfo.index.dense import HashingEmbedder
from cancerinfo.index.search import Searcher
from cancerinfo.pipeline.ingest import ingest
from cancerinfo.pipeline.verify import verify_store
from cancerinfo.store.backup import backup_store
from cancerinfo.store.database import os_error_message


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A KB folder holding the *new* edition of 12 drill pages, and a store (the real
    embedder) holding the *old* one."""
    folder = tmp_path_factory.mktemp("drills")
    kb = folder / "kb"
    old, new = drills.old_and_new_pages(12)
    drills.write_kb(kb, old)
    db = folder / "old.db"
    assert ingest([kb], db=db).ok
    drills.write_kb(kb, new)
    return kb, db


def test_kill_9_during_an_ingest_leaves_the_old_or_the_new_kb(tmp_path: Path) -> None:
    """Four ingests killed at seeded random moments (two inside the write transaction's
    time window): each store is the old KB or the new one, integrity_check ok, and the next
    ingest reaches the new KB."""
    figures = drills.kill_drill(tmp_path, kills=4, seed=7, pages=40)
    assert figures["failures"] == []
    assert figures["neither"] == 0
    assert figures["old_state"] + figures["new_state"] == 4
    assert figures["integrity_ok"] == 4 and figures["next_ingest_ok"] == 4
    assert figures["kills"] + figures["finished_before_kill"] == 4 and figures["kills"] >= 1


def test_an_ingest_past_the_file_size_limit_is_one_line_and_keeps_the_old_kb(
    real_store: tuple[Path, Path], tmp_path: Path
) -> None:
    """RLIMIT_FSIZE a little over the store's size: SQLite fails to grow the store (EFBIG,
    'disk I/O error'); the line names the store and the limit (was: 'check the file, its
    folder and the disk', no word of the limit)."""
    kb, old_db = real_store
    figures = drills.disk_full_drill(tmp_path, kb=kb, old_db=old_db, limits_kib=(4,))
    case = figures["details"][0]
    assert case["exit"] == 1 and case["one_line"], case
    assert "ulimit -f" in case["line"] and str(tmp_path / "limited.db") in case["line"], case
    assert case["old_kept"] and case["integrity_ok"], case


def test_a_temporary_file_past_the_file_size_limit_is_one_line_not_an_internal_error(
    real_store: tuple[Path, Path], tmp_path: Path
) -> None:
    """A limit below what the ingest's spool needs: Python's write fails with EFBIG before
    SQLite writes anything (was: 'internal error: OSError', exit 2)."""
    kb, old_db = real_store
    db = drills.copy_store(old_db, tmp_path / "kb.db")
    before = drills.store_state(db)
    result = drills.run_cli_limited(["ingest", str(kb), "--db", str(db)], fsize=48 * 1024)
    lines = drills.error_lines(result.stderr)
    assert result.returncode == 1, result.stderr
    assert (
        len(lines) == 1
        and str(db) in lines[0]
        and "File too large" in lines[0]
        and "ulimit -f" in lines[0]
    ), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert drills.store_state(db) == before and drills.integrity(db) == "ok"


def test_a_full_disk_without_a_file_name_names_the_store() -> None:
    line = os_error_message(OSError(errno.ENOSPC, "No space left on device"))
    assert "the disk is full" in line and "free some space" in line


def test_damaged_stores_are_refused_in_one_line_and_left_as_they_were(
    real_store: tuple[Path, Path], tmp_path: Path
) -> None:
    """A damaged table page and a postings array cut short, each given to search and to
    ingest: one line naming the store or a working command, never a traceback or an
    'internal error' (the postings case was 'internal error: ValueError')."""
    kb, old_db = real_store
    figures = drills.damaged_store_drill(
        tmp_path,
        source_db=old_db,
        kb=kb,
        damages=("chunks table root page overwritten", "postings array cut short"),
        commands=("search", "ingest"),
    )
    bad = [run for run in figures["details"] if not run["ok"]]
    assert bad == [], bad
    postings_search = next(
        run
        for run in figures["details"]
        if run["damage"] == "postings array cut short" and run["command"] == "search"
    )
    assert postings_search["exit"] == 1 and "search index is damaged" in postings_search["line"]
    assert "cancerinfo ingest" in postings_search["line"]


def _hashing_store(tmp_path: Path) -> tuple[Path, Path]:
    kb = drills.write_kb(tmp_path / "kb", dict.fromkeys(range(6), 1))
    db = tmp_path / "kb.db"
    assert ingest([kb], db=db, embedder=HashingEmbedder()).ok
    return kb, db


def _search_works(db: Path) -> bool:
    searcher = Searcher(db, embedder=HashingEmbedder())
    try:
        return bool(searcher.search("radiation therapy", k=3).hits)
    finally:
        searcher.close()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE postings SET value = substr(value, 1, 100) WHERE key = 'starts'",
        "UPDATE postings SET value = randomblob(length(value)) WHERE key = 'rows'",
        "UPDATE vectors SET vector = substr(vector, 1, 100) WHERE rowid = (SELECT min(rowid) FROM vectors)",
    ],
    ids=["postings cut short", "postings overwritten", "vector cut short"],
)
def test_a_damaged_search_index_is_named_and_the_next_ingest_rebuilds_it(
    tmp_path: Path, damage: str
) -> None:
    """The search names the store and says to ingest again, and that works: an unchanged
    ingest rebuilds damaged postings and embeds a cut-short vector again (before, the
    postings gave a numpy ValueError, and the vector's 'run ingest again' did not help)."""
    kb, db = _hashing_store(tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute(damage)
    connection.close()
    with pytest.raises(StoreError, match=r"search index is damaged.*cancerinfo ingest") as raised:
        Searcher(db, embedder=HashingEmbedder())
    assert str(db) in str(raised.value)
    found = verify_store(db)
    assert [problem.code for problem in found.problems] == ["INDEX"]  # was: OK
    report = ingest([kb], db=db, embedder=HashingEmbedder())
    assert report.ok and not report.added and not report.changed
    assert _search_works(db)
    assert verify_store(db).ok
    assert drills.integrity(db) == "ok"


def test_a_backup_of_a_damaged_store_names_the_store_not_the_destination(tmp_path: Path) -> None:
    """(was: 'DEST: backup failed (database disk image is malformed)')"""
    _, db = _hashing_store(tmp_path)
    drills.DAMAGE["chunks table root page overwritten"](db)
    dest = tmp_path / "backup.db"
    with pytest.raises(StoreError) as raised:
        backup_store(db, dest)
    assert str(raised.value).startswith(f"{db} is damaged") and "cancerinfo ingest" in str(
        raised.value
    )
    assert not dest.exists()


def test_a_killed_server_loses_no_acknowledged_feedback(
    real_store: tuple[Path, Path], tmp_path: Path
) -> None:
    """Four clients ask and rate answers; the server is killed with SIGKILL mid-flight:
    every feedback it acknowledged is in the store."""
    _, old_db = real_store
    db = drills.copy_store(old_db, tmp_path / "served.db")
    figures = drills.server_kill_drill(tmp_path, db=db, clients=4, seconds=3.0, seed=3)
    assert figures["acknowledged_feedback"] > 0, figures
    assert figures["lost"] == 0, figures
    assert figures["integrity_ok"]


def test_the_service_answers_503_with_one_log_line_when_the_store_cannot_grow(
    real_store: tuple[Path, Path], tmp_path: Path
) -> None:
    """The running server gets a file size limit (prlimit): the turns it stores soon cannot
    be written. The client gets the 503 error shape; the log one line naming the store and
    the limit (was: a 500 'internal_error', logged as 'OperationalError')."""
    _, old_db = real_store
    db = drills.copy_store(old_db, tmp_path / "served.db")
    log = tmp_path / "server.log"
    process, url = drills.start_server(db, log)
    try:
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        with httpx.Client(base_url=url, timeout=30) as http:
            session = http.post("/v1/sessions").json()["session_id"]
            for number in range(200):
                answer = http.post(
                    "/v1/ask",
                    json={"question": f"What is chemotherapy? ({number})", "session_id": session},
                )
                if answer.status_code != 200:
                    break
    finally:
        drills.stop(process)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "store_unavailable"
    lines = [line for line in log.read_text().splitlines() if "store error" in line]
    assert lines and str(db) in lines[0] and "ulimit -f" in lines[0], log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()


def test_serve_that_cannot_write_a_file_at_start_up_says_so_not_rebuild_the_store(
    tmp_path: Path,
) -> None:
    """The start-up line for a file size limit names the limit (it was: 'OSError: [Errno 27]
    File too large - ... rebuild it with cancerinfo ingest', the store being fine)."""
    from cancerinfo.service.app import startup_failure

    line = startup_failure(tmp_path / "kb.db", OSError(errno.EFBIG, "File too large"))
    assert line.startswith("cannot load the knowledge base:") and "ulimit -f" in line
    assert "rebuild it" not in line and "\n" not in line
    full = startup_failure(tmp_path / "kb.db", OSError(errno.ENOSPC, "No space left on device"))
    assert "the disk is full" in full and "rebuild it" not in full
