"""A sentence that points back at the one before it ("This is a doctor who ...") is never
quoted without it: composer.needs_before and the short answer's windows."""

from __future__ import annotations

import pytest

from cancerinfo.answer.citations import Unit
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.answer.quoting import needs_before


def paragraph(*texts: str) -> list[Unit]:
    return [Unit(text, False, 0) for text in texts]


@pytest.mark.parametrize(
    ("second", "points_back"),
    [
        ("This is a doctor who specializes in cancers of the stomach.", True),
        ("These clinics are usually found within hospitals.", True),
        ("They will work with you and your family.", True),
        ("Such changes often go away after treatment.", True),
        ("This page describes the stages of liver cancer.", False),  # the page itself
        ("It can help to write your questions down.", False),  # "it" often stands alone
        ("Thistle tea is not a treatment.", False),  # a whole word only
        ("Your doctor will recommend tests.", False),
        # a connective answers or qualifies the sentence before
        ("However, if your hysterectomy was related to cervical cancer, talk with your provider.", True),
        ("As a result, much research has been done.", True),
        ("Instead, they increase the chance of DNA damage.", True),
        ("Also, talk with them before you decide to go on a diet.", True),
        ("But there is no proof that any diet can cure cancer.", False),  # reads on its own
        ("Howevermuch is not a word.", False),
    ],
)
def test_a_sentence_opening_on_a_word_pointing_back(second: str, points_back: bool) -> None:
    units = paragraph("You will be referred to a gastrointestinal oncologist.", second)
    assert needs_before(units, 1) is points_back


def test_only_within_a_paragraph_and_never_for_a_list_item_or_the_first_sentence() -> None:
    first = Unit("These tests are used to find liver cancer.", False, 0)
    assert not needs_before([first], 0)  # nothing before it: it opens the section
    other_paragraph = [Unit("Blood tests may be done.", False, 0), Unit("These tests look for markers.", False, 1)]
    assert not needs_before(other_paragraph, 1)
    item = [Unit("Some tests:", False, 0), Unit("These may include an ultrasound.", True, 0)]
    assert not needs_before(item, 1)


def test_a_short_answer_window_never_opens_on_a_sentence_pointing_back() -> None:
    from cancerinfo.answer.quoting import _Prepared
    from cancerinfo.answer.windows import _windows

    units = paragraph(
        "If you are diagnosed with stomach cancer, you will be referred to a gastrointestinal oncologist.",
        "This is a doctor who specializes in diagnosing and treating cancers of the stomach.",
        "Your doctor will recommend tests to find out if the cancer has spread.",
    )
    prepared = _Prepared(units, [False] * 3, [u.text for u in units], [0, 1, 2], frozenset())
    windows = _windows(prepared, [0, 1, 2])
    assert [0, 1] in windows and [0, 1, 2] in windows and [2] in windows
    assert not any(window[0] == 1 for window in windows)


def test_the_encoder_compares_several_sections_not_only_the_windows_of_one_paragraph() -> None:
    # twelve windows of one paragraph hold more of the question's words than the two of
    # another section; the encoder finds the other section closer: it must get to compare it
    from types import SimpleNamespace

    import numpy as np

    from cancerinfo.answer.composer import Composer
    from cancerinfo.answer.evidence import ChunkRow
    from cancerinfo.answer.quoting import _Prepared
    from cancerinfo.answer.short_weights import SHORT_CANDIDATES

    wordy = ChunkRow(1, "c-wordy", 0, 0, "Chemotherapy and fertility", "")
    fitting = ChunkRow(2, "c-fitting", 0, 1, "Fertility preservation", "")
    texts = {
        "c-wordy": [f"Chemotherapy can harm fertility in way {i}." for i in range(12)],
        "c-fitting": ["Egg freezing removes mature eggs and freezes them.", "Embryo freezing is another option."],
    }
    prepared = {
        chunk: _Prepared([Unit(t, False, 0) for t in texts[chunk.chunk_id]], [], [], [], frozenset())
        for chunk in (wordy, fitting)
    }
    scored = [(0.9 - 0.01 * i, 0.9 - 0.01 * i, wordy, [i]) for i in range(12)]
    scored += [(0.7, 0.7, fitting, [0]), (0.69, 0.69, fitting, [1])]
    assert len([s for s in scored if s[2] is wordy]) > SHORT_CANDIDATES

    def embed(batch: list[str]) -> np.ndarray:
        # the question first; the egg-freezing sentence points the same way as the question
        return np.array([[1.0, 0.0]] + [[0.9, 0.1] if "Egg" in t else [0.1, 0.9] for t in batch[1:]])

    fake = SimpleNamespace(_prepared=prepared, policy=load_answer_policy())  # its answer_types: none asked here
    ranked = Composer._short_ranked(fake, "can i freeze eggs before chemo", scored, embed, None)  # type: ignore[arg-type]
    assert ranked[0][3] is fitting and ranked[0][4] == [0]
