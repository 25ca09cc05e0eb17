"""The measures of the independent answer sets (cancerinfo.eval.answer_sets), on hand-made
answers whose right figures are worked out here by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cancerinfo.eval.answer_sets import (
    fact_present,
    leftovers,
    on_topic,
    read_answer_set,
    reading_grade,
    syllables,
    visible_words,
)


def test_a_key_fact_is_found_verbatim_or_mostly_in_order_in_one_quote() -> None:
    answer = "Hair often grows back in 2 to 3 months after treatment has ended [1]."
    assert fact_present("hair often grows back in 2 to 3 months", answer, [])
    # 8 of 9 words in order in the quote: 89 % >= 80 %
    quote = "Your hair will usually grow back in 2 to 3 months after treatment ends."
    assert fact_present("hair will grow back in 2 to 3 months", "something else", [quote])
    # the words are there but too few of them in order
    assert not fact_present("months 3 to 2 in back grow will hair", "something else", [quote])
    assert not fact_present("nausea can last for days", answer, [quote])


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("make", 1), ("used", 1), ("wanted", 2), ("little", 2), ("boxes", 2), ("chemotherapy", 5)],
)
def test_syllables_by_vowel_groups(word: str, count: int) -> None:
    assert syllables(word) == count


def test_the_reading_grade_is_the_flesch_kincaid_formula() -> None:
    # 2 sentences, 12 words, 12 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert reading_grade(["The cat sat on the mat [1]. The dog ran to the park."]) == -1.4
    # 1 sentence, 4 words, 5 + 2 + 5 + 2 = 14 syllables: 0.39 * 4 + 11.8 * 3.5 - 15.59 = 27.27
    assert reading_grade(["Chemotherapy causes considerable nausea."]) == 27.3
    assert reading_grade(["Yes.", ""]) is None


def test_leftovers_are_furniture_of_quoted_sections_only() -> None:
    response = {
        "sections": [
            {"source": "kb", "text": "Figure 1. The stages of a tumor [1]\nFor more information, see the PDQ summary [2]"},
            {"source": "kb", "text": "Some ways to help:\n- rest [3]"},
            {"source": "policy", "text": "Learn more: call your care team."},
        ]
    }
    assert leftovers(response) == ["caption", "teaser", "list_intro"]
    followed = {"sections": [{"source": "kb", "text": "Ways to help: [1]\n- rest and drink water [1]"}]}
    assert leftovers(followed) == []


def one_kb_section(text: str) -> dict:
    """A response whose only section is quoted from the KB."""
    return {"sections": [{"source": "kb", "text": text}]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a pointer to the page elsewhere is a leftover unless its list follows
        ("- Common situations that they describe are below. [3]", ["pointer"]),
        ("- Try these 10 tips for people with cancer. [1]\n- Eat well. [1]", ["pointer"]),
        ("- Tests are listed below: [2]\n- a CT scan [2]", []),
        ("- Cancer spread to nodes below the diaphragm. [1]", []),
        # a sentence sending the reader to another page is a teaser
        ("- For information about a specific stage, see Cervical Cancer Stages. [1]", ["teaser"]),
        ("- To learn about the cancer stages, see Stages of Soft Tissue Sarcoma. [2]", ["teaser"]),
        ("- To see if cancer is present, cells are checked. [2]", []),
        ("- Learn more about hair loss and how to cope. [1]", ["teaser"]),
        ("- Refer to the PDQ summary on nausea. [1]", ["teaser"]),
        ("- Hair often grows back. Learn more about coping with hair loss. [1]", ["teaser"]),
        # the same words inside a sentence of the page's text
        ("- Doctors are working to learn more about what causes cancer in children. [1]", []),
        ("- You can also refer to the Children's Oncology Group, which lists clinics. [1]", []),
    ],
)
def test_pointers_and_teasers_are_leftovers(text: str, expected: list[str]) -> None:
    assert leftovers(one_kb_section(text)) == expected


def test_visible_words_count_every_section() -> None:
    assert visible_words({"sections": [{"text": "Hair grows back [1]."}, {"text": "It is fine."}]}) == 6


def test_on_topic_needs_every_cited_page_to_share_a_cancer_type_with_a_relevant_page() -> None:
    types = {
        "hair-loss": frozenset(),
        "breast": frozenset({"breast cancer"}),
        "breast-surgery": frozenset({"breast cancer"}),
        "hairy-cell": frozenset({"hairy cell leukemia"}),
    }
    assert on_topic(["breast", "hair-loss", "breast-surgery"], ["breast"], types)
    assert not on_topic(["breast", "hairy-cell"], ["breast"], types)
    assert on_topic(["hairy-cell"], ["hair-loss"], types)  # nothing to compare a general page with


def test_a_bad_line_of_an_answer_set_is_named(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"question": "q", "answerable": True}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.jsonl:2: not JSON"):
        read_answer_set(path)
    path.write_text(json.dumps({"question": "q"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.jsonl:1: needs a question and answerable"):
        read_answer_set(path)


def test_the_report_shows_blind_grades_per_graded_commit_and_half(tmp_path, monkeypatch) -> None:
    import json as json_module

    from cancerinfo.eval import report

    def grades(path, values):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "\n".join(json_module.dumps({"id": f"q{i}", "grade": g}) for i, g in enumerate(values)) + "\n",
            encoding="utf-8",
        )

    grades(tmp_path / "01-aaa1111" / "answers-test.jsonl", [3, 2, 2, 0])
    grades(tmp_path / "02-bbb2222" / "answers-dev.jsonl", [3, 3, 1])
    grades(tmp_path / "02-bbb2222" / "answers-test.jsonl", [1, 1])
    (tmp_path / "README.md").write_text("not a grading\n", encoding="utf-8")
    monkeypatch.setattr("cancerinfo.eval.report_answers.GRADES", tmp_path)
    lines = report._blind_grades()
    rows = [line for line in lines if line.startswith("| aaa") or line.startswith("| bbb")]
    assert rows == [  # worked out by hand, in the folders' order
        "| aaa1111 | answers-test | 4 | 1.75 | 1 | 2 | 0 | 1 |",
        "| bbb2222 | answers-dev | 3 | 2.33 | 2 | 0 | 1 | 0 |",
        "| bbb2222 | answers-test | 2 | 1.00 | 0 | 0 | 2 | 0 |",
    ]
    monkeypatch.setattr("cancerinfo.eval.report_answers.GRADES", tmp_path / "missing")
    assert report._blind_grades() == []


def test_the_report_counts_pairwise_judgements_through_their_keys(tmp_path, monkeypatch) -> None:
    import json as json_module

    from cancerinfo.eval import report

    folder = tmp_path / "pairwise-some-change"
    folder.mkdir()
    (folder / "answers-dev-judge.key.json").write_text(
        json_module.dumps({"a": {"X": "new", "Y": "old"}, "b": {"X": "old", "Y": "new"}, "c": {"X": "new", "Y": "old"}}),
        encoding="utf-8",
    )
    verdicts = [{"id": "a", "better": "X"}, {"id": "b", "better": "X"}, {"id": "c", "better": "same"}]
    (folder / "answers-dev-judge.jsonl").write_text("\n".join(map(json_module.dumps, verdicts)) + "\n", encoding="utf-8")
    (folder / "README.md").write_text("what was compared\n", encoding="utf-8")
    monkeypatch.setattr("cancerinfo.eval.report_answers.GRADES", tmp_path)
    rows = [line for line in report._pairwise() if line.startswith("| pairwise-")]
    # a: X is new -> new; b: X is old -> old; c: same (worked out by hand)
    assert rows == ["| pairwise-some-change | answers-dev-judge | 3 | 1 | 1 | 1 |"]


def test_an_urgent_reply_to_a_set_of_ordinary_questions_is_counted(tmp_path: Path, examples_kb: Path) -> None:
    from cancerinfo.answer.assistant import Assistant
    from cancerinfo.eval.answer_sets import run_answer_set
    from cancerinfo.pipeline.ingest import ingest

    assert ingest([examples_kb], db=tmp_path / "store.db").ok
    rows = [
        {"id": "A1", "question": "What is Ninlaro used for?", "answerable": True, "relevant": [], "section": "",
         "key_facts": [], "category": "drug", "writer": "T"},
        {"id": "A2", "question": "my dad swallowed a whole bottle of his pain pills and I can't wake him up",
         "answerable": True, "relevant": [], "section": "", "key_facts": [], "category": "drug", "writer": "T"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assistant = Assistant(tmp_path / "store.db")
    try:
        figures = run_answer_set(assistant, path)
    finally:
        assistant.close()
    assert figures["sent_to_urgent"] == {"ok": 1, "n": 2}


def test_the_report_rounds_medians_to_one_decimal(tmp_path, monkeypatch) -> None:
    from cancerinfo.eval import report_answers

    share = {"rate": 0.5, "ok": 1, "n": 2}
    figures = {
        "best_page_cited": share, "best_page_in_short_answer": share, "key_fact_present": share, "on_topic": share,
        "median_words": 114.0, "median_reading_grade": 9.649999999999999, "answers_with_leftovers": 0, "answered": 2,
        "unanswerable_declined": share,
        "baseline": {"best_page_cited": share, "key_fact_present": share, "median_words": 83.5},
    }
    monkeypatch.setattr("cancerinfo.eval.report_answers.GRADES", tmp_path / "missing")
    lines = report_answers._answer_sets({"answers-x": figures})
    assert "| median words shown | 114 |" in lines
    assert "| median reading grade (Flesch-Kincaid) | 9.6 |" in lines
    assert "| baseline: median words | 83.5 |" in lines
