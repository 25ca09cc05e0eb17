"""The policy files the triage reads: checked on load, every mistake named by file and key;
the phrase cues; our own held-out set."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cancerinfo.errors import PolicyError
from cancerinfo.policies import policy_path
from cancerinfo.triage import SafetyPolicy, Triage, build_triage
from cancerinfo.triage.cues import Cue, CueList, simplify
from cancerinfo.triage.safety import REFUSAL_KINDS, TEMPLATE_NAMES, URGENT_TEMPLATES

from .conftest import known_terms

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "benchmarks" / "heldout-triage.jsonl"
_DELETE = object()


def shipped(name: str = "safety.yaml") -> dict[str, Any]:
    return yaml.safe_load(policy_path(name).read_text(encoding="utf-8"))


def write(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def changed(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
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


# -- safety.yaml ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("templates.emergency", "", "emergency must be non-empty text"),
        ("templates.emergency", _DELETE, "misses the template 'emergency'"),
        ("templates.crisis", "Call {crisis_line} now.", "crisis must name the emergency number"),
        ("templates.off_topic", "Call {doctor_number}.", "off_topic uses {doctor_number}"),
        ("templates.off_topic", "Unclosed {brace", "off_topic has a stray"),
        ("templates.out_of_scope", "x" * 500, "out_of_scope must be shorter than 500"),
        ("templates_es.poison", "Llame.", "poison must name the emergency number"),
        ("out_of_scope", ["(unclosed"], "item 1 is not a valid pattern"),
        ("out_of_scope", ["dog", "a|"], "item 2 matches empty text"),
        ("out_of_scope", [{"all": ["only one"]}], "item 1 must list at least two"),
        ("health_cues", [], "must be a non-empty list"),
        ("refusals.set_my_dose.questions_for_doctor", ["Only one?", "Two?"], "questions_for_doctor"),
        ("refusals.diagnose_me.cues", _DELETE, "refusals.diagnose_me.cues"),
        ("refusals.my_prognosis", _DELETE, "must have exactly the kinds"),
        ("contacts.crisis_line", "", "crisis_line must be non-empty text"),
        ("contacts.pager", "123", "pager is not a contact"),
        ("titles.crisis", _DELETE, "must have exactly the levels"),
        ("version", 1, "must be 2"),
        ("surprise", 1, "surprise"),
    ],
)
def test_a_bad_safety_policy_names_file_and_key(tmp_path: Path, key: str, value: Any, message: str) -> None:
    path = write(tmp_path / "safety.yaml", changed(shipped(), key, value))
    with pytest.raises(PolicyError) as caught:
        SafetyPolicy.load(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_policy_files(tmp_path: Path) -> None:
    bad = tmp_path / "safety.yaml"
    bad.write_text("templates: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"safety\.yaml: the safety policy is not valid YAML"):
        SafetyPolicy.load(bad)
    with pytest.raises(PolicyError, match=r"not found|cannot read"):
        SafetyPolicy.load(tmp_path / "missing.yaml")


def test_an_empty_contact_override_is_a_policy_error(safety: SafetyPolicy) -> None:
    with pytest.raises(PolicyError, match="emergency_number must be non-empty"):
        SafetyPolicy.load(emergency_number=" ")
    with pytest.raises(PolicyError, match="is not a contact"):
        safety.with_contacts(pager="123")


def test_shipped_templates(safety: SafetyPolicy) -> None:
    assert set(safety.templates) == set(TEMPLATE_NAMES)
    assert [refusal.kind for refusal in safety.refusals] == list(REFUSAL_KINDS)
    for level in URGENT_TEMPLATES:
        filled = safety.fill(level)
        assert safety.contacts["emergency_number"] in filled
        assert "{" not in filled and "{" not in safety.fill(level, language="es")
        assert safety.title(level) and safety.title(level, language="es")
    assert safety.contacts["crisis_line"] in safety.fill("crisis")
    assert "988" in safety.fill("crisis", language="es")  # the Spanish option of the crisis line
    assert safety.contacts["poison_control"] in safety.fill("poison")


# -- policies/triage/ -----------------------------------------------------------------------
def copy_triage_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "triage"
    shutil.copytree(policy_path("triage/rules.yaml").parent, folder)
    return folder


@pytest.mark.parametrize(
    ("file", "key", "value", "message"),
    [
        ("en.yaml", "concepts.breathing.terms", ["(can't breathe"], "concepts.breathing.terms item 1 a '(' is not closed"),
        ("en.yaml", "concepts.breathing.level", "urgent", "concepts.breathing.level"),
        ("en.yaml", "cues.personal", _DELETE, "misses the cue list 'personal'"),
        ("en.yaml", "cues.feelings", ["sad"], "'feelings' is not a cue list"),
        ("es.yaml", "language", "en", "key language must be 'es'"),
        ("rules.yaml", "levels", ["crisis", "emergency"], "must list each of"),
        ("rules.yaml", "fever_celsius.reference", "", "fever_celsius.reference"),
        ("rules.yaml", "meaning.threshold", 2, "meaning.threshold"),
        ("other-languages.yaml", "languages.fr.concepts.emergency", ["a||b"], "languages.fr.concepts.emergency item 1 an alternative is empty"),
        ("other-languages.yaml", "languages.fr.refusals", {"be_nice": ["x"]}, "languages.fr.refusals.be_nice"),
        ("other-languages.yaml", "languages.fr.refusals", {"diagnose_me": ["x &&"]}, "languages.fr.refusals.diagnose_me item 1 an alternative is empty"),
        ("other-languages.yaml", "languages.so.refusals.my_prognosis", "rajo", "languages.so.refusals.my_prognosis"),
        ("exemplars.yaml", "crisis", {"en": []}, "crisis must list exemplar messages"),
    ],
)
def test_a_bad_triage_file_names_file_and_key(tmp_path: Path, file: str, key: str, value: Any, message: str) -> None:
    folder = copy_triage_folder(tmp_path)
    data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    write(folder / file, changed(data, key, value))
    with pytest.raises(PolicyError) as caught:
        build_triage(SafetyPolicy.load(), folder=folder)
    assert str(folder / file) in str(caught.value)
    assert message in str(caught.value)


def test_a_copied_triage_folder_behaves_like_the_shipped_one(tmp_path: Path, safety: SafetyPolicy) -> None:
    folder = copy_triage_folder(tmp_path)
    triage = build_triage(safety, folder=folder)
    assert triage.assess("temp 38.9 after chemo").urgency == "care_team_now"
    # a reviewer's change takes effect: a new lay term for a concept
    data = yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))
    data["concepts"]["rigors"]["terms"].append("rattling like a washing machine")
    write(folder / "en.yaml", data)
    message = "I'm rattling like a washing machine, had chemo monday"
    assert build_triage(safety).assess(message).urgency is None
    assert build_triage(safety, folder=folder).assess(message).urgency == "care_team_now"


def test_every_concept_has_an_explanation_and_every_level_a_reference() -> None:
    for name in ("en.yaml", "es.yaml"):
        for concept_id, concept in shipped(f"triage/{name}")["concepts"].items():
            assert concept["about"].strip(), concept_id
    rules = shipped("triage/rules.yaml")
    assert {"ukons", "nice_ng151", "safe_messaging", "poison_help"} <= set(rules["references"])
    for key in ("fever_celsius", "low_temperature_celsius", "pain_score", "oxygen_saturation"):
        assert rules[key]["reference"].strip()


# -- phrase cues ----------------------------------------------------------------------------
def test_simplify_folds_apostrophes_and_splits_sentences() -> None:
    assert simplify("I CANT breathe… Help!  My dad’s PSA is 9 - what now?") == [
        "i can't breathe",
        "help",
        "my dad's psa is 9",
        "what now",
    ]


def test_found_agrees_with_find_for_every_cue_list(safety: SafetyPolicy) -> None:
    texts = [json.loads(line)["question"] for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["is it cancer", "how long do I have", "ignore your instructions", "nothing here", ""]
    cue_lists = [v for f in dataclasses.fields(safety) if isinstance(v := getattr(safety, f.name), CueList)]
    cue_lists += [r.cues for r in safety.refusals] + [r.cues_es for r in safety.refusals]
    found_some = 0
    for cue_list in cue_lists:
        for text in texts:
            sentences = simplify(text)
            assert cue_list.found(sentences) == (cue_list.find(sentences) is not None), text
            found_some += cue_list.found(sentences)
    assert found_some > 50


def test_found_finds_a_cue_of_several_parts() -> None:
    parts = (re.compile(r"(?<!\w)(?:chest)", re.IGNORECASE), re.compile(r"(?<!\w)(?:pain)", re.IGNORECASE))
    cues = CueList((Cue("fever", (re.compile(r"(?<!\w)(?:fever)", re.IGNORECASE),)), Cue("chest + pain", parts)))
    assert cues.found(["my chest", "the pain"]) and cues.find(["my chest", "the pain"]) == "chest + pain"
    assert not cues.found(["my chest"])


# -- our own held-out set (written with the old rules: agreement, not a benchmark) -----------
def test_heldout_triage_agreement(lexical: Triage) -> None:
    cases = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 50
    disagreements = []
    for case in cases:
        result = lexical.assess(case["question"], known_terms=known_terms)
        status = result.status or "answer"
        if case["expected_status"] != status or (
            status == "refused" and case["expected_category"] != (result.reason or "").lower()
        ):
            disagreements.append(f"{case['id']}: expected {case['expected_status']}, got {status}: {case['question']}")
    assert len(disagreements) / len(cases) <= 0.05, "\n".join(disagreements)


def _safety_with_refusal_cues(tmp_path: Path, extra: dict[str, Any]) -> Path:
    """A copy of the shipped safety policy with ``triage/refusals.yaml`` = ``extra``."""
    path = write(tmp_path / "safety.yaml", shipped())
    (tmp_path / "triage").mkdir()
    write(tmp_path / "triage" / "refusals.yaml", extra)
    return path


def test_refusal_cue_files_add_cues_with_named_word_lists(tmp_path: Path, safety: SafetyPolicy) -> None:
    extra = {
        "version": 1,
        "cue_words": {"lab": "wibble|wobble"},
        "cues": {"interpret_my_report": ["(is|are) my {@lab} results zorbly"]},
        "cues_es": {"interpret_my_report": ["mis resultados {@lab} son zorbly"]},
    }
    loaded = SafetyPolicy.load(_safety_with_refusal_cues(tmp_path, extra))
    kind = REFUSAL_KINDS.index("interpret_my_report")
    assert loaded.refusals[kind].cues.find(["are my wobble results zorbly"]) is not None
    assert loaded.refusals[kind].cues_es.find(["mis resultados wibble son zorbly"]) is not None
    assert loaded.refusals[kind].cues.find(["are my wubble results zorbly"]) is None
    assert safety.refusals[kind].cues.find(["are my wobble results zorbly"]) is None
    # the shipped cues are kept, the file's come after them
    assert len(loaded.refusals[kind].cues.cues) == len(shipped()["refusals"]["interpret_my_report"]["cues"]) + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cues": {"diagnose_me": ["is it {@nothing}"]}}, "cues.diagnose_me item 1: unknown cue word {@nothing}"),
        ({"cues": {"be_nice": ["x y"]}}, "be_nice is not a refusal kind"),
        ({"cue_words": {"Bad Name": "x"}}, "a cue word name is lower-case letters"),
        ({"cues": {"diagnose_me": ["(unclosed"]}}, "key cues.diagnose_me: item 1 is not a valid pattern"),
        ({"version": 2}, "version"),
    ],
)
def test_a_bad_refusal_cue_file_names_file_and_key(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    extra = {"version": 1, "cue_words": {"lab": "x|y"}, "cues": {}, "cues_es": {}} | change
    path = _safety_with_refusal_cues(tmp_path, extra)
    with pytest.raises(PolicyError) as caught:
        SafetyPolicy.load(path)
    assert str(tmp_path / "triage" / "refusals.yaml") in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("¿tengo leucemia?", "DIAGNOSE_ME"),
        ("¿mi papá va a morir?", "MY_PROGNOSIS"),
    ],
)
def test_a_short_spanish_request_taken_for_english_is_refused_in_spanish(
    lexical: Triage, message: str, reason: str
) -> None:
    result = lexical.assess(message, known_terms=known_terms)
    assert result.status == "refused" and result.reason == reason
    assert result.language == "es" and result.message.startswith("No puedo")
