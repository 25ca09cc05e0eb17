"""The store never harms a file that is not its own, and new stores are created once
(issue 15, points 10 and 11): real SQLite files, the real command in a subprocess."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import write_page
from tests.test_cli import cli


def foreign_sqlite_file(path: Path) -> bytes:
    """Another application's SQLite file (rollback journal, the SQLite default)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.executemany(
        "INSERT INTO notes(text) VALUES (?)", [(f"note {n}",) for n in range(50)]
    )
    connection.commit()
    connection.close()
    return path.read_bytes()


def test_a_refused_ingest_leaves_a_foreign_sqlite_file_byte_for_byte(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write_page(kb, "a.md", url="https://example.org/a")
    other = tmp_path / "other-app.sqlite"
    before = foreign_sqlite_file(other)
    result = cli("ingest", str(kb), "--db", str(other))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(other) in lines[0] and "not a cancerinfo store" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists() and not Path(f"{other}-shm").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "other-app.sqlite"]


def test_reading_commands_leave_a_foreign_sqlite_file_byte_for_byte(tmp_path: Path) -> None:
    other = tmp_path / "other-app.sqlite"
    before = foreign_sqlite_file(other)
    for command in (["status"], ["review"], ["search", "chemo"]):
        result = cli(*command, "--db", str(other))
        assert result.returncode == 1, (command, result.stdout + result.stderr)
        assert str(other) in result.stderr and "not a cancerinfo store" in result.stderr
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()


CREATOR = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cancerinfo.store.database import Store

    start = float(sys.argv[2])
    while time.time() < start:  # every process opens the new store at the same moment
        pass
    with Store.create_or_open(Path(sys.argv[1])) as store:
        print(store.meta()["schema_version"])
    """
)


def test_processes_creating_one_new_store_at_once_all_open_it(tmp_path: Path) -> None:
    """Each round starts 4 processes on a missing file at one instant: every one opens the
    store (none fails with 'table meta already exists'), and it holds one meta row each."""
    import time

    for round_ in range(3):
        db = tmp_path / f"new-{round_}.db"
        start = time.time() + 1.5
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", CREATOR, str(db), str(start)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        for process, (stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
            assert stdout.strip().isdigit(), stdout + stderr
        connection = sqlite3.connect(db)
        try:
            assert connection.execute(
                "SELECT count(*) FROM meta WHERE key = 'schema_version'"
            ).fetchone() == (1,)
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            connection.close()


def test_a_damaged_store_is_one_line_naming_the_file_with_a_hint(
    tmp_path: Path, examples_kb: Path
) -> None:
    """Garbage over the chunks table's root page: search cannot read it and says so in
    one line (was 'internal error: DatabaseError', exit 2)."""
    db = tmp_path / "kb.db"
    assert cli("ingest", str(examples_kb), "--db", str(db)).returncode == 0
    connection = sqlite3.connect(db)
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    (root_page,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'chunks'"
    ).fetchone()
    connection.close()
    with db.open("r+b") as handle:
        handle.seek((root_page - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    result = cli("search", "chemotherapy", "--db", str(db))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {db} is damaged") and "cancerinfo ingest" in lines[0]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
