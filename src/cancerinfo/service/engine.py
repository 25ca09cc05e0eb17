"""The assistant of one server process: on a thread of its own, or in answer processes.

The assistant's SQLite connections belong to the thread that opened them (``sqlite3``'s
``check_same_thread``): measured, an ``ask`` from FastAPI's thread pool fails with
``ProgrammingError``. So every call that touches an assistant runs on the one thread that
built it, in a *lane*: the server's own thread (``answer_processes = 0``), or one of
``CANCERINFO_ANSWER_PROCESSES`` answer processes, each with its own assistant. The work is
CPU-bound Python: more threads in one process would not run it faster, more processes do.

With answer processes, calls wait in one queue and each goes to the next free lane, so no
process idles while another has a backlog. (``cancerinfo serve --workers N`` also uses N
cores, but each uvicorn worker keeps the connections it happened to accept, and answers
only those.)

A *generation* is the lanes and the assistants in them; it knows the store's last finished
ingest run, a fingerprint of the KB its index was loaded from
(:func:`~cancerinfo.index.loading.kb_state`) and the day it was loaded (review statuses are
computed for that day). When the KB changes — an ingest by the admin API or the CLI that
changed something — or at midnight, :meth:`Engine.reload_if_stale` builds a new generation
while the old one keeps answering, swaps them, then closes the old one once its calls are
done. An ingest that changed nothing leaves the generation (and its answer cache) as it is.
Each assistant reads the store in one snapshot, the one its index was loaded from, so the
old generation's calls never mix its index with the new store's rows.

A question asked without a session has no side effect and, for one generation, always the
same answer: a generation keeps the last ``CANCERINFO_ANSWER_CACHE_SIZE`` of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from cancerinfo.answer.assistant import Assistant, assistant_from_settings
from cancerinfo.answer.sessions import Shared, TurnNotFound, check_session_id
from cancerinfo.index.filters import Filters
from cancerinfo.index.loading import kb_state
from cancerinfo.service.errors import NotFound
from cancerinfo.settings import Settings
from cancerinfo.store.database import Store, utc_now

log = logging.getLogger("cancerinfo.service")
T = TypeVar("T")

#: How often the store is checked for a newer ingest run (seconds).
RELOAD_CHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Asked:
    """An answer and, in a session, the number of the turn it was stored as."""

    response: dict[str, Any]
    turn: int | None


@dataclass(slots=True)
class Counts:
    """What this process answered since it started (sessionless questions included)."""

    started_at: str = field(default_factory=utc_now)
    questions: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, response: dict[str, Any]) -> None:
        """Count one answer by its status and reason."""
        self.questions += 1
        self.statuses[response["status"]] += 1
        if response["reason"]:
            self.reasons[response["reason"]] += 1

    def as_dict(self) -> dict[str, Any]:
        """The counts as JSON, most frequent status and reason first."""
        return {
            "started_at": self.started_at,
            "questions": self.questions,
            "statuses": dict(self.statuses.most_common()),
            "reasons": dict(self.reasons.most_common()),
        }


class AnswerCache:
    """Answers to sessionless questions, least recently used dropped first. Used from the
    event loop only; a generation has its own, so a new KB or a new day starts empty."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, Filters | None], dict[str, Any]] = OrderedDict()
        self.hits = 0

    def get(self, key: tuple[str, Filters | None]) -> dict[str, Any] | None:
        """The cached answer for ``(question, filters)``, now the most recently used; else
        ``None``."""
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: tuple[str, Filters | None], answer: dict[str, Any]) -> None:
        """Cache ``answer``, dropping the least recently used beyond :attr:`size`."""
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)


class LaneStopped(RuntimeError):
    """An answer process is gone (killed, out of memory): its lane can take no more work."""


