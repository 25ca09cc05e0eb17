"""The fault drills on the store (:mod:`cancerinfo.eval.drills`): ``kill -9`` of an ingest at
random moments (:func:`kill_drill`), an ingest that runs out of room (:func:`disk_full_drill`)
and damaged stores given to every command (:func:`damaged_store_drill`, with the ways of
damaging a store in :data:`DAMAGE` and the commands in :data:`COMMANDS`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cancerinfo.eval.drills_kb import (
    copy_store,
    error_lines,
    ingest_to_end,
    integrity,
    old_and_new_pages,
    one_line_naming,
    read_stages,
    run_cli_limited,
    start_ingest,
    store_state,
    write_kb,
)


# -- kill -9 during ingest -------------------------------------------------------------
def kill_drill(
    work: Path, *, kills: int, seed: int, pages: int = 60, embedder: str = "hashing"
) -> dict[str, Any]:
    """``kills`` ingests (old KB -> new KB) each killed with SIGKILL at a random moment: half
    drawn over the whole run, half over its write transaction (from the moment the child
    reports writing, up to the length of the reference run's write phase). Figures: kills, how many fell inside the write transaction, old / new /
    neither state, integrity_check ok, next ingest reaching the new state."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    kb = work / "kb"
    old_pages, new_pages = old_and_new_pages(pages)
    write_kb(kb, old_pages)
    old_db = work / "old.db"
    ingest_to_end(kb, old_db, work / "stages-old", embedder=embedder)
    old_state = store_state(old_db)
    write_kb(kb, new_pages)
    reference = copy_store(old_db, work / "reference.db")
    times = ingest_to_end(kb, reference, work / "stages-ref", embedder=embedder)
    new_state = store_state(reference)
    write_start = times.get("write", times["end"] * 0.5)
    outcome: dict[str, Any] = {
        "pages_old": len(old_pages),
        "pages_new": len(new_pages),
        "embedder": embedder,
        "seed": seed,
        "reference_seconds": round(times["end"], 2),
        "write_starts_at": round(write_start, 2),
        "kills": 0,
        "in_write_transaction": 0,
        "finished_before_kill": 0,
        "old_state": 0,
        "new_state": 0,
        "neither": 0,
        "integrity_ok": 0,
        "next_ingest_ok": 0,
        "failures": [],
    }
    for number in range(kills):
        db = copy_store(old_db, work / "killed.db")
        stages = work / "stages-kill"
        process = start_ingest(kb, db, stages, embedder=embedder)
        started = time.monotonic()
        if number % 2 == 0:  # any moment of the run
            _kill_after(process, rng.uniform(0.05, times["end"]))
        else:  # a moment of the write transaction: once the child says it writes
            while process.poll() is None and "write" not in read_stages(stages):
                time.sleep(0.005)
            _kill_after(process, rng.uniform(0, max(times["end"] - write_start, 0.01)))
        process.communicate(timeout=60)
        seen = read_stages(stages)
        if process.returncode != -signal.SIGKILL:
            outcome["finished_before_kill"] += 1  # the run ended first: still checked
        else:
            outcome["kills"] += 1
            if "write" in seen and "done" not in seen:
                outcome["in_write_transaction"] += 1
        state = store_state(db)
        kind = (
            "old_state" if state == old_state else "new_state" if state == new_state else "neither"
        )
        outcome[kind] += 1
        checked = integrity(db)
        outcome["integrity_ok"] += checked == "ok"
        ingest_to_end(kb, db, work / "stages-next", embedder=embedder)
        next_ok = store_state(db) == new_state and integrity(db) == "ok"
        outcome["next_ingest_ok"] += next_ok
        if kind == "neither" or checked != "ok" or not next_ok:
            outcome["failures"].append(
                {
                    "kill": number,
                    "after_seconds": round(time.monotonic() - started, 3),
                    "stages": sorted(seen),
                    "state": kind,
                    "integrity": checked,
                    "next_ingest_ok": next_ok,
                }
            )
    outcome["runs"] = kills
    return outcome


def _kill_after(process: subprocess.Popen[str], seconds: float) -> None:
    """SIGKILL ``process`` in ``seconds`` unless it ends before."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)


# -- disk full ---------------------------------------------------------------------------
def _disk_case(
    how: str, result: subprocess.CompletedProcess[str], db: Path, old_state: str, name: str
) -> dict[str, Any]:
    """One disk-full case: ``failed_cleanly`` (exit 1, one line naming the store, the old KB
    kept) or ``completed`` (there was room after all: exit 0); anything else is bad."""
    lines = error_lines(result.stderr)
    old_kept = store_state(db) == old_state
    one_line = one_line_naming(result, name)
    return {
        "how": how,
        "exit": result.returncode,
        "one_line": one_line,
        "line": lines[-1][:300] if lines else "",
        "old_kept": old_kept,
        "integrity_ok": integrity(db) == "ok",
        "failed_cleanly": one_line and old_kept,
        "completed": result.returncode == 0 and not lines,
    }


def disk_full_drill(
    work: Path,
    *,
    kb: Path,
    old_db: Path,
    limits_kib: tuple[int, ...] = (16, 256),
    tmpfs_free_kib: tuple[int, ...] = (),
) -> dict[str, Any]:
    """``cancerinfo ingest KB`` (a new edition of what ``old_db`` holds) with no room to
    write it: RLIMIT_FSIZE set to the store's size plus each of ``limits_kib`` (a file
    may not grow past it: EFBIG), and on a tmpfs with each of ``tmpfs_free_kib`` left free
    (ENOSPC; root only, skipped with the reason otherwise)."""
    work.mkdir(parents=True, exist_ok=True)
    old_state = store_state(old_db)
    cases: list[dict[str, Any]] = []
    for extra in limits_kib:
        db = copy_store(old_db, work / "limited.db")
        limit = db.stat().st_size + extra * 1024
        result = run_cli_limited(["ingest", str(kb), "--db", str(db)], fsize=limit)
        cases.append(
            _disk_case(f"RLIMIT_FSIZE store + {extra} KiB", result, db, old_state, str(db))
        )
    skipped = None
    for free in tmpfs_free_kib:
        try:
            with small_tmpfs(work / "tmpfs", old_db.stat().st_size * 3 + 8 * 1024 * 1024) as mount:
                db = copy_store(old_db, mount / "kb.db")
                fill(mount, leave=free * 1024)
                result = run_cli_limited(["ingest", str(kb), "--db", str(db)])
                cases.append(
                    _disk_case(f"tmpfs with {free} KiB free", result, db, old_state, str(db))
                )
        except PermissionError as exc:
            skipped = f"no tmpfs: {exc}"
            break
    failed = [c for c in cases if not c["completed"]]
    figures: dict[str, Any] = {
        "cases": len(cases),
        "out_of_room": len(failed),
        "one_line": sum(c["one_line"] for c in failed),
        "old_kept": sum(c["old_kept"] for c in failed),
        "completed": sum(c["completed"] for c in cases),
        "integrity_ok": sum(c["integrity_ok"] for c in cases),
        "details": cases,
    }
    if skipped:
        figures["tmpfs_skipped"] = skipped
    return figures


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes mounted at ``folder`` (PermissionError when not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        raise PermissionError(mounted.stderr.strip() or f"mount exited {mounted.returncode}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def fill(folder: Path, *, leave: int) -> None:
    """Write a filler file in ``folder`` until ``leave`` bytes are free on its file system."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with (folder / "filler").open("wb") as handle:
        remaining = max(free - leave, 0)
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            written = handle.write(chunk[: min(len(chunk), remaining)])
            remaining -= written


