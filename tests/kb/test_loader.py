"""The loader on ordinary input: walking a tree, newlines, fields, limits, the real KB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cancerinfo.errors import InputPathError
from cancerinfo.kb.frontmatter import REQUIRED_FIELDS, Status
from cancerinfo.kb.loader import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FRONT_MATTER_BYTES,
    LoadLimits,
    LoadResult,
    iter_kb_files,
    load_bytes,
    load_file,
    load_text,
)
from cancerinfo.kb.problems import Problem, has_errors

TODAY = date(2025, 6, 1)
HEADER_LINES = [
    "title: Breast Cancer Treatment",
    "url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq",
    "source: NCI",
    "sourceType: 02_nci_core",
    "language: en",
    "status: active",
    "audienceLevel: patient",
    "lastReviewed: 2025-01-15",
    "reviewFrequency: annual",
    "cancerTypes: [breast]",
]
BODY = "# Breast Cancer Treatment\n\nSurgery is one of the treatments.\n"


def page(*, header: list[str] | None = None, extra: tuple[str, ...] = (), body: str = BODY) -> str:
    lines = HEADER_LINES if header is None else header
    return "---\n" + "\n".join([*lines, *extra]) + "\n---\n" + body


def without(key: str) -> list[str]:
    return [line for line in HEADER_LINES if not line.startswith(f"{key}:")]


def replaced(key: str, value: str) -> list[str]:
    return [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in HEADER_LINES]


def load(
    text: str, *, path: str = "kb/page.md", today: date = TODAY, **kwargs: object
) -> LoadResult:
    return load_text(text, path=path, today=today, **kwargs)  # type: ignore[arg-type]


def errors(result: LoadResult) -> list[Problem]:
    return [problem for problem in result.problems if problem.severity == "error"]


def rejected(result: LoadResult, code: str) -> Problem:
    """The result has no document and its problems include ``code``; return that one."""
    assert result.document is None, result.problems
    assert not result.ok
    matching = [problem for problem in result.problems if problem.code == code]
    assert matching, result.problems
    assert all(problem.path == str(result.path) for problem in result.problems)
    return matching[0]


def line_of(text: str, start: str) -> int:
    """1-based line of the file starting with ``start``."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


# --- a valid page --------------------------------------------------------------------------


def test_a_valid_page_loads_without_problems() -> None:
    text = page()
    result = load(text)
    assert result.ok
    assert result.problems == []
    document = result.document
    assert document is not None
    assert document.path == Path("kb/page.md")
    assert document.url == "https://www.cancer.gov/types/breast/patient/breast-treatment-pdq"
    assert document.front_matter.status is Status.ACTIVE
    assert document.front_matter.cancer_types == ["breast"]
    assert document.body == BODY
    assert document.text == text
    assert len(document.content_hash) == 64


def test_body_line_points_at_the_first_line_after_the_closing_fence() -> None:
    text = page(body="first body line\nsecond\n")
    document = load(text).document
    assert document is not None
    assert document.body_line == line_of(text, "first body line")
    assert text.split("\n")[document.body_line - 1] == "first body line"


def test_the_front_matter_may_close_with_three_dots() -> None:
    text = page().replace("\n---\n", "\n...\n", 1)
    assert text.count("\n...\n") == 1
    result = load(text)
    assert result.ok
    assert result.document is not None and result.document.body == BODY


def test_fences_may_have_trailing_blanks() -> None:
    text = "--- \t\n" + "\n".join(HEADER_LINES) + "\n---  \n" + BODY
    assert load(text).ok


def test_a_fence_line_inside_the_body_stays_in_the_body() -> None:
    body = "Intro\n\n---\n\nAfter a rule.\n"
    document = load(page(body=body)).document
    assert document is not None
    assert document.body == body


