"""Quotable units and word-for-word quote checks against real page Markdown."""

from __future__ import annotations

from pathlib import Path

from cancerinfo.answer.citations import fold, quote_in_page, sentences, units
from cancerinfo.kb.loader import load_file

PAGE = """# Example

Signs of [laryngeal cancer](/Common/PopUps/popDefinition.aspx?id=1 "def") include a **hoarse voice**.
It may also cause
a lump in the neck.

These tests may be used:

- [Physical exam](https://example.org/exam) and health history.
- Laryngoscopy.

Placeholder slot

Another paragraph here.
"""


def test_a_sentence_with_its_link_target_and_emphasis_removed_is_in_the_page() -> None:
    assert quote_in_page("Signs of laryngeal cancer include a hoarse voice.", PAGE)


def test_a_quote_may_span_a_line_break_of_the_markdown() -> None:
    assert quote_in_page("It may also cause a lump in the neck.", PAGE)


def test_consecutive_list_items_are_one_quote_without_their_markers() -> None:
    assert quote_in_page("Physical exam and health history. Laryngoscopy.", PAGE)


def test_words_that_are_not_the_page_are_refused() -> None:
    assert not quote_in_page("Signs of laryngeal cancer include a sore throat.", PAGE)
    assert not quote_in_page("hoarse voice is a sign", PAGE)
    assert not quote_in_page("", PAGE)
    # a link target is not text a reader sees
    assert not quote_in_page("popDefinition.aspx", PAGE)


def test_units_are_sentences_and_list_items_in_order() -> None:
    found = units(
        "Intro sentence one. Sentence two, e.g. with an abbreviation.\n\n- item one\n- item two\n\nA | table | row"
    )
    assert [u.text for u in found] == [
        "Intro sentence one.",
        "Sentence two, e.g. with an abbreviation.",
        "item one",
        "item two",
    ]
    assert [u.list_item for u in found] == [False, False, True, True]


def test_sentences_do_not_split_after_an_initial() -> None:
    assert sentences("Made in the U.S. and sold. Next one.") == [
        "Made in the U.S. and sold.",
        "Next one.",
    ]


def test_fold_makes_typographic_apostrophes_plain() -> None:
    assert fold("It’s   “fine”") == 'It\'s "fine"'


def test_every_unit_of_a_seed_page_chunk_is_found_in_the_page(examples_kb: Path) -> None:
    from cancerinfo.index.chunking import chunk_document

    for path in sorted(examples_kb.rglob("*.md")) + sorted(examples_kb.rglob("*.txt")):
        document = load_file(path).document
        assert document is not None
        for chunk in chunk_document(document):
            for unit in units(chunk.text):
                assert quote_in_page(unit.text, document.body), (path.name, unit.text)


def test_a_quote_never_runs_across_an_image() -> None:
    page = "First paragraph ends here.\n\n![A diagram of the breast](/img/x.jpg)\n\nSecond paragraph starts.\n"
    assert quote_in_page("First paragraph ends here.", page)
    assert quote_in_page("Second paragraph starts.", page)
    assert not quote_in_page("First paragraph ends here. Second paragraph starts.", page)


def test_units_know_their_paragraph() -> None:
    found = units("One. Two.\n\nIntro:\n\n- a\n- b")
    assert [u.block for u in found] == [0, 0, 1, 2, 2]


def test_a_list_item_ending_in_a_colon_runs_on_into_its_sub_list_and_no_further() -> None:
    import itertools

    from cancerinfo.answer.quoting import _continues

    found = units("- a mole that:\n\n    - changes in size, shape, or color\n    - itches\n\n- Some text after.")
    assert [u.text for u in found] == ["a mole that:", "changes in size, shape, or color", "itches", "Some text after."]
    assert [_continues(a, b) for a, b in itertools.pairwise(found)] == [True, True, False]
    # a list item that does not lead into a list does not run on into the next block
    plain = units("- Some text here.\n\n- changes in size, shape, or color")
    assert not _continues(plain[0], plain[1])
