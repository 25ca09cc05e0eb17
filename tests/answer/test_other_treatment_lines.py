"""A supporting quote about another kind of treatment than the one asked about ("After
radiation therapy. Hair often grows back in 3 to 6 months" for a question on hair after chemo)
is not shown under the short answer; it stays under "more from these pages"
(``treatment_kinds`` of policies/answer.yaml, ``_ShortAnswer._arrange``; real ingest, real store)."""

from __future__ import annotations

import pytest

from cancerinfo.answer.assistant import Assistant
from cancerinfo.answer.plan import load_answer_policy
from tests.helpers import ingest_pages, open_assistant

HAIR = (
    "Hair Loss (Alopecia) and Cancer Treatment",
    "## Ways to care for your hair when it grows back\n\n"
    "- **Be gentle.** When your hair starts to grow back, you will want to be gentle with it. Avoid too "
    "much brushing, curling, and blow-drying.\n"
    "- **After chemotherapy.** Hair often grows back in 2 to 3 months after treatment has ended. Your hair "
    "will be very fine when it starts to grow back.\n"
    "- **After radiation therapy.** Hair often grows back in 3 to 6 months after treatment has ended. "
    "Your hair may grow back thinner on the part of your body that received radiation.\n\n"
    "## Talking with your health care team about hair loss\n\n"
    "Ask your health care team which shampoo to use while your scalp heals.\n",
    ["general"],
)
PAGES = {"about-cancer/treatment/side-effects/hair-loss": HAIR}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    yield from open_assistant(ingest_pages(tmp_path_factory.mktemp("kb"), PAGES))


def test_the_kinds_of_treatment_a_text_names() -> None:
    policy = load_answer_policy()
    assert policy.treatments_named("will my hair grow back after my 2nd round of chemo") == {"chemotherapy"}
    assert policy.treatments_named("After radiation therapy. Hair often grows back", opening=True) == {"radiation"}
    assert policy.treatments_named("surgeon says i can pick lumpectomy or mastectomy") == {"surgery"}
    # only the opening words count when asked for them
    assert policy.treatments_named("Your new hair may grow back after radiation therapy", opening=True) == frozenset()


def test_a_line_on_another_treatment_is_not_shown_under_the_short_answer(assistant: Assistant) -> None:
    response = assistant.ask("my hair is falling out after my 2nd round of chemo. will it grow back and how long does it take")
    assert response.status == "answered"
    shown = "\n".join(section.text for section in response.sections)
    more = "\n".join(section.text for section in response.more)
    assert "2 to 3 months" in shown
    assert "3 to 6 months" not in shown
    assert "3 to 6 months" in more  # nothing lost: behind "more from these pages"


def test_the_same_line_is_shown_when_that_treatment_is_asked_about(assistant: Assistant) -> None:
    response = assistant.ask("my hair fell out after radiation to my head, will it grow back and how long does it take")
    shown = "\n".join(section.text for section in response.sections)
    assert "3 to 6 months" in shown
