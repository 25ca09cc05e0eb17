"""`cancerinfo serve` fails in one line: a port out of range, a port taken, a KB that will not load.

Real processes and real files: the command runs in a subprocess, the port is held by a
real listening socket, the damaged store is a real store whose vectors were cut short.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cancerinfo.pipeline.ingest import ingest
from tests.service.conftest import free_port
from tests.test_cli import cli


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def damaged_store(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Path:
    """A store that opens (right schema) but whose KB cannot be loaded: every vector cut short."""
    db = tmp_path_factory.mktemp("damaged") / "kb.db"
    assert ingest([examples_kb], db=db).ok
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE vectors SET vector = x'0102'")
    connection.close()
    return db


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize("port", ["70000", "-1", "65536"])
def test_a_port_out_of_range_is_one_line_and_exit_2(port: str) -> None:
    result = cli("serve", "--port", port)
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text
    assert len(lines(text)) == 1, text
    assert "--port" in text and port in text and "65535" in text


def test_a_taken_port_fails_in_one_line_before_the_kb_is_loaded(
    taken_port: int, damaged_store: Path
) -> None:
    # the store cannot be loaded either: the port is checked first, so that is never reached
    result = cli(
        "serve", "--db", str(damaged_store), "--host", "127.0.0.1", "--port", str(taken_port)
    )
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text and "Waiting for application startup" not in text
    assert len(lines(text)) == 1, text
    assert f"127.0.0.1:{taken_port}" in text and "in use" in text and "--port" in text
    assert str(damaged_store) not in text and "vector" not in text


def test_a_kb_that_fails_to_load_is_one_line_naming_the_store_and_a_hint(
    damaged_store: Path,
) -> None:
    result = cli(
        "serve", "--db", str(damaged_store), "--host", "127.0.0.1", "--port", str(free_port())
    )
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text and 'File "' not in text, text
    errors = [line for line in lines(text) if "ERROR" in line or "error" in line]
    assert len(errors) == 1, text
    assert str(damaged_store) in errors[0] and "cancerinfo ingest" in errors[0], errors
    assert len(lines(text)) <= 3, text  # uvicorn's two start-up lines at most, then the error
