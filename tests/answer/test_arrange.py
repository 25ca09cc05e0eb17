"""How an answer is laid out (answer.arrange) and how stages are read (composer.stages_named),
on hand-made sections: the expected layouts are worked out here by hand."""

from __future__ import annotations

import pytest

from cancerinfo.answer.arrange import Layout, arrange, words
from cancerinfo.answer.contract import Citation, Section
from cancerinfo.answer.windows import stages_named


def cite(n: int, chunk: str, url: str = "https://example.org/a") -> Citation:
    return Citation(n, url, "A page", "A section", chunk, f"quote {n}", "NCI", "02_nci_core", None, "2025-01-01", "ok")


def kb(kind: str, text: str) -> Section:
    numbers = sorted({int(part.split("]")[0]) for part in text.split("[")[1:]})
    return Section(kind, kind.title(), text, numbers, "kb")


SHORT = (Section("short_answer", "Short answer", "- Hair often grows back after treatment ends. [9]", [9], "kb"), cite(9, "c-short"))
NO_SAME: tuple[Section | None, list[Citation]] = (None, [])


def test_the_short_answer_comes_first_then_at_most_two_parts_and_the_rest_is_more() -> None:
    sections = [
        kb("one", "- Talk with your care team about ways to manage hair loss before it starts. [1]"),
        kb("two", "- Treat your hair gently and use a soft brush every day. [2]"),
        kb("three", "- A cold cap may lower hair loss for some kinds of chemotherapy. [3]"),
        Section("questions_for_doctor", "Questions", "- Will my hair fall out?", [], "policy"),
    ]
    citations = [cite(1, "c1"), cite(2, "c2"), cite(3, "c3")]
    shown, more, renumbered = arrange(
        SHORT, NO_SAME, sections, citations, Layout(200, 2, 3), keep_policy={"questions_for_doctor"}
    )
    assert [s.kind for s in shown] == ["short_answer", "one", "two", "questions_for_doctor"]
    assert [s.kind for s in more] == ["three"]
    # numbered in reading order: the short answer is [1], "more" comes after what is shown
    assert shown[0].text.endswith("[1]") and shown[1].text.endswith("[2]") and more[0].text.endswith("[4]")
    assert [(c.n, c.chunk_id) for c in renumbered] == [(1, "c-short"), (2, "c1"), (3, "c2"), (4, "c3")]


def test_the_word_budget_stops_a_part_but_never_leaves_it_empty() -> None:
    long_line = "- " + " ".join(["word"] * 30) + ". [1]"
    sections = [kb("one", "\n".join([long_line, long_line.replace("[1]", "[2]")]))]
    shown, more, _ = arrange(None, NO_SAME, sections, [cite(1, "c1"), cite(2, "c2")], Layout(40, 2, 3), keep_policy=set())
    assert len(shown) == 1 and words(shown[0].text) == 30  # the second line would pass 40 words
    assert len(more) == 1 and words(more[0].text) == 30


def test_a_supporting_part_far_from_the_question_goes_to_more() -> None:
    sections = [
        kb("near", "- Hair loss usually starts two to four weeks after chemotherapy starts. [1]"),
        kb("far", "- Hairy cell leukemia is a cancer of the blood and bone marrow. [2]"),
    ]
    scores = {"c1": 0.62, "c2": 0.21}
    shown, more, _ = arrange(
        SHORT, NO_SAME, sections, [cite(1, "c1"), cite(2, "c2")], Layout(200, 2, 3, 0.4),
        keep_policy=set(), relevance=lambda cited: [scores[c.chunk_id] for c in cited],
    )
    assert [s.kind for s in shown] == ["short_answer", "near"]
    assert [s.kind for s in more] == ["far"]


def test_list_items_are_never_shown_without_their_intro_nor_an_intro_without_items() -> None:
    bare_items = kb("items", "- Depression. [1]\n- Anxiety. [1]")
    lone_intro = kb("intro", "- Other treatments may be given in addition to surgery: [2]")
    whole = kb("whole", "- Signs of depression may include: [3]\n- Feeling sad most of the day. [3]")
    shown, more, _ = arrange(
        None, NO_SAME, [bare_items, lone_intro, whole], [cite(1, "c1"), cite(2, "c2"), cite(3, "c3")],
        Layout(200, 3, 3), keep_policy=set(),
    )
    assert [s.kind for s in shown] == ["whole"]
    assert "Signs of depression may include:" in shown[0].text and "Feeling sad" in shown[0].text
    assert {s.kind for s in more} == {"items", "intro"}


