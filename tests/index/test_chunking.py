"""The chunker: sections by heading, clean text, spans back into the page, stable ids."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cancerinfo.index import chunking
from cancerinfo.index.chunking import (
    DEFAULT_MAX_CHARS,
    Chunk,
    chunk_document,
    clean_markdown,
    plain_text_with_offsets,
)
from cancerinfo.kb.document import Document
from cancerinfo.kb.loader import iter_kb_files, load_file, load_text
from tests.helpers import page_text, write_page

SEEDS = sorted(
    (Path(__file__).resolve().parents[2] / "examples/kb/en/02_nci_core/treatment").glob("*.txt")
)
TITLE = "Example Page - NCI"
URL = "https://www.cancer.gov/example"


def load_page(tmp_path: Path, body: str, name: str = "page.md", **fields: object) -> Document:
    result = load_file(write_page(tmp_path, name, body, **fields))
    assert result.document is not None, result.problems
    return result.document


def sections(chunks: list[Chunk]) -> list[str]:
    return [chunk.section for chunk in chunks]


def assert_maps_back(document: Document, chunks: list[Chunk]) -> None:
    """Each chunk is a slice of the page's clean text whose characters are the body's own."""
    body = document.body
    clean, offsets = plain_text_with_offsets(body)
    assert len(offsets) == len(clean)
    assert all(a <= b for a, b in itertools.pairwise(offsets))
    for position, char in enumerate(clean):
        assert char.isspace() or body[offsets[position]] == char, (position, char)
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(body)
        index = clean.find(chunk.text)
        while index != -1 and offsets[index] != chunk.start:
            index = clean.find(chunk.text, index + 1)
        assert index != -1, f"chunk {chunk.ordinal} is not in the page's clean text"
        assert offsets[index + len(chunk.text) - 1] + 1 == chunk.end
        assert body[chunk.start] == chunk.text[0] and body[chunk.end - 1] == chunk.text[-1]


# --- the public surface -------------------------------------------------------------------


def test_public_surface() -> None:
    assert {field.name for field in dataclasses.fields(Chunk)} == {
        "chunk_id", "url", "title", "heading_path", "section", "ordinal", "text", "start",
        "end", "content_hash",
    }  # fmt: skip
    assert Chunk.__dataclass_params__.frozen and hasattr(Chunk, "__slots__")  # type: ignore[attr-defined]
    assert {"Chunk", "chunk_document", "clean_markdown", "plain_text_with_offsets"} <= set(
        chunking.__all__
    )
    assert DEFAULT_MAX_CHARS == 1_200


def test_max_chars_too_small_is_refused(tmp_path: Path) -> None:
    document = load_page(tmp_path, "Some text.\n")
    with pytest.raises(ValueError, match="max_chars must be at least"):
        chunk_document(document, max_chars=10)


# --- the seeds ----------------------------------------------------------------------------


def test_seed_drug_page() -> None:
    result = load_file(SEEDS[0])
    assert result.document is not None
    chunks = chunk_document(result.document)
    title = "Ixazomib Citrate - NCI"
    assert sections(chunks) == [
        title,
        f"{title} > Use in Cancer",
        f"{title} > More About Ixazomib Citrate",
        f"{title} > Research Results and Related Resources",
        f"{title} > Clinical Trials Accepting Patients",
    ]
    intro = chunks[0]
    assert intro.heading_path == (title,)
    assert intro.text.startswith(
        "(ik-SA-zoh-mib SIH-trayt)\n\nThis page contains brief information"
    )
    assert "US Brand Name(s)\n\nNinlaro" in intro.text
    assert "Placeholder slot" not in intro.text
    use = chunks[1].text
    assert use.startswith(
        "Ixazomib citrate is approved to be used with lenalidomide and dexamethasone"
    )
    assert "\n\n- Multiple myeloma in patients who have already received" in use
    for chunk in chunks:
        assert chunk.url == "https://www.cancer.gov/about-cancer/treatment/drugs/ixazomibcitrate"
        assert chunk.title == title
        assert (
            "](" not in chunk.text and "**" not in chunk.text and "/Common/PopUps" not in chunk.text
        )
        assert chunk.content_hash == hashlib.sha256(chunk.text.encode()).hexdigest()
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert "- warnings about this drug,\n- what this drug is used for" in chunks[2].text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name)
def test_seed_spans_map_back(seed: Path) -> None:
    document = load_file(seed).document
    assert document is not None
    chunks = chunk_document(document)
    assert chunks and all(chunk.text.strip() == chunk.text != "" for chunk in chunks)
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)
    assert_maps_back(document, chunks)
    first = chunks[1]
    assert document.body[first.start : first.end].startswith("Ixa")


# --- sections -----------------------------------------------------------------------------


def test_heading_hierarchy(tmp_path: Path) -> None:
    body = (
        "# Example Page - NCI\n\n## Alpha\n\nA text.\n\n### Alpha one\n\nA1 text.\n\n"
        "#### Deeper\n\nStill A1.\n\n## Beta\n\nB text.\n\n### Beta one\n\nB1 text.\n\n"
        "### Beta two\n\nB2 text.\n"
    )
    chunks = chunk_document(load_page(tmp_path, body))
    assert [chunk.heading_path[1:] for chunk in chunks] == [
        ("Alpha",),
        ("Alpha", "Alpha one"),
        ("Beta",),
        ("Beta", "Beta one"),
        ("Beta", "Beta two"),
    ]
    assert chunks[1].text == "A1 text.\n\nDeeper\n\nStill A1."
    assert chunks[1].section == "Example Page - NCI > Alpha > Alpha one"


def test_title_h1s_give_no_empty_chunk_and_intro_is_its_own_chunk(tmp_path: Path) -> None:
    body = "# Example Page - NCI\n\n# Example Page\n\nPlaceholder slot\n\nIntro.\n\n## Use\n\nUse text.\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert [(chunk.heading_path, chunk.text) for chunk in chunks] == [
        ((TITLE,), "Intro."),
        ((TITLE, "Use"), "Use text."),
    ]


def test_page_h1_that_differs_from_the_title_is_still_the_page_heading(tmp_path: Path) -> None:
    body = "# Example Page - NCI\n\n# Examples to Treat Cancer\n\nIntro.\n\n## Use\n\nUse.\n\n# Data\n\nRows.\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert [chunk.heading_path[1:] for chunk in chunks] == [(), ("Use",), ("Data",)]


def test_empty_sections_give_no_chunk(tmp_path: Path) -> None:
    body = "## Empty\n\n## Only a sub-heading\n\n#### Sub\n\n## Full\n\nText.\n\n## Blank\n\n\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert [(chunk.heading_path[1:], chunk.text) for chunk in chunks] == [(("Full",), "Text.")]


def test_fenced_code_does_not_start_sections(tmp_path: Path) -> None:
    body = "## Code\n\nBefore.\n\n```\n# not a heading\n## nor this\n```\n\n~~~\n### no\n~~~\n\nAfter.\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert len(chunks) == 1
    assert chunks[0].text == "Before.\n\n# not a heading\n## nor this\n\n### no\n\nAfter."


def test_empty_heading_takes_the_next_short_line(tmp_path: Path) -> None:
    body = "##\n\nWhat is the study?\n\nThe study is...\n\n##\n\n- not a heading\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert [(chunk.heading_path[1:], chunk.text) for chunk in chunks] == [
        (("What is the study?",), "The study is...\n\n- not a heading"),  # "##" alone: no section
    ]


def test_headings_are_cleaned(tmp_path: Path) -> None:
    body = "## **Bold** [linked](https://x.org) heading ##\n\nText.\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert chunks[0].heading_path == (TITLE, "Bold linked heading")


def test_drop_lines(tmp_path: Path) -> None:
    document = load_page(tmp_path, "Placeholder slot\n\nKeep.\n\nTODO remove\n")
    assert chunk_document(document)[0].text == "Keep.\n\nTODO remove"
    assert (
        chunk_document(document, drop_lines=("TODO remove",))[0].text == "Placeholder slot\n\nKeep."
    )
    assert (
        chunk_document(document, drop_lines=())[0].text
        == "Placeholder slot\n\nKeep.\n\nTODO remove"
    )


# --- clean text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "clean"),
    [
        ("[lenalidomide](/Common/PopUps/popDefinition.aspx?id=1&version=Patient)", "lenalidomide"),
        ("- **[Multiple myeloma](/Common/x)** in patients", "- Multiple myeloma in patients"),
        ('[text](https://a.org/x_(y) "a title") after', "text after"),
        (
            "*italic* and __strong__ and _em_ but snake_case_name",
            "italic and strong and em but snake_case_name",
        ),
        ("a lone * star and 2 * 3", "a lone * star and 2 * 3"),
        (r"SEER\*Explorer and \[1\]", "SEER*Explorer and [1]"),
        ("cancer.[[1](#cit/section_1.1)-[3](#cit/section_1.3)] Next", "cancer.[1-3] Next"),
        ('[Enlarge](big.jpg)![A drawing of a cell.](small.jpg "A drawing") Caption.', "Caption."),
        ("see ![figure](x.png) here", "see here"),
        ("use `code *here*` now", "use code *here* now"),
        (
            "Updated <MM/DD/YYYY>; see <https://www.cancer.gov>.",
            "Updated <MM/DD/YYYY>; see https://www.cancer.gov.",
        ),
        ("H<sub>2</sub>O<br>next", "H2O next"),
        ("soft\nline   break\ttabs", "soft line break tabs"),
        ("[not a link] and [also not](", "[not a link] and [also not]("),
        ("> quoted\n> more", "quoted more"),
        ("# Heading #\nText", "Heading\n\nText"),
        ("Text\n\n---\n\n***\n\nMore", "Text\n\nMore"),
        (
            "- one\n- two\n  continued\n\n1. first\n2. second",
            "- one\n- two continued\n\n1. first\n2. second",
        ),
        (
            "| Drug | Use |\n| --- | :---: |\n|  |  |\n| **A** | [treat](/x) x |\n| B | |",
            "Drug | Use\nA | treat x\nB",
        ),
        ("Placeholder slot", ""),
        ("**Targeting genes called *RAS***. After", "Targeting genes called RAS. After"),
        ("- **Treat cancer:**Chemotherapy can", "- Treat cancer:Chemotherapy can"),
        ("[approved](https://fda.gov/x#:~:text=a%20() for adults", "approved for adults"),
        (
            "[![Photo.](/img.png)\n\nCard title\n\nCard text.](/news/card)\n\nNext.",
            "Card title\n\nCard text.\n\nNext.",
        ),
    ],
)
def test_clean_markdown(markdown: str, clean: str) -> None:
    assert clean_markdown(markdown) == clean
    text, offsets = plain_text_with_offsets(markdown)
    assert text == clean
    assert all(char.isspace() or markdown[offsets[i]] == char for i, char in enumerate(text))


def test_offsets_locate_a_quote_verbatim() -> None:
    markdown = "Ixazomib citrate\nis approved with [lenalidomide](/Common/x) and **dexamethasone**."
    text, offsets = plain_text_with_offsets(markdown)
    quote = "approved with lenalidomide and dexamethasone"
    start = text.index(quote)
    span = markdown[offsets[start] : offsets[start + len(quote) - 1] + 1]
    assert span == "approved with [lenalidomide](/Common/x) and **dexamethasone"


# --- splitting long sections --------------------------------------------------------------


def sentence(index: int, words: int = 12) -> str:
    return f"Sentence {index} " + " ".join(f"word{index}x{k}" for k in range(words)) + "."


def test_long_section_is_cut_at_paragraphs(tmp_path: Path) -> None:
    paragraphs = [" ".join(sentence(10 * p + s) for s in range(4)) for p in range(8)]  # ~450 chars
    chunks = chunk_document(load_page(tmp_path, "## Long\n\n" + "\n\n".join(paragraphs) + "\n"))
    assert len(chunks) > 2
    assert all(chunk.heading_path == (TITLE, "Long") for chunk in chunks)
    assert all(len(chunk.text) <= DEFAULT_MAX_CHARS for chunk in chunks)
    for chunk in chunks:
        assert all(part in paragraphs for part in chunk.text.split("\n\n"))
    assert "\n\n".join(chunk.text for chunk in chunks) == "\n\n".join(paragraphs)
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)


def test_huge_paragraph_is_cut_at_sentences(tmp_path: Path) -> None:
    text = " ".join(sentence(i) + (" - A bullet." if i % 5 == 0 else "") for i in range(60))
    document = load_page(tmp_path, "## Messy\n\n" + text + "\n")
    chunks = chunk_document(document, max_chars=500)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(chunk.text) <= 500
        assert chunk.text.endswith(".")
        assert chunk.text[0].isupper() or chunk.text.startswith("- ")
    assert " ".join(chunk.text for chunk in chunks) == text
    assert_maps_back(document, chunks)


def test_no_cut_after_abbreviations_or_before_lowercase(tmp_path: Path) -> None:
    unit = "The U.S. Food and Drug Administration approved it, e.g. for adults. It works in 5 vs. 3 cases. "
    document = load_page(tmp_path, "## A\n\n" + unit * 20 + "\n")
    for chunk in chunk_document(document, max_chars=300):
        assert chunk.text.startswith(("The U.S.", "It works")), chunk.text[:30]


def test_sentence_longer_than_max_is_cut_between_words(tmp_path: Path) -> None:
    long_sentence = "This " + " ".join(f"word{i}" for i in range(200)) + "."
    chunks = chunk_document(load_page(tmp_path, long_sentence + "\n"), max_chars=300)
    assert len(chunks) > 3
    assert all(len(chunk.text) <= 300 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks) == long_sentence


def test_long_list_is_cut_between_items_and_lead_in_stays_with_it(tmp_path: Path) -> None:
    items = "\n".join(f"- item {i} " + "x" * 60 for i in range(40))
    body = "## List\n\n" + sentence(1, 100) + "\n\nThe items are:\n\n" + items + "\n"
    chunks = chunk_document(load_page(tmp_path, body))
    assert all(len(chunk.text) <= DEFAULT_MAX_CHARS for chunk in chunks)
    assert not any(chunk.text.endswith("The items are:") for chunk in chunks)
    for chunk in chunks[1:]:
        assert all(
            line.startswith("- item") or line.startswith("The items")
            for line in chunk.text.split("\n")
            if line
        )


def test_parts_are_balanced(tmp_path: Path) -> None:
    paragraphs = [" ".join(sentence(10 * p + s) for s in range(3)) for p in range(7)]
    chunks = chunk_document(load_page(tmp_path, "\n\n".join(paragraphs) + "\n"))
    sizes = [len(chunk.text) for chunk in chunks]
    assert max(sizes) - min(sizes) < 500, sizes


# --- ids ----------------------------------------------------------------------------------


BODY = (
    "# Example Page - NCI\n\nIntro.\n\n## Alpha\n\nAlpha text.\n\n## Beta\n\n{beta}\n\n"
    "### Beta sub\n\nBeta sub text.\n\n## Gamma\n\n"
    + "\n\n".join(sentence(i, 40) for i in range(8))
    + "\n"
)


def test_editing_one_section_keeps_the_other_ids(tmp_path: Path) -> None:
    before = chunk_document(load_page(tmp_path, BODY.format(beta="Beta text."), "a.md"))
    after = chunk_document(
        load_page(tmp_path, BODY.format(beta="Beta text, edited and longer."), "b.md")
    )
    assert [chunk.chunk_id for chunk in before] == [chunk.chunk_id for chunk in after]
    changed = [
        b.section for b, a in zip(before, after, strict=True) if b.content_hash != a.content_hash
    ]
    assert changed == [f"{TITLE} > Beta"]
    moved = [
        b.section
        for b, a in zip(before, after, strict=True)
        if (b.start, b.end) != (a.start, a.end)
    ]
    assert f"{TITLE} > Alpha" not in moved


def test_ids_do_not_depend_on_the_position_of_the_section(tmp_path: Path) -> None:
    before = chunk_document(load_page(tmp_path, BODY.format(beta="Beta text."), "a.md"))
    body = BODY.format(beta="Beta text.").replace("## Alpha", "## New\n\nNew text.\n\n## Alpha")
    after = chunk_document(load_page(tmp_path, body, "b.md"))
    assert {chunk.chunk_id for chunk in before} < {chunk.chunk_id for chunk in after}
    assert len(after) == len(before) + 1


def test_ids_depend_on_url_and_repeated_headings_are_told_apart(tmp_path: Path) -> None:
    body = "## Overview\n\nOne.\n\n## Overview\n\nTwo.\n"
    first = chunk_document(load_page(tmp_path, body, "a.md"))
    other = chunk_document(load_page(tmp_path, body, "b.md", url="https://www.cancer.gov/other"))
    assert len({chunk.chunk_id for chunk in first}) == 2
    assert not {chunk.chunk_id for chunk in first} & {chunk.chunk_id for chunk in other}
    assert all(re.fullmatch(r"[0-9a-f]{20}", chunk.chunk_id) for chunk in first)


def test_same_page_same_chunks(tmp_path: Path) -> None:
    document = load_page(tmp_path, BODY.format(beta="Beta."))
    assert chunk_document(document) == chunk_document(document)


# --- properties ---------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["cancer", "Cells", "dose", "a", "U.S.", "e.g.", "(PDQ®)", "5%", "naïve", "–", "x_y", "café"]
)
MARKUP = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "__",
        "`",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "\\",
        "|",
        "#",
        "!",
        ". ",
        "\n",
        "  ",
        "\t",
    ]
)
INLINE = st.lists(
    st.one_of(
        WORDS, MARKUP, WORDS.map(lambda w: f"[{w}](/x/{w})"), WORDS.map(lambda w: f"**{w}**")
    ),
    max_size=40,
).map(" ".join)
LINE = st.one_of(
    INLINE,
    INLINE.map(lambda text: "## " + text),
    INLINE.map(lambda text: "#### " + text),
    INLINE.map(lambda text: "- " + text),
    INLINE.map(lambda text: "| " + text.replace("\n", " ") + " | b |"),
    st.just("| --- | --- |"),
    st.just("```"),
    st.just(""),
    st.just("Placeholder slot"),
    st.just("> " + "quoted"),
    st.text(alphabet="ab .*_[]()!#|`<>\\-\n", max_size=30),
)
MARKDOWN = st.lists(LINE, min_size=1, max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=MARKDOWN, max_chars=st.sampled_from([100, 160, 1_200]))
@example(body="# Example Page - NCI\n\n**[a](b)** c", max_chars=100)
@example(body="x" * 250 + " y", max_chars=100)
def test_chunks_map_back_to_the_body(body: str, max_chars: int) -> None:
    result = load_text(page_text(body), path="page.md")
    if result.document is None:
        return  # an empty body is refused by the loader
    document = result.document
    chunks = chunk_document(document, max_chars=max_chars)
    assert_maps_back(document, chunks)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.text and chunk.text == chunk.text.strip()
        assert len(chunk.text) <= max_chars or " " not in chunk.text.strip()
        assert chunk.heading_path[0] == document.front_matter.title


@settings(max_examples=300, deadline=None)
@given(markdown=st.text(max_size=200))
def test_any_text_cleans_with_valid_offsets(markdown: str) -> None:
    text, offsets = plain_text_with_offsets(markdown)
    assert len(text) == len(offsets)
    assert all(a <= b for a, b in itertools.pairwise(offsets))
    assert all(0 <= offset < len(markdown) for offset in offsets)
    assert all(char.isspace() or markdown[offsets[i]] == char for i, char in enumerate(text))
    assert text == text.strip()


# --- the real NCI KB ----------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.slow
def test_every_nci_kb_page_chunks(nci_kb: Path) -> None:
    pages = chunks_seen = 0
    ids: set[str] = set()
    for _, path in iter_kb_files([nci_kb]):
        document = load_file(path).document
        if document is None:
            continue  # the loader's tests cover refused pages
        chunks = chunk_document(document)
        pages += 1
        chunks_seen += len(chunks)
        for chunk in chunks:
            assert 0 <= chunk.start < chunk.end <= len(document.body)
            assert chunk.text == chunk.text.strip() != ""
            # The chunker never goes over max_chars (a sentence longer than that is cut
            # between words), which is stricter than "over by at most one sentence".
            assert len(chunk.text) <= DEFAULT_MAX_CHARS, (path, chunk.section)
            assert "](" not in chunk.text, (path, chunk.section)
            assert document.body[chunk.start] == chunk.text[0]
            assert document.body[chunk.end - 1] == chunk.text[-1]
        ids.update(chunk.chunk_id for chunk in chunks)
        if pages % 50 == 0:
            assert_maps_back(document, chunks)
    assert pages > 1_000
    assert len(ids) == chunks_seen
