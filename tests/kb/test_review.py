"""Review status: due date = lastReviewed + reviewFrequency months, clamped to month end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.kb.review import ReviewState, add_months, next_review_date, review_state

TODAY = date(2026, 11, 23)


def front_matter(last_reviewed: date, frequency: str) -> FrontMatter:
    data: dict[str, Any] = {
        "title": "Breast Cancer Treatment",
        "url": "https://www.cancer.gov/types/breast",
        "source": "NCI",
        "sourceType": "02_nci_core",
        "language": "en",
        "status": "active",
        "audienceLevel": "patient",
        "lastReviewed": last_reviewed.isoformat(),
        "reviewFrequency": frequency,
    }
    return FrontMatter.model_validate(data, context={"today": date(2100, 1, 1)})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_the_day_to_the_end_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months=months) == expected


@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    months=st.integers(min_value=0, max_value=60),
)
def test_add_months_moves_whole_months_and_keeps_the_day_when_it_exists(
    start: date, months: int
) -> None:
    result = add_months(start, months=months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    is_last_day = (result + timedelta(days=1)).month != result.month
    assert result.day == start.day or (result.day < start.day and is_last_day)


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("monthly", date(2026, 2, 28)),
        ("quarterly", date(2026, 4, 30)),
        ("semiannual", date(2026, 7, 31)),
        ("annual", date(2027, 1, 31)),
        ("biennial", date(2028, 1, 31)),
        ("as_needed", None),
    ],
)
def test_next_review_date_follows_the_review_frequency(
    frequency: str, expected: date | None
) -> None:
    assert next_review_date(front_matter(date(2026, 1, 31), frequency)) == expected


def test_a_page_reviewed_as_needed_is_unscheduled() -> None:
    state = review_state(front_matter(date(2000, 1, 1), "as_needed"), today=TODAY)
    assert state == ReviewState("unscheduled", None)
    assert not state.needs_attention


def test_a_due_date_before_today_is_overdue() -> None:
    # 2026-08-22 + 3 months = 2026-11-22, the day before TODAY.
    state = review_state(front_matter(date(2026, 8, 22), "quarterly"), today=TODAY)
    assert state == ReviewState("overdue", date(2026, 11, 22))
    assert state.needs_attention


def test_a_due_date_of_today_is_due_not_overdue() -> None:
    state = review_state(front_matter(date(2026, 8, 23), "quarterly"), today=TODAY)
    assert state == ReviewState("due", TODAY)


def test_the_last_day_of_the_window_is_due_and_the_next_day_is_ok() -> None:
    window_end = TODAY + timedelta(days=30)  # 2026-12-23
    last_in = review_state(front_matter(date(2025, 12, 23), "annual"), today=TODAY)
    first_out = review_state(front_matter(date(2025, 12, 24), "annual"), today=TODAY)
    assert last_in == ReviewState("due", window_end)
    assert first_out == ReviewState("ok", window_end + timedelta(days=1))
    assert not first_out.needs_attention


def test_the_window_is_a_parameter() -> None:
    page = front_matter(date(2025, 12, 24), "annual")  # due 2026-12-24, 31 days away
    assert review_state(page, today=TODAY, due_window_days=31).status == "due"
    assert review_state(page, today=TODAY, due_window_days=0).status == "ok"


def test_the_status_depends_on_the_today_given_not_the_clock() -> None:
    page = front_matter(date(2026, 1, 31), "monthly")  # due 2026-02-28
    assert review_state(page, today=date(2026, 1, 1)).status == "ok"
    assert review_state(page, today=date(2026, 2, 10)).status == "due"
    assert review_state(page, today=date(2026, 3, 1)).status == "overdue"


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="due_window_days"):
        review_state(front_matter(TODAY, "annual"), today=TODAY, due_window_days=-1)
