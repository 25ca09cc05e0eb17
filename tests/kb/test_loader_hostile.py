"""Hostile KB files, written by the tests into tmp_path: none may crash, hang or run code.

Each case checks the contract: the file is rejected (or loaded, where noted) with a
problem that names the file, says what is wrong in plain words, and the line when known.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from cancerinfo.kb.loader import (
    MAX_YAML_DEPTH,
    LoadLimits,
    LoadResult,
    iter_kb_files,
    load_bytes,
    load_file,
    load_text,
)
from cancerinfo.kb.problems import Problem

TODAY = date(2025, 6, 1)
HEADER = textwrap.dedent(
    """\
    title: Lung Cancer Treatment
    url: https://www.cancer.gov/types/lung/patient/lung-treatment-pdq
    source: NCI
    sourceType: 02_nci_core
    language: en
    status: active
    audienceLevel: patient
    lastReviewed: 2025-01-15
    reviewFrequency: annual
    """
)
BODY = "# Lung Cancer Treatment\n\nSome text.\n"


def page(extra: str = "", body: str = BODY) -> str:
    return f"---\n{HEADER}{extra}---\n{body}"


def write(tmp_path: Path, content: str | bytes, name: str = "page.md") -> Path:
    file = tmp_path / name
    file.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return file


def only_problem(result: LoadResult, code: str) -> Problem:
    """The result is a rejection with exactly one problem, of ``code``, naming the file."""
    assert result.document is None
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert problem.code == code, problem
    assert problem.severity == "error"
    assert problem.path == str(result.path)
    assert problem.message.strip() and "Traceback" not in problem.message
    assert "Error" not in problem.message  # an exception's name is not plain words
    return problem


def load_disk(tmp_path: Path, content: str | bytes, **kwargs: object) -> LoadResult:
    file = write(tmp_path, content)
    result = load_file(file, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert result.path == file
    return result


# --- YAML tags: never executed ----------------------------------------------------------------


def _code_tags(marker: Path) -> list[str]:
    command = f"touch {marker}"
    return [
        f"x: !!python/object/apply:os.system ['{command}']",
        f"x: !!python/object/apply:os.system\n  args: ['{command}']",
        f"x: !!python/object/apply:subprocess.call [['touch', '{marker}']]",
        f"x: !!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        f"x: !!python/object/new:os.system ['{command}']",
        "x: !!python/name:os.system",
        "x: !!python/module:os",
        f"!!python/object/apply:os.system ['{command}']: key",
        f"x: [1, !!python/object/apply:os.system ['{command}']]",
    ]


@pytest.mark.parametrize("case", range(len(_code_tags(Path("m")))))
def test_python_tags_are_refused_and_never_executed(tmp_path: Path, case: int) -> None:
    marker = tmp_path / "pwned"
    tag_line = _code_tags(marker)[case]
    text = page(tag_line + "\n")
    result = load_disk(tmp_path, text)
    problem = only_problem(result, "YAML_TAG")
    assert "!!python/" in problem.message
    assert "is not allowed" in problem.message
    assert problem.line == HEADER.count("\n") + 2
    assert not marker.exists(), "a YAML tag was executed"
    # The same check through load_text and load_bytes.
    only_problem(load_text(text, path="p.md"), "YAML_TAG")
    only_problem(load_bytes(text.encode(), path="p.md"), "YAML_TAG")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("extra", "tag"),
    [
        ("x: !!bool maybe", "!!bool"),
        ("x: !!timestamp tomorrow", "!!timestamp"),
        ("x: !!int eleven", "!!int"),
        ("x: !!float many", "!!float"),
        ("x: !!binary '%%%'", "!!binary"),
        ("x: !!set {a, b}", "!!set"),
        ("x: !!omap [a: 1]", "!!omap"),
        ("x: !local thing", "!local"),
        ("x: !<tag:example.org,2025:thing> thing", "tag:example.org,2025:thing"),
        ("tags: [a, !!float 1]", "!!float"),
    ],
)
def test_any_explicit_tag_is_refused_in_plain_words(extra: str, tag: str) -> None:
    problem = only_problem(load_text(page(extra + "\n"), path="p.md", today=TODAY), "YAML_TAG")
    assert f"YAML tag '{tag}' is not allowed" in problem.message
    assert problem.line == HEADER.count("\n") + 2


def test_an_explicit_str_tag_is_harmless_and_allowed() -> None:
    result = load_text(page("version: !!str v2\nnote: !!str 12\n"), path="p.md", today=TODAY)
    assert result.document is not None
    assert result.document.front_matter.version == "v2"
    assert result.document.front_matter.model_extra == {"note": "12"}


# --- anchors, aliases, merge keys, duplicates, nesting ------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    problem = only_problem(load_disk(tmp_path, page(billion_laughs())), "YAML_ALIAS")
    assert "aliases" in problem.message
    assert problem.line == HEADER.count("\n") + 3  # the first line that uses an alias


@pytest.mark.parametrize(
    "extra",
    ["base: &b v1\nversion: *b\n", "tags: &t [a]\ncancerTypes: *t\n", "x: &x {a: 1}\ny: [*x]\n"],
)
def test_any_alias_is_refused(extra: str) -> None:
    only_problem(load_text(page(extra), path="p.md", today=TODAY), "YAML_ALIAS")


def test_an_unused_anchor_is_harmless() -> None:
    assert load_text(page("note: &n a note\n"), path="p.md", today=TODAY).ok


@pytest.mark.parametrize(
    "extra",
    [
        "<<: {status: draft}\n",
        "base: &b {status: draft}\n<<: *b\n",
        "x:\n  <<: {a: 1}\n",
        "!!merge m: {status: draft}\n",
    ],
)
def test_a_merge_key_is_refused(extra: str) -> None:
    result = load_text(page(extra), path="p.md", today=TODAY)
    problem = only_problem(result, "YAML_ALIAS")
    assert "merge keys" in problem.message or "aliases" in problem.message
    assert problem.line is not None and problem.line > HEADER.count("\n")


@pytest.mark.parametrize(
    ("extra", "key", "line"),
    [
        ("status: draft\n", "status", 11),
        ("'title': Again\n", "title", 11),
        ("x:\n  a: 1\n  a: 2\n", "a", 13),
    ],
)
def test_a_duplicate_key_is_refused_naming_key_and_line(extra: str, key: str, line: int) -> None:
    problem = only_problem(load_text(page(extra), path="p.md", today=TODAY), "DUPLICATE_KEY")
    assert problem.field == key
    assert problem.line == line
    assert f"{key!r} appears twice" in problem.message


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_nesting_one_level_too_deep_is_refused(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    # The header mapping itself is one level, so MAX_YAML_DEPTH - 1 more levels are allowed.
    fits = f"x: {opener * (MAX_YAML_DEPTH - 1)}1{closer * (MAX_YAML_DEPTH - 1)}\n"
    result = load_text(page(fits), path="p.md", today=TODAY)
    assert result.ok, result.problems
    too_deep = f"x: {opener * MAX_YAML_DEPTH}1{closer * MAX_YAML_DEPTH}\n"
    problem = only_problem(load_text(page(too_deep), path="p.md", today=TODAY), "INVALID_YAML")
    assert f"nested more than {MAX_YAML_DEPTH} levels" in problem.message


@pytest.mark.parametrize("closed", [True, False], ids=["balanced", "unclosed"])
def test_very_deep_nesting_does_not_crash_the_process(tmp_path: Path, closed: bool) -> None:
    # libyaml's composer recurses in C: ~25,000 nested '[' killed the process with SIGSEGV.
    # Run in a child so a regression shows up as this test failing, not as a dead test run.
    depth = 30_000
    nested = "[" * depth + ("]" * depth if closed else "")
    file = write(tmp_path, page(f"x: {nested}\n"))
    script = (
        "import sys; from pathlib import Path; from cancerinfo.kb.loader import load_file\n"
        "r = load_file(Path(sys.argv[1]), today=None)\n"
        "print(r.ok, *[p.code + ': ' + p.message for p in r.problems], sep='\\n')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(file)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, f"exit {child.returncode}: {child.stderr[-2000:]}"
    assert child.stdout.splitlines()[0] == "False"
    assert "INVALID_YAML: front matter is nested more than" in child.stdout


def test_deep_nesting_is_refused_in_process() -> None:
    # Deep enough to matter, shallow enough not to kill the test run if the guard regresses.
    problem = only_problem(
        load_text(page("x: " + "{a: " * 2_000 + "\n"), path="p.md"), "INVALID_YAML"
    )
    assert "nested more than" in problem.message


# --- oversized input ------------------------------------------------------------------------------


def test_oversized_front_matter_is_refused_with_the_default_limit(tmp_path: Path) -> None:
    huge = "".join(f"k{n}: {'v' * 60}\n" for n in range(2_000))  # ~130 kB of header
    problem = only_problem(load_disk(tmp_path, page(huge)), "FRONT_MATTER_TOO_LARGE")
    assert "64,000 bytes" in problem.message
    assert problem.line is not None


def test_a_front_matter_that_never_closes_stops_at_the_limit() -> None:
    text = "---\n" + "x: y\n" * 100_000  # no closing fence: stop counting at the limit
    only_problem(load_text(text, path="p.md"), "FRONT_MATTER_TOO_LARGE")
    small = LoadLimits(max_front_matter_bytes=10_000_000)
    problem = only_problem(load_text(text, path="p.md", limits=small), "NO_FRONT_MATTER")
    assert "never closed" in problem.message


def test_a_sparse_file_over_five_megabytes_is_refused_without_reading_it(tmp_path: Path) -> None:
    file = tmp_path / "huge.md"
    with file.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no disk space used, all NUL bytes
    problem = only_problem(load_file(file), "FILE_TOO_LARGE")
    assert "50,000,000 bytes" in problem.message
    assert "5,000,000 bytes" in problem.message


def test_an_over_long_integer_is_refused_not_raised() -> None:
    problem = only_problem(load_text(page(f"x: {'9' * 5_000}\n"), path="p.md"), "INVALID_YAML")
    assert "could not be read" in problem.message


# --- encodings and binary content -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(page().encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xff\xfe" + page().encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(b"\xfe\xff" + page().encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(page().encode("utf-32"), id="utf-32-bom"),
        pytest.param(b"\x00\x00\xfe\xff" + page().encode("utf-32-be"), id="utf-32-be-bom"),
    ],
)
def test_utf16_and_utf32_are_named(tmp_path: Path, data: bytes) -> None:
    problem = only_problem(load_disk(tmp_path, data), "NOT_UTF8")
    assert "UTF-16 or UTF-32" in problem.message
    assert "save it as UTF-8" in problem.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
        pytest.param(page().encode("utf-16-le"), id="utf-16-without-bom"),
        pytest.param(page().encode() + b"\x00", id="one-nul-at-the-end"),
        pytest.param(bytes(range(256)), id="all-bytes"),
    ],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes) -> None:
    problem = only_problem(load_disk(tmp_path, data), "BINARY_FILE")
    assert "binary" in problem.message


def test_a_nul_character_in_text_is_refused() -> None:
    only_problem(load_text(page(body="text\x00more\n"), path="p.md"), "BINARY_FILE")


@pytest.mark.parametrize(
    ("data", "line", "column", "byte"),
    [
        pytest.param(b"\xff" + page().encode(), 1, 1, "0xff", id="first-byte"),
        pytest.param(
            page(body="ok\n").encode() + b"d\xc3\xa9j\xc3 vu\n", 13, 4, "0xc3", id="after-e-acute"
        ),
        pytest.param(
            page(body="\xe9\xe9\xe9 \x80\n").encode("latin-1"), 12, 1, "0xe9", id="latin-1"
        ),
        pytest.param(
            page(body="line\nna\xefve\n").replace("\n", "\r\n").encode("latin-1"),
            13,
            3,
            "0xef",
            id="crlf",
        ),
        pytest.param(
            page(body="a\r").replace("\n", "\r").encode() + b"b\xffc\r", 13, 2, "0xff", id="cr-only"
        ),
        pytest.param(b"\xef\xbb\xbf---\xfe\n", 1, 4, "0xfe", id="after-bom"),
    ],
)
def test_invalid_utf8_is_rejected_naming_line_and_column(
    tmp_path: Path, data: bytes, line: int, column: int, byte: str
) -> None:
    problem = only_problem(load_disk(tmp_path, data), "NOT_UTF8")
    assert problem.line == line
    assert f"invalid UTF-8 at line {line}, column {column} (byte {byte})" in problem.message


def test_a_lone_surrogate_in_text_is_rejected_not_raised() -> None:
    text = page(body="ok\nbad \udcff here\n")
    problem = only_problem(load_text(text, path="p.md"), "NOT_UTF8")
    assert problem.line == 13
    assert "U+DCFF" in problem.message
    assert "line 13, column 5" in problem.message
    only_problem(load_text(page("title2: \ud800\n"), path="p.md"), "NOT_UTF8")


def test_a_control_character_in_the_front_matter_names_its_line() -> None:
    problem = only_problem(load_text(page("note: bell\x07\n"), path="p.md"), "INVALID_YAML")
    assert problem.line == 11
    assert "U+0007" in problem.message


def test_control_characters_in_the_body_are_kept() -> None:
    result = load_text(page(body="bell\x07 and escape\x1b\n"), path="p.md", today=TODAY)
    assert result.document is not None
    assert result.document.body == "bell\x07 and escape\x1b\n"


def test_cr_only_newlines_load(tmp_path: Path) -> None:
    result = load_disk(tmp_path, page().replace("\n", "\r"))
    assert result.ok
    assert result.problems == []
    assert result.document is not None and result.document.body == BODY


def test_mixed_newlines_load(tmp_path: Path) -> None:
    text = page()
    mixed = "".join(
        line + ("\r\n", "\r", "\n")[n % 3] for n, line in enumerate(text.split("\n")[:-1])
    )
    result = load_disk(tmp_path, mixed)
    assert result.document is not None
    assert result.document.text == text


# --- things on disk that are not pages ------------------------------------------------------------


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    problem = only_problem(load_file(folder), "NOT_A_FILE")
    assert "folder" in problem.message


def test_a_symlink_to_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "real", target_is_directory=True)
    problem = only_problem(load_file(link), "NOT_A_FILE")
    assert problem.path == str(link)


def test_a_broken_symlink_is_unreadable(tmp_path: Path) -> None:
    link = tmp_path / "dangling.md"
    link.symlink_to(tmp_path / "missing.md")
    problem = only_problem(load_file(link), "UNREADABLE")
    assert "cannot read the file" in problem.message


def test_a_missing_file_is_unreadable_not_raised(tmp_path: Path) -> None:
    only_problem(load_file(tmp_path / "gone.md"), "UNREADABLE")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need os.mkfifo (POSIX)")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    # Before the fix, load_file() waited forever for a writer to open the pipe.
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    assert [file for _, file in iter_kb_files([tmp_path])] == [pipe]
    problem = only_problem(load_file(pipe), "NOT_A_FILE")
    assert "not a regular file" in problem.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_an_endless_device_is_refused(tmp_path: Path) -> None:
    # Before the fix, a .md link to /dev/zero (size 0) was read until memory ran out.
    link = tmp_path / "zero.md"
    link.symlink_to("/dev/zero")
    only_problem(load_file(link), "NOT_A_FILE")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    if len(str(path)) > 100:
        pytest.skip("tmp path too long for a Unix socket address")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = load_file(path)
    assert result.problems[0].code in {"NOT_A_FILE", "UNREADABLE"}
    assert result.document is None


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: root can read any file, so chmod 000 cannot make one unreadable",
)
def test_an_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    file = write(tmp_path, page())
    file.chmod(0)
    try:
        problem = only_problem(load_file(file), "UNREADABLE")
        assert "ermission" in problem.message
    finally:
        file.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_symlink_loop_in_the_tree_does_not_hang_the_walk(tmp_path: Path) -> None:
    write(tmp_path, page(), "a.md")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [file.name for _, file in iter_kb_files([tmp_path])] == ["a.md"]


def test_hidden_files_and_folders_are_not_walked(tmp_path: Path) -> None:
    write(tmp_path, "not even a page", ".secret.md")
    (tmp_path / ".cache").mkdir()
    write(tmp_path / ".cache", b"\x00binary", "x.md")
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    write(tmp_path / "sub" / ".git", "x", "HEAD.md")
    write(tmp_path / "sub", page(), "ok.md")
    assert [file for _, file in iter_kb_files([tmp_path])] == [tmp_path / "sub" / "ok.md"]


# --- one folder of hostile files: the walk and load never stop ------------------------------------


def test_a_tree_of_hostile_files_loads_file_by_file(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    files: dict[str, bytes] = {
        "good.md": page().encode(),
        "tag.md": page(f"x: !!python/object/apply:os.system ['touch {marker}']\n").encode(),
        "bomb.md": page(billion_laughs()).encode(),
        "binary.txt": b"\x00\x01\x02",
        "latin1.md": page(body="caf\xe9\n").encode("latin-1"),
        "utf16.md": page().encode("utf-16"),
        "unclosed.md": ("---\n" + HEADER + BODY).encode(),
        "empty.md": b"",
        "deep.md": page("x: " + "[" * 2_000 + "\n").encode(),
    }
    for name, data in files.items():
        write(tmp_path, data, name)
    results = {file.name: load_file(file, today=TODAY) for _, file in iter_kb_files([tmp_path])}
    assert set(results) == set(files)
    assert [name for name, result in results.items() if result.ok] == ["good.md"]
    for name, result in results.items():
        if name != "good.md":
            assert result.problems, name
            assert all(problem.path == str(tmp_path / name) for problem in result.problems)
    assert not marker.exists()