# -- damaged stores --------------------------------------------------------------------
def _overwrite(db: Path, offset: int, size: int, seed: int) -> None:
    noise = random.Random(seed).randbytes(size)
    with db.open("r+b") as handle:
        handle.seek(offset)
        handle.write(noise)


def _root_page(db: Path, table: str) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    return (root - 1) * page_size, page_size


def _update(db: Path, sql: str) -> None:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.execute(sql)
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


#: Ways to damage a store: name -> what to do to the file.
DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated to half": lambda db: os.truncate(db, db.stat().st_size // 2),
    "header overwritten": lambda db: _overwrite(db, 0, 100, 1),
    "documents table root page overwritten": lambda db: _overwrite(
        db, *_root_page(db, "documents"), 2
    ),
    "chunks table root page overwritten": lambda db: _overwrite(db, *_root_page(db, "chunks"), 3),
    "random bytes in the middle": lambda db: _overwrite(db, db.stat().st_size // 2, 4096, 4),
    "postings array overwritten": lambda db: _update(
        db, "UPDATE postings SET value = randomblob(length(value)) WHERE key = 'rows'"
    ),
    "postings array cut short": lambda db: _update(
        db, "UPDATE postings SET value = substr(value, 1, 100) WHERE key = 'starts'"
    ),
    "a vector cut short": lambda db: _update(
        db,
        "UPDATE vectors SET vector = substr(vector, 1, 100) WHERE rowid = (SELECT min(rowid) FROM vectors)",
    ),
}
#: Commands given each damaged store (``{db}`` and ``{kb}`` filled in).
COMMANDS: dict[str, list[str]] = {
    "status": ["status", "--db", "{db}"],
    "review": ["review", "--db", "{db}"],
    "search": ["search", "chemotherapy", "--db", "{db}"],
    "ask": ["ask", "what is chemotherapy?", "--db", "{db}"],
    "verify": ["verify", "--db", "{db}"],
    "backup": ["backup", "--db", "{db}", "{work}/backup.db", "--force"],
    "ingest": ["ingest", "{kb}", "--db", "{db}"],
}
#: Commands that only read: the file must be byte for byte as it was.
READING = ("status", "review", "search", "ask", "verify", "backup")


