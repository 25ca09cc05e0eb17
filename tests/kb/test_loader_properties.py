"""Property tests: the loader never raises, bodies round-trip, the hash ignores BOM/CRLF."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cancerinfo.kb.loader import LoadLimits, LoadResult, load_bytes, load_text
from cancerinfo.kb.text import KEPT_FORMAT

TODAY = date(2025, 6, 1)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = (
    "title: Colon Cancer Treatment\n"
    "url: https://www.cancer.gov/types/colorectal/patient/colon-treatment-pdq\n"
    "source: NCI\n"
    "sourceType: 02_nci_core\n"
    "language: en\n"
    "status: active\n"
    "audienceLevel: patient\n"
    "lastReviewed: 2025-01-15\n"
    "reviewFrequency: annual\n"
)
VALID_PAGE = f"---\n{HEADER}---\n# Colon\n\nText.\n"

# Every character, surrogates and controls included.
any_character = st.characters(codec=None, categories=None, exclude_categories=())
# Text that looks like YAML, to reach the parser's corners rather than the fence check.
yaml_alphabet = st.sampled_from([*"abc01 -:[]{},&*!|>'\"#%@`?<\t\n\r\\.", "\ufeff", "\x85", "é"])
yaml_ish = st.text(yaml_alphabet, max_size=200)
# A body a writer could save: no NUL (binary), no lone surrogate, some visible text.
def _visible(text: str) -> str:
    """``text`` without the invisible format characters the loader removes."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf" or c in KEPT_FORMAT)


# a body with something visible in it: one of only invisible characters is an empty page
# (test_a_body_of_only_invisible_characters_is_empty)
body_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=400
).filter(lambda text: _visible(text).strip() != "")


def assert_contract(result: LoadResult, path: str) -> None:
    """A document, or at least one error; every problem names the file."""
    assert result.path == Path(path)
    if result.document is None:
        assert any(problem.severity == "error" for problem in result.problems), result.problems
    else:
        assert all(problem.severity == "warning" for problem in result.problems)
    for problem in result.problems:
        assert problem.path == str(result.path)
        assert problem.code and problem.message
        assert problem.line is None or problem.line >= 1


@FAST
@given(st.binary(max_size=2_000))
@example(b"\xef\xbb\xbf---\r\n" + HEADER.encode() + b"---\r\nbody")
@example(b"---\n" + b"[" * 5_000)
@example(b"---\nx: &a [*a]\n---\nb")
@example(b"---\n\xff\n---\n")
def test_load_bytes_never_raises(data: bytes) -> None:
    assert_contract(load_bytes(data, path="kb/any.md", today=TODAY), "kb/any.md")


@FAST
@given(st.binary(max_size=1_000))
def test_load_bytes_after_a_fence_never_raises(data: bytes) -> None:
    assert_contract(load_bytes(b"---\n" + data, path="kb/fenced.md"), "kb/fenced.md")


@FAST
@given(st.text(any_character, max_size=1_000))
@example("---\n\ud800: x\n---\nb")
@example("---\nx: !!python/object/apply:os.system ['true']\n---\nb")
def test_load_text_never_raises(text: str) -> None:
    assert_contract(load_text(text, path="kb/any.txt", today=TODAY), "kb/any.txt")


@FAST
@given(yaml_ish, yaml_ish)
def test_yaml_like_front_matter_never_raises(extra: str, body: str) -> None:
    text = f"---\n{HEADER}{extra}\n---\n{body}"
    assert_contract(load_text(text, path="kb/yaml.md", today=TODAY), "kb/yaml.md")


@FAST
@given(yaml_ish)
def test_yaml_like_whole_front_matter_never_raises(header: str) -> None:
    result = load_text(f"---\n{header}\n---\nbody\n", path="kb/h.md", today=TODAY)
    assert_contract(result, "kb/h.md")