def test_a_line_pointing_at_what_follows_is_never_the_last_line_shown() -> None:
    pointing = kb(
        "pointing",
        "- Hair loss is common with some kinds of chemotherapy. [1]\n"
        "- You may want to ask your doctor some of the following questions before treatment. [1]",
    )
    shown, more, _ = arrange(None, NO_SAME, [pointing], [cite(1, "c1")], Layout(200, 2, 3), keep_policy=set())
    assert shown[0].text == "- Hair loss is common with some kinds of chemotherapy. [1]"
    assert "following questions" in more[0].text  # kept behind "more from these pages"


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        ("stage 3 colon cancer", {"iii"}),
        ("cervical cancer stage 4a - what does the A mean", {"iv"}),
        ("Stage IIIB", {"iii"}),
        ("Stage IA1 and IA2 cervical cancer.", {"i"}),
        ("It is divided into stages IA and IB, based on the size", {"i"}),
        ("stages II and IV", {"ii", "iv"}),
        ("Stage IIIC1: cancer has spread", {"iii"}),
        ("the stage of the cancer matters", set()),
        ("a four-stage process", set()),
    ],
)
def test_stages_named(text: str, stages: set[str]) -> None:
    assert stages_named(text) == stages


def test_an_intro_whose_items_were_not_kept_is_dropped_even_mid_part() -> None:
    # the items of "approved to treat:" [2] are not in the part; an item of another quote follows
    part = kb(
        "uses",
        "- Imatinib is used for leukemia that came back after other treatment. [1]\n"
        "- Imatinib mesylate is approved to treat: [2]\n"
        "- chronic phase cancer that got worse after interferon therapy [3]",
    )
    shown, _, _ = arrange(None, NO_SAME, [part], [cite(1, "c1"), cite(2, "c2"), cite(3, "c3")], Layout(200, 2, 3), keep_policy=set())
    assert "approved to treat:" not in shown[0].text
    assert "came back after other treatment" in shown[0].text and "interferon therapy" in shown[0].text


def test_a_sentence_already_shown_is_not_shown_again_from_another_page() -> None:
    short = (Section("short_answer", "Short answer", "- A mole that changes in size, shape, or color [9]", [9], "kb"), cite(9, "c-short"))
    first = kb("first", "- These signs may be caused by melanoma or by other conditions. [1]")
    second = kb(
        "second",
        "- These signs may be caused by melanoma or by other conditions [2]\n"
        "- a mole that changes in size, shape, or color. [2]\n"
        "- A sore that does not heal is another sign to check. [2]",
    )
    shown, _, _ = arrange(
        short, NO_SAME, [first, second], [cite(1, "c1", "https://example.org/a"), cite(2, "c2", "https://example.org/b")],
        Layout(200, 2, 3), keep_policy=set(),
    )
    texts = [s.text for s in shown]
    assert texts[1] == "- These signs may be caused by melanoma or by other conditions. [2]"
    # the other page's copies (other case, other punctuation) are gone; its new line stays
    assert texts[2].splitlines() == ["- A sore that does not heal is another sign to check. [3]"]


def test_more_of_the_short_answers_own_section_has_its_own_closeness_bar() -> None:
    same = kb("same_section", "- Anger is a common feeling after a cancer diagnosis and it is normal. [1]")
    other = kb("other", "- Spiritual care can help some people find meaning during treatment. [2]")
    scores = {"c1": 0.48, "c2": 0.48}
    citations = [cite(1, "c1"), cite(2, "c2")]

    def relevance(cited: list[Citation | None]) -> list[float]:
        return [scores[c.chunk_id] if c is not None else 0.0 for c in cited]

    shown, more, _ = arrange(
        SHORT, (same, [citations[0]]), [other], citations, Layout(200, 2, 3, 0.52, 0.45),
        keep_policy=set(), relevance=relevance,
    )
    assert [s.kind for s in shown] == ["short_answer", "same_section"]
    assert [s.kind for s in more] == ["other"]
    # without a bar of its own the same section meets the other parts' bar
    shown, more, _ = arrange(
        SHORT, (same, [citations[0]]), [other], citations, Layout(200, 2, 3, 0.52), keep_policy=set(), relevance=relevance,
    )
    assert [s.kind for s in shown] == ["short_answer"]


