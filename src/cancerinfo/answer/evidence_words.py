"""What headings, titles and questions say, for :mod:`cancerinfo.answer.evidence`: how a
section's heading fits a part of the answer (heading cues), the words that name a cancer's
site or kind (learned from the KB's titles: the word before "cancer"/"tumor", disease names
ending in -oma or -emia), and the audience an age asks for ("our 7yo": pages for children).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cancerinfo.policies import WORD_START, any_of, unless

SECTION_SEPARATOR = " > "
#: A heading cue within the first words of the heading marks what the section is about.
LEADING_WORDS = 4
#: "non-Hodgkin", "non-small cell": the word after "non" is ruled out, not named
NEGATED = re.compile(r"\bnon[-\s]+([a-z0-9]+)")
SITE_BEFORE = re.compile(r"\b([a-z][a-z-]+) (?:cancers?|tumors?|neoplasms?|carcinomas?)\b")
DISEASE_ENDING = re.compile(r"\b([a-z]+(?:emia|omas?))\b")
#: "cancer of the stomach", "a tumor in her brain"
SITE_AFTER = re.compile(
    r"\b(?:cancers?|tumou?rs?|carcinomas?|neoplasms?|malignanc(?:y|ies))\s+(?:of|in|on)\s+(?:the|my|his|her|their|your|a)?\s*"
    r"(?:left |right |upper |lower )?([a-z][a-z-]+)"
)
CANCER_WORD = re.compile(r"^(?:cancers?|tumou?rs?|carcinomas?|neoplasms?)$")
LIST_JOINERS = frozenset({"and", "or", "&", "/", ","})
SITE_TOKEN = re.compile(r"[a-z][a-z-]*|[,&/]")

#: The first part of an answer plan for a question on living with cancer (a side effect,
#: eating, coping, caregiving, children, fertility and sex, costs): pages on no particular
#: cancer among the search's first ``evidence.LIVING_WITH_LEADING_PAGES`` keep their place before the
#: pages of a cancer or drug the question names (never another drug's page, nor, when a drug
#: is named, a page on another kind of treatment). 6 chosen on answers-dev and -dev-2 (3 gave
#: dev-2 best page 37 of 70, 6 and 10 gave 39). Against none: dev-2 best page 35 -> 38, short
#: answer 32 -> 34, key fact 19 -> 22; answers-dev unchanged (62, 59, 47 of 75).
LIVING_WITH_PARTS = frozenset(
    {"manage_side_effect", "eating", "caregiving", "talk_children", "fertility_sex", "coping_support", "cost_care"}
)


def cue_pattern(stem: str) -> re.Pattern[str]:
    """A heading cue as a pattern: at a word start, any case, any white space between its words."""
    return re.compile(WORD_START + "(?:" + re.escape(stem.lower()).replace(r"\ ", r"\s+") + ")", re.IGNORECASE)


def heading_cues(headings: Iterable[str], not_headings: Iterable[str] = ()) -> list[re.Pattern[str]]:
    """A part's heading cues as one pattern (a list of it, or empty): one pass over a heading.
    ``not_headings``: a text naming one of these anywhere is never a fit, whatever cue it holds
    ("After lung cancer has been diagnosed, tests are done to find out if cancer cells have
    spread" names tests and diagnosis but is about staging)."""
    merged = any_of([cue_pattern(heading).pattern for heading in headings])
    if merged is None:
        return []
    return [unless(merged, any_of([cue_pattern(heading).pattern for heading in not_headings]))]


def heading_fit(cues: list[re.Pattern[str]], section: str, title: str, *, opening: bool, first_section: bool) -> int | None:
    """How well a section fits a part of the answer: 0 when a cue opens its own heading
    ("Signs and symptoms of ..."), 1 when a cue is elsewhere in it (or in the page title,
    for a page's opening section), 2 when a cue is only in a parent heading, 3 for a page's
    opening section when the part allows it; None when it does not fit."""
    last = section.split(SECTION_SEPARATOR)[-1]
    if not last:  # the opening section: the page title is its heading (its sections come first)
        return 1 if any(cue.search(title) for cue in cues) else (3 if first_section and opening else None)
    if not any(cue.search(section) for cue in cues):  # most headings: no cue anywhere in the path
        return 3 if first_section and opening else None
    leading = " ".join(last.split()[:LEADING_WORDS])  # leading and last are parts of the path
    if any(cue.search(leading) for cue in cues):
        return 0
    if any(cue.search(last) for cue in cues):
        return 1
    return 2


def found_in(pattern: re.Pattern[str] | None, text: str) -> bool:
    """Does ``pattern`` (None: no cues) occur in ``text``?"""
    return pattern is not None and pattern.search(text) is not None


def site_words(titles: Iterable[str], *, ignore: frozenset[str]) -> frozenset[str]:
    """Words that name a cancer's site or kind in the KB's titles (see the module doc)."""
    found: set[str] = set()
    for title in titles:
        lowered = title.lower()
        found.update(match.group(1) for match in SITE_BEFORE.finditer(lowered))
        found.update(match.group(1) for match in DISEASE_ENDING.finditer(lowered))
    return frozenset(word for word in found if word not in ignore and len(word) > 2)


#: An age typed with its unit ("our 7yo", "my 15 yr old", "a 10-year-old", "16 y/o").
_AGE = re.compile(r"\b(\d{1,2})\s*-?\s*(?:yo\b|y/o\b|(?:yrs?|years?)\s*-?\s*old\b)", re.IGNORECASE)
#: Below this age the person asked about is a child: pages for children are not narrower
#: than the question ("our 7yo has leukemia" -> the pages for parents of a child with cancer).
CHILD_BELOW_AGE = 18
CHILD_WORDS = frozenset({"child", "children", "childhood", "kids", "adolescents", "teen", "teens", "teenager", "teenagers"})
#: Title words of pages for adults: put after the others when a question asks about children
#: ("and for kids?" after a question on a cancer's treatment: "Childhood Hodgkin Lymphoma
#: Treatment" before "Adult Hodgkin Lymphoma Treatment").
ADULT_WORDS = frozenset({"adult", "adults"})


def young_asked(question: str) -> frozenset[str]:
    """The audience words a question asks by giving an age under 18 ("our 7yo", "my 15 yr
    old"): those of pages for children and teenagers; none otherwise."""
    if any(int(m.group(1)) < CHILD_BELOW_AGE for m in _AGE.finditer(question)):
        return CHILD_WORDS
    return frozenset()


#: The one with cancer is the asker or a parent ("i have breast cancer", "since my diagnosis",
#: "mommy has cancer"): a child the question names is told about it, not ill.
_GROWN_UP_ILL = re.compile(
    r"\b(?:i|mommy|mummy|mom|mum|daddy|dad|mama|papa)(?: have| has| had|'ve got|'s got| got| was| am| is)"
    r"(?: been)?(?: diagnosed with| having treatment for)? (?:\w+ ){0,2}"
    r"(?:cancer|leuka?emia|lymphoma|myeloma|melanoma|sarcoma|carcinoma|tumou?r)\b"
    r"|\bmy (?!(?:son|daughter|child|kid|baby|boy|girl|toddler|teen|teenager|nephew|niece|grandson|granddaughter|grandchild|stepson|stepdaughter)s?\b)"
    r"(?:\w+ ){0,2}(?:cancer|diagnosis)\b",
    re.IGNORECASE,
)


def audience_asked(words: Iterable[str], question: str) -> set[str]:
    """The audience words a question asks: its own ``words``, those of an age under 18, and
    every child word when it says one ("and for kids?" asks for the "Childhood ..." pages) —
    but not "childhood" when the asker or a parent has the cancer ("how do i tell my 6 yr old
    that mommy has cancer": the pages on talking with children, not those for a child with
    cancer), unless the question says it."""
    words = set(words)
    asked = words | young_asked(question)
    if asked & CHILD_WORDS:
        asked |= CHILD_WORDS
        if "childhood" not in words and _GROWN_UP_ILL.search(question):
            asked.discard("childhood")
    return asked


def for_other_audience(title: frozenset[str], asked: set[str], qualifiers: frozenset[str]) -> bool:
    """A page titled for another audience than ``asked`` (:func:`audience_asked`): a title
    word of ``qualifiers`` not asked ("Childhood ...", "... Research"), or "Adult ..." when
    children are asked and adults are not ("and for kids?", not "a kids cancer doctor or an
    adult one")."""
    return bool((title & qualifiers) - asked) or bool(asked & CHILD_WORDS and title & ADULT_WORDS and not asked & ADULT_WORDS)


#: The address of a research news page ("https://www.cancer.gov/types/breast/research/...",
#: ".../news-events/cancer-currents-blog/..."): read as titled "research".
RESEARCH_URL = re.compile(r"/(?:research|news-events)/")
#: The address of a page for adults whose title does not say so (".../patient/adult-hodgkin-
#: treatment-pdq" is titled "Hodgkin Lymphoma Treatment"; ".../patient/adult/laryngeal-..."):
#: read as titled "adult", a page for another audience than a question about children.
ADULT_URL = re.compile(r"/adult(?:-[a-z0-9-]*-pdq(?:$|[/?#])|/)")


def address_words(url: str) -> frozenset[str]:
    """The audience a page's address names when its title need not: "research" for a research
    news page (:data:`RESEARCH_URL`), "adult" for a PDQ page for adults (:data:`ADULT_URL`)."""
    return frozenset(
        word for word, pattern in (("research", RESEARCH_URL), ("adult", ADULT_URL)) if pattern.search(url)
    )


def sites_in(text: str, sites: frozenset[str]) -> set[str]:
    """The ``sites`` (cancer site words of the KB's titles) that ``text`` names as a cancer
    ("stage 3 colon cancer", "cancer of the stomach", "lymphoma", "breast, ovarian or
    pancreatic cancer"), not a body part in passing ("sick to her stomach", "skin rash",
    "brain fog")."""
    lowered = text.lower()
    found = {m.group(1) for pattern in (SITE_BEFORE, DISEASE_ENDING, SITE_AFTER) for m in pattern.finditer(lowered)}
    tokens = SITE_TOKEN.findall(lowered)
    for position, token in enumerate(tokens):
        if CANCER_WORD.match(token):
            back = position - 1
            while back >= 0 and (tokens[back] in sites or tokens[back] in LIST_JOINERS):
                found.add(tokens[back])
                back -= 1
    return found & sites


#: A word of a title, for the kinds of treatment it names.
_TITLE_WORD = re.compile(r"[a-z]+")


def treatment_kinds(title: str, words: frozenset[str]) -> frozenset[str]:
    """The kinds of treatment ``title`` names, among ``words`` ("Angiogenesis Inhibitors",
    "Radiation Therapy Side Effects"); "cancer therapy" is treatment in general, no kind of
    it ("Cancer Therapy Interactions With Foods and Dietary Supplements")."""
    found = _TITLE_WORD.findall(title.lower())
    return frozenset(w for i, w in enumerate(found) if w in words and not (i and found[i - 1] == "cancer"))
