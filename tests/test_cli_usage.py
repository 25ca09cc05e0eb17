"""Every bad option value or unknown name is a one-line usage error, exit code 2 (issue 15,
point 11): typer bundles its own click, whose exceptions were shown as 'internal error'."""

from __future__ import annotations

import pytest

from tests.helpers import cli


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["serve", "--port", "abc"], "--port"),
        (["serve", "--workers", "100"], "--workers"),
        (["serve", "--answer-processes", "-3"], "--answer-processes"),
        (["search", "cancer", "--k", "0"], "--k"),
        (["status", "--format", "xml"], "--format"),
        (["validate", "--bogus", "x"], "--bogus"),
        (["search"], "query"),
        (["nosuchcommand"], "nosuchcommand"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_code_2(args: list[str], named: str) -> None:
    result = cli(*args)
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "internal error" not in text and "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and named in lines[0] and "--help" in lines[0]