def test_a_heading_that_is_a_sentence_is_not_quoted_again_in_a_later_part() -> None:
    # PDQ pages use sentences as headings and also list them as "key points" at the top
    heading = "Certain factors affect prognosis (chance of recovery) and treatment options."
    first = Section("same_section", heading, "- The prognosis depends on the stage of the cancer. [1]", [1], "kb")
    second = kb(
        "second",
        f"- {heading[:-1]} [2]\n"
        "- The type of lymphoma also matters for the outlook. [2]",
    )
    shown, _, _ = arrange(
        SHORT, NO_SAME, [first, second], [cite(1, "c1"), cite(2, "c2")], Layout(200, 2, 3), keep_policy=set(),
    )
    assert [s.title for s in shown] == ["Short answer", heading, "Second"]
    assert shown[2].text.splitlines() == ["- The type of lymphoma also matters for the outlook. [3]"]


def quote(n: int, chunk: str, text: str) -> Citation:
    """A citation of ``text`` (a quote of chunk ``chunk`` of one page) numbered ``n``."""
    return Citation(n, "u", "P", "S", chunk, text, "NCI", "02", None, "2025-01-01", "ok")


def arranged_on(page: str, *args: object) -> tuple[list[Section], list[Section], list[Citation]]:
    """:func:`arrange` (short, same, parts, citations) with a page of text: a quote's place is where
    it stands in ``page``, and two quotes run on when ``page`` holds them one after the other."""
    return arrange(
        *args, Layout(200, 2, 3), keep_policy=set(),  # type: ignore[arg-type]
        place=lambda c: page.find(c.quote), adjoins=lambda a, b: f"{a.quote} {b.quote}" in page,
    )


def test_a_later_part_quoting_the_same_page_section_joins_it_in_page_order_as_one_citation() -> None:
    # the page: "Prognosis depends on: - the stage - the type - the age"; the same-section part
    # shows the intro and the first item, a later part the rest of the list under another heading
    page = "Prognosis depends on: the stage of the cancer. the type of lymphoma. the patient's age and health."
    same_cites = [
        quote(1, "c-list", "Prognosis depends on: the stage of the cancer."),
    ]
    later_cites = [
        quote(2, "c-list", "the type of lymphoma. the patient's age and health."),
        quote(3, "c-other", "Other factors were studied in trials of new drugs."),
    ]
    same = kb("same_section", "- Prognosis depends on: [1]\n- the stage of the cancer. [1]")
    later = kb(
        "outlook",
        "- the type of lymphoma. [2]\n- the patient's age and health. [2]\n- Other factors were studied in trials of new drugs. [3]",
    )
    shown, more, citations = arranged_on(page, SHORT, (same, same_cites), [later], later_cites)
    assert [s.kind for s in shown] == ["short_answer", "same_section", "outlook"]
    # the list runs on under its own heading, one citation for the whole run of the page
    assert shown[1].text.splitlines() == [
        "- Prognosis depends on: [2]", "- the stage of the cancer. [2]",
        "- the type of lymphoma. [2]", "- the patient's age and health. [2]",
    ]
    assert shown[2].text.splitlines() == ["- Other factors were studied in trials of new drugs. [3]"]
    assert citations[1].quote == f"{same_cites[0].quote} {later_cites[0].quote}"
    assert more == []


def test_joined_lines_keep_the_page_order_and_an_intro_cut_from_its_items_goes() -> None:
    # the later part holds the list's intro, whose first item is the short answer: in page
    # order the intro would stand before other items, cited apart: it is dropped
    page = "Imatinib is approved to treat: acute leukemia in adults. chronic leukemia in children. chronic eosinophilic leukemia in adults."
    cites = [
        quote(1, "c-list", "chronic eosinophilic leukemia in adults."),
        quote(2, "c-list", "Imatinib is approved to treat:"),
    ]
    short = (Section("short_answer", "Short answer", "- acute leukemia in adults. [9]", [9], "kb"), cite(9, "c-list"))
    same = kb("same_section", "- chronic eosinophilic leukemia in adults. [1]")
    later = kb("uses", "- Imatinib is approved to treat: [2]")
    shown, _, _ = arranged_on(page, short, (same, cites[:1]), [later], cites[1:])
    assert [s.kind for s in shown] == ["short_answer", "same_section"]
    assert shown[1].text.splitlines() == ["- chronic eosinophilic leukemia in adults. [2]"]


