"""The assistant of one server process, in its lanes (:mod:`cancerinfo.service.lanes`): on a
thread of its own, or in answer processes; :class:`Engine` runs each call in the next free lane.

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
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from cancerinfo.answer.assistant import Assistant, assistant_from_settings
from cancerinfo.answer.sessions import Shared
from cancerinfo.index.filters import Filters
from cancerinfo.index.loading import kb_state
from cancerinfo.service.lane_work import (
    Asked,
    ask_in_lane,
    document_count_in_lane,
    feedback_in_lane,
    filter_choices_in_lane,
    kb_state_in_lane,
    new_session_in_lane,
    purge_sessions_in_lane,
    search_in_lane,
    share_in_lane,
    share_turn_in_lane,
    shared_in_lane,
    site_in_lane,
)
from cancerinfo.service.lanes import Lane, Lanes, LaneStopped, ProcessLane, ThreadLane
from cancerinfo.settings import Settings
from cancerinfo.store.database import Store, utc_now

__all__ = ["AnswerCache", "Asked", "Counts", "Engine", "LaneStopped"]

log = logging.getLogger("cancerinfo.service")
T = TypeVar("T")

#: How often the store is checked for a newer ingest run (seconds).
RELOAD_CHECK_SECONDS = 5.0


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


