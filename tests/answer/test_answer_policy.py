"""policies/answer.yaml is validated on load; a bad file names the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cancerinfo.answer.plan import asking_sentences, load_answer_policy
from cancerinfo.errors import PolicyError
from cancerinfo.policies import any_of, cue_pattern, policy_path


def write_changed(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(policy_path("answer.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "answer.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_shipped_policy_loads_and_every_plan_names_known_sections() -> None:
    policy = load_answer_policy()
    for intent, kinds in policy.plans.items():
        assert kinds, intent
        assert all(kind in policy.sections for kind in kinds)
    assert "not medical advice" in policy.disclaimer


def test_a_plan_naming_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = write_changed(tmp_path, lambda d: d["plans"].__setitem__("symptoms", ["warning_signs", "horoscope"]))
    with pytest.raises(PolicyError, match=re.escape("plans.symptoms: unknown section kind 'horoscope'")):
        load_answer_policy(path)


def test_a_missing_threshold_names_its_key(tmp_path: Path) -> None:
    path = write_changed(tmp_path, lambda d: d["gate"].pop("min_similarity"))
    with pytest.raises(PolicyError, match=re.escape("gate.min_similarity")):
        load_answer_policy(path)


def test_a_bad_regular_expression_is_refused(tmp_path: Path) -> None:
    path = write_changed(tmp_path, lambda d: d["skip_lines"].append("(unclosed"))
    with pytest.raises(PolicyError, match="bad regular expression"):
        load_answer_policy(path)


def test_a_kb_section_needs_heading_cues(tmp_path: Path) -> None:
    path = write_changed(tmp_path, lambda d: d["sections"]["warning_signs"].__setitem__("headings", []))
    with pytest.raises(PolicyError, match=re.escape("sections.warning_signs")):
        load_answer_policy(path)


def test_answer_intents_are_found_by_their_cues() -> None:
    policy = load_answer_policy()
    assert policy.classify("How should someone prepare for the first oncology visit?") == "visit_preparation"
    assert policy.classify("What questions should I ask my doctor about myeloma?") == "doctor_questions"
    assert policy.classify("What is myeloma?") is None


def test_the_asked_part_is_classified_before_the_background() -> None:
    policy = load_answer_policy()
    # the background names a new diagnosis, the question asks about fertility
    assert policy.classify("just diagnosed with lymphoma, chemo starts soon. can I still have children after it?") == "fertility_sex"
    # the whole message still counts when the asked part names no intent
    assert policy.classify("just diagnosed with lymphoma. what now?") == "new_diagnosis"
    # one sentence: as before (the first intent in the file's order wins)
    assert policy.classify("just diagnosed, can I still have children") == "new_diagnosis"
    assert policy.classify("on steroids with my chemo and I keep gaining weight. how do I stop it?") == "eating"
    # "how does it work?" asks what a named drug does, whatever the story names around it
    assert policy.classify("my oncologist wants me on arimidex for 5 yrs. how does it work? im post menopause") == "drug_use"


def test_a_long_run_on_sentence_asks_only_in_its_asking_clauses() -> None:
    run_on = (
        "my son had neuroblastoma when he was 3 and got a lot of chemo incl cisplatin, hes 9 now and doing great, "
        "but his teacher says he doesnt seem to hear her in class, the pediatrician said maybe wax but i read chemo "
        "can mess with hearing, can it really show up years later like this"
    )
    assert asking_sentences(run_on) == "can it really show up years later like this"
    # a short sentence with commas, or a long one no clause of which asks, stays whole
    assert asking_sentences("my dad is on ninlaro, is it a chemo?") == "my dad is on ninlaro, is it a chemo?"
    story = "my dad started ninlaro last month, his feet tingle a bit, he walks less, " * 3
    assert asking_sentences(story.strip()) == story.strip()


def test_any_of_merges_patterns_and_refuses_ones_that_refer_to_their_own_groups() -> None:
    merged = any_of([r"side effects?", r"(?<!\w)dose\b"])
    assert merged is not None
    assert merged.search("What SIDE EFFECT does it have?") and merged.search("the dose")
    assert not merged.search("overdosed")
    assert any_of([]) is None
    for self_referring in (r"(a)\1", r"(?P<x>a)(?P=x)", r"(a)?(?(1)b|c)"):
        with pytest.raises(ValueError, match="refers to its own groups"):
            any_of(["cancer", self_referring])


def test_cue_pattern_reads_word_starts_spaces_and_whole_word_marks() -> None:
    cues = cue_pattern(["side effect", "lump$", "Hair$"])
    assert cues.search("what SIDE   effects does it have")  # any case, any run of spaces
    assert not cues.search("beside effects")  # starts a word only
    assert cues.search("a lump in my neck") and cues.search("lump?")
    assert not cues.search("after my lumpectomy")  # "$": the whole word only
    assert cues.search("will my hair grow back") and not cues.search("hairy cell leukemia")
    whole = cue_pattern(["dose", "side effect"], whole_words=True, flags=0)
    assert whole.search("the dose is") and not whole.search("the doses") and not whole.search("side effects")
    assert not cue_pattern([]).search("anything")
    assert not cue_pattern(["dose"], flags=0).search("DOSE")  # flags=0: a text already lower-cased


WORD_START_CUES = [r"(?<!\w)(?:dose)", r"(?<!\w)(?:side\s+effects?|harms)", r"(?<!\w)(?:[]x]-ray)", r"(?<!\w)(?:a\)b)"]
TEXTS = ["the dose", "overdosed", "Side Effects of drugs", "sideeffects", "]-ray", "x-ray", "an a)b", "harmsx", "no cue"]


def test_any_of_writes_the_word_start_check_once_and_finds_what_each_pattern_finds() -> None:
    merged = any_of(WORD_START_CUES)
    assert merged is not None and merged.pattern.startswith(r"(?<!\w)(?:(?:dose)|")  # hoisted
    for text in TEXTS:
        each = [m for p in WORD_START_CUES if (m := re.search(p, text, re.IGNORECASE))]
        first = min(each, key=lambda m: m.start(), default=None)
        found = merged.search(text)
        assert (found is None) == (first is None), text
        if found is not None and first is not None:
            assert found.start() == first.start(), text


@pytest.mark.parametrize(
    "patterns",
    [
        [r"(?<!\w)a|b", r"(?<!\w)(?:c)"],  # the check belongs to "a" only
        [r"(?<!\w)(?:a)(?:b)|c", r"(?<!\w)(?:d)"],  # more than one group
        [r"(?<!\w)(?:a)", r"e"],  # one pattern without the check
    ],
)
def test_any_of_keeps_each_patterns_own_check_when_hoisting_would_change_it(patterns: list[str]) -> None:
    merged = any_of(patterns)
    assert merged is not None and not merged.pattern.startswith(r"(?<!\w)(?:(?:")
    for text in ["xb", "b", "xab", "xc", "xe", "ab c", "a"]:
        expected = any(re.search(p, text, re.IGNORECASE) for p in patterns)
        assert bool(merged.search(text)) == expected, text


@pytest.mark.parametrize(
    ("line", "skipped"),
    [
        ("A skin cancer lesion that looks reddish brown (left panel) and an open sore (right panel).", True),
        ("Our 8 tips for food safety during cancer treatment can help you handle food.", True),
        ("When I get home from class, my mom and I take turns staying with my dad.", True),
        ("I’m so tired after every treatment that I sleep all afternoon.", True),
        ("In stage I, cancer has formed in the lining of the bladder.", False),
        ("Stages I and II are treated with surgery.", False),
        ("Radioactive iodine (I-131) is given by mouth.", False),
        ("Our bodies need protein to heal after surgery.", False),
        ("For information about a specific stage of cervical cancer, see Cervical Cancer Stages.", True),
        ("To learn about the cancer stages, see Stages of Soft Tissue Sarcoma.", True),
        ("For questions you might want to ask at your appointments, visit Questions to Ask Your Doctor.", True),
        ("To see if cancer is present, the cells are looked at under a microscope.", False),
        ("For some people, seeing a counselor helps.", False),
        ("General information about clinical trials is also available.", True),
        ("A Guide is available for patients and doctors to learn more about the benefits and harms of screening.", True),
        ("Parents and older children may want to read about different types of childhood cancer in our guide.", True),
        ("Play the audio-described version of this video.", True),
        ("Use our clinical trial search to find NCI-supported cancer clinical trials that are accepting patients.", True),
        ("A radioactive substance and/or blue dye is injected near the tumor (first panel).", True),
        ("Support groups are also available for caregivers in many hospitals.", False),
        ("Free wigs are available from some cancer centers.", False),
        ("Your child may want to read books about cancer written for children.", False),
        ("Learn about cancer treatment side effects.", True),
        ("Learn more about clinical trials.", True),
        # a label that opens advice, not a link teaser
        ("Learn about treatments: Based on symptoms you are having, your oncologist or a urologist will advise you on treatment options.", False),
        ("Learn about condoms and/or contraceptives: Condoms may be advised to prevent your partner's exposure.", False),
    ],
)
def test_page_furniture_and_personal_stories_are_skip_lines(line: str, skipped: bool) -> None:
    patterns = [re.compile(p, re.IGNORECASE) for p in load_answer_policy().skip_lines]
    assert any(p.search(line) for p in patterns) is skipped


@pytest.mark.parametrize(
    "question",
    [
        "is dr patel at county general any good? anyone have reviews",
        "which brand of cold cap works best during chemo",
        "how much is an mri at st mary's if i pay cash",
        "what time does the infusion center pharmacy close on saturdays",
        "how long is the waitlist at the cancer center in albany",
        "which surgeon at memorial is best for whipple",
    ],
)
def test_a_question_about_one_place_person_or_product_asks_local_details(question: str) -> None:
    assert load_answer_policy().asks_local_details(question)


@pytest.mark.parametrize(
    "question",
    [
        "my oncologist reviews my scans every 3 months, what is she looking for",
        "is there any good food to eat with mouth sores",
        "which is better for early breast cancer, lumpectomy or mastectomy",
        "what is watchful waiting for prostate cancer",
        "what time of day should i take tamoxifen",
    ],
)
def test_ordinary_questions_do_not_ask_local_details(question: str) -> None:
    assert load_answer_policy().asks_local_details(question) is None


def test_a_bad_local_details_pattern_is_named(tmp_path: Path) -> None:
    path = write_changed(tmp_path, lambda data: data.__setitem__("local_details", ["(unclosed"]))
    with pytest.raises(PolicyError, match=r"answer\.yaml.*bad regular expression.*\(unclosed"):
        load_answer_policy(path)