class ThreadLane:
    """An assistant on one thread of this process (``answer_processes = 0``)."""

    depth = 1
    alive = True

    def __init__(self, settings: Settings, build: Callable[[Settings], Assistant]) -> None:
        self.settings, self._build = settings, build
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cancerinfo-assistant")
        self._assistant: Assistant | None = None

    async def open(self) -> None:
        """Build and warm the assistant on the lane's thread."""
        self._assistant = await asyncio.wrap_future(self._executor.submit(built_and_warmed, self.settings, self._build))

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(assistant, *args)`` on the lane's thread."""
        return await asyncio.wrap_future(self._executor.submit(work, self._assistant, *args))

    async def close(self) -> None:
        """Close the assistant on its thread, then let the thread go."""
        try:
            if self._assistant is not None:
                await asyncio.wrap_future(self._executor.submit(self._assistant.close))
        finally:
            self._executor.shutdown(wait=False)


class ProcessLane:
    """An assistant in an answer process of its own, spoken to over a pipe.

    One pickled ``(work, args)`` goes out per call and one ``(ok, value)`` comes back, in
    order; the event loop reads replies when the pipe is readable (no helper thread, no
    executor). A lane takes up to :attr:`depth` calls at a time, so the process finds its
    next call waiting in the pipe instead of idling until this process is scheduled to send
    it. Spawned, not forked: a fresh interpreter, not a copy of the event loop's threads."""

    depth = 2

    def __init__(self, settings: Settings, build: Callable[[Settings], Assistant], *, number: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=answer_process_main, args=(child, settings, build), name=f"cancerinfo-answer-{number}", daemon=True
        )
        self._child = child
        self._replies: deque[asyncio.Future[Any]] = deque()  # one per call sent, oldest first
        self._reading = False

    async def open(self) -> None:
        """Start the answer process and wait until its assistant is built."""
        self._process.start()
        self._child.close()  # the child's end now lives in the child only
        loop = asyncio.get_running_loop()
        built: asyncio.Future[Any] = loop.create_future()
        self._replies.append(built)  # the process replies once when its assistant is built
        loop.add_reader(self._connection.fileno(), self._read_replies)
        os.set_blocking(self._connection.fileno(), True)  # uvloop's add_reader makes it non-blocking
        self._reading = True
        await built

    @property
    def alive(self) -> bool:
        """False once the process is gone (its pipe closed)."""
        return self._reading

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(assistant, *args)`` in the answer process; :class:`LaneStopped` if the process is
        gone."""
        if not self._reading:
            raise LaneStopped(f"the answer process stopped (exit code {self._process.exitcode})")
        reply: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._replies.append(reply)
        try:
            self._connection.send((work, args))
        except (OSError, ValueError) as exc:
            self._replies.remove(reply)
            raise LaneStopped(f"the answer process stopped ({type(exc).__name__})") from None
        return await reply

    def _read_replies(self) -> None:
        try:
            while self._connection.poll():
                ok, value = self._connection.recv()
                reply = self._replies.popleft()
                if reply.done():
                    continue
                if ok:
                    reply.set_result(value)
                else:
                    reply.set_exception(value)
        except (EOFError, OSError):
            self._stop_reading()
            while self._replies:
                reply = self._replies.popleft()
                if not reply.done():
                    reply.set_exception(
                        LaneStopped(f"the answer process stopped (exit code {self._process.exitcode})")
                    )

    def _stop_reading(self) -> None:
        if self._reading:
            self._reading = False
            with contextlib.suppress(OSError, ValueError):
                asyncio.get_running_loop().remove_reader(self._connection.fileno())

    async def close(self) -> None:
        """Ask the process to stop, kill it if it has not within 10 s, and close the pipe."""
        self._stop_reading()
        with contextlib.suppress(OSError, ValueError):
            self._connection.send(None)
        await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join, 10)
        self._connection.close()


Lane = ThreadLane | ProcessLane


class Lanes:
    """The lanes of a generation, handed out first come, first served.

    A lane of depth *d* has *d* slots; a call takes a slot and gives it back when its work
    is done. Not an ``asyncio.Queue``: its ``get`` lets a newcomer take a slot that was just
    given back for a caller already waiting, and that caller then goes to the back of the
    line. Here a freed slot goes straight to the longest-waiting caller."""

    def __init__(self, lanes: list[Lane]) -> None:
        self.all = list(lanes)
        self._stopped = "every answer process of this generation stopped"
        depth = max(lane.depth for lane in lanes)
        # interleaved (a, b, a, b): the first calls go to different lanes
        self._idle: deque[Lane] = deque(lane for slot in range(depth) for lane in lanes if slot < lane.depth)
        self.slots = len(self._idle)
        self._waiting: deque[asyncio.Future[Lane]] = deque()

    @property
    def alive(self) -> bool:
        """Whether any lane is alive."""
        return any(lane.alive for lane in self.all)

    async def acquire(self) -> Lane:
        """A slot of a live lane; :class:`LaneStopped` when no lane is alive."""
        if not self.alive:
            raise LaneStopped(self._stopped)
        if self._idle and not self._waiting:
            return self._idle.popleft()
        handed: asyncio.Future[Lane] = asyncio.get_running_loop().create_future()
        self._waiting.append(handed)
        try:
            return await handed
        except asyncio.CancelledError:  # the client went away while waiting
            if handed.done() and not handed.cancelled():
                self.release(handed.result())  # a slot was handed over just before: pass it on
            raise

    def release(self, lane: Lane) -> None:
        """Give a slot of ``lane`` back: to the longest-waiting caller, else to the idle ones. A
        dead lane's slot is dropped; with no lane left alive every waiting caller gets
        :class:`LaneStopped`."""
        if not lane.alive:  # a dead lane's slots are not handed out again
            self.slots -= 1
            self._idle = deque(idle for idle in self._idle if idle.alive)
            if not self.alive:  # nobody can serve the callers waiting: tell them
                while self._waiting:
                    handed = self._waiting.popleft()
                    if not handed.done():
                        handed.set_exception(LaneStopped(self._stopped))
            return
        while self._waiting:
            handed = self._waiting.popleft()
            if not handed.done():  # skip callers that gave up
                handed.set_result(lane)
                return
        self._idle.append(lane)


@dataclass(slots=True)
class _Generation:
    lanes: Lanes
    ingest_run: int | None
    day: date
    cache: AnswerCache
    kb_state: str | None  # None: its lanes loaded different snapshots (reload at the next check)
    running: int = 0  # calls waiting for a slot or running in one
    drained: asyncio.Event = field(default_factory=asyncio.Event)  # set when running drops to 0


def kb_state_of(settings: Settings) -> str:
    """The fingerprint of the KB in the store now (read-only)."""
    with Store.open(settings.db) as store:
        return kb_state(store)


def last_ingest_run(settings: Settings) -> int | None:
    """The id of the store's last finished ingest run (a cheap read-only query)."""
    with Store.open(settings.db) as store:
        row = store.query("SELECT max(id) FROM ingest_runs WHERE finished_at IS NOT NULL")
    return row[0][0] if row else None


