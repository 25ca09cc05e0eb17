"""Safety triage (``policies/safety.yaml``): urgent, refused, abstained or answered.

The questions here are our own wording; ``benchmarks/heldout-triage.jsonl`` holds more,
and its agreement is checked at the end.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cancerinfo.answer.triage import (
    EMERGENCY_TEMPLATES,
    REFUSAL_KINDS,
    TEMPLATE_NAMES,
    Cue,
    CueList,
    SafetyPolicy,
    Triage,
    TriageResult,
    simplify,
)
from cancerinfo.errors import PolicyError
from cancerinfo.policies import policy_path

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "benchmarks" / "heldout-triage.jsonl"
# Stands in for "the KB vocabulary knows this term" in tests.
KB_TERMS = ("ixazomib", "selinexor", "lonsurf", "mekinist")


def known_terms(text: str) -> bool:
    return any(term in text.lower() for term in KB_TERMS)


@pytest.fixture(scope="module")
def policy() -> SafetyPolicy:
    return SafetyPolicy.load()


@pytest.fixture(scope="module")
def triage(policy: SafetyPolicy) -> Triage:
    return Triage(policy)


def contacts(policy: SafetyPolicy) -> dict[str, str]:
    return {
        "emergency_number": policy.emergency_number,
        "crisis_line": policy.crisis_line,
        "poison_control": policy.poison_control,
    }


# -- emergencies ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I can't get my breath and my inhaler isn't helping",
        "my chest is tight and it's really hard to breathe right now",
        "I've been coughing up clots of blood for the last hour",
        "Vomiting bright red blood this afternoon",
        "the wound from my port is gushing blood",
        "I'm bleeding from my rectum and I feel light-headed",
        "I passed out in the shower and I still feel faint",
        "Crushing chest pressure and sweating, I'm 62 and on treatment for lymphoma",
        "My left arm went numb suddenly and I can't find my words",
        "I have had a fever of 38.9 with shaking chills since chemo yesterday",
        "I haven't urinated since last night and my bladder is bursting",
        "my tongue is swelling up after the new drug",
        "I'm choking and can't swallow my saliva",
        "Worst headache of my life started ten minutes ago",
        "Severe stomach pain right now, can barely stand",
    ],
)
def test_emergencies_happening_now_are_urgent(triage: Triage, question: str) -> None:
    result = triage.assess(question)
    assert (result.status, result.category) == ("urgent", "emergency"), result
    assert result.matched
    assert result.reason is None
    assert result.questions_for_doctor == ()
    assert "emergency" in result.message


@pytest.mark.parametrize(
    "question",
    [
        "my wife collapsed and is not responding",
        "My grandfather is gasping and his lips look blue",
        "She is having a fit on the floor",
        "He suddenly can't move the right side of his body",
        "someone in the waiting room just fainted",
    ],
)
def test_third_person_emergencies_are_urgent(triage: Triage, question: str) -> None:
    assert triage.assess(question).status == "urgent"


@pytest.mark.parametrize(
    "question",
    [
        "I can’t breathe",
        "I can't breathe",
        "i cant breath",
        "I cannot breathe",
        "I CAN NOT BREATHE",
    ],
)
def test_apostrophes_and_negation_spellings(triage: Triage, question: str) -> None:
    assert triage.assess(question).category == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "What are the danger signs after a stem cell transplant that mean going to the ER?",
        "When should a person with leukemia go to the emergency department?",
        "Which symptoms of a brain tumor need urgent attention? Asking in general.",
        "What should you do if a cancer patient starts coughing up blood?",
        "Can lung cancer cause trouble breathing?",
        "what are red flags for spinal cord compression",
        "What does it mean if someone suddenly can't breathe?",
        "Is heavy bleeding a sign of cervical cancer?",
    ],
)
def test_questions_about_warning_signs_are_answered_with_emergency_guidance(
    triage: Triage, question: str
) -> None:
    result = triage.assess(question)
    assert result.status is None, result
    assert result.informational_emergency is True
    assert result.message == ""


@pytest.mark.parametrize(
    "question",
    [
        "I've had a sore throat and a hoarse voice for five weeks. What should I do?",
        "My mum needs a lung biopsy next week. How do I help her get ready?",
        "Ultrasound shows a thyroid nodule and a biopsy is planned. What usually comes after?",
        "I get short of breath when I climb stairs since my lung surgery",
        "My uncle had a seizure last year and now has a brain MRI booked. What questions can we ask?",
        "I noticed some blood on the toilet paper a couple of times this month",
        "My brother is tired all the time and his blood counts are low. What tests come next?",
    ],
)
def test_non_acute_symptom_stories_are_not_urgent(triage: Triage, question: str) -> None:
    result = triage.assess(question)
    assert result.status is None, result


# -- self-harm and poisoning ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I want to kill myself",
        "sometimes I think about suicide since my diagnosis",
        "I don’t want to be alive anymore",
        "I'm planning to hurt myself tonight",
        "my dad says he wants to end his life rather than have more chemo",
    ],
)
def test_self_harm_is_urgent_with_crisis_line_and_emergency_number(
    triage: Triage, policy: SafetyPolicy, question: str
) -> None:
    result = triage.assess(question)
    assert (result.status, result.category) == ("urgent", "self_harm")
    assert policy.crisis_line in result.message
    assert policy.emergency_number in result.message


def test_fear_of_dying_is_not_self_harm(triage: Triage) -> None:
    for question in (
        "I don't want to die from this cancer, what can I do?",
        "Am I going to die of pancreatic cancer?",
    ):
        assert triage.assess(question).category != "self_harm", question


@pytest.mark.parametrize(
    "question",
    [
        "I took too many of my sleeping pills by mistake",
        "my grandson swallowed some of my capecitabine",
        "She overdosed on her pain medicine",
        "I accidentally swallowed a fentanyl patch",
    ],
)
def test_poisoning_is_urgent_with_poison_control(
    triage: Triage, policy: SafetyPolicy, question: str
) -> None:
    result = triage.assess(question)
    assert (result.status, result.category) == ("urgent", "poisoning"), result
    assert policy.poison_control in result.message
    assert policy.emergency_number in result.message


def test_general_overdose_question_is_informational(triage: Triage) -> None:
    result = triage.assess("What happens if someone takes too many opioid pills?")
    assert result.status is None
    assert result.informational_emergency is True


# -- precedence --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("I swallowed all my morphine tablets because I want to die", "self_harm"),
        ("I want to end my life and I can't breathe", "self_harm"),
        ("I overdosed on my pills and now I can't breathe", "poisoning"),
        ("My dog is choking right now", "emergency"),
        ("My cat has a lump, is it cancer?", "out_of_scope"),
        ("What do I have?", "diagnose_me"),
    ],
)
def test_precedence(triage: Triage, question: str, category: str) -> None:
    assert triage.assess(question).category == category


# -- refusals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Is this lump in my neck cancer?", "diagnose_me"),
        ("Could these night sweats be lymphoma?", "diagnose_me"),
        ("Please diagnose me: rash, fever and weight loss", "diagnose_me"),
        ("Do I have skin cancer? The mole is itchy", "diagnose_me"),
        (
            "My mammogram result came back BI-RADS 5. What does my result mean?",
            "interpret_my_report",
        ),
        ("Can you interpret my MRI report?", "interpret_my_report"),
        ("Is my PET scan bad if it says SUV 8?", "interpret_my_report"),
        ("How much morphine should I take at night?", "set_my_dose"),
        ("What dose of tamoxifen should I be on?", "set_my_dose"),
        ("How many mg per kg for my son's methotrexate?", "set_my_dose"),
        ("Can I double my dose of anti-nausea medicine?", "set_my_dose"),
        ("Should I have radiation or surgery for my prostate cancer?", "choose_my_treatment"),
        ("Which treatment should I choose for stage 2 breast cancer?", "choose_my_treatment"),
        ("Should I stop my chemotherapy?", "choose_my_treatment"),
    ],
)
def test_personal_requests_are_refused_with_questions_for_doctor(
    triage: Triage, policy: SafetyPolicy, question: str, kind: str
) -> None:
    result = triage.assess(question)
    assert (result.status, result.category) == ("refused", kind), result
    assert result.reason is None
    assert result.questions_for_doctor == policy.refusal(kind).questions_for_doctor
    assert 3 <= len(result.questions_for_doctor) <= 5
    assert result.message == policy.fill(kind)


@pytest.mark.parametrize(
    "question",
    [
        "What does BI-RADS 4 mean?",
        "What is a biopsy?",
        "What doses of cisplatin are used?",
        "How is a CT report for lung cancer usually written?",
        "What are the treatment options for stage 2 breast cancer?",
        "Is this cancer hereditary?",
        "Report says HSIL on a Pap test. What does that mean in general?",
        "What should I do next after finding a lump in my breast?",
    ],
)
def test_general_questions_are_not_refused(triage: Triage, question: str) -> None:
    assert triage.assess(question).status is None


# -- out of scope and off topic ------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "My dog has a mast cell tumor",
        "what chemo do vets give cats with lymphoma",
        "is osteosarcoma in horses curable",
    ],
)
def test_veterinary_questions_are_out_of_scope(
    triage: Triage, policy: SafetyPolicy, question: str
) -> None:
    result = triage.assess(question)
    assert (result.status, result.category, result.reason) == (
        "abstained",
        "out_of_scope",
        "OUT_OF_SCOPE",
    )
    assert result.message == policy.fill("out_of_scope")


def test_cat_and_pet_scans_are_not_animals(triage: Triage) -> None:
    for question in (
        "What does a PET scan show in lymphoma?",
        "Is a CAT scan safe during pregnancy?",
        "my PET/CT showed uptake in a node, what is uptake?",
    ):
        assert triage.assess(question).category != "out_of_scope", question


@pytest.mark.parametrize(
    "question",
    [
        "What's the tallest mountain in Europe?",
        "How do I make pancakes?",
        "Which team won the basketball final?",
        "what time is it in Tokyo",
    ],
)
def test_questions_without_health_words_are_off_topic(triage: Triage, question: str) -> None:
    result = triage.assess(question, known_terms=known_terms)
    assert (result.status, result.category, result.reason) == (
        "abstained",
        "off_topic",
        "OFF_TOPIC",
    )


def test_known_terms_hook_counts_as_health(triage: Triage) -> None:
    assert triage.assess("what is ixazomib").reason == "OFF_TOPIC"
    result = triage.assess("what is ixazomib", known_terms=known_terms)
    assert result.status is None
    assert triage.assess("Is Mekinist a chemo pill?").status is None  # "chemo" is a health cue


def test_known_terms_hook_is_not_called_when_a_health_cue_matches(triage: Triage) -> None:
    calls: list[str] = []

    def spy(text: str) -> bool:
        calls.append(text)
        return False

    triage.assess("What are the side effects of radiation?", known_terms=spy)
    assert calls == []
    triage.assess("tell me about ixazomib", known_terms=spy)
    assert calls == ["tell me about ixazomib"]


# -- messages come from the policy only -----------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I can't breathe right now",
        "I want to kill myself",
        "I took too many pills",
        "my dog has cancer",
        "Do I have lung cancer?",
        "what is the capital of Peru",
        "How many mg of ibuprofen should I take?",
    ],
)
def test_messages_are_exactly_the_filled_templates(
    triage: Triage, policy: SafetyPolicy, question: str
) -> None:
    result = triage.assess(question)
    assert result.category is not None
    assert result.message == policy.templates[result.category].format(**contacts(policy))
    assert "{" not in result.message


def test_contact_texts_are_configurable(tmp_path: Path) -> None:
    policy = SafetyPolicy.load(
        emergency_number="112 (EU)", crisis_line="Line X 000", poison_control="Poison Y 999"
    )
    triage = Triage(policy)
    assert "112 (EU)" in triage.assess("I can't breathe").message
    assert "Line X 000" in triage.assess("I want to die").message
    assert "Poison Y 999" in triage.assess("I swallowed my chemo tablets by accident").message
    assert "112 (EU)" in triage.emergency_guidance()
    other = policy.with_contacts(emergency_number="999 {not a placeholder}")
    assert other.crisis_line == "Line X 000"
    assert "999 {not a placeholder}" in Triage(other).assess("he is unconscious").message


def test_empty_contact_override_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"contacts\.emergency_number"):
        SafetyPolicy.load(emergency_number=" ")


def test_emergency_guidance_is_the_informational_template(
    triage: Triage, policy: SafetyPolicy
) -> None:
    guidance = triage.emergency_guidance()
    assert guidance == policy.templates["informational_emergency"].format(**contacts(policy))
    assert policy.emergency_number in guidance
    assert "emergency" in guidance


def test_shipped_templates_are_short_and_emergency_ones_say_emergency() -> None:
    data = yaml.safe_load(policy_path("safety.yaml").read_text(encoding="utf-8"))
    assert set(data["templates"]) == set(TEMPLATE_NAMES)
    for name, text in data["templates"].items():
        assert 0 < len(text) < 400, name
        if name in EMERGENCY_TEMPLATES:
            assert "emergency" in text.lower(), name


def test_urgent_messages_mention_emergency(triage: Triage) -> None:
    for question in ("my husband isn't breathing", "I want to hurt myself", "my son drank bleach"):
        assert "emergency" in triage.assess(question).message.lower(), question


def test_answerable_result_shape(triage: Triage) -> None:
    result = triage.assess("What are common side effects of chemotherapy?")
    assert result == TriageResult(None, None, None, None, "", (), False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "urgent"  # type: ignore[misc]


def test_simplify_folds_apostrophes_and_splits_sentences() -> None:
    assert simplify("I CANT breathe… Help!  My dad’s PSA is 9 - what now?") == [
        "i can't breathe",
        "help",
        "my dad's psa is 9",
        "what now",
    ]


# -- bad policy files -----------------------------------------------------------------------
def shipped() -> dict[str, Any]:
    return yaml.safe_load(policy_path("safety.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _set(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = key.split(".")
    node = data
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("templates.emergency", "", "key templates.emergency must be non-empty text"),
        ("templates.emergency", _DELETE, "key templates.emergency is missing"),
        (
            "templates.self_harm",
            "Call {crisis_line} now.",
            "key templates.self_harm must mention 'emergency'",
        ),
        (
            "templates.off_topic",
            "Call {doctor_number}.",
            "key templates.off_topic uses {doctor_number}",
        ),
        ("templates.off_topic", "Unclosed {brace", "key templates.off_topic has a stray"),
        (
            "templates.out_of_scope",
            "x" * 400,
            "key templates.out_of_scope must be shorter than 400",
        ),
        ("emergency.signs", ["(unclosed"], "key emergency.signs item 1 is not a valid pattern"),
        ("emergency.signs", ["chok", "a|"], "key emergency.signs item 2 matches empty text"),
        (
            "emergency.signs",
            [{"all": ["only one"]}],
            "key emergency.signs item 1 must list at least two",
        ),
        ("emergency.signs", [], "key emergency.signs must be a non-empty list"),
        ("context.now", "right now", "key context.now must be a non-empty list"),
        ("health_cues", [None], "key health_cues item 1 must be a pattern"),
        (
            "refusals.set_my_dose.questions_for_doctor",
            ["Only one?", "Two?"],
            "key refusals.set_my_dose.questions_for_doctor must list 3 to 5",
        ),
        ("refusals.diagnose_me.cues", _DELETE, "key refusals.diagnose_me.cues is missing"),
        ("contacts.crisis_line", "", "key contacts.crisis_line must be non-empty text"),
        ("version", 2, "key version must be 1"),
        ("surprise", 1, "key surprise is not a safety policy key"),
    ],
)
def test_bad_policy_names_file_and_key(tmp_path: Path, key: str, value: Any, message: str) -> None:
    path = write(tmp_path, _set(shipped(), key, value))
    with pytest.raises(PolicyError) as caught:
        SafetyPolicy.load(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_unreadable_policy_files(tmp_path: Path) -> None:
    bad = tmp_path / "safety.yaml"
    bad.write_text("templates: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"safety\.yaml: the safety policy is not valid YAML"):
        SafetyPolicy.load(bad)
    with pytest.raises(PolicyError, match=r"not found|cannot read"):
        SafetyPolicy.load(tmp_path / "missing.yaml")


def test_policy_loaded_from_a_copy_behaves_like_the_shipped_one(tmp_path: Path) -> None:
    policy = SafetyPolicy.load(write(tmp_path, shipped()))
    assert Triage(policy).assess("I can't breathe right now").status == "urgent"
    assert set(policy.templates) == set(TEMPLATE_NAMES)
    assert [refusal.kind for refusal in policy.refusals] == list(REFUSAL_KINDS)


# -- held-out set -------------------------------------------------------------------------------
def test_heldout_triage_agreement(triage: Triage) -> None:
    cases = [
        json.loads(line)
        for line in HELDOUT.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(cases) >= 50
    statuses = {case["expected_status"] for case in cases}
    assert statuses == {"urgent", "refused", "abstained", "answer"}
    disagreements = []
    for case in cases:
        result = triage.assess(case["question"], known_terms=known_terms)
        got = (result.status or "answer", result.category or "")
        expected = (case["expected_status"], case["expected_category"])
        if got != expected:
            disagreements.append(
                f"{case['id']}: expected {expected}, got {got} (matched {result.matched!r}): {case['question']}"
            )
    agreement = 1 - len(disagreements) / len(cases)
    assert agreement >= 0.95, f"agreement {agreement:.0%}:\n" + "\n".join(disagreements)


def test_found_agrees_with_find_for_every_cue_list_of_the_policy() -> None:
    """``CueList.found`` (one merged pattern for the one-part cues) says what ``find`` says."""
    policy = SafetyPolicy.load()
    texts = [json.loads(line)["question"] for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["is it cancer", "I took too many pills", "what is a tumour", "nothing here", ""]
    cue_lists = [value for field in dataclasses.fields(policy) if isinstance(value := getattr(policy, field.name), CueList)]
    cue_lists += [refusal.cues for refusal in policy.refusals]
    assert len(cue_lists) > 10 and any(cue_list.any_single is not None for cue_list in cue_lists)
    found_some = 0
    for cue_list in cue_lists:
        for text in texts:
            sentences = simplify(text)
            assert cue_list.found(sentences) == (cue_list.find(sentences) is not None), text
            found_some += cue_list.found(sentences)
    assert found_some > 50  # the check saw cues found, not only cues missing


def test_found_finds_a_cue_of_several_parts_when_no_one_part_cue_matches() -> None:
    """A cue that needs all its parts is found by ``found`` too, not only one-part cues."""
    patterns = (re.compile(r"(?<!\w)(?:chest)", re.IGNORECASE), re.compile(r"(?<!\w)(?:pain)", re.IGNORECASE))
    cues = CueList((Cue("fever", (re.compile(r"(?<!\w)(?:fever)", re.IGNORECASE),)), Cue("chest + pain", patterns)))
    assert cues.found(["my chest", "the pain"]) and cues.find(["my chest", "the pain"]) == "chest + pain"
    assert not cues.found(["my chest"]) and cues.find(["my chest"]) is None
    assert cues.found(["a fever"])