def test_load_bytes_and_load_file_agree_with_load_text(tmp_path: Path) -> None:
    text = page()
    file = tmp_path / "page.md"
    file.write_bytes(text.encode("utf-8"))
    from_text = load_text(text, path=str(file), today=TODAY)
    from_bytes = load_bytes(text.encode("utf-8"), path=str(file), today=TODAY)
    from_file = load_file(file, today=TODAY)
    assert from_text == from_bytes == from_file
    assert from_file.document is not None
    assert from_file.document.path == file


# --- BOM and newlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode(), id="lf"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r").encode(), id="cr-only"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode(), id="bom"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(), id="bom-crlf"),
        pytest.param(lambda t: t.encode("utf-8-sig").replace(b"\n", b"\r\n"), id="utf-8-sig-crlf"),
    ],
)
def test_bom_crlf_and_cr_give_the_same_document(encode) -> None:  # type: ignore[no-untyped-def]
    reference = load(page()).document
    assert reference is not None
    result = load_bytes(encode(page()), path="kb/page.md", today=TODAY)
    assert result.problems == []
    document = result.document
    assert document is not None
    assert document.body == reference.body
    assert document.body_line == reference.body_line
    assert document.front_matter == reference.front_matter
    assert document.text == reference.text
    assert document.content_hash == reference.content_hash
    assert "\r" not in document.text
    assert not document.text.startswith("\ufeff")


def test_a_bom_in_decoded_text_is_dropped_too() -> None:
    document = load("\ufeff" + page().replace("\n", "\r\n")).document
    reference = load(page()).document
    assert document is not None and reference is not None
    assert document.content_hash == reference.content_hash


def test_the_hash_changes_when_the_text_changes() -> None:
    one = load(page()).document
    two = load(page(body=BODY + "One more line.\n")).document
    assert one is not None and two is not None
    assert one.content_hash != two.content_hash


# --- unknown keys, empty body, fences ------------------------------------------------------


def test_unknown_keys_are_kept_and_warned_with_their_line() -> None:
    text = page(extra=("reviewer: Ana", "zzz: 1"))
    result = load(text)
    assert result.ok
    assert result.document is not None
    assert result.document.front_matter.model_extra == {"reviewer": "Ana", "zzz": 1}
    assert not has_errors(result.problems)
    warnings = {problem.field: problem for problem in result.problems}
    assert set(warnings) == {"reviewer", "zzz"}
    for key, problem in warnings.items():
        assert problem.code == "UNKNOWN_FIELD"
        assert problem.severity == "warning"
        assert problem.line == line_of(text, f"{key}:")
        assert problem.path == "kb/page.md"
        assert repr(key) in problem.message


@pytest.mark.parametrize("body", ["", "\n", "\n\n   \n\t\n"])
def test_an_empty_body_is_rejected(body: str) -> None:
    text = page(body=body)
    problem = rejected(load(text), "EMPTY_BODY")
    assert problem.severity == "error"
    assert problem.line == len(HEADER_LINES) + 3  # opening fence, header, closing fence
    assert "no text" in problem.message


def test_an_empty_body_is_reported_with_the_unknown_key_warnings() -> None:
    result = load(page(extra=("zzz: 1",), body=""))
    assert {problem.code for problem in result.problems} == {"EMPTY_BODY", "UNKNOWN_FIELD"}
    assert result.document is None


def test_front_matter_never_closed_is_rejected() -> None:
    text = "---\n" + "\n".join(HEADER_LINES) + "\n" + BODY
    problem = rejected(load(text), "NO_FRONT_MATTER")
    assert problem.line == 1
    assert "never closed" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Just Markdown\n",
        "\n---\ntitle: x\n---\nbody\n",
        "----\ntitle: x\n---\nbody\n",
        " ---\n",
    ],
)
def test_a_file_that_does_not_open_with_a_fence_is_rejected(text: str) -> None:
    problem = rejected(load(text), "NO_FRONT_MATTER")
    assert problem.line == 1
    assert "'---'" in problem.message


@pytest.mark.parametrize("header", ["", "\n\n", "# only a comment"])
def test_an_empty_front_matter_is_rejected(header: str) -> None:
    problem = rejected(load(f"---\n{header}\n---\n{BODY}"), "EMPTY_FRONT_MATTER")
    assert problem.message == "the front matter is empty"