class Engine:
    """Loads the assistant once per generation; :meth:`call` runs work in a free lane."""

    def __init__(self, settings: Settings, *, build: Callable[[Settings], Assistant] = assistant_from_settings) -> None:
        self.settings = settings
        self._build = build
        self._current: _Generation | None = None
        self._reloading = asyncio.Lock()
        self.counts = Counts()
        self.loaded_at = 0.0
        self._restart: asyncio.Task[bool] | None = None

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        """Load the first generation (every lane's assistant built and warmed)."""
        self._current = await self._new_generation()

    async def _new_generation(self) -> _Generation:
        run = await asyncio.to_thread(last_ingest_run, self.settings)
        processes = self.settings.answer_processes
        lanes: list[Lane] = (
            [ProcessLane(self.settings, self._build, number=n + 1) for n in range(processes)]
            if processes
            else [ThreadLane(self.settings, self._build)]
        )
        opened = await asyncio.gather(*(lane.open() for lane in lanes), return_exceptions=True)
        failed = [outcome for outcome in opened if isinstance(outcome, BaseException)]
        if failed:
            await asyncio.gather(*(lane.close() for lane in lanes), return_exceptions=True)
            raise failed[0]
        try:
            states = set(await asyncio.gather(*(lane.run(kb_state_in_lane) for lane in lanes)))
        except BaseException:
            await asyncio.gather(*(lane.close() for lane in lanes), return_exceptions=True)
            raise
        self.loaded_at = time.time()
        return _Generation(
            Lanes(lanes), run, date.today(), AnswerCache(self.settings.answer_cache_size),
            states.pop() if len(states) == 1 else None,
        )

    async def reload_if_stale(self, *, force: bool = False) -> bool:
        """Load a new generation when the store or the day changed; True when it did."""
        async with self._reloading:
            current = self._generation
            run = await asyncio.to_thread(last_ingest_run, self.settings)
            if not force and date.today() == current.day:
                if run == current.ingest_run:
                    return False
                # a new ingest run: reload only when it changed what the index holds
                if current.kb_state is not None and await asyncio.to_thread(kb_state_of, self.settings) == current.kb_state:
                    current.ingest_run = run
                    log.info("ingest run %s changed nothing the server holds: no reload", run)
                    return False
            fresh = await self._new_generation()
            self._current = fresh
            log.info("reloaded the knowledge base (ingest run %s)", fresh.ingest_run)
            await self._retire(current)
            return True

    async def watch(self, interval: float = RELOAD_CHECK_SECONDS) -> None:
        """Run forever (a lifespan task): check for a newer store every ``interval`` s, and
        delete expired sessions every ``session_purge_seconds`` (also when nobody asks)."""
        purge_every = self.settings.session_purge_seconds
        last_purge = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload_if_stale()
            except Exception as exc:  # keep serving the generation we have
                log.error("could not reload the knowledge base: %s", type(exc).__name__)
            if time.monotonic() - last_purge >= purge_every:
                last_purge = time.monotonic()
                try:
                    await self.purge_sessions()
                except Exception as exc:  # the next round tries again
                    log.error("could not delete expired sessions: %s", type(exc).__name__)

    async def close(self) -> None:
        """Retire the current generation once its calls have finished."""
        if self._current is not None:
            await self._retire(self._current)
            self._current = None

    async def _retire(self, generation: _Generation) -> None:
        # the calls it has (waiting or running) finish first; new ones go to the new generation
        while generation.running:
            generation.drained.clear()
            await generation.drained.wait()
        for lane in generation.lanes.all:
            await lane.close()

    @property
    def _generation(self) -> _Generation:
        if self._current is None:
            raise RuntimeError("the engine is not started")
        return self._current

    # -- work ---------------------------------------------------------------------------
    async def call(self, work: Callable[..., T], *args: Any, retry: bool = False) -> T:
        """``work(assistant, *args)`` in the next free lane. With answer processes, ``work``
        and ``args`` are pickled: ``work`` is a module-level function.

        When an answer process dies, a new generation is started (once); ``retry`` work
        (it changes nothing: a search, a question without a session) is then run again on
        a live lane, or on the new generation when no lane is left."""
        generation = self._generation
        try:
            return await self._call_in(generation, work, *args)
        except LaneStopped:  # an answer process died (killed, out of memory): start afresh
            restart = self._restart_once()
            if not retry:
                raise
        if not generation.lanes.alive:
            await asyncio.shield(restart)
        return await self._call_in(self._generation, work, *args)

    async def _call_in(self, generation: _Generation, work: Callable[..., T], *args: Any) -> T:
        generation.running += 1
        try:
            lane = await generation.lanes.acquire()
            # The lane is busy until its work is done, even if this caller goes away meanwhile
            # (a process lane's reply must be read before it takes the next call).
            running = asyncio.ensure_future(lane.run(work, *args))
            running.add_done_callback(lambda _: generation.lanes.release(lane))
            return await asyncio.shield(running)
        finally:
            generation.running -= 1
            if not generation.running:
                generation.drained.set()

    def _restart_once(self) -> asyncio.Task[bool]:
        """The task loading a new generation after an answer process died (one at a time)."""
        if self._restart is None or self._restart.done():
            log.error("an answer process stopped; loading the knowledge base again")
            self._restart = asyncio.create_task(self.reload_if_stale(force=True))
        return self._restart

    async def ask(self, question: str, *, session_id: str | None, filters: Filters | None) -> Asked:
        """An answer; without a session the same question (and filters) is answered once
        per generation and then from :class:`AnswerCache` (nothing is stored for it)."""
        cache = self._generation.cache
        key = (" ".join(question.split()), filters)
        cached = cache.get(key) if session_id is None else None
        if cached is not None:
            asked = Asked(cached, None)
        else:
            asked = await self.call(ask_in_lane, question, session_id, filters, retry=session_id is None)
            if session_id is None:
                cache.put(key, asked.response)
        self.counts.add(asked.response)
        return asked

    async def search(self, query: str, *, k: int, filters: Filters | None) -> dict[str, Any]:
        """The ``search --json`` result for ``query``."""
        return await self.call(search_in_lane, query, k, filters, retry=True)

    async def share_question(self, question: str, filters: Filters | None, shown: dict[str, str]) -> Shared:
        """Answer ``question`` without a session (from the cache when it was just asked) and
        keep that answer under a new share id; ``shown`` are the filters as the page names them."""
        asked = await self.ask(question, session_id=None, filters=filters)
        return await self.call(share_in_lane, question, shown, asked.response)

    async def share_turn(self, session_id: str, turn: int) -> Shared:
        """Keep turn ``turn`` of a session (question and answer) under a new share id."""
        return await self.call(share_turn_in_lane, session_id, turn)

    async def shared(self, share_id: str) -> Shared | None:
        """The shared answer with this id, or None (unknown or expired)."""
        return await self.call(shared_in_lane, share_id, retry=True)

    async def new_session(self) -> str:
        """A new session id (:func:`new_session_in_lane`)."""
        return await self.call(new_session_in_lane)

    async def purge_sessions(self) -> int:
        """Delete the sessions past their retention period; returns how many."""
        return await self.call(purge_sessions_in_lane)

    async def feedback(self, session_id: str, turn: int, rating: int, comment: str | None) -> None:
        """Store a rating of a session's turn (:func:`feedback_in_lane`)."""
        await self.call(feedback_in_lane, session_id, turn, rating, comment)

    async def filter_choices(self) -> dict[str, list[str]]:
        """The values each search filter can take in the KB."""
        return await self.call(filter_choices_in_lane, retry=True)

    async def document_count(self) -> int:
        """How many pages the loaded index holds."""
        return await self.call(document_count_in_lane, retry=True)

    async def site(self) -> dict[str, str]:
        """The emergency number and disclaimer every page shows."""
        return await self.call(site_in_lane, retry=True)