def damaged_store_drill(
    work: Path,
    *,
    source_db: Path,
    kb: Path,
    damages: tuple[str, ...] | None = None,
    commands: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Every damage of ``damages`` (default all of :data:`DAMAGE`) given to every command of
    ``commands`` (default all of :data:`COMMANDS`), each on a fresh damaged copy of
    ``source_db``. A run passes when it works (exit 0) or refuses in one line naming the
    store (exit 1), with no traceback; a reading command must leave the file untouched, and
    ``verify`` must not call a damaged store OK."""
    work.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    for damage in damages or tuple(DAMAGE):
        for command in commands or tuple(COMMANDS):
            db = copy_store(source_db, work / "damaged.db")
            DAMAGE[damage](db)
            before = hashlib.sha256(db.read_bytes()).hexdigest()
            args = [part.format(db=db, kb=kb, work=work) for part in COMMANDS[command]]
            result = run_cli_limited(args, timeout=300)
            text = result.stdout + result.stderr
            refused = one_line_naming(result, str(db))
            worked = (
                result.returncode == 0
                and "Traceback" not in text
                and not error_lines(result.stderr)
            )
            if command == "verify":
                worked = False  # verify must say it is damaged, in its own words (exit 1)
                refused = (
                    result.returncode == 1
                    and "Traceback" not in text
                    and "internal error" not in text
                )
            untouched = hashlib.sha256(db.read_bytes()).hexdigest() == before
            lines = error_lines(result.stderr)
            runs.append(
                {
                    "damage": damage,
                    "command": command,
                    "exit": result.returncode,
                    "refused_one_line": refused,
                    "worked": worked,
                    "untouched": untouched,
                    "line": (lines[0] if lines else "")[:300],
                    "ok": (refused or worked) and (untouched or command not in READING),
                }
            )
    return {
        "damages": len(damages or DAMAGE),
        "commands": len(commands or COMMANDS),
        "runs": len(runs),
        "refused_one_line": sum(r["refused_one_line"] for r in runs),
        "worked": sum(r["worked"] for r in runs),
        "bad": sum(not r["ok"] for r in runs),
        "reading_untouched": sum(r["untouched"] for r in runs if r["command"] in READING),
        "reading_runs": sum(r["command"] in READING for r in runs),
        "details": runs,
    }
