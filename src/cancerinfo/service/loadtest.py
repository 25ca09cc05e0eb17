"""HTTP load test of ``POST /v1/ask``: N concurrent clients for S seconds, on this machine only.

Starts ``cancerinfo serve`` on a free loopback port for the given store (or uses a running
server at a loopback ``--url``), lets ``--clients`` clients ask questions back to back for
``--seconds`` seconds, and prints one JSON object: requests, errors, requests/s and
latency percentiles in milliseconds. Questions come from ``--questions`` (JSON lines with
a ``question`` field, e.g. ``../shared/eval/nci-kb-questions.jsonl``) or a built-in mix of
answerable, urgent, refused and off-topic ones; each client takes the next one in turn.

    python -m cancerinfo.service.loadtest --db kb.db --clients 32 --seconds 30 --answer-processes 2

Standard library only. Traffic goes to this machine only, and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BUILT_IN_QUESTIONS = (
    "What are the symptoms of lung cancer?",
    "How is breast cancer diagnosed?",
    "What are the side effects of chemotherapy?",
    "What is Ninlaro used for?",
    "Is Tafinlar a chemo pill?",
    "What are the treatment options for prostate cancer?",
    "What are the risk factors for colon cancer?",
    "How is leukemia treated in children?",
    "What is the staging of cervical cancer?",
    "What are warning signs of skin cancer?",
    "What tests are used to find stomach cancer?",
    "What is a clinical trial?",
    "I can't breathe right now",
    "How many mg of ixazomib should I take for my weight of 80 kg?",
    "What is the capital of France?",
    "What are the symptoms of laryngeal cancer?",
    "How is Hodgkin lymphoma treated?",
    "What is ixabepilone used for?",
    "Can radiation therapy cause fatigue?",
    "What questions should I ask my doctor about pancreatic cancer?",
)
MAX_REQUESTS = 1_000_000  # a hard bound besides the time
LOOPBACK_HOSTS = ("127.", "localhost", "[::1]", "::1")


def free_port() -> int:
    """A loopback TCP port free just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_questions(path: Path | None) -> list[str]:
    """The questions of a JSON-lines file (``question``, else the last message), or the built-in
    mix; exits if the file has none."""
    if path is None:
        return list(BUILT_IN_QUESTIONS)
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            question = record.get("question") or (record.get("messages") or [{}])[-1].get("content")
            if question:
                questions.append(str(question))
    if not questions:
        raise SystemExit(f"{path}: no questions")
    return questions


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of already sorted values; 0 for none."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


class Connection:
    """One keep-alive HTTP/1.1 connection, as light as can be: the load test measures the
    server, so its clients must not take the server's cores (httpx costs ~2 ms of CPU a
    request here, this a tenth of that)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` as JSON to ``path``; the status and body of the reply (the connection is
        opened when needed and closed on a broken read)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode("ascii") + body)
        try:
            status_line = await self.reader.readuntil(b"\r\n")
            headers = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    async def close(self) -> None:
        """Close the connection, if open."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()
            self.reader = self.writer = None


