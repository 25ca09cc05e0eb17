"""Answer processes (``CANCERINFO_ANSWER_PROCESSES``): real ``cancerinfo serve`` servers.

One server with 2 answer processes answers most tests; a second one with 0 (the assistant
on a thread of the server process) is the reference its answers are compared with. The
tests that kill an answer process or stop a server start servers of their own. Processes
are found in ``/proc``: an answer process is a child of the server whose command line has
``multiprocessing.spawn``. ``Lanes`` and the setting are tested without a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cancerinfo.errors import SettingsError
from cancerinfo.service.lanes import Lanes, LaneStopped
from cancerinfo.settings import Settings
from tests.service.conftest import ADMIN_TOKEN, LARYNX_URL, Server, logged_client

QUESTIONS = [
    "What are the symptoms of laryngeal cancer?",
    "What is Ninlaro used for?",
    "What is ixabepilone?",
    "I can't breathe right now",
    "What is the capital of France?",
]
ENV = {"CANCERINFO_RATE_LIMIT_PER_MINUTE": "100000"}


# -- processes, from /proc ------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid) and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def answer_processes(server: Server) -> list[int]:
    return [pid for pid in children(server.process.pid) if "multiprocessing.spawn" in cmdline(pid)]


def cpu_ticks(pid: int) -> int:
    """utime + stime of ``pid`` in clock ticks."""
    fields = _stat(pid)
    assert fields is not None, f"process {pid} is gone"
    return int(fields[11]) + int(fields[12])


def running(pid: int, parent: int) -> bool:
    """``pid`` is still a live child of ``parent`` (a zombie, or a pid reused by another
    process, does not count); after ``parent`` exited, any live process with that pid."""
    fields = _stat(pid)
    if fields is None or fields[0] == "Z":
        return False
    return fields[1] == str(parent) or _stat(parent) is None or fields[1] == "1"


def wait_until(condition, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# -- servers ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def multi(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server of this module: 2 answer processes."""
    log = tmp_path_factory.mktemp("answer-processes") / "server.log"
    server = Server(service_db, log, env={**ENV, "CANCERINFO_ANSWER_PROCESSES": "2"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def single(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The reference: the assistant on a thread of the server process (0 answer processes)."""
    log = tmp_path_factory.mktemp("answer-processes") / "single.log"
    server = Server(service_db, log, env={**ENV, "CANCERINFO_ANSWER_PROCESSES": "0"})
    yield server
    server.stop()


@pytest.fixture
def http(multi: Server, request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    with logged_client(multi, request, timeout=60.0) as client:
        yield client


def test_the_server_has_two_answer_processes_and_the_reference_none(multi: Server, single: Server) -> None:
    assert len(answer_processes(multi)) == 2, cmdline(multi.process.pid)
    assert answer_processes(single) == []


def test_answers_are_those_of_the_single_process_server(http: httpx.Client, single: Server) -> None:
    with httpx.Client(base_url=single.url, timeout=60.0) as reference:
        for question in QUESTIONS:
            got = http.post("/v1/ask", json={"question": question})
            expected = reference.post("/v1/ask", json={"question": question})
            assert got.status_code == expected.status_code == 200, got.text
            assert got.json() == expected.json(), question
        filtered = {"question": QUESTIONS[0], "filters": {"cancer_type": "head and neck"}}
        assert http.post("/v1/ask", json=filtered).json() == reference.post("/v1/ask", json=filtered).json()
        query = {"q": "hoarseness in the voice", "k": 5}
        assert http.get("/v1/search", params=query).json() == reference.get("/v1/search", params=query).json()
        assert http.get("/healthz").json()["documents"] == reference.get("/healthz").json()["documents"] == 4
    assert http.post("/v1/ask", json={"question": QUESTIONS[0]}).json()["status"] == "answered"


def test_a_session_works_across_answer_processes(http: httpx.Client) -> None:
    created = http.post("/v1/sessions")
    assert created.status_code == 201
    session = created.json()["session_id"]
    first = http.post("/v1/ask", json={"question": "What are the symptoms of laryngeal cancer?", "session_id": session})
    assert first.status_code == 200 and first.headers["X-CancerInfo-Turn"] == "1"
    second = http.post("/v1/ask", json={"question": "and how is it treated?", "session_id": session})
    assert second.status_code == 200 and second.headers["X-CancerInfo-Turn"] == "2"
    assert second.json()["status"] == "answered" and second.json()["session_id"] == session
    assert {c["url"] for c in second.json()["citations"]} == {LARYNX_URL}  # the follow-up kept its topic
    rated = http.post("/v1/feedback", json={"session_id": session, "turn": 1, "rating": 1, "comment": "clear"})
    assert rated.status_code == 200 and rated.json() == {"recorded": True}
    again = http.post("/v1/feedback", json={"session_id": session, "turn": 2, "rating": -1})
    assert again.status_code == 200


def test_errors_raised_in_an_answer_process_keep_their_status(http: httpx.Client) -> None:
    """Exceptions come back over the pipe and get the same error shape as in one process."""
    session = http.post("/v1/sessions").json()["session_id"]
    missing_turn = http.post("/v1/feedback", json={"session_id": session, "turn": 9, "rating": 1})
    assert missing_turn.status_code == 404 and missing_turn.json()["error"]["code"] == "not_found"
    unknown = http.post("/v1/ask", json={"question": "What is ixabepilone?", "session_id": "never-made"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    bad_id = http.post("/v1/ask", json={"question": "What is ixabepilone?", "session_id": "a b"})
    assert bad_id.status_code == 422 and bad_id.json()["error"]["code"] == "invalid_request"
    assert http.post("/v1/ask", json={"question": "What is ixabepilone?"}).status_code == 200  # still serving


def test_search_and_the_web_pages_render(http: httpx.Client) -> None:
    result = http.get("/v1/search", params={"q": "hoarseness in the voice", "k": 3})
    assert result.status_code == 200 and result.json()["hits"][0]["url"] == LARYNX_URL
    http.cookies.set("cancerinfo_consent", "1")
    page = http.get("/", params={"q": "What are the symptoms of laryngeal cancer?"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Laryngeal" in page.text and "head and neck" in page.text  # the answer and the filter menu
    search = http.get("/search", params={"q": "hoarseness"})
    assert search.status_code == 200 and "Laryngeal" in search.text


def test_concurrent_questions_are_answered_by_both_processes(multi: Server, http: httpx.Client) -> None:
    workers = answer_processes(multi)
    assert len(workers) == 2
    sessions = [http.post("/v1/sessions").json()["session_id"] for _ in range(16)]  # in a session: never cached
    before = {pid: cpu_ticks(pid) for pid in workers}

    async def ask_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=multi.url, timeout=60.0) as client:
            return await asyncio.gather(*(
                client.post("/v1/ask", json={"question": QUESTIONS[n % len(QUESTIONS)], "session_id": session})
                for n, session in enumerate(sessions)
            ))

    for _ in range(3):  # a tick is 10 ms: a round on this small KB may not reach one in each process
        responses = asyncio.run(ask_all())
        assert [r.status_code for r in responses] == [200] * 16, [r.text for r in responses if r.status_code != 200]
        gained = {pid: cpu_ticks(pid) - before[pid] for pid in workers}
        if all(gained.values()):
            break
    assert all(gained.values()), gained
    turns = sorted(int(r.headers["X-CancerInfo-Turn"]) for r in responses)
    assert len(set(turns)) == 1  # every session has as many turns as rounds: none lost or doubled
    assert answer_processes(multi) == workers  # nobody died on the way


# -- an answer process dies; the server stops ------------------------------------------------
def _ask(url: str, n: int) -> int:
    """A question never asked before (the answer cache would answer without a process)."""
    try:
        return httpx.post(f"{url}/v1/ask", json={"question": f"What is Ninlaro used for? {n}"}, timeout=30.0).status_code
    except httpx.TransportError:
        return 0


def _kill_while_busy(server: Server) -> tuple[list[int], int, list[int]]:
    """Stop one answer process (SIGSTOP), send 6 questions: it takes its 2 slots and keeps
    them, the other process answers the rest; then SIGKILL it. Returns the answer processes
    from before, the one killed, and the 6 statuses."""
    first = answer_processes(server)
    assert len(first) == 2 and _ask(server.url, 0) == 200
    victim = first[0]
    os.kill(victim, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            asked = [pool.submit(_ask, server.url, n) for n in range(1, 7)]
            assert wait_until(lambda: sum(f.done() for f in asked) == 4, 20), [f.done() for f in asked]
            time.sleep(0.2)
            assert sum(f.done() for f in asked) == 4  # two wait in the stopped process
            os.kill(victim, signal.SIGKILL)
            return first, victim, [f.result() for f in asked]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def test_a_killed_answer_process_is_replaced(service_db: Path, tmp_path: Path) -> None:
    server = Server(service_db, tmp_path / "server.log", env={**ENV, "CANCERINFO_ANSWER_PROCESSES": "2"})
    try:
        first, victim, statuses = _kill_while_busy(server)
        # its two calls do not hang: questions without a session change nothing, so they are
        # asked again of the live process
        assert statuses == [200] * 6, statuses
        deadline = time.monotonic() + 60
        n = 100
        while time.monotonic() < deadline:  # a few more may fail, then all are answered again
            n += 1
            statuses.append(_ask(server.url, n))
            if statuses[-5:] == [200] * 5:
                break
            time.sleep(0.1)
        assert statuses[-5:] == [200] * 5, f"statuses after the kill: {statuses}\n{server.output()[-3000:]}"
        assert set(statuses) == {200}, statuses  # retried on a live lane or the new generation
        assert not running(victim, server.process.pid)
        # a new generation: two new processes, the survivor of the old one closed
        assert wait_until(
            lambda: len(answer_processes(server)) == 2 and not set(answer_processes(server)) & set(first), 20
        ), (first, answer_processes(server), server.output()[-3000:])
        assert server.process.poll() is None
        assert [_ask(server.url, 1000 + i) for i in range(6)] == [200] * 6
        assert "an answer process stopped" in server.output()
    finally:
        server.stop()


def test_one_dead_answer_process_loads_one_new_generation(service_db: Path, tmp_path: Path) -> None:
    server = Server(service_db, tmp_path / "server.log", env={**ENV, "CANCERINFO_ANSWER_PROCESSES": "2"})
    try:
        first, _, statuses = _kill_while_busy(server)
        assert statuses == [200] * 6
        assert wait_until(lambda: "reloaded the knowledge base" in server.output(), 60), server.output()[-3000:]
        spawned = set(first)
        quiet_until = time.monotonic() + 6  # a second reload would start right after the first
        while time.monotonic() < quiet_until and len(spawned) <= 4:
            spawned |= set(answer_processes(server))
            time.sleep(0.1)
        reloads = server.output().count("reloaded the knowledge base")
        assert (len(spawned), reloads) == (4, 1), f"{len(spawned)} answer processes started, {reloads} reloads"
    finally:
        server.stop()


def test_stopping_the_server_stops_its_answer_processes(service_db: Path, tmp_path: Path) -> None:
    server = Server(service_db, tmp_path / "server.log", env={**ENV, "CANCERINFO_ANSWER_PROCESSES": "2"})
    try:
        assert [_ask(server.url, n) for n in range(4)] == [200] * 4
        pid = server.process.pid
        workers = answer_processes(server)
        everyone = children(pid)  # the answer processes and multiprocessing's resource tracker
        assert len(workers) == 2 and set(workers) <= set(everyone)
    finally:
        server.stop()  # SIGTERM, then SIGKILL after 15 s
    assert server.process.returncode in (0, -signal.SIGTERM), server.output()[-3000:]  # uvicorn re-raises SIGTERM
    assert wait_until(lambda: not any(running(child, pid) for child in everyone), 5), [
        (child, cmdline(child)) for child in everyone if running(child, pid)
    ]
    assert "Traceback" not in server.output()


def test_every_worker_gets_the_settings_serve_resolved(service_db: Path, tmp_path: Path) -> None:
    """``--workers 2``: both server processes get serve's settings (a flag, variables, the
    admin token) with the app factory, so each has its answer process, the body limit and an
    open admin, whichever of them accepts a connection."""
    server = Server(
        service_db, tmp_path / "server.log", workers=2, args=("--answer-processes", "1"),
        env={**ENV, "CANCERINFO_MAX_BODY_BYTES": "2000", "CANCERINFO_ADMIN_TOKEN": ADMIN_TOKEN},
    )
    try:
        workers = answer_processes(server)  # uvicorn's workers are spawned too
        assert len(workers) == 2, server.output()[-3000:]
        assert wait_until(
            lambda: all(len([c for c in children(w) if "multiprocessing.spawn" in cmdline(c)]) == 1 for w in workers), 120
        ), {w: [cmdline(c) for c in children(w)] for w in workers}
        for _ in range(6):
            with httpx.Client(base_url=server.url, timeout=60.0) as http:  # a new connection: either worker
                assert http.post("/v1/ask", json={"question": "x" * 2500}).status_code == 413
                assert http.post("/v1/ask", json={"question": QUESTIONS[1]}).status_code == 200
                admin = http.get("/v1/admin/review", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
                assert admin.status_code == 200, admin.text
    finally:
        server.stop()
    assert server.process.returncode in (0, -signal.SIGTERM), server.output()[-3000:]
    assert "Traceback" not in server.output()


# -- Lanes: first come, first served (no server) -------------------------------------------
class Lane:
    """A stand-in for a lane: ``Lanes`` only reads ``depth`` and ``alive`` and hands the object out."""

    def __init__(self, name: str, depth: int = 2) -> None:
        self.name, self.depth, self.alive = name, depth, True

    def __repr__(self) -> str:
        return self.name


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_the_first_slots_alternate_between_lanes() -> None:
    async def main() -> None:
        a, b = Lane("a"), Lane("b")
        lanes = Lanes([a, b])
        assert lanes.slots == 4
        assert [await lanes.acquire() for _ in range(4)] == [a, b, a, b]
        mixed = Lanes([Lane("x", 1), Lane("y", 2), Lane("z", 1)])
        assert mixed.slots == 4 and [repr(await mixed.acquire()) for _ in range(4)] == ["x", "y", "z", "y"]

    asyncio.run(main())


def test_freed_slots_go_to_waiters_in_arrival_order_and_a_newcomer_waits() -> None:
    async def main() -> None:
        a, b = Lane("a"), Lane("b")
        lanes = Lanes([a, b])
        held = [await lanes.acquire() for _ in range(4)]  # a, b, a, b: all taken
        got: list[tuple[str, Lane]] = []

        async def waiter(name: str) -> None:
            got.append((name, await lanes.acquire()))

        waiters = []
        for name in ("w1", "w2", "w3"):
            waiters.append(asyncio.create_task(waiter(name)))
            await _settle()  # each is waiting before the next arrives
        assert got == []
        go = asyncio.Event()

        async def newcomer_asks() -> None:
            await go.wait()
            got.append(("new", await lanes.acquire()))

        newcomer = asyncio.create_task(newcomer_asks())
        await _settle()
        go.set()  # the newcomer runs first ...
        lanes.release(held[1])  # ... after b is freed: b is still w1's (asyncio.Queue would give it away)
        await _settle()
        assert got == [("w1", b)] and not newcomer.done()
        lanes.release(held[0])
        lanes.release(held[3])
        await _settle()
        assert got == [("w1", b), ("w2", a), ("w3", b)] and not newcomer.done()
        lanes.release(held[2])
        await _settle()
        assert got[-1] == ("new", a) and newcomer.done()
        await asyncio.wait_for(asyncio.gather(*waiters, newcomer), 5)

    asyncio.run(main())


def test_a_dead_lanes_slots_are_not_handed_out_again() -> None:
    async def main() -> None:
        a, b = Lane("a"), Lane("b")
        lanes = Lanes([a, b])
        held = [await lanes.acquire() for _ in range(3)]  # a, b, a; b's second slot is idle
        a.alive = False
        lanes.release(held[0])
        lanes.release(held[2])
        assert lanes.slots == 2
        assert await lanes.acquire() is b  # b's idle slot
        waiting = asyncio.create_task(lanes.acquire())
        await _settle()
        assert not waiting.done()  # a's two slots are gone: it waits for b
        lanes.release(held[1])
        await _settle()
        assert waiting.result() is b

    asyncio.run(main())


def test_callers_waiting_when_the_last_lane_dies_are_told() -> None:
    async def main() -> None:
        a = Lane("a", depth=1)
        lanes = Lanes([a])
        held = await lanes.acquire()
        waiting = asyncio.create_task(lanes.acquire())
        await _settle()
        a.alive = False
        lanes.release(held)
        await _settle()
        with pytest.raises(LaneStopped):
            waiting.result()
        with pytest.raises(LaneStopped):  # and a newcomer is told at once
            await lanes.acquire()

    asyncio.run(main())


def test_a_waiter_that_gave_up_is_skipped_and_its_slot_passed_on() -> None:
    async def main() -> None:
        a = Lane("a", depth=1)
        lanes = Lanes([a])
        held = await lanes.acquire()
        got: list[str] = []

        async def waiter(name: str) -> None:
            lane = await lanes.acquire()
            got.append(name)
            await asyncio.sleep(0.01)
            lanes.release(lane)

        w1, w2, w3, w4 = (asyncio.create_task(waiter(name)) for name in ("w1", "w2", "w3", "w4"))
        await _settle()
        w1.cancel()  # gave up while waiting
        await _settle()
        lanes.release(held)  # handed to w2 ...
        w2.cancel()  # ... which gives up before it runs: the slot goes on to w3
        await asyncio.wait_for(asyncio.gather(w1, w2, w3, w4, return_exceptions=True), 5)
        assert w1.cancelled() and w2.cancelled()
        assert got == ["w3", "w4"]
        # no slot was lost: it is free again, and only one
        assert await asyncio.wait_for(lanes.acquire(), 1) is a
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(lanes.acquire(), 0.05)

    asyncio.run(main())


# -- the setting ---------------------------------------------------------------------------
def test_answer_processes_setting_accepts_zero_and_refuses_negatives() -> None:
    assert Settings.load(environ={}).answer_processes == 0
    assert Settings.load(environ={"CANCERINFO_ANSWER_PROCESSES": "0"}).answer_processes == 0
    assert Settings.load(environ={"CANCERINFO_ANSWER_PROCESSES": "3"}).answer_processes == 3
    assert Settings.load(environ={"CANCERINFO_ANSWER_PROCESSES": "3"}, answer_processes=1).answer_processes == 1
    with pytest.raises(SettingsError, match="CANCERINFO_ANSWER_PROCESSES must be at least 0, got -1"):
        Settings.load(environ={"CANCERINFO_ANSWER_PROCESSES": "-1"})
    with pytest.raises(SettingsError, match="CANCERINFO_ANSWER_PROCESSES must be a whole number"):
        Settings.load(environ={"CANCERINFO_ANSWER_PROCESSES": "two"})
    with pytest.raises(SettingsError, match="--answer-processes must be at least 0"):
        Settings.load(environ={}, answer_processes=-1)
