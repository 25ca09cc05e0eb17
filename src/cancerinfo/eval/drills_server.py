"""The fault drills on a real server (:mod:`cancerinfo.eval.drills`): ``cancerinfo ingest``
while ``cancerinfo serve`` answers searches (:func:`serving_ingest_drill`), and ``kill -9`` of a
server while clients ask and rate answers (:func:`server_kill_drill`).
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from cancerinfo.eval.drills_kb import WORDS, integrity, page, run_cli_limited


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