@pytest.mark.parametrize("header", ["- title\n- url", "just a sentence", "42"])
def test_front_matter_that_is_not_key_value_lines_is_rejected(header: str) -> None:
    problem = rejected(load(f"---\n{header}\n---\n{BODY}"), "INVALID_YAML")
    assert "'key: value' lines" in problem.message


def test_non_text_keys_are_rejected() -> None:
    problem = rejected(load(page(extra=("1: one",))), "INVALID_YAML")
    assert "keys must be words" in problem.message


def test_broken_yaml_names_the_line() -> None:
    text = page(extra=("tags: [unclosed",))
    problem = rejected(load(text), "INVALID_YAML")
    assert problem.message.startswith("front matter is not valid YAML: ")
    assert problem.line is not None and problem.line > line_of(text, "tags:") - 1


# --- required and invalid fields -----------------------------------------------------------


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_each_missing_required_field_is_named(field: str) -> None:
    result = load(page(header=without(field)))
    problem = rejected(result, "MISSING_FIELD")
    assert len(result.problems) == 1
    assert problem.field == field
    assert problem.message == f"required field {field!r} is missing"
    assert problem.severity == "error"
    assert str(problem) == f"kb/page.md: error MISSING_FIELD [{field}]: {problem.message}"


def test_every_missing_field_is_listed() -> None:
    result = load(page(header=["cancerTypes: [breast]"]))
    assert result.document is None
    assert {problem.code for problem in result.problems} == {"MISSING_FIELD"}
    assert sorted(problem.field or "" for problem in result.problems) == sorted(REQUIRED_FIELDS)


BAD_VALUES: list[tuple[str, str, str]] = [
    ("status", "published", "'active'"),
    ("audienceLevel", "doctors", "'patient'"),
    ("reviewFrequency", "weekly", "'annual'"),
    ("url", "ftp://example.org/page", "http(s)"),
    ("url", "www.cancer.gov/page", "http(s)"),
    ("sourceType", "nci_core", "NN_name"),
    ("sourceType", "2_nci", "NN_name"),
    ("language", "english", "ISO 639-1"),
    ("language", "EN", "ISO 639-1"),
    ("version", "1.0", "v1, v2"),
    ("version", "V2", "v1, v2"),
    ("cancerTypes", "breast", "must be a list (one '- item' per line), not text"),
    ("title", "''", "must not be empty"),
    ("title", "[a, b]", "must be text, not a list"),
    ("lastReviewed", "2025-02-30", "not a real calendar date"),
    ("lastReviewed", "'2025-02-30'", "not a real calendar date"),
    ("lastReviewed", "15/01/2025", "YYYY-MM-DD"),
    ("lastReviewed", "2025-07-01", "in the future (today is 2025-06-01)"),
]


@pytest.mark.parametrize(("field", "value", "words"), BAD_VALUES)
def test_a_bad_value_names_file_line_field_and_what_is_wrong(
    field: str, value: str, words: str
) -> None:
    header = (
        replaced(field, value)
        if any(line.startswith(f"{field}:") for line in HEADER_LINES)
        else [
            *HEADER_LINES,
            f"{field}: {value}",
        ]
    )
    text = page(header=header)
    result = load(text)
    problem = rejected(result, "INVALID_FIELD")
    assert len(result.problems) == 1, result.problems
    assert problem.path == "kb/page.md"
    assert problem.field == field
    assert problem.line == line_of(text, f"{field}:")
    assert problem.message.startswith(f"{field}: ")
    assert words in problem.message
    assert "Value error" not in problem.message
    assert "Input should be a valid" not in problem.message


@pytest.mark.parametrize("field", ["status", "audienceLevel", "reviewFrequency"])
def test_a_bad_enum_value_is_quoted_back(field: str) -> None:
    problem = rejected(load(page(header=replaced(field, "nonsense"))), "INVALID_FIELD")
    assert "got 'nonsense'" in problem.message


