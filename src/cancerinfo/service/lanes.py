"""Lanes: where an assistant answers, on a thread of this process or in an answer process.

The assistant's SQLite connections belong to the thread that opened them (``sqlite3``'s
``check_same_thread``): measured, an ``ask`` from FastAPI's thread pool fails with
``ProgrammingError``. So every call that touches an assistant runs on the one thread that
built it, in a *lane*: the server's own thread (``answer_processes = 0``, :class:`ThreadLane`),
or one of ``CANCERINFO_ANSWER_PROCESSES`` answer processes (:class:`ProcessLane`), each with its
own assistant. The work is CPU-bound Python: more threads in one process would not run it
faster, more processes do.

Calls wait in one line (:class:`Lanes`) and each goes to the next free lane, so no process
idles while another has a backlog. (``cancerinfo serve --workers N`` also uses N cores, but
each uvicorn worker keeps the connections it happened to accept, and answers only those.)

Why not ``concurrent.futures.ProcessPoolExecutor``: its idle workers wait for work holding
one shared lock, so one stopped worker (SIGSTOP, a frozen cgroup, a debugger) can stall every
call of the pool, and one dead worker fails every call in flight, sessions included. Measured
with ``scripts/pool_stall.py``: a pool of 2 spawned workers with one idle worker stopped
answered none of 6 calls within 5 s in 5 of 11 runs, then failed them all with
``BrokenProcessPool`` when the worker was killed. A stopped lane here keeps only its own slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from cancerinfo.answer.assistant import Assistant
from cancerinfo.settings import Settings

__all__ = ["Lane", "LaneStopped", "Lanes", "ProcessLane", "ThreadLane", "built_and_warmed"]

T = TypeVar("T")


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
