"""Fault drills: real processes and real files, hurt on purpose (issue 15).

Each drill returns its figures as a dict; ``tests/test_drills.py`` runs a few of each in CI
(fixed seeds) and the ``drills`` suite of ``make bench`` runs the full set
(:func:`drills_suite`):

* :func:`kill_drill`: ``kill -9`` of an ingest at random moments. After each kill the
  store holds the old KB or the new one (never a mix), ``integrity_check`` is ok, and the
  next ingest completes with the new KB.
* :func:`disk_full_drill`: an ingest that runs out of room, by a file size limit
  (``RLIMIT_FSIZE``, set in the child: EFBIG) or on a small tmpfs that is nearly full
  (ENOSPC; only where this process may mount one). One line naming the store, the old KB
  kept.
* :func:`damaged_store_drill`: stores damaged in several ways, each given to several
  commands: either the command works, or it refuses in one line naming the store; never a
  traceback or an "internal error"; a reading command leaves the file as it was.
* :func:`serving_ingest_drill`: ``cancerinfo ingest`` while ``cancerinfo serve`` answers
  searches: no failed request, and how long until the new page is served.
* :func:`server_kill_drill`: ``kill -9`` of a server while clients ask and rate answers:
  every feedback the server acknowledged (200) is in the store.

A store's *state* (:func:`store_state`) is what a reader sees of the KB: every page's url,
content hash, version, liveness and indexed hash, every stored version and every chunk
text; not timestamps, paths or vectors (vectors embedded before a kill are kept: they are
keyed by their text and reused).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

#: The child that ingests: writes each progress stage (``read``, ``embed``, ``write``) with
#: its time to a file as it starts, and ``done`` once the ingest returned.
INGEST_CHILD = """
import sys, time
from pathlib import Path
from cancerinfo.pipeline.ingest import ingest

kb, db, stages, embedder_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
log = open(stages, "a", buffering=1)
seen = set()
def progress(stage, done, total):
    if stage not in seen:
        seen.add(stage)
        log.write(f"{stage} {time.time()}\\n")
embedder = None
if embedder_name == "hashing":
    from cancerinfo.index.dense import HashingEmbedder
    embedder = HashingEmbedder()
