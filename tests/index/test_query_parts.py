"""The small pure parts of search: query words and terms, topics, intents, policies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cancerinfo.errors import PolicyError
from cancerinfo.index.intent import GENERAL, IntentModel
from cancerinfo.index.lexical import lexical_terms, query_words
from cancerinfo.index.ranking import load_retrieval_policy
from cancerinfo.index.topics import build_topic_index, find_topic, title_topics
from cancerinfo.index.vocabulary import EntityMatch, Kind
from cancerinfo.policies import policy_path

GENERIC = frozenset({"treatment", "prevention", "screening", "pdq", "patient", "version", "nci"})


def test_query_words_drop_function_words_and_possessives() -> None:
    assert query_words("What are the symptoms of my mom's breast cancer?") == [
        "symptoms", "mom", "breast", "cancer",
    ]


def test_query_syntax_in_a_question_is_just_words() -> None:
    assert lexical_terms('breast" OR "lung* -chemo NEAR(a b) col:umn', [], []) == [
        "breast", "lung", "chemo", "near", "b", "col", "umn",
    ]


def test_lexical_terms_add_the_words_of_named_phrases_and_expansions() -> None:
    named = [
        EntityMatch("AML", 10, 13, "aml", "acute myeloid leukemia", Kind.ABBREVIATION, ()),
        EntityMatch("stem cell transplants", 20, 41, "stem cell transplants", "stem cell transplant", Kind.TITLE, ()),
    ]
    assert lexical_terms("Treatments for AML?", named, ["acute myeloid leukemia"]) == [
        "treatment", "aml", "stem", "cell", "transplant", "acute", "myeloid", "leukemia",
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.text(max_size=20), max_size=3))
def test_any_text_gives_plain_lexical_terms(text: str, expansions: list[str]) -> None:
    assert all(re.fullmatch(r"[a-z0-9]+", term) for term in lexical_terms(text, [], expansions))


def test_title_topics_strip_publisher_version_and_page_kind() -> None:
    topics = title_topics(
        "Intraocular (Uveal) Melanoma Treatment (PDQ®)–Patient Version - NCI", generic_words=GENERIC
    )
    assert topics == {"intraocular uveal melanoma", "intraocular melanoma"}


def test_the_subject_of_an_and_cancer_title_is_a_topic_unless_most_pages_use_the_word() -> None:
    # side-effect and coping pages are titled "<subject> and Cancer ...": a question names the subject
    titles = [(0, "Delirium and Cancer Treatment - Side Effects - NCI"), (1, "Nausea and Vomiting and Cancer - Side Effects - NCI"),
              (2, "Diets, Supplements, and Cancer - NCI"), (3, "Head and Neck Cancers - NCI"),
              (4, "Pain and Cancer Treatment - Side Effects - NCI")]
    # "pain" is a word of many pages' text (symptom stories, general pages), "delirium" of few
    pages = {"delirium": 1, "pain": 5}  # of 5 pages: more than the 2 pages a small KB allows
    index = build_topic_index(titles, generic_words=GENERIC, page_count=lambda word: pages.get(word, 0))
    assert find_topic("the nurse said hes got delirium now, what is that exactly", index) == ("delirium", {0})
    assert find_topic("any tips for nausea and vomiting on chemo", index)[1] == {1}
    assert find_topic("are diets supplements safe", index)[1] == {2}
    assert find_topic("upper abdominal pain going to the back and weight loss", index) == (None, set())
    # only the subject before "and cancer": "head" and "neck" are not topics of their own
    assert find_topic("my head hurts", index) == (None, set())
    assert title_topics("Head and Neck Cancers - NCI", generic_words=GENERIC) == {"head and neck cancers"}
    # without the pages' word counts, titles alone: no subject topics
    assert find_topic("what is delirium", build_topic_index(titles, generic_words=GENERIC)) == (None, set())


def test_each_part_of_a_subject_that_joins_two_is_a_topic_when_few_pages_use_it() -> None:
    titles = [(0, "Infection and Neutropenia and Cancer Treatment - Side Effects - NCI"),
              (1, "Mouth and Throat Problems and Cancer Treatment - Side Effects - NCI"),
              (2, "Memory or Concentration Problems and Cancer Treatment - NCI"),
              (3, "Hair Loss (Alopecia) and Cancer Treatment - NCI"), (4, "Pain and Cancer - NCI")]
    pages = {"infection": 5, "neutropenia": 1}  # of 5 pages: "infection" is a word of too many
    index = build_topic_index(titles, generic_words=GENERIC, page_count=lambda word: pages.get(word, 0))
    assert find_topic("also what is neutropenia, the nurse brought it up", index) == ("neutropenia", {0})
    assert find_topic("he has an infection", index) == (None, set())
    assert find_topic("her throat problems after radiation", index)[1] == {1}
    assert find_topic("memory problems after chemo", index)[1] == {2}
    # two words joined by no "and" / "or" are one subject: "loss" is no topic of its own
    assert find_topic("weight loss", index) == (None, set())


def test_the_longest_topic_in_a_question_wins() -> None:
    index = build_topic_index(
        [(0, "Acute Myeloid Leukemia Treatment - NCI"), (1, "Adult Acute Myeloid Leukemia Treatment - NCI"),
         (2, "Childhood Acute Myeloid Leukemia Treatment - NCI")],
        generic_words=GENERIC,
    )
    assert find_topic("What are the stages of Adult Acute Myeloid Leukemia ?", index)[1] == {1}
    assert find_topic("acute myeloid leukemia outlook", index)[1] == {0}
    assert find_topic("how do I bake bread", index) == (None, set())


def test_a_one_word_topic_shared_by_many_titles_is_dropped() -> None:
    titles = [(i, f"Cancer {word} - NCI") for i, word in enumerate("abcdefghijklmnopqrstuvwxyz")]
    titles.append((99, "Cancer - NCI"))
    index = build_topic_index(titles, generic_words=GENERIC)
    assert "cancer" not in index


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What are the early warning signs of colon cancer?", "symptoms"),
        ("how do doctors find out if it is leukemia", "diagnosis"),
        ("what are the side effects of tamoxifen", "side_effects"),
        ("Who is at risk for lung cancer?", "causes_risk"),
        ("can I lower the risk of breast cancer", "prevention"),
        ("should I get screened for prostate cancer", "screening"),
        ("What is the outlook for pancreatic cancer", "prognosis"),
        ("What are the stages of melanoma", "stages"),
        ("What is letrozole used to treat?", "drug_use"),
        ("what is a sarcoma", "definition"),
        ("hello there", GENERAL),
        ("found a lump in my armpit", "symptoms"),
        ("lumps under her arm", "symptoms"),
        # a whole-word cue ("lump$"): a lumpectomy is a treatment, not a symptom
        ("surgeon says i can pick lumpectomy + radiation or mastectomy", "treatment"),
    ],
)
def test_intents_of_ordinary_questions(question: str, intent: str) -> None:
    assert IntentModel.load().classify(question) == intent


def test_headings_map_to_intents_by_their_own_words() -> None:
    model = IntentModel.load()
    assert "symptoms" in model.heading_intents("Signs and Symptoms")
    assert "stages" in model.heading_intents("Stages of Adult Soft Tissue Sarcoma")
    assert "side_effects" in model.heading_intents("Possible Side Effects")
    assert model.heading_intents("Clinical Trials Accepting Patients") == {"clinical_trials"}


def test_a_bad_intents_policy_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text("version: 1\nintents:\n  symptoms:\n    question: [symptom]\n")
    with pytest.raises(PolicyError, match=r"intents\.symptoms\.heading"):
        IntentModel.load(path)


def test_a_bad_retrieval_policy_names_the_key(tmp_path: Path) -> None:
    good = policy_path("retrieval.yaml")
    path = tmp_path / "retrieval.yaml"
    text = re.sub(r"(?m)^rrf_k: \d+", "rrf_k: -1", good.read_text())
    assert "rrf_k: -1" in text
    path.write_text(text)
    with pytest.raises(PolicyError, match="rrf_k"):
        load_retrieval_policy(path)
    path.write_text(good.read_text() + "\nsurprise: 1\n")
    with pytest.raises(PolicyError, match="surprise"):
        load_retrieval_policy(path)


def test_a_retrieval_policy_written_for_the_fts5_query_still_loads(tmp_path: Path) -> None:
    """``lexical_max_term_share`` thinned the FTS5 query (gone): a deployment's file that
    still has it loads, and a bad value of it is still named."""
    path = tmp_path / "retrieval.yaml"
    path.write_text(policy_path("retrieval.yaml").read_text() + "\nlexical_max_term_share: 0.2\n")
    assert load_retrieval_policy(path).lexical_max_term_share == 0.2
    assert load_retrieval_policy().lexical_max_term_share is None
    path.write_text(policy_path("retrieval.yaml").read_text() + "\nlexical_max_term_share: 2\n")
    with pytest.raises(PolicyError, match="lexical_max_term_share"):
        load_retrieval_policy(path)


def test_tier_policy_gives_lower_tiers_more_and_refuses_negative_bonuses(tmp_path: Path) -> None:
    from cancerinfo.index.ranking import load_tier_policy

    tiers = load_tier_policy()
    assert tiers.bonus_of(2) > tiers.bonus_of(3) > tiers.bonus_of(4) == tiers.bonus_of(99) == tiers.default
    path = tmp_path / "tiers.yaml"
    path.write_text("version: 1\nbonus: {2: -0.1}\ndefault: 0\n")
    with pytest.raises(PolicyError, match=r"bonus\.2"):
        load_tier_policy(path)


def test_a_topic_is_named_by_its_words_stems_never_by_a_longer_word() -> None:
    index = build_topic_index(
        [(0, "Depression (PDQ®)–Patient Version - NCI"), (1, "Hairy Cell Leukemia Treatment - NCI"),
         (2, "Hair Loss - NCI")],
        generic_words=GENERIC,
    )
    # "depressed" and "depression" share the stem "depress"
    assert find_topic("how do i know if im actually depressed or just sad", index) == ("depression", {0})
    # the exact name still wins, and "hairy" (stem "hairi") never names "hair loss"
    assert find_topic("is hairy cell leukemia curable", index)[1] == {1}
    assert find_topic("my hair is losing its colour", index) == (None, set())
    assert find_topic("will my hairs loss stop", index)[1] == {2}
