"""A symbolic link in a KB folder that leads outside the folder is refused by validate and
ingest, naming the file (issue 15, point 13); real links, the real commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.helpers import write_page
from tests.test_cli import cli


def kb_with_links(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A KB folder with one page, a link to a page outside it, a link to a file inside it."""
    kb = tmp_path / "kb"
    write_page(kb, "inside.md", url="https://example.org/inside")
    outside = write_page(tmp_path / "elsewhere", "draft.md", url="https://example.org/draft")
    leaving = kb / "sub" / "draft.md"
    leaving.parent.mkdir()
    leaving.symlink_to(outside)
    write_page(
        kb / "sources", "kept.source", url="https://example.org/kept"
    )  # not a .md page itself
    (kb / "kept.md").symlink_to(Path("sources") / "kept.source")  # relative, stays in the KB
    return kb, leaving, outside


def test_validate_refuses_a_link_leaving_the_kb_in_one_line(tmp_path: Path) -> None:
    kb, leaving, outside = kb_with_links(tmp_path)
    result = cli("validate", str(kb))
    assert result.returncode == 1, result.stdout + result.stderr
    findings = [
        line
        for line in result.stdout.splitlines()
        if "LINK_OUTSIDE_KB" in line and line.startswith(str(kb))
    ]
    assert len(findings) == 1, result.stdout
    assert findings[0].startswith(f"{leaving}: error LINK_OUTSIDE_KB")
    assert str(outside) in findings[0]
    report = json.loads(cli("validate", str(kb), "--format", "json").stdout)
    assert [(p["path"], p["code"]) for p in report["problems"] if p["severity"] == "error"] == [
        (str(leaving), "LINK_OUTSIDE_KB")
    ]
    assert report["valid"] == 2  # the page and the link within the KB


def test_ingest_rejects_a_link_leaving_the_kb_and_stores_the_rest(tmp_path: Path) -> None:
    kb, leaving, _outside = kb_with_links(tmp_path)
    db = tmp_path / "kb.db"
    result = cli("ingest", str(kb), "--db", str(db), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert [(f["path"], [p["code"] for p in f["problems"]]) for f in report["rejected_files"]] == [
        (str(leaving), ["LINK_OUTSIDE_KB"])
    ]
    connection = sqlite3.connect(db)
    try:
        urls = [row[0] for row in connection.execute("SELECT url FROM documents ORDER BY url")]
    finally:
        connection.close()
    assert urls == ["https://example.org/inside", "https://example.org/kept"]


def test_a_single_file_given_on_the_command_line_may_be_a_link(tmp_path: Path) -> None:
    """The curator named it: it is its own root, nothing leaves anything."""
    _kb, leaving, _outside = kb_with_links(tmp_path)
    result = cli("validate", str(leaving))
    assert result.returncode == 0, result.stdout + result.stderr
