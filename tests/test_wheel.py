"""The built wheel works outside the checkout (issue 16, step 1).

The test builds the wheel from a copy of the project, installs it (no network, --no-deps)
into a fresh venv in a temp folder, and runs the installed ``cancerinfo`` from a temp
working folder: ``validate``, ``ingest`` of the example KB (the two seed pages) and
``ask``, whose answer must be grounded. The dependencies are the ones already installed for
the tests: a ``.pth`` file in the fresh venv names this interpreter's site-packages, which
are only appended to ``sys.path`` (their own ``.pth`` files, such as the editable install's
pointer to ``src/``, are not read), so ``cancerinfo`` itself comes from the wheel; the test
checks that before running anything.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cancerinfo.eval.peer import quote_in_page
from tests.helpers import rows

pytestmark = [pytest.mark.wheel, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "cancerinfo"
#: what setuptools reads to build the wheel (pyproject.toml names README.md and LICENSE)
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "src")


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``args`` in a fresh process; a failure shows its output."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"{args[:3]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


def run_time_files() -> set[str]:
    """Every file of the package that is not Python source: policies, templates, static files."""
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the fresh venv's bin folder, a working folder, the environment) with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    assert not base.is_relative_to(REPO)
    source = base / "source"  # a copy: the build writes build/ and *.egg-info beside its input
    source.mkdir()
    for name in BUILD_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(REPO / name, source / name)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CANCERINFO_", "PYTHON")) and key != "VIRTUAL_ENV"
    }
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        base / "dist",
        source,
        cwd=base,
        env=env,
    )
    (wheel,) = (base / "dist").glob("cancerinfo-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        missing = run_time_files() - set(archive.namelist())
    assert not missing, f"the wheel lacks run-time files: {sorted(missing)}"

    venv = base / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base, env=env)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=base, env=env)
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base, env=env
    )
    dependencies = [
        folder for folder in site.getsitepackages() if not Path(folder).is_relative_to(REPO / "src")
    ]
    (Path(purelib.stdout.strip()) / "test-dependencies.pth").write_text(
        "\n".join(dependencies) + "\n"
    )

    work = base / "work"
    work.mkdir()
    where = run(python, "-c", "import cancerinfo; print(cancerinfo.__file__)", cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    return venv / "bin", work, env


def test_the_installed_wheel_ingests_the_seed_pages_and_answers_from_them(
    outside: tuple[Path, Path, dict[str, str]], examples_kb: Path
) -> None:
    bin_folder, work, env = outside
    cancerinfo = bin_folder / "cancerinfo"
    shutil.copytree(examples_kb, work / "kb")
    run(cancerinfo, "validate", "kb", cwd=work, env=env)  # the lint policy
    run(cancerinfo, "ingest", "kb", "--db", "kb.db", cwd=work, env=env)  # lay terms
    answer = json.loads(
        run(
            cancerinfo,
            "ask",
            "What is Ninlaro used for?",
            "--db",
            "kb.db",
            "--json",
            cwd=work,
            env=env,
        ).stdout
    )  # retrieval, tiers, intents, answer, safety and triage policies
    assert answer["status"] == "answered", answer
    assert "multiple myeloma" in answer["sections"][0]["text"].lower()
    bodies = dict(rows(work / "kb.db", "SELECT url, body FROM documents"))
    assert {citation["url"] for citation in answer["citations"]} == {
        "https://www.cancer.gov/about-cancer/treatment/drugs/ixazomibcitrate"
    }
    for citation in answer["citations"]:
        assert quote_in_page(citation["quote"], bodies[citation["url"]]), citation["quote"]