@FAST
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=400))
def test_the_size_limit_is_exact(data: bytes, limit: int) -> None:
    result = load_bytes(data, path="p.md", limits=LoadLimits(max_file_bytes=limit))
    too_large = [problem for problem in result.problems if problem.code == "FILE_TOO_LARGE"]
    assert bool(too_large) == (len(data) > limit)


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@FAST
@given(body_text)
@example("line one\r\nline two\rline three\n")
@example("---\nnot front matter\n---\n")
@example("\ufeff starts with a BOM-like character")
def test_a_valid_page_gives_back_its_body(body: str) -> None:
    result = load_text(f"---\n{HEADER}---\n{body}", path="kb/page.md", today=TODAY)
    # invisible format characters (Unicode Cf, those kept on purpose aside) are removed,
    # each line that held some named in a warning (issue 15, point 4)
    visible = "".join(c for c in normalise(body) if unicodedata.category(c) != "Cf" or c in KEPT_FORMAT)
    lines = normalise(body).split("\n")
    hidden = [n for n, line in enumerate(lines, start=HEADER.count("\n") + 3) if len(line) != len(
        "".join(c for c in line if unicodedata.category(c) != "Cf" or c in KEPT_FORMAT))]
    assert [(p.code, p.line) for p in result.problems] == [("INVISIBLE_CHARACTER", n) for n in hidden]
    document = result.document
    assert document is not None
    assert document.body == visible
    assert document.body_line == HEADER.count("\n") + 3
    assert document.text.split("\n")[document.body_line - 1 :] == visible.split("\n")


@pytest.mark.parametrize("body", ["\ufeff", "\u200b\u200b\n", "\u2060 \n"])
def test_a_body_of_only_invisible_characters_is_empty(body: str) -> None:
    result = load_text(f"---\n{HEADER}---\n{body}", path="kb/page.md", today=TODAY)
    assert result.document is None
    assert "EMPTY_BODY" in [p.code for p in result.problems if p.severity == "error"]


@FAST
@given(body_text, st.booleans(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_content_hash_ignores_bom_and_newline_style(body: str, bom: bool, newline: str) -> None:
    text = f"---\n{HEADER}---\n{normalise(body)}"
    reference = load_text(text, path="a.md", today=TODAY).document
    variant = text.replace("\n", newline).encode("utf-8")
    if bom:
        variant = b"\xef\xbb\xbf" + variant
    document = load_bytes(variant, path="b.md", today=TODAY).document
    assert reference is not None and document is not None
    assert document.content_hash == reference.content_hash
    assert document.body == reference.body


@FAST
@given(body_text, body_text)
def test_different_bodies_give_different_hashes(one: str, two: str) -> None:
    first = load_text(f"---\n{HEADER}---\n{one}", path="a.md", today=TODAY).document
    second = load_text(f"---\n{HEADER}---\n{two}", path="a.md", today=TODAY).document
    assert first is not None and second is not None
    assert (first.content_hash == second.content_hash) == (normalise(one) == normalise(two))


words = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=20)
titles = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=80
).filter(lambda text: text.strip() != "")


@FAST
@given(titles, st.lists(words, max_size=5), st.lists(words, max_size=5))
def test_front_matter_written_by_a_yaml_dumper_round_trips(
    title: str, cancer_types: list[str], tags: list[str]
) -> None:
    header = yaml.safe_dump(
        {
            "title": title,
            "url": "https://example.org/page",
            "source": "NCI",
            "sourceType": "02_nci_core",
            "language": "en",
            "status": "active",
            "audienceLevel": "patient",
            "lastReviewed": "2025-01-15",
            "reviewFrequency": "annual",
            "cancerTypes": cancer_types,
            "tags": tags,
        },
        allow_unicode=True,
        sort_keys=True,
    )
    result = load_text(f"---\n{header}---\nbody\n", path="p.md", today=TODAY)
    assert result.problems == []
    assert result.document is not None
    front = result.document.front_matter
    assert front.title == title.strip()
    assert front.cancer_types == [word.strip() for word in cancer_types]
    assert front.tags == [word.strip() for word in tags]


def test_the_valid_page_used_here_is_valid() -> None:
    result = load_text(VALID_PAGE, path="p.md", today=TODAY)
    assert result.ok and result.problems == []