def test_bare_list_items_of_another_list_of_the_section_are_not_joined_without_their_intro() -> None:
    # the section has two lists; the later part quotes items of the second without its intro
    page = "Risks of screening include: a small hole in the stomach. Risk factors include: partial gastrectomy. smoking."
    same_cites = [quote(1, "c-sec", "Risks of screening include: a small hole in the stomach.")]
    later_cites = [quote(2, "c-sec", "partial gastrectomy. smoking.")]
    same = kb("same_section", "- Risks of screening include: [1]\n- a small hole in the stomach. [1]")
    later = kb("screening", "- partial gastrectomy [2]\n- smoking [2]")
    shown, _, _ = arranged_on(page, SHORT, (same, same_cites), [later], later_cites)
    assert [s.kind for s in shown] == ["short_answer", "same_section"]
    assert "gastrectomy" not in shown[1].text


def test_a_part_whose_lines_all_joined_the_same_section_part_lends_it_its_kind() -> None:
    page = "Prognosis depends on: the stage of the cancer. the type of lymphoma."
    same_cites = [quote(1, "c-list", "Prognosis depends on: the stage of the cancer.")]
    later_cites = [quote(2, "c-list", "the type of lymphoma.")]
    same = kb("same_section", "- Prognosis depends on: [1]\n- the stage of the cancer. [1]")
    later = kb("prognosis_factors", "- the type of lymphoma. [2]")
    shown, _, _ = arranged_on(page, SHORT, (same, same_cites), [later], later_cites)
    # the prognosis factors are shown, in the part now standing for them (its heading kept)
    assert [s.kind for s in shown] == ["short_answer", "prognosis_factors"]
    assert shown[1].title == "Same_Section" and "the type of lymphoma." in shown[1].text


def test_a_list_cut_after_its_first_item_is_not_shown_but_a_one_item_list_is() -> None:
    # three lines a part: the intro and one of its four items would show a list cut off
    cut = kb(
        "cut",
        "- There is no sure way to prevent lymphedema, but some steps may lower the risk. [1]\n"
        "- Your care team may suggest these things to do at home: [2]\n- Protect your skin. [2]\n"
        "- Keep the arm moving. [2]\n- Avoid tight sleeves. [2]\n- Stay at a healthy weight. [2]",
    )
    shown, more, _ = arrange(None, NO_SAME, [cut], [cite(1, "c1"), cite(2, "c1")], Layout(200, 1, 3), keep_policy=set())
    assert shown[0].text.count("\n") == 0 and "no sure way" in shown[0].text
    assert "things to do at home:" in more[0].text and "Protect your skin" in more[0].text
    # a list of one item is whole with its intro
    single = kb("single", "- Signs of a blood clot may include: [1]\n- Swelling of one leg. [1]")
    shown, _, _ = arrange(None, NO_SAME, [single], [cite(1, "c1")], Layout(200, 1, 3), keep_policy=set())
    assert "Swelling of one leg" in shown[0].text and "may include:" in shown[0].text


def test_with_no_short_answer_and_every_part_far_from_the_question_the_first_part_is_still_shown() -> None:
    # a follow-up whose words find other pages: the composed parts are on the quoted pages,
    # yet none reaches the closeness bar; the reply must not show the navigation alone
    sections = [
        kb("prognosis_factors", "- The 5-year relative survival rate for distant stomach cancer is 7%. [1]\n"
           "- Survival rates are estimates. [2]\n- They do not predict one person's outcome. [3]\n- Ask your doctor. [4]"),
        kb("staging_basics", "- Stage IV stomach cancer has spread to distant organs. [5]"),
        Section("questions_for_doctor", "Questions", "- What stage is the cancer?", [], "policy"),
    ]
    citations = [cite(n, f"c{n}") for n in range(1, 6)]
    shown, more, renumbered = arrange(
        None, NO_SAME, sections, citations, Layout(200, 2, 3, 0.4), keep_policy={"questions_for_doctor"},
        relevance=lambda cited: [0.1 for _ in cited],
    )
    assert [s.kind for s in shown] == ["prognosis_factors", "questions_for_doctor"]
    assert shown[0].text.splitlines() == [
        "- The 5-year relative survival rate for distant stomach cancer is 7%. [1]",
        "- Survival rates are estimates. [2]",
        "- They do not predict one person's outcome. [3]",
    ]
    assert [s.kind for s in more] == ["prognosis_factors", "staging_basics"]
    assert more[0].text == "- Ask your doctor. [4]"
    assert [c.chunk_id for c in renumbered] == ["c1", "c2", "c3", "c4", "c5"]