log.write(f"start {time.time()}\\n")
report = ingest([kb], db=db, progress=progress, embedder=embedder)
log.write(f"done {time.time()}\\n")
"""

FRONT_MATTER: dict[str, Any] = {
    "audienceLevel": "patient",
    "cancerTypes": ["general"],
    "citation": "NCI, 2025",
    "language": "en",
    "lastReviewed": "2025-12-30",
    "license": "public_domain",
    "reviewFrequency": "quarterly",
    "source": "NCI",
    "sourceType": "02_nci_core",
    "status": "active",
    "tags": ["treatment"],
    "version": "v1",
}
WORDS = (
    "treatment tumor cells doctor radiation surgery chemotherapy symptoms pain fatigue nausea "
    "blood test scan biopsy stage lymph nodes therapy dose side effects care team follow-up "
    "appointment medicine infection fever skin appetite sleep support family questions"
).split()


# -- KBs and stores --------------------------------------------------------------------
def page(number: int, *, edition: int = 1, rng: random.Random | None = None) -> str:
    """A synthetic KB page: front matter and three sections of plain sentences."""
    rng = rng or random.Random(number * 1000 + edition)
    front = {
        **FRONT_MATTER,
        "title": f"Drill topic {number} - NCI",
        "url": f"https://www.cancer.gov/drills/topic-{number}",
        "version": f"v{edition}",
    }
    sections = []
    for section in range(3):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(rng.randint(3, 6))
        ]
        sections.append(f"## Part {section + 1} of topic {number}\n\n" + " ".join(sentences) + "\n")
    body = f"# Drill topic {number}\n\nEdition {edition} of topic {number}.\n\n" + "\n".join(
        sections
    )
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n\n" + body


def write_kb(folder: Path, pages: dict[int, int]) -> Path:
    """``folder`` holding exactly the pages ``{number: edition}`` (others deleted)."""
    target = folder / "en" / "02_nci_core" / "drills"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {
        f"topic-{number:04d}.md": page(number, edition=edition) for number, edition in pages.items()
    }
    for existing in target.glob("*.md"):
        if existing.name not in wanted:
            existing.unlink()
    for name, text in wanted.items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return folder


def old_and_new_pages(count: int) -> tuple[dict[int, int], dict[int, int]]:
    """Two editions of a KB: the new one changes every 3rd page, removes every 7th and adds
    ``count // 2`` pages."""
    old = dict.fromkeys(range(count), 1)
    new = {number: (2 if number % 3 == 0 else 1) for number in range(count) if number % 7 != 3}
    new.update(dict.fromkeys(range(count, count + count // 2), 1))
    return old, new


def store_state(db: Path) -> str:
    """A fingerprint of the KB a reader sees in ``db`` (see the module's docstring)."""
    digest = hashlib.sha256()
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for sql in (
            "SELECT url, content_hash, current_version, removed_at IS NULL, indexed_hash, status"
            " FROM documents ORDER BY url",
            "SELECT d.url, v.version_no, v.content_hash, length(v.text) FROM versions v"
            " JOIN documents d ON d.id = v.document_id ORDER BY d.url, v.version_no",
            "SELECT d.url, c.chunk_id, c.content_hash FROM chunks c"
            " JOIN documents d ON d.id = c.document_id ORDER BY c.chunk_id",
        ):
            for row in connection.execute(sql):
                digest.update(repr(tuple(row)).encode())
    finally:
        connection.close()
    return digest.hexdigest()


def integrity(db: Path) -> str:
    """SQLite's ``integrity_check`` of ``db``: ``ok``, or its first finding."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def copy_store(source: Path, target: Path) -> Path:
    """A self-contained copy of the store ``source`` at ``target`` (SQLite's backup)."""
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    return target


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}


def start_ingest(
    kb: Path, db: Path, stages: Path, *, embedder: str, fsize: int | None = None
) -> subprocess.Popen[str]:
    """The ingest child (:data:`INGEST_CHILD`); ``fsize``: its RLIMIT_FSIZE in bytes."""
    stages.write_text("")

    def limit() -> None:  # runs in the child, before Python starts
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.Popen(
        [sys.executable, "-c", INGEST_CHILD, str(kb), str(db), str(stages), embedder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        preexec_fn=limit if fsize is not None else None,
    )


def read_stages(stages: Path) -> dict[str, float]:
    """The stages an ingest child has written so far: name → time stamp (a half-written line is
    skipped)."""
    found: dict[str, float] = {}
    for line in stages.read_text().splitlines():
        name, _, stamp = line.partition(" ")
        with contextlib.suppress(ValueError):
            found[name] = float(stamp)
    return found


def ingest_to_end(kb: Path, db: Path, stages: Path, *, embedder: str) -> dict[str, float]:
    """An ingest run to its end; its stage times relative to its start (``end``: exit)."""
    started = time.time()
    process = start_ingest(kb, db, stages, embedder=embedder)
    _, error = process.communicate(timeout=600)
    ended = time.time()
    if process.returncode != 0:
        raise RuntimeError(
            f"ingest of {kb} into {db} failed (exit {process.returncode}): {error[-2000:]}"
        )
    return {name: stamp - started for name, stamp in read_stages(stages).items()} | {
        "end": ended - started
    }


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
def run_cli_limited(
    args: list[str], *, fsize: int | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m cancerinfo ARGS`` in a child, with RLIMIT_FSIZE ``fsize`` when given."""

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "cancerinfo", *args],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=timeout,
        check=False,
        preexec_fn=limit if fsize is not None else None,
    )


def error_lines(stderr: str) -> list[str]:
    """The non-blank lines of ``stderr``."""
    return [line for line in stderr.splitlines() if line.strip()]


def one_line_naming(result: subprocess.CompletedProcess[str], name: str) -> bool:
    """Exit 1, one non-empty line on stderr naming ``name``, no traceback, no internal error."""
    lines = error_lines(result.stderr)
    text = result.stdout + result.stderr
    return (
        result.returncode == 1
        and len(lines) == 1
        and name in lines[0]
        and "Traceback" not in text
        and "internal error" not in text
    )


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


# -- a real server ---------------------------------------------------------------------
def start_server(
    db: Path, log: Path, *, timeout: float = 180.0, fsize: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``cancerinfo serve`` (one process, answers in it) on a free port; waits for /healthz.
    ``fsize``: the server's RLIMIT_FSIZE in bytes."""
    from cancerinfo.service.loadtest import start_server as serve

    return serve(db, log=log, answer_processes=0, timeout=timeout, fsize=fsize)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` if it still runs, and kill it if it has not exited within 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serving_ingest_drill(
    work: Path, *, kb: Path, db: Path, clients: int = 4, after: float = 5.0
) -> dict[str, Any]:
    """Clients search a running server while ``cancerinfo ingest`` adds a page (a word no
    other page has) to its store; they go on until the page is found, then ``after`` s more.
    Figures: requests, non-200 answers, transport errors, seconds from the ingest's exit
    until the new page was served."""
    import httpx

    work.mkdir(parents=True, exist_ok=True)
    process, url = start_server(db, work / "serving.log")
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    stop_at = [float("inf")]
    found_at: list[float] = []
    ingested_at: list[float] = []
    new_url = "https://www.cancer.gov/drills/zorgluxine"

    def client(number: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < stop_at[0]:
                query = "zorgluxine" if number == 0 else random.choice(WORDS)
                try:
                    response = http.get("/v1/search", params={"q": query, "k": 3})
                except httpx.TransportError:
                    with lock:
                        errors += 1
                    continue
                with lock:
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if (
                    number == 0
                    and ingested_at
                    and not found_at
                    and response.status_code == 200
                    and any(hit["url"] == new_url for hit in response.json().get("hits", []))
                ):
                    found_at.append(time.monotonic())
                    stop_at[0] = time.monotonic() + after

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    target = kb / "en" / "02_nci_core" / "drills-new" / "zorgluxine.md"
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = page(9999).replace("https://www.cancer.gov/drills/topic-9999", new_url)
        target.write_text(
            text.replace("Edition 1 of topic 9999.", "Zorgluxine is a drill word."),
            encoding="utf-8",
        )
        ingest = run_cli_limited(["ingest", str(kb), "--db", str(db)])
        ingested_at.append(time.monotonic())
        if ingest.returncode != 0:
            raise RuntimeError(f"the ingest while serving failed: {ingest.stderr[-2000:]}")
        deadline = time.monotonic() + 120
        while not found_at and time.monotonic() < deadline:
            time.sleep(0.05)
        stop_at[0] = min(stop_at[0], time.monotonic() + after)
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop_at[0] = 0
        stop(process)
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    requests = sum(statuses.values())
    return {
        "clients": clients,
        "requests": requests,
        "non_200": requests - statuses.get(200, 0),
        "transport_errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "served_after_seconds": round(found_at[0] - ingested_at[0], 2) if found_at else None,
    }


QUESTIONS = (
    "What is chemotherapy?",
    "What are the side effects of radiation?",
    "How is the tumor staged?",
)


def server_kill_drill(
    work: Path, *, db: Path, clients: int = 8, seconds: float = 6.0, seed: int = 0
) -> dict[str, Any]:
    """Clients ask and rate each answer (one feedback per turn, its comment a unique token)
    on a running server; after ``seconds`` (a seeded jitter of up to one more) the server
    is killed with SIGKILL, requests in flight. Every acknowledged feedback must be in the
    store. Figures: asks, acknowledged feedback, lost, integrity_check."""
    import httpx

    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    process, url = start_server(db, work / "kill.log")
    acknowledged: list[tuple[str, int, str]] = []
    asked = [0]
    lock = threading.Lock()
    running = [True]

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            count = 0
            session = ""
            while running[0]:
                try:
                    if count % 10 == 0:
                        session = http.post("/v1/sessions").json()["session_id"]
                    answer = http.post(
                        "/v1/ask",
                        json={"question": QUESTIONS[count % len(QUESTIONS)], "session_id": session},
                    )
                    turn = int(answer.headers["x-cancerinfo-turn"])
                    with lock:
                        asked[0] += 1
                    token = f"drill-{number}-{count}"
                    count += 1
                    rated = http.post(
                        "/v1/feedback",
                        json={"session_id": session, "turn": turn, "rating": 1, "comment": token},
                    )
                    if rated.status_code == 200:
                        with lock:
                            acknowledged.append((session, turn, token))
                except (httpx.TransportError, KeyError, ValueError):
                    if process.poll() is not None:
                        return
                    time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds + rng.uniform(0, 1))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    running[0] = False
    for thread in threads:
        thread.join(timeout=60)
    with lock:
        acked = list(acknowledged)
    with contextlib.closing(sqlite3.connect(db)) as connection:
        stored = set(
            connection.execute("SELECT session_id, turn, comment FROM feedback").fetchall()
        )
    lost = [row for row in acked if row not in stored]
    return {
        "clients": clients,
        "asks": asked[0],
        "acknowledged_feedback": len(acked),
        "lost": len(lost),
        "lost_examples": [list(row) for row in lost[:5]],
        "killed_with": "SIGKILL",
        "integrity_ok": integrity(db) == "ok",
    }


# -- the bench suite ---------------------------------------------------------------------
def drills_suite(
    folder: Path, *, kills: int = 24, seed: int = 15, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """The ``drills`` suite of ``make bench``: every drill at full size, in ``folder``."""
    from cancerinfo.pipeline.ingest import ingest

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    progress(f"drills: {kills} kills -9 during ingest")
    results["kill_ingest"] = kill_drill(folder / "kill", kills=kills, seed=seed, pages=120)
    # stores built with the real embedder for the commands and the server
    kb = folder / "kb"
    old_pages, new_pages = old_and_new_pages(40)
    write_kb(kb, old_pages)
    real_db = folder / "real.db"
    ingest([kb], db=real_db)
    write_kb(kb, new_pages)
    progress("drills: disk full (RLIMIT_FSIZE, tmpfs)")
    results["disk_full"] = disk_full_drill(
        folder / "disk",
        kb=kb,
        old_db=real_db,
        limits_kib=(4, 64, 512, 2048),
        tmpfs_free_kib=(64, 1024),
    )
    progress("drills: damaged stores")
    results["damaged"] = damaged_store_drill(folder / "damaged", source_db=real_db, kb=kb)
    progress("drills: ingest while serving")
    write_kb(kb, old_pages)
    results["serving_ingest"] = serving_ingest_drill(
        folder / "serving", kb=kb, db=copy_store(real_db, folder / "serving.db")
    )
    progress("drills: kill -9 of a server with feedback in flight")
    kills_of_server = [
        server_kill_drill(
            folder / f"server-{n}",
            db=copy_store(real_db, folder / f"server-{n}.db"),
            clients=16,
            seconds=8.0,
            seed=seed + n,
        )
        for n in range(3)
    ]
    results["server_kill"] = {
        "runs": len(kills_of_server),
        "clients": kills_of_server[0]["clients"],
        "asks": sum(r["asks"] for r in kills_of_server),
        "acknowledged_feedback": sum(r["acknowledged_feedback"] for r in kills_of_server),
        "lost": sum(r["lost"] for r in kills_of_server),
        "integrity_ok": sum(r["integrity_ok"] for r in kills_of_server),
    }
    results["seconds"] = round(time.perf_counter() - started, 1)
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)
    return results


def _main() -> None:  # pragma: no cover - a manual run: python -m cancerinfo.eval.drills
    import json

    folder = Path(tempfile.mkdtemp(prefix="cancerinfo-drills-"))
    print(
        json.dumps(
            drills_suite(folder / "work", kills=int(sys.argv[1]) if len(sys.argv) > 1 else 4),
            indent=2,
        )
    )


if __name__ == "__main__":
    _main()