# -- the answer process ------------------------------------------------------------------
def answer_process_main(connection: Connection, settings: Settings, build: Callable[[Settings], Assistant]) -> None:
    """An answer process: build the assistant, then run each ``(work, args)`` received
    until ``None`` or the end of the pipe; every reply is ``(ok, value or exception)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal: the server stops us
    try:
        assistant = built_and_warmed(settings, build)
    except Exception as exc:
        _reply(connection, False, exc)
        return
    _reply(connection, True, None)
    try:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            work, args = message
            try:
                value = work(assistant, *args)
            except Exception as exc:
                _reply(connection, False, exc)
            else:
                _reply(connection, True, value)
    finally:
        assistant.close()


def built_and_warmed(settings: Settings, build: Callable[[Settings], Assistant]) -> Assistant:
    """The assistant of a lane, warmed up before its first question."""
    assistant = build(settings)
    try:
        assistant.warm()
    except BaseException:
        assistant.close()
        raise
    # what loading and warming built lives as long as the process: full collections
    # (about 60 ms each on nci-kb, all answers waiting) need not walk it again
    gc.collect()
    gc.freeze()
    return assistant


def _reply(connection: Connection, ok: bool, value: Any) -> None:
    try:
        connection.send((ok, value))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an exception pickle cannot carry
        connection.send((False, RuntimeError(f"{type(value).__name__} in an answer process ({type(exc).__name__})")))


# -- what runs in a lane (module-level: it may be pickled to an answer process) ----------
def ask_in_lane(assistant: Assistant, question: str, session_id: str | None, filters: Filters | None) -> Asked:
    """The answer to ``question``; :class:`NotFound` for a session that does not exist (or
    expired)."""
    if session_id is not None:
        check_session_id(session_id)
        if not assistant.sessions.exists(session_id) and not assistant.sessions.issued(session_id):
            raise NotFound("no such session (it may have expired); create one with POST /v1/sessions")
    response = assistant.ask(question, session_id=session_id, filters=filters)
    return Asked(response.as_dict(), response.turn)


def kb_state_in_lane(assistant: Assistant) -> str:
    """The fingerprint of the KB snapshot this lane's index was loaded from."""
    return assistant.searcher.kb_state


