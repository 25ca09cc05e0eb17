"""The short answer's encoder also reads the best window of each page section at least as
close to the question as the closest section it reads anyway (windows._closer_sections):
the section that answers may hold few of a long message's words."""

from __future__ import annotations

from types import SimpleNamespace

from cancerinfo.answer.windows import _closer_sections


def item(score: float, chunk_id: str, window: list[int]) -> tuple:
    return (score, score, SimpleNamespace(chunk_id=chunk_id), window)


CLOSENESS = {"story": 0.40, "symptoms": 0.55, "late": 0.70, "other": 0.30}


def closeness(chunk_ids: list[str]) -> list[float]:
    return [CLOSENESS[c] for c in chunk_ids]


def test_a_closer_section_is_read_by_its_best_window_only() -> None:
    read = [item(0.9, "story", [0]), item(0.8, "symptoms", [2])]
    scored = [*read, item(0.7, "story", [1]), item(0.3, "late", [4]), item(0.2, "late", [5]), item(0.1, "other", [0])]
    added = _closer_sections(scored, read, closeness)
    # "late" is closer to the question than any section read (0.70 > 0.55): its best window;
    # "other" is farther (0.30) and a section already read adds nothing
    assert [(i[2].chunk_id, i[3]) for i in added] == [("late", [4])]


def test_nothing_is_added_without_section_closeness_or_when_every_section_is_read() -> None:
    read = [item(0.9, "story", [0])]
    assert _closer_sections([*read, item(0.3, "late", [4])], read, None) == []
    assert _closer_sections(read, read, closeness) == []
    assert _closer_sections([item(0.3, "other", [4]), *read], read, closeness) == []


def test_at_most_the_closest_few_sections_are_added_in_their_words_order() -> None:
    from cancerinfo.answer.short_weights import SHORT_CLOSER_SECTIONS

    closeness = {"read": 0.5, "a": 0.6, "b": 0.9, "c": 0.8, "d": 0.7}
    read = [item(0.9, "read", [0])]
    scored = [*read, item(0.5, "a", [0]), item(0.4, "b", [0]), item(0.3, "c", [0]), item(0.2, "d", [0])]
    added = _closer_sections(scored, read, lambda ids: [closeness[i] for i in ids])
    assert SHORT_CLOSER_SECTIONS == 2  # each one is one more encoder run
    assert [i[2].chunk_id for i in added] == ["b", "c"]
