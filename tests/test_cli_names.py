"""A file name cannot fake a line of validate or ingest output (issue 15, point 11): a
newline or another control character in it is printed escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli, write_page

FAKE = "OK: 1 files, 1 valid, 0 errors, 0 warnings"
NAME = f"bad\n{FAKE}\n\x1b[32mgreen.md"




@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    page = write_page(folder, NAME, audienceLevel="everyone")  # an error: the name is printed
    assert page.is_file() and "\n" in page.name
    return folder


def test_validate_prints_a_name_with_a_newline_escaped_on_one_line(kb: Path) -> None:
    result = cli("validate", str(kb))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not any(line.startswith("OK") or line.startswith(FAKE[:3]) for line in lines), lines
    assert "\x1b" not in result.stdout
    named = [line for line in lines if "error INVALID_FIELD" in line]
    assert len(named) == 1, lines
    assert f"bad\\n{FAKE}\\n\\x1b[32mgreen.md" in named[0]
    assert lines[-1].startswith("FAILED: 1 files, 0 valid, 1 errors")


def test_ingest_prints_a_rejected_name_with_a_newline_escaped(kb: Path, tmp_path: Path) -> None:
    write_page(kb, "good.md", url="https://example.org/good")
    result = cli("ingest", str(kb), "--db", str(tmp_path / "store.db"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not any(
        line.lstrip().startswith(FAKE[:3]) or line.strip() == "green.md" for line in lines
    ), lines
    assert "\x1b" not in result.stdout
    rejected = [line for line in lines if line.startswith("rejected ")]
    assert len(rejected) == 1 and rejected[0].endswith(f"bad\\n{FAKE}\\n\\x1b[32mgreen.md"), lines
    assert any("1 added" in line and "1 rejected" in line for line in lines), lines
