"""The 'words the pages never use' gate reads other forms of a word ("amputation" for
"amputate") and still catches a word the pages do not have in any form."""

from __future__ import annotations

import numpy as np

from cancerinfo.answer.evidence import ChunkRow
from cancerinfo.answer.gate import KBWords, missing_specific_words
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.index.postings import Postings
from cancerinfo.triage.lexicon import load_triage_files

#: the Snowball stem the assistant gives KBWords (the triage's English reader)
ROOT = load_triage_files().lexicons["en"].reader.stem

# a KB of 1,000 chunks (three shown); chunk 1 is the page the answer would quote
WORDS = {
    "limb": [1],
    "sparing": [1],
    "surgery": [1, 2],
    "amputation": [1],
    "amputations": [2],
    "tumor": [1, 2, 3],
    "grapefruit": [3],
    "coffee": [3],
    "dropping": [3],
    "oh": [4],
    "ip": [5],
    "bi": [6],
    "rads": [6],
    "rad": [6],
}


def kb_words() -> KBWords:
    vocabulary = {word: i for i, word in enumerate(WORDS)}
    starts = np.cumsum([0, *(len(rows) for rows in WORDS.values())]).astype(np.int64)
    rows = np.array([r for rows in WORDS.values() for r in rows], dtype=np.int64)
    weights = np.ones(len(rows), dtype=np.float64)
    return KBWords(Postings(vocabulary, starts, rows, weights), total_chunks=1000, root=ROOT)


PAGE = [ChunkRow(1, "c1", 0, 0, "Surgery", "Limb-sparing surgery removes a tumor without amputation.")]


def test_another_form_of_a_word_on_the_page_is_not_missing() -> None:
    words = kb_words()
    assert "amputation" in words.forms("amputate")
    assert "amputate" not in words.forms("amputate")  # the word itself is not another form
    missing = missing_specific_words(
        "will they have to amputate his leg", PAGE, ["Bone Cancer"], words, load_answer_policy(), only_unknown=False
    )
    assert "amputate" not in missing


def test_a_word_the_page_has_in_no_form_is_still_missing() -> None:
    missing = missing_specific_words(
        "can i eat grapefruit after surgery", PAGE, ["Bone Cancer"], kb_words(), load_answer_policy(), only_unknown=False
    )
    assert "grapefruit" in missing


def test_a_short_unknown_acronym_is_missing_and_not_read_as_two_short_words() -> None:
    # "OHIP" (Ontario's health plan) is no KB word; "oh" and "ip" are, but a 4-letter word is
    # not two words run together, while "birads" is "BI-RADS" written as one
    words = kb_words()
    assert not words.compound("ohip") and words.compound("birads")
    assert words.compound("birad")  # the stem the gate looks up for "BIRADS"
    missing = missing_specific_words(
        "does OHIP cover limb sparing surgery", PAGE, ["Bone Cancer"], words, load_answer_policy(), only_unknown=True
    )
    assert missing == ["ohip"]


def test_a_negation_typed_without_its_apostrophe_is_not_a_missing_term() -> None:
    missing = missing_specific_words(
        "he hasnt had limb sparing surgery and wont talk about amputation", PAGE, ["Bone Cancer"], kb_words(),
        load_answer_policy(), only_unknown=True,
    )
    assert missing == []


def test_everyday_words_typos_texting_and_ages_are_not_missing_terms() -> None:
    # "watch" and "mentioned" are everyday words, "finshed" and "growin" one letter off
    # one, "shud" and "wks" texting spellings, "7yo" and "3wks" ages and times: none is a
    # term the pages must hold, whether a drug is named (all rare words count) or not
    question = "our 7yo finshed limb sparing surgery 3wks ago, the doc mentioned we shud watch for growin pains"
    for only_unknown in (True, False):
        missing = missing_specific_words(question, PAGE, ["Bone Cancer"], kb_words(), load_answer_policy(), only_unknown=only_unknown)
        assert missing == [], (only_unknown, missing)


def test_a_term_one_letter_from_an_everyday_word_is_read_as_a_typo_only_when_long() -> None:
    # "ohip" is one letter from "ship" but four letters long: still a term the pages lack
    missing = missing_specific_words(
        "does ohip cover limb sparing surgery", PAGE, ["Bone Cancer"], kb_words(), load_answer_policy(), only_unknown=True
    )
    assert missing == ["ohip"]


def test_of_a_named_drug_an_everyday_thing_is_asked_and_an_everyday_doing_is_not() -> None:
    # rare words the KB uses, not on the pages: "coffee" is what is asked of the drug,
    # "dropping" (a verb's -ing form) is what the person is doing
    missing = missing_specific_words(
        "he keeps dropping things after limb sparing surgery, should he avoid coffee", PAGE, ["Bone Cancer"],
        kb_words(), load_answer_policy(), only_unknown=False,
    )
    assert missing == ["coffee"]


def test_chat_shorthand_is_not_a_missing_term() -> None:
    # "idk what that even looks like", "tbh", "incl": how people text, not what they ask about
    question = "idk tbh, his limb sparing surgery incl the tumor, gonna be ok? ugh"
    for only_unknown in (True, False):
        missing = missing_specific_words(question, PAGE, ["Bone Cancer"], kb_words(), load_answer_policy(), only_unknown=only_unknown)
        assert missing == [], (only_unknown, missing)