def search_in_lane(assistant: Assistant, query: str, k: int, filters: Filters | None) -> dict[str, Any]:
    """The ``search --json`` result for ``query``."""
    return assistant.searcher.search(query, k=k, filters=filters).as_dict()


def new_session_in_lane(assistant: Assistant) -> str:
    """A signed id; the session is stored with its first turn (none for a client that never asks)."""
    return assistant.sessions.issue()


def share_in_lane(
    assistant: Assistant, question: str, filters: dict[str, str], response: dict[str, Any]
) -> Shared:
    """Keep ``response`` to ``question`` under a new share id."""
    return assistant.sessions.share(question, filters, response)


def share_turn_in_lane(assistant: Assistant, session_id: str, turn: int) -> Shared:
    """Keep a session's turn under a new share id; :class:`NotFound` if there is no such turn."""
    try:
        return assistant.sessions.share_turn(session_id, turn)
    except TurnNotFound as exc:
        raise NotFound(str(exc)) from None


def shared_in_lane(assistant: Assistant, share_id: str) -> Shared | None:
    """The shared answer with this id, or ``None`` (unknown or expired)."""
    return assistant.sessions.shared(share_id)


def purge_sessions_in_lane(assistant: Assistant) -> int:
    """Delete the sessions past their retention period; how many."""
    return assistant.sessions.purge()