async def run_clients(url: str, questions: list[str], *, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` clients ask ``questions`` in turn for ``seconds`` (after a warm-up); requests,
    errors, requests/s and latency percentiles."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    bodies = [json.dumps({"question": q}).encode("utf-8") for q in questions]
    order = itertools.cycle(range(len(bodies)))
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    connections = [Connection(host, port) for _ in range(clients)]
    for n, body in enumerate(bodies[: 2 * clients]):  # warm every worker up before timing
        await connections[n % clients].post_json("/v1/ask", body)
    started = time.perf_counter()
    deadline = started + seconds

    async def client(connection: Connection) -> None:
        while time.perf_counter() < deadline and len(latencies) + sum(errors.values()) < MAX_REQUESTS:
            index = next(order)
            sent = time.perf_counter()
            try:
                status, payload = await connection.post_json("/v1/ask", bodies[index])
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] += 1
                continue
            if status != 200:
                errors[str(status)] += 1
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[json.loads(payload)["status"]] += 1

    try:
        await asyncio.gather(*(client(connection) for connection in connections))
    finally:
        elapsed = time.perf_counter() - started
        for connection in connections:
            await connection.close()
    ordered = sorted(latencies)
    requests = len(latencies) + sum(errors.values())
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "questions": len(questions),
        "requests": requests,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "requests_per_second": round(requests / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(ordered, 0.50), 1),
            "p90": round(percentile(ordered, 0.90), 1),
            "p99": round(percentile(ordered, 0.99), 1),
            "max": round(ordered[-1], 1) if ordered else 0.0,
            "mean": round(statistics.fmean(ordered), 1) if ordered else 0.0,
        },
        "statuses": dict(statuses.most_common()),
    }


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # loopback only
            return bool(response.status == 200)
    except OSError:
        return False


def start_server(
    db: Path,
    *,
    log: Path,
    workers: int | None = None,
    cache: bool = True,
    answer_processes: int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
    fsize: int | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """``cancerinfo serve`` of ``db`` on a free loopback port, the rate limit and the daily
    quota out of the way (every client of a load or a fuzz run is one address); returns once
    /healthz answers. ``workers`` / ``answer_processes``: passed on when given (else serve's
    defaults); ``env``: more settings; ``fsize``: the server's RLIMIT_FSIZE in bytes (drills).
    A server that stops or does not start in ``timeout`` s is a :class:`RuntimeError` holding
    the end of its log."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}
    child_env["CANCERINFO_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    child_env["CANCERINFO_CLIENT_DAILY_QUOTA"] = "1000000000"
    if not cache:
        child_env["CANCERINFO_ANSWER_CACHE_SIZE"] = "1"
    child_env.update(env or {})
    command = [sys.executable, "-m", "cancerinfo", "serve", "--db", str(db), "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    if answer_processes is not None:
        command += ["--answer-processes", str(answer_processes)]

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=child_env,
            preexec_fn=limit if fsize is not None else None,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}): {log.read_text()[-2000:]}")
        if _healthy(url):
            return process, url
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not start in {timeout:g} s: {log.read_text()[-2000:]}")


def main(argv: list[str] | None = None) -> None:
    """The command line: start a server or use ``--url``, run the clients, print the result as
    JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="store to serve (a server is started for the test)")
    target.add_argument("--url", help="a running server on this machine, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (with --db)")
    parser.add_argument(
        "--answer-processes", type=int, default=os.cpu_count() or 1, help="answer processes per server process (with --db)"
    )
    parser.add_argument("--questions", type=Path, help="JSON lines with a question field")
    parser.add_argument("--no-cache", action="store_true", help="answer every question afresh (with --db)")
    parser.add_argument("--log", type=Path, default=Path("loadtest-server.log"), help="server output (with --db)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 512 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1-512 and --seconds 0-600")
    questions = load_questions(args.questions)
    process = None
    url = args.url
    if url is None:
        try:
            process, url = start_server(
                args.db, workers=args.workers, log=args.log, cache=not args.no_cache,
                answer_processes=args.answer_processes,
            )
        except RuntimeError as exc:  # one line, not a traceback
            raise SystemExit(f"error: {str(exc).splitlines()[0]} (see {args.log})") from None
    elif not (urlsplit(url).hostname or "").startswith(LOOPBACK_HOSTS):
        parser.error("--url must be a loopback address (127.0.0.1, localhost, [::1])")
    try:
        result = asyncio.run(run_clients(url, questions, clients=args.clients, seconds=args.seconds))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    result["workers"] = args.workers if process is not None else None
    result["answer_processes"] = args.answer_processes if process is not None else None
    result["answer_cache"] = None if process is None else not args.no_cache
    result["cores"] = os.cpu_count()
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
