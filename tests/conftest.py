"""Shared fixtures: real files in temp dirs, ../shared when present, a clean environment."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES_KB = REPO / "examples" / "kb"
SHARED = Path(os.environ.get("CANCERINFO_TEST_SHARED", REPO.parent / "shared")).resolve()


def pytest_configure(config: pytest.Config) -> None:
    """Derived files (the question model) go to this run's own cache folder, not ~/.cache;
    servers the tests start inherit it."""
    folder = tempfile.mkdtemp(prefix="cancerinfo-test-cache-")
    config.stash[_CACHE_FOLDER] = folder
    os.environ["XDG_CACHE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_FOLDER, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_CACHE_FOLDER = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def _clean_cancerinfo_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a CANCERINFO_* variable it did not set itself."""
    for name in list(os.environ):
        if name.startswith("CANCERINFO_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def examples_kb() -> Path:
    return EXAMPLES_KB


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (real corpora); the test is skipped with a reason when it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: real-corpus tests need it (set CANCERINFO_TEST_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def nci_kb(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "nci-kb"
    if not path.is_dir():
        pytest.skip(f"{path} not found: the NCI KB corpus is part of ../shared")
    return path


def copy_pages(files: Iterable[Path], source: Path, target: Path) -> Path:
    """Copy ``files`` (all under ``source``) to the same relative places under ``target``."""
    for file in files:
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, destination)
    return target
