"""Why the server's answer processes are not a ``concurrent.futures.ProcessPoolExecutor``.

A pool of 2 spawned workers answers a few calls; one of its idle workers is then stopped
(SIGSTOP: a debugger, a frozen cgroup, a process swapped out) and 6 calls are sent. An idle
worker waits for work holding the call queue's shared read lock: when the stopped one held
it, no call is answered until it is killed, and then every call in flight fails with
``BrokenProcessPool``. Prints, per run, the calls answered within 5 s and what the calls
raised after the kill. ``python scripts/pool_stall.py [runs]`` (default 4).

The server's own lanes (:mod:`cancerinfo.service.lanes`) give each answer process its own
pipe: a stopped process keeps only its own 2 slots (tests/service/test_answer_processes.py).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, wait


def _work(_: object = None) -> int:
    time.sleep(0.05)
    return os.getpid()


def run(victim_rank: int) -> tuple[int, list[str]]:
    """Calls answered in 5 s with one idle worker stopped, and what each call raised after the kill."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        workers = sorted({f.result() for f in [pool.submit(_work) for _ in range(6)]})
        time.sleep(0.5)  # both workers idle, waiting for work
        victim = workers[victim_rank % len(workers)]
        os.kill(victim, signal.SIGSTOP)
        calls = [pool.submit(_work) for _ in range(6)]
        done, _ = wait(calls, timeout=5)
        os.kill(victim, signal.SIGKILL)
        wait(calls, timeout=10)
        raised = [type(c.exception()).__name__ if c.done() and c.exception() else "-" for c in calls]
        return len(done), raised


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    for n in range(runs):
        answered, raised = run(n)
        print(f"run {n + 1}: {answered}/6 answered within 5 s with one idle worker stopped; after the kill: {raised}")
