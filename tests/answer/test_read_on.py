"""The part under the short answer reads on from it: when the short answer ends inside a list
item ("Learn about treatments: ... will advise you on treatment options."), the item's later
sentences ("For example, there are medicines and devices ...") come first, before the rest of
the section, instead of being dropped (short_answer.same_section)."""

from __future__ import annotations

from cancerinfo.answer.citations import units
from cancerinfo.answer.kb_reader import ChunkRow, MemoryKB
from cancerinfo.answer.plan import load_answer_policy
from cancerinfo.answer.windows import ShortAnswer
from tests.answer import pages
from tests.answer.pages import patient_page

POLICY = load_answer_policy()
TEXT = (
    "People on your health care team have helped others cope and can offer valuable suggestions.\n\n"
    "Your health care team can help you:\n\n"
    "- Learn about treatments: Your doctor will advise you on treatment options for this problem. "
    "For example, there are medicines and devices that may be prescribed once the problem has been diagnosed. "
    "There are also surgical procedures that may help.\n"
    "- Get support: It helps to share your feelings and concerns with people you trust.\n"
)
DOCUMENTS = [patient_page(1, "Sexual Health Issues in Men - NCI", "about-cancer/treatment/side-effects/sexuality-men")]
CHUNKS = [ChunkRow(1, "ways-0", 0, 0, "Ways to manage sexual health issues", TEXT)]
BODIES = {0: f"# Sexual Health Issues in Men\n\n## Ways to manage sexual health issues\n\n{TEXT}"}


def test_the_rest_of_the_short_answers_list_item_comes_first() -> None:
    composer = pages.composer_on(MemoryKB(DOCUMENTS, BODIES, CHUNKS), DOCUMENTS, CHUNKS, POLICY)
    found = units(TEXT)
    texts = [u.text for u in found]
    first = texts.index("Learn about treatments: Your doctor will advise you on treatment options for this problem.")
    short = ShortAnswer(CHUNKS[0], found[first - 1 : first + 1], 1.0, 1.0, 1.0)  # the intro and the item's first sentence
    section, citations = composer.same_section(short, 2, limit=2)
    assert section is not None
    lines = section.text.splitlines()
    assert lines[0].startswith("- For example, there are medicines and devices"), lines
    assert "There are also surgical procedures that may help." in lines[0]
    assert citations[0].quote.startswith("For example, there are medicines")
