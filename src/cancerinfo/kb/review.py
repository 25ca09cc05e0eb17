"""Review status of a KB page: when its next review falls and whether that is near.

The due date is ``lastReviewed`` plus the months of ``reviewFrequency`` (a day that does
not exist in the target month is clamped: 31 January + 1 month is 28 or 29 February).
A page reviewed ``as_needed`` has no due date. Everything here is pure: *today* is a
parameter, never read from the clock.

    status        when
    ------------  ---------------------------------------------
    unscheduled   reviewFrequency is as_needed (no due date)
    overdue       due date < today
    due           today <= due date <= today + due window
    ok            due date > today + due window
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cancerinfo.kb.frontmatter import FrontMatter

ReviewStatus = Literal["ok", "due", "overdue", "unscheduled"]
DEFAULT_DUE_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where a page stands in its review cycle on a given day."""

    status: ReviewStatus
    due_date: date | None

    @property
    def needs_attention(self) -> bool:
        """True when the page is overdue or due within the window."""
        return self.status in ("due", "overdue")


def add_months(start: date, *, months: int) -> date:
    """``start`` moved by whole calendar months, clamping the day to the month's length."""
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def next_review_date(front_matter: FrontMatter) -> date | None:
    """The day the page is next due for review; ``None`` when reviewed as needed."""
    months = front_matter.review_frequency.months
    if months is None:
        return None
    return add_months(front_matter.last_reviewed, months=months)


def review_state(
    front_matter: FrontMatter,
    *,
    today: date,
    due_window_days: int = DEFAULT_DUE_WINDOW_DAYS,
) -> ReviewState:
    """The review status of a page on ``today``; see the table in the module docstring."""
    if due_window_days < 0:
        raise ValueError(f"due_window_days must be 0 or more, got {due_window_days}")
    due_date = next_review_date(front_matter)
    if due_date is None:
        return ReviewState("unscheduled", None)
    if due_date < today:
        return ReviewState("overdue", due_date)
    if due_date <= today + timedelta(days=due_window_days):
        return ReviewState("due", due_date)
    return ReviewState("ok", due_date)
