"""A real store and a real server: ``cancerinfo serve`` in a subprocess on a free port.

The store is built by the real ingest from examples/kb plus pages written here: a
laryngeal cancer page (answers with several parts), and a hostile page whose title and
body carry script tags and event-handler attributes. The server's output is kept in a
file and printed when a test fails while it runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cancerinfo.pipeline.ingest import ingest
from tests.helpers import LARYNX, write_page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "service"
ADMIN_TOKEN = "test-admin-token-0123456789"
LARYNX_URL = "https://www.cancer.gov/types/head-and-neck/patient/laryngeal-treatment-pdq"
HOSTILE_URL = "https://www.cancer.gov/types/zorblax"
HOSTILE_TITLE = 'Zorblax Syndrome <script>window.__pwned="title"</script><img src=x onerror="window.__pwned=\'title-img\'"> - NCI'
HOSTILE = """# Zorblax syndrome <script>window.__pwned = 'h1'</script>

## What is Zorblax syndrome?

Zorblax syndrome is a rare condition of the spleen <img src=x onerror="window.__pwned='img'"> that causes tiredness.

## Signs and symptoms of Zorblax syndrome

Signs of Zorblax syndrome include the following:

- Tiredness that does not go away <script>window.__pwned='li'</script>.
- Pain in the upper left belly <b onmouseover="window.__pwned='b'">here</b>.
- A **swollen** spleen [see more](javascript:window.__pwned='link').
"""


def build_kb(root: Path, examples_kb: Path) -> Path:
    """The test KB folder: the seed pages, the larynx page and the hostile page."""
    kb = root / "kb"
    shutil.copytree(examples_kb, kb)
    pages = kb / "en" / "02_nci_core" / "types"
    write_page(pages, "larynx.md", LARYNX, url=LARYNX_URL, cancerTypes=["head and neck"],
               title="Laryngeal Cancer Treatment (PDQ®)–Patient Version - NCI", lastReviewed="2026-11-01")
    write_page(pages, "zorblax.md", HOSTILE, url=HOSTILE_URL, title=HOSTILE_TITLE, cancerTypes=["zorblax"])
    return kb


def build_store(root: Path, examples_kb: Path) -> Path:
    kb = build_kb(root, examples_kb)
    path = root / "store.db"
    report = ingest([kb], db=path)
    assert report.ok, report.rejected
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m cancerinfo serve`` on 127.0.0.1 with its own environment and log file."""

    def __init__(
        self, db: Path, log: Path, *, env: dict[str, str] | None = None, workers: int = 1, args: tuple[str, ...] = ()
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}
        environment.update(env or {})
        command = [
            sys.executable, "-m", "cancerinfo", "serve", "--db", str(db), "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", str(workers), *args,
        ]
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT, env=environment)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 180.0) -> None:  # the first start derives the question model
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


@pytest.fixture(scope="session")
def service_db(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    return build_store(tmp_path_factory.mktemp("service"), examples_kb)


@pytest.fixture(scope="session")
def server(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server: admin open with ADMIN_TOKEN, a generous rate limit and quota."""
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    running = Server(
        service_db, log,
        env={
            "CANCERINFO_ADMIN_TOKEN": ADMIN_TOKEN,
            "CANCERINFO_RATE_LIMIT_PER_MINUTE": "100000",
            "CANCERINFO_CLIENT_DAILY_QUOTA": "1000000",
        },
    )
    yield running
    running.stop()


@contextlib.contextmanager
def logged_client(server: Server, request: pytest.FixtureRequest, *, timeout: float) -> Iterator[httpx.Client]:
    """An httpx client of ``server``; when the test failed, the end of the server's log is printed."""
    with httpx.Client(base_url=server.url, timeout=timeout) as http:
        yield http
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- server log ({server.log}) ---\n{server.output()[-5000:]}")


@pytest.fixture
def client(server: Server, request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    with logged_client(server, request, timeout=30.0) as http:
        yield http


@pytest.fixture
def admin(client: httpx.Client) -> httpx.Client:
    client.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    return client


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
