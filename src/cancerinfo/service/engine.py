"""The assistant of one server process, used from a thread of its own.

The assistant's SQLite connections belong to the thread that opened them (``sqlite3``'s
``check_same_thread``): measured, an ``ask`` from FastAPI's thread pool fails with
``ProgrammingError``. So the engine keeps one *generation* — an
:class:`~cancerinfo.answer.assistant.Assistant` and the single thread that built it — and
every call that touches it runs on that thread while the event loop awaits it. The work is
CPU-bound Python, so more threads in one process would not run it faster; more processes
do (``cancerinfo serve --workers N``, one engine each).

A generation knows the store's last finished ingest run and the day it was loaded (review
statuses are computed for that day). When either changes — an ingest by the admin API or
the CLI, or midnight — :meth:`Engine.reload_if_stale` builds a new generation on a new
thread while the old one keeps answering, swaps them, then closes the old one.

A question asked without a session has no side effect and, for one generation, always the
same answer: a generation keeps the last ``CANCERINFO_ANSWER_CACHE_SIZE`` of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from cancerinfo.answer.assistant import Assistant, assistant_from_settings
from cancerinfo.answer.sessions import check_session_id
from cancerinfo.index.filters import Filters
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
        self.questions += 1
        self.statuses[response["status"]] += 1
        if response["reason"]:
            self.reasons[response["reason"]] += 1

    def as_dict(self) -> dict[str, Any]:
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
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: tuple[str, Filters | None], answer: dict[str, Any]) -> None:
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(slots=True)
class _Generation:
    executor: ThreadPoolExecutor
    assistant: Assistant
    ingest_run: int | None
    day: date
    cache: AnswerCache


def last_ingest_run(settings: Settings) -> int | None:
    """The id of the store's last finished ingest run (a cheap read-only query)."""
    with Store.open(settings.db) as store:
        row = store.query("SELECT max(id) FROM ingest_runs WHERE finished_at IS NOT NULL")
    return row[0][0] if row else None


class Engine:
    """Loads the assistant once per generation; :meth:`call` runs work on its thread."""

    def __init__(self, settings: Settings, *, build: Callable[[Settings], Assistant] = assistant_from_settings) -> None:
        self.settings = settings
        self._build = build
        self._current: _Generation | None = None
        self._reloading = asyncio.Lock()
        self.counts = Counts()
        self.loaded_at = 0.0

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        self._current = await self._new_generation()

    async def _new_generation(self) -> _Generation:
        run = await asyncio.to_thread(last_ingest_run, self.settings)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cancerinfo-assistant")
        try:
            assistant = await asyncio.wrap_future(executor.submit(self._build, self.settings))
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self.loaded_at = time.time()
        return _Generation(executor, assistant, run, date.today(), AnswerCache(self.settings.answer_cache_size))

    async def reload_if_stale(self, *, force: bool = False) -> bool:
        """Load a new generation when the store or the day changed; True when it did."""
        async with self._reloading:
            current = self._generation
            run = await asyncio.to_thread(last_ingest_run, self.settings)
            if not force and run == current.ingest_run and date.today() == current.day:
                return False
            fresh = await self._new_generation()
            self._current = fresh
            log.info("reloaded the knowledge base (ingest run %s)", fresh.ingest_run)
            await self._retire(current)
            return True

    async def watch(self, interval: float = RELOAD_CHECK_SECONDS) -> None:
        """Run forever (a lifespan task): check for a newer store every ``interval`` s."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload_if_stale()
            except Exception as exc:  # keep serving the generation we have
                log.error("could not reload the knowledge base: %s", type(exc).__name__)

    async def close(self) -> None:
        if self._current is not None:
            await self._retire(self._current)
            self._current = None

    async def _retire(self, generation: _Generation) -> None:
        # queued calls finish first: the executor runs them in order, then the close
        await asyncio.wrap_future(generation.executor.submit(generation.assistant.close))
        generation.executor.shutdown(wait=False)

    @property
    def _generation(self) -> _Generation:
        if self._current is None:
            raise RuntimeError("the engine is not started")
        return self._current

    # -- work ---------------------------------------------------------------------------
    async def call(self, work: Callable[[Assistant], T]) -> T:
        """Run ``work(assistant)`` on the assistant's own thread."""
        generation = self._generation
        return await asyncio.wrap_future(generation.executor.submit(work, generation.assistant))

    async def ask(self, question: str, *, session_id: str | None, filters: Filters | None) -> Asked:
        """An answer; without a session the same question (and filters) is answered once
        per generation and then from :class:`AnswerCache` (nothing is stored for it)."""
        cache = self._generation.cache
        key = (" ".join(question.split()), filters)
        cached = cache.get(key) if session_id is None else None
        if cached is not None:
            asked = Asked(cached, None)
        else:
            asked = await self.call(lambda a: ask_in_thread(a, question, session_id, filters))
            if session_id is None:
                cache.put(key, asked.response)
        self.counts.add(asked.response)
        return asked

    async def search(self, query: str, *, k: int, filters: Filters | None) -> dict[str, Any]:
        return await self.call(lambda a: a.searcher.search(query, k=k, filters=filters).as_dict())

    async def new_session(self) -> str:
        return await self.call(lambda a: a.sessions.create())

    async def feedback(self, session_id: str, turn: int, rating: int, comment: str | None) -> None:
        await self.call(lambda a: feedback_in_thread(a, session_id, turn, rating, comment))

    async def filter_choices(self) -> dict[str, list[str]]:
        return await self.call(filter_choices_in_thread)

    async def document_count(self) -> int:
        return await self.call(lambda a: len(a.searcher.index.documents))


# -- what runs on the assistant's thread -------------------------------------------------
def ask_in_thread(assistant: Assistant, question: str, session_id: str | None, filters: Filters | None) -> Asked:
    if session_id is not None:
        check_session_id(session_id)
        if not assistant.sessions.exists(session_id):
            raise NotFound("no such session (it may have expired); create one with POST /v1/sessions")
    response = assistant.ask(question, session_id=session_id, filters=filters)
    return Asked(response.as_dict(), response.turn)


def feedback_in_thread(
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


def filter_choices_in_thread(assistant: Assistant) -> dict[str, list[str]]:
    """The cancer types and audiences the live KB has (the web page's filter menus)."""
    documents = assistant.searcher.index.documents
    return {
        "cancer_types": sorted({t for d in documents for t in d.cancer_types}),
        "audiences": sorted({d.audience_level for d in documents}),
    }
