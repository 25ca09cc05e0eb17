"""Lexicon terms: plain words with a few marks, matched against a message's words."""

from __future__ import annotations

import pytest

from cancerinfo.triage.terms import TermError, TermSet
from cancerinfo.triage.text import Reader


def terms(*texts: str, spaced: bool = True) -> TermSet:
    reader = Reader("en", stemmer="english" if spaced else None, rewrites={"cant": "can't"}, lexicon_words=(), spaced=spaced)
    found = TermSet(reader)
    for index, text in enumerate(texts):
        found.add(text, f"t{index}")
    return found


def matched(term_set: TermSet, message: str) -> list[str]:
    text = term_set.reader.prepare(message)
    words = term_set.reader.words(text) if term_set.reader.spaced else []
    return sorted({m.group for m in term_set.find(text, words)})


@pytest.mark.parametrize(
    ("term", "message", "found"),
    [
        ("can't breathe", "i cant breathe", True),
        ("can't breathe", "he can't breathing properly", True),
        ("(short|out) of breath", "so out of breath", True),
        ("(really)? sick", "sick", True),
        ("(really)? sick", "really sick", True),
        ("cough ... blood", "coughing up some blood", True),
        ("cough ... blood", "cough and then after a while blood", False),  # four words between
        ("_ days ago", "started 3 days ago", True),
        ("suicid*", "feeling suicidal", True),
        ("what's the point $", "what's the point", True),
        ("what's the point $", "what's the point of vitamins", False),
        ("hair", "hairy cell leukemia", False),  # whole words only
        ("blood", "coughing. blood", True),
        ("cough blood", "cough. blood", False),  # never across a sentence end
        ("twice && (morphine|dose)", "gave mum her morphine twice", True),  # any order
        ("twice && (morphine|dose)", "twice the morphine", True),
        ("twice && (morphine|dose)", "i called twice. her morphine is due", False),  # one sentence only
        ("twice && (morphine|dose)", "i called twice today", False),  # every part needed
        ("mistake && took && pill*", "took two pills by mistake", True),
    ],
)
def test_term_marks(term: str, message: str, found: bool) -> None:
    assert (matched(terms(term), message) == ["t0"]) is found


def test_only_terms_that_can_start_at_a_word_are_tried() -> None:
    term_set = terms("chest pain", "(short|out) of breath", "_ days ago", "suicid*")
    assert term_set._by_stem.keys() >= {"chest", "short", "out"}
    assert len(term_set._anywhere) == 1  # "_ days ago" can start anywhere
    assert matched(term_set, "chest pain and out of breath") == ["t0", "t1"]


def test_unspaced_terms_are_substrings_with_alternatives() -> None:
    term_set = terms("发烧|發燒|发热", spaced=False)
    assert matched(term_set, "我妈妈化疗后发烧了") == ["t0"]
    assert matched(term_set, "我妈妈很好") == []


def test_unspaced_terms_with_parts_need_every_part() -> None:
    term_set = terms("胸口 && 痛|疼", spaced=False)
    assert matched(term_set, "爸爸胸口很痛") == ["t0"]
    assert matched(term_set, "爸爸胸口不舒服") == []


@pytest.mark.parametrize(
    "bad", ["(a|b", "a|b)", "(a||b)", "...", "... fever", "fever ...", "", "_", "fever &&", "&& fever"]
)
def test_bad_terms_are_refused(bad: str) -> None:
    with pytest.raises(TermError):
        terms(bad)


@pytest.mark.parametrize(
    ("term", "message"),
    [
        # each is found: the words a term cannot do without are worked out without losing a match
        ("(_|a few|several) (days|weeks) ago", "started 3 weeks ago"),
        ("(_|a few|several) (days|weeks) ago", "a few days ago it began"),
        ("(really )?(can't|cannot) breathe", "really cant breathe"),
        ("(a|_) fever && (chemo|infusion)", "high fever since the infusion"),
        ("suicid* ... (thought|thinking)", "suicidal thinking again"),
        ("(=pus|(green|yellow) ooze) (from|at) (the)? (line|port)", "yellow ooze from the port"),
    ],
)
def test_a_term_is_found_wherever_the_message_holds_its_words(term: str, message: str) -> None:
    assert matched(terms(term), message) == ["t0"]


def test_a_term_is_not_tried_where_a_word_it_needs_is_missing() -> None:
    found = terms("(_|a few) (days|weeks) ago", "(chemo|_) fever", "(really)? sick")
    needs = {term.text: [sorted(need) for need in term.needs] for term in found.terms}
    assert needs["(_|a few) (days|weeks) ago"] == [["day", "week"], ["ago"]]
    assert needs["(chemo|_) fever"] == [["fever"]]  # "_" names no word: the choice needs none
    assert needs["(really)? sick"] == [["sick"]]  # an optional choice needs nothing
