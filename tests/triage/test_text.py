"""Reading a message: folding, rewrites, stems, sentences and typo mending."""

from __future__ import annotations

import pytest

from cancerinfo.triage.text import Reader, common_words, emoji_words, fold, split_sentences


def english(*lexicon: str) -> Reader:
    return Reader(
        "en",
        stemmer="english",
        rewrites={"cant": "can't", "cannot": "can't", "rn": "right now"},
        lexicon_words=lexicon,
        known_words=common_words(),
    )


def test_fold_lowers_unifies_apostrophes_and_drops_latin_accents() -> None:
    assert fold("Mi MAMÁ  no puede\nrespirar") == "mi mama no puede respirar"
    assert fold("I can’t") == "i can't"
    assert fold("Mąż ma gorączkę, zemdlał") == "maz ma goraczke, zemdlal"
    # accents of other scripts stay; Vietnamese keeps its tones when asked
    assert fold("Bố tôi bị sốt", keep_accents=True) == "bố tôi bị sốt"
    assert fold("Bố tôi bị sốt") == "bo toi bi sot"


def test_emoji_are_read_as_their_names() -> None:
    assert emoji_words("\U0001f397\ufe0f stage 4 \U0001f494 done. \U0001f52b") == "reminder ribbon stage 4 broken heart done. pistol"
    # a run of one emoji is read once; skin tones, joiners and flag letters only shape them
    assert emoji_words("\U0001f48a\U0001f48a\U0001f48a \u26b0\ufe0f \U0001f44b\U0001f3fd") == "pill coffin waving hand sign"
    # symbols that are not emoji stay: a degree sign, a check mark; a text without emoji is unchanged
    assert emoji_words("38.6 \u00b0C \u2713 \U0001f637") == "38.6 \u00b0C \u2713 face with medical mask"
    assert emoji_words("temp 38.6 °C, no emoji") == "temp 38.6 °C, no emoji"


def test_sentences_end_at_marks_but_not_inside_numbers() -> None:
    assert split_sentences("temp 38.6 now. Help! is it ok?") == ["temp 38.6 now", "Help", "is it ok"]
    assert split_sentences("fever 38,5; chills\nshaking") == ["fever 38,5", "chills", "shaking"]


def test_rewrites_apply_to_whole_words_only() -> None:
    reader = english()
    assert reader.prepare("I cant breathe rn") == "i can't breathe right now"
    assert reader.prepare("the cantata") == "the cantata"


def test_words_carry_stems_so_one_form_covers_others() -> None:
    reader = english()
    stems = [w.stem for w in reader.words(reader.prepare("wants ending capsules breathing"))]
    assert stems == [reader.stem("want"), reader.stem("end"), reader.stem("capsule"), reader.stem("breathe")]
    assert reader.stem("hairy") != reader.stem("hair")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("feaver", "fever"), ("brething", "breathing"), ("vomitting", "vomiting"), ("wnat", "want"), ("suicdal", "suicidal")],
)
def test_small_typos_are_mended_to_a_lexicon_word(typed: str, meant: str) -> None:
    reader = english("fever", "breathing", "vomiting", "want", "what", "suicidal")
    assert reader.mend(typed) == meant


def test_known_words_and_short_words_are_never_mended() -> None:
    reader = english("fever", "blood")
    assert reader.mend("never") == "never"  # a common word one letter from "fever"
    assert reader.mend("flood") == "flood"
    assert reader.mend("fevr") == "fever"
    assert reader.mend("fev") == "fev"  # too short to guess


def test_a_tie_is_left_alone_unless_letters_were_swapped() -> None:
    reader = english("bleed", "breed")
    assert reader.mend("bxeed") == "bxeed"  # one letter from both
    reader = english("want", "what")
    assert reader.mend("wnat") == "want"


def test_common_words_are_the_encoder_vocabulary() -> None:
    words = common_words()
    assert len(words) > 20_000
    assert {"never", "fever", "want", "breath"} <= words
    assert "##ing" not in words