def document_count_in_lane(assistant: Assistant) -> int:
    """How many pages this lane's index holds."""
    return len(assistant.searcher.index.documents)


def site_in_lane(assistant: Assistant) -> dict[str, str]:
    """What every page shows: the emergency number and the disclaimer."""
    return {"emergency_number": assistant.safety.emergency_number, "disclaimer": assistant.policy.disclaimer}


def feedback_in_lane(
    assistant: Assistant, session_id: str, turn: int, rating: int, comment: str | None
) -> None:
    """One rating per turn: a second one replaces the first (a changed thumb)."""
    check_session_id(session_id)
    store = assistant.sessions.store
    if not store.query("SELECT 1 FROM turns WHERE session_id = ? AND turn = ?", (session_id, turn)):
        raise NotFound(f"no turn {turn} in that session")
    with store.transaction() as connection:
        connection.execute("DELETE FROM feedback WHERE session_id = ? AND turn = ?", (session_id, turn))
        connection.execute(
            "INSERT INTO feedback(session_id, turn, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)",
            (session_id, turn, rating, comment or None, utc_now()),
        )


def filter_choices_in_lane(assistant: Assistant) -> dict[str, list[str]]:
    """The cancer types and audiences the live KB has (the web page's filter menus)."""
    documents = assistant.searcher.index.documents
    return {
        "cancer_types": sorted({t for d in documents for t in d.cancer_types}),
        "audiences": sorted({d.audience_level for d in documents}),
    }
