"""A short answer never shows a list's first items without the line that introduces them
("Check with your doctor if you have any of the following:"), when that line may be quoted."""

from __future__ import annotations

from cancerinfo.answer.citations import Unit
from cancerinfo.answer.quoting import _Prepared
from cancerinfo.answer.windows import SHORT_MAX_UNITS, _windows

INTRO = "Check with your doctor if you have any of the following symptoms that do not go away:"
ITEMS = ["Painless, swollen lymph nodes in the neck.", "Fever for no known reason.", "Drenching night sweats.", "Weight loss."]


def hodgkin_section() -> _Prepared:
    units = [Unit("These and other signs may be caused by other conditions.", False, 0), Unit(INTRO, False, 0)]
    units += [Unit(text, True, 1) for text in ITEMS]
    leads_in = [False, True] + [False] * len(ITEMS)
    return _Prepared(units, leads_in, [u.text for u in units], list(range(len(units))), frozenset())


def test_the_first_items_come_with_their_intro_line() -> None:
    prepared = hodgkin_section()
    windows = _windows(prepared, prepared.quotable)
    assert not any(window[0] == 2 for window in windows)  # never opens on the first item
    assert [1, 2] in windows
    # the intro line does not count towards the sentences a window may hold
    assert [1, 2, 3, 4] in windows and len([1, 2, 3, 4]) == SHORT_MAX_UNITS + 1
    assert [1, 2, 3, 4, 5] not in windows


def test_without_a_quotable_intro_the_items_stand_alone() -> None:
    prepared = hodgkin_section()
    usable = [0, 2, 3, 4, 5]  # the intro may not be quoted (say, excluded by the policy)
    windows = _windows(prepared, usable)
    assert [2, 3, 4] in windows


def test_a_later_item_may_still_open_a_window() -> None:
    prepared = hodgkin_section()
    windows = _windows(prepared, prepared.quotable)
    assert [3, 4, 5] in windows  # a list is not only quoted from its start
