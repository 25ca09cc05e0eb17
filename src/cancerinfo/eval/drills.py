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
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cancerinfo.eval.drills_faults import COMMANDS as COMMANDS
from cancerinfo.eval.drills_faults import DAMAGE as DAMAGE
from cancerinfo.eval.drills_faults import READING as READING
from cancerinfo.eval.drills_faults import damaged_store_drill as damaged_store_drill
from cancerinfo.eval.drills_faults import disk_full_drill as disk_full_drill
from cancerinfo.eval.drills_faults import fill as fill
from cancerinfo.eval.drills_faults import kill_drill as kill_drill
from cancerinfo.eval.drills_faults import small_tmpfs as small_tmpfs
from cancerinfo.eval.drills_kb import FRONT_MATTER as FRONT_MATTER
from cancerinfo.eval.drills_kb import INGEST_CHILD as INGEST_CHILD
from cancerinfo.eval.drills_kb import WORDS as WORDS
from cancerinfo.eval.drills_kb import copy_store as copy_store
from cancerinfo.eval.drills_kb import error_lines as error_lines
from cancerinfo.eval.drills_kb import ingest_to_end as ingest_to_end
from cancerinfo.eval.drills_kb import integrity as integrity
from cancerinfo.eval.drills_kb import old_and_new_pages as old_and_new_pages
from cancerinfo.eval.drills_kb import one_line_naming as one_line_naming
from cancerinfo.eval.drills_kb import page as page
from cancerinfo.eval.drills_kb import read_stages as read_stages
from cancerinfo.eval.drills_kb import run_cli_limited as run_cli_limited
from cancerinfo.eval.drills_kb import start_ingest as start_ingest
from cancerinfo.eval.drills_kb import store_state as store_state
from cancerinfo.eval.drills_kb import write_kb as write_kb
from cancerinfo.eval.drills_server import QUESTIONS as QUESTIONS
from cancerinfo.eval.drills_server import server_kill_drill as server_kill_drill
from cancerinfo.eval.drills_server import serving_ingest_drill as serving_ingest_drill
from cancerinfo.eval.drills_server import start_server as start_server
from cancerinfo.eval.drills_server import stop as stop


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