def test_a_future_last_reviewed_depends_on_the_given_today() -> None:
    text = page(header=replaced("lastReviewed", "2025-06-02"))
    assert not load(text, today=date(2025, 6, 1)).ok
    assert load(text, today=date(2025, 6, 2)).ok
    assert load_bytes(text.encode(), path="p.md", today=date(2025, 6, 2)).ok


def test_without_a_today_the_loader_checks_against_the_clock() -> None:
    future = load_bytes(page(header=replaced("lastReviewed", "9999-12-31")).encode(), path="p.md")
    assert not future.ok
    assert "in the future" in future.problems[0].message


def test_unquoted_no_for_norwegian_gets_a_hint() -> None:
    problem = rejected(load(page(header=replaced("language", "no"))), "INVALID_FIELD")
    assert problem.field == "language"
    assert "in quotes" in problem.message
    assert load(page(header=replaced("language", "'no'"))).ok


def test_python_style_key_names_are_not_the_kb_spelling() -> None:
    header = [line.replace("lastReviewed:", "last_reviewed:") for line in HEADER_LINES]
    text = page(header=header)
    result = load(text)
    problem = rejected(result, "MISSING_FIELD")
    assert problem.field == "lastReviewed"
    assert "'last_reviewed'" in problem.message
    assert problem.line == line_of(text, "last_reviewed:")


def test_a_python_style_key_next_to_the_kb_key_is_an_unknown_field() -> None:
    result = load(page(extra=("source_type: 99_other",)))
    assert result.ok
    assert result.document is not None
    assert result.document.front_matter.source_type == "02_nci_core"
    assert [(p.code, p.field) for p in result.problems] == [("UNKNOWN_FIELD", "source_type")]


# --- limits --------------------------------------------------------------------------------


def test_default_limits() -> None:
    assert LoadLimits().max_file_bytes == DEFAULT_MAX_FILE_BYTES == 5_000_000
    assert LoadLimits().max_front_matter_bytes == DEFAULT_MAX_FRONT_MATTER_BYTES


def test_a_file_over_the_configured_limit_is_rejected_and_at_the_limit_is_not(
    tmp_path: Path,
) -> None:
    data = page().encode()
    file = tmp_path / "page.md"
    file.write_bytes(data)
    at_limit = LoadLimits(max_file_bytes=len(data))
    under_limit = LoadLimits(max_file_bytes=len(data) - 1)
    assert load_file(file, limits=at_limit, today=TODAY).ok
    problem = rejected(load_file(file, limits=under_limit, today=TODAY), "FILE_TOO_LARGE")
    assert f"{len(data):,} bytes" in problem.message
    assert f"{len(data) - 1:,}" in problem.message
    assert load_bytes(data, path="p.md", limits=at_limit, today=TODAY).ok
    rejected(load_bytes(data, path="p.md", limits=under_limit, today=TODAY), "FILE_TOO_LARGE")
    rejected(load_text(page(), path="p.md", limits=under_limit, today=TODAY), "FILE_TOO_LARGE")


def test_the_default_limit_is_five_megabytes(tmp_path: Path) -> None:
    text = page(body=BODY + "x" * (DEFAULT_MAX_FILE_BYTES - len(page().encode())))
    assert len(text.encode()) == DEFAULT_MAX_FILE_BYTES
    file = tmp_path / "big.md"
    file.write_text(text, encoding="utf-8")
    assert load_file(file, today=TODAY).ok
    with file.open("a", encoding="utf-8") as handle:
        handle.write("x")
    rejected(load_file(file, today=TODAY), "FILE_TOO_LARGE")


