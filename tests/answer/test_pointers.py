"""Lines that point at what the page shows elsewhere, or promise a list the answer would
not show, are not quoted on their own ("Common situations that they describe are below.",
"Try these 10 tips ...", "But, there are things you can do to make it easier to learn."); a
list of links is not quoted as if its labels were facts; a sub-list's item does not open a
short answer without the item that leads into it; a capital letter after a lower-case word
ends a sentence ("... stage D. To learn more ...")."""

from __future__ import annotations

from cancerinfo.answer.citations import Unit, sentences
from cancerinfo.answer.composer import Composer
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.answer.quoting import _Prepared
from cancerinfo.answer.windows import _windows
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()


def prepared(text: str) -> tuple[list[str], list[str]]:
    """The units of a one-chunk page, and those the composer may quote."""
    document = patient_page(1, "Caregivers - NCI", "caregivers")
    chunk = ChunkRow(1, "caregivers-0", 0, 0, "Caregivers", text)
    kb = MemoryKB([document], {0: f"# Caregivers\n\n{text}\n"}, [chunk])
    composer: Composer = pages.composer_on(kb, [document], [chunk], POLICY)
    ready = composer._prepared[chunk]
    return [u.text for u in ready.candidates], [ready.candidates[i].text for i in ready.quotable]


def test_a_line_pointing_below_is_not_quoted_alone() -> None:
    text = (
        "Caregiving can be stressful for the whole family. Common situations that they describe are below.\n\n"
        "A summary of their findings can be found below in the Summary Report.\n\n"
        "Cancer can spread to lymph nodes below the diaphragm."
    )
    _, quotable = prepared(text)
    assert "Caregiving can be stressful for the whole family." in quotable
    assert "Common situations that they describe are below." not in quotable
    assert not any("can be found below" in q for q in quotable)
    assert "Cancer can spread to lymph nodes below the diaphragm." in quotable  # below, the body part


def test_a_promise_of_tips_is_quoted_only_with_its_list() -> None:
    alone = "Lack of appetite is a common problem during treatment. Try these 10 tips for people with cancer.\n\nTips about foods to eat:\n\n- Eat foods that smell good."
    _, quotable = prepared(alone)
    assert "Try these 10 tips for people with cancer." not in quotable
    assert "Eat foods that smell good." in quotable
    with_list = "Here are some ways to help you eat well:\n- Eat small meals.\n- Sip water."
    _, quotable = prepared(with_list)
    assert "Here are some ways to help you eat well:" in quotable  # it leads into its items
    _, quotable = prepared("There is a lot to learn about cancer and treatment. But, there are things you can do to make it easier to learn.")
    assert quotable == ["There is a lot to learn about cancer and treatment."]


def test_a_list_of_links_is_not_quoted() -> None:
    text = (
        "Learn about other digestive system problems in people with cancer\n\n"
        "- Diarrhea\n- Bowel Obstruction\n- Radiation Enteritis\n\n"
        "Signs of constipation include:\n\n- dry, hard, or lumpy stool\n- stomach pain or cramps"
    )
    units, quotable = prepared(text)
    assert "Bowel Obstruction" in units
    assert not {"Diarrhea", "Bowel Obstruction", "Radiation Enteritis"} & set(quotable)
    assert "dry, hard, or lumpy stool" in quotable and "Signs of constipation include:" in quotable


def test_a_list_of_symptoms_after_an_intro_is_quoted() -> None:
    _, quotable = prepared("Call your doctor if you have any of these signs:\n\n- Fever\n- Chills")
    assert {"Fever", "Chills"} <= set(quotable)


def test_a_sub_list_item_does_not_open_a_short_answer() -> None:
    units = [
        Unit("Filgrastim is approved to reduce the chance of infection in patients with:", False, 0),
        Unit("Neutropenia caused by some types of chemotherapy, including:", True, 1),
        Unit("Chemotherapy for acute myeloid leukemia.", True, 1),
        Unit("Myeloablative chemotherapy before a bone marrow transplant.", True, 1),
    ]
    ready = _Prepared(units, [True, True, False, False], [u.text for u in units], [0, 1, 2, 3], frozenset())
    windows = _windows(ready, ready.quotable)
    assert windows, "the list is quotable from its intro"
    assert not any(window[0] in (2, 3) for window in windows)
    assert any(window[0] == 0 and 2 in window for window in windows)


def test_a_capital_letter_after_a_lower_case_word_ends_a_sentence() -> None:
    assert sentences("This includes BCLC stage D. To learn more, see Metastatic Cancer.") == [
        "This includes BCLC stage D.",
        "To learn more, see Metastatic Cancer.",
    ]
    assert sentences("Take vitamin D. It helps bones.") == ["Take vitamin D.", "It helps bones."]
    # an initial after a name stays inside its sentence
    assert sentences("The study by John F. Kennedy Center staff ended.") == ["The study by John F. Kennedy Center staff ended."]
