"""A refusal of a personal request says general information follows: it does, from the
general plan when the question's own plan finds no part on the pages found ("will i live
longer with a mastectomy": no outlook section on a surgery-choice page), and when the KB
has nothing, the reply says so instead of promising it. (An answer is never filled so: a
part with no passage is dropped, and a question none of whose parts is found is declined.)
Real ingest, real store."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from tests.helpers import ingest_pages, open_assistant

SAME = "Research shows that women who have breast-conserving surgery live as long as women who have a mastectomy."
PAGES = {
    "types/breast/surgery/choosing-lumpectomy-mastectomy": (
        "Lumpectomy vs. Mastectomy",
        "## Questions about the effectiveness of breast cancer surgery\n\nWill I live longer if I have a "
        f"mastectomy instead of a lumpectomy? No. {SAME}\n\n## Questions about recovery\n\nRecovery after a "
        "mastectomy usually takes longer than recovery after a lumpectomy.\n",
        ["breast cancer"],
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def test_a_refusal_quotes_the_general_plan_when_its_own_plan_finds_nothing(assistant: Assistant) -> None:
    # "feel": a symptom question, whose plan (warning signs, tests) finds no part on this page
    response = assistant.ask("i feel so torn, will i live longer if i have a mastectomy or a lumpectomy for my breast cancer").as_dict()
    assert (response["status"], response["reason"]) == ("refused", "MY_PROGNOSIS")
    quoted = [s for s in response["sections"] if s["source"] == "kb"]
    assert quoted and any(SAME in c["quote"] for c in response["citations"])
    assert all(s["kind"] != "no_general_information" for s in response["sections"])


def test_a_refusal_with_nothing_found_says_no_general_information_follows(assistant: Assistant) -> None:
    response = assistant.ask("how long do i have to live with my zorbatinoma of the knee").as_dict()
    assert response["status"] == "refused"
    assert response["citations"] == []
    assert response["sections"][-1]["kind"] == "no_general_information"
    assert "no general information" in response["sections"][-1]["text"]



def test_a_refusal_beside_a_crisis_signal_shows_the_crisis_line_first(assistant: Assistant) -> None:
    # a prognosis cue leads, a crisis read by meaning follows: its guidance comes before the refusal
    response = assistant.ask(
        "how long do i have left, some nights i think it would be easier to just not be here"
    ).as_dict()
    assert (response["status"], response["reason"]) == ("refused", "MY_PROGNOSIS")
    kinds = [s["kind"] for s in response["sections"]]
    assert kinds[:2] == ["emergency_guidance", "refusal"]
    assert "988" in response["sections"][0]["text"] and "988" in response["text"]
    assert "tel:988" in [a["href"] for a in response["actions"]]  # the number to tap, as in an urgent reply


def test_a_refusal_alone_has_no_numbers_to_tap(assistant: Assistant) -> None:
    response = assistant.ask("how long do i have to live with my breast cancer, will i live longer with a mastectomy").as_dict()
    assert response["status"] == "refused"
    assert response["actions"] == []
    assert all(s["kind"] != "emergency_guidance" for s in response["sections"])