def test_front_matter_over_the_limit_is_rejected() -> None:
    padding = tuple(f"note{n}: {'x' * 90}" for n in range(10))
    text = page(extra=padding)
    header_bytes = len(text.split("\n---\n")[0].encode()) - len("---\n")
    assert load(text, limits=LoadLimits(max_front_matter_bytes=header_bytes + 1)).ok
    problem = rejected(
        load(text, limits=LoadLimits(max_front_matter_bytes=header_bytes // 2)),
        "FRONT_MATTER_TOO_LARGE",
    )
    assert problem.line is not None and 1 < problem.line <= len(HEADER_LINES) + len(padding) + 1
    assert f"{header_bytes // 2:,} bytes" in problem.message


# --- walking a folder tree -------------------------------------------------------------------


def make_tree(root: Path) -> None:
    for relative in [
        "en/a.md",
        "en/b.txt",
        "en/deep/er/c.MD",
        "en/notes.rst",
        "en/image.png",
        "en/.hidden.md",
        "en/.drafts/d.md",
        ".git/objects/e.md",
        "z.txt",
        "README",
    ]:
        file = root / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(page(), encoding="utf-8")


def test_iter_kb_files_walks_the_tree_sorted_skipping_hidden_and_other_suffixes(
    tmp_path: Path,
) -> None:
    make_tree(tmp_path)
    found = list(iter_kb_files([tmp_path]))
    assert [file.relative_to(tmp_path).as_posix() for _, file in found] == [
        "en/a.md",
        "en/b.txt",
        "en/deep/er/c.MD",
        "z.txt",
    ]
    assert {root for root, _ in found} == {tmp_path.resolve()}


def test_a_single_file_is_its_own_root(tmp_path: Path) -> None:
    make_tree(tmp_path)
    file = tmp_path / "en" / "a.md"
    assert list(iter_kb_files([file])) == [(file.resolve(), file)]


def test_several_paths_are_walked_in_the_given_order(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(iter_kb_files([tmp_path / "z.txt", tmp_path / "en" / "deep"]))
    assert [file.name for _, file in found] == ["z.txt", "c.MD"]
    assert found[1][0] == (tmp_path / "en" / "deep").resolve()


def test_a_hidden_root_given_explicitly_is_walked(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(iter_kb_files([tmp_path / "en" / ".drafts"]))
    assert [file.name for _, file in found] == ["d.md"]


def test_an_empty_folder_yields_nothing(tmp_path: Path) -> None:
    assert list(iter_kb_files([tmp_path])) == []


def test_a_path_that_does_not_exist_raises_input_path_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    with pytest.raises(InputPathError, match="no such file or directory") as caught:
        list(iter_kb_files([tmp_path, missing]))
    assert str(missing) in str(caught.value)


def test_every_file_of_a_walked_tree_loads(tmp_path: Path) -> None:
    make_tree(tmp_path)
    results = [load_file(file, today=TODAY) for _, file in iter_kb_files([tmp_path])]
    assert len(results) == 4
    assert all(result.ok and result.problems == [] for result in results)


# --- seed pages and the real corpus ------------------------------------------------------------


def test_the_seed_pages_load_cleanly(examples_kb: Path) -> None:
    files = [file for _, file in iter_kb_files([examples_kb])]
    assert files, f"no seed pages under {examples_kb}"
    for file in files:
        result = load_file(file)
        assert result.ok, [str(problem) for problem in result.problems]
        assert result.problems == []
        assert result.document is not None
        assert result.document.front_matter.source_type == "02_nci_core"


@pytest.mark.shared
def test_all_but_a_handful_of_the_real_nci_kb_load(nci_kb: Path) -> None:
    files = [file for _, file in iter_kb_files([nci_kb])]
    assert len(files) > 1000
    results = [load_file(file) for file in files]
    rejects = [result for result in results if not result.ok]
    assert len(rejects) <= 5, [str(problem) for result in rejects for problem in result.problems]
    for result in rejects:
        named = errors(result)
        assert named, f"{result.path} was rejected without an error"
        for problem in named:
            assert problem.path == str(result.path)
            assert problem.code.isupper()
            assert problem.message
    for result in results:
        if result.ok:
            assert not has_errors(result.problems)
    urls = [result.document.url for result in results if result.document is not None]
    assert all(url.startswith(("http://", "https://")) for url in urls)
