"""Work plans (工作计划) of joint party organizations: periods, form rules, completion and
overdue items. The pure helpers are shared with the dashboards."""

from __future__ import annotations

import datetime
from typing import Any

from portal.forms import FormState
from portal.i18n import _
from portal.vocabulary import PLAN_PERIODS

PERIOD_NUMBER_RANGES: dict[str, tuple[int, int]] = {"quarterly": (1, 4), "monthly": (1, 12)}
PLAN_FIELDS = ["period", "year", "period_number", "title"]
ITEM_FIELDS = ["content", "owner", "due_on"]
FIRST_YEAR, LAST_YEAR = 2000, 2100


def period_label(code: str) -> str:
    return _(PLAN_PERIODS[code]) if code in PLAN_PERIODS else code


def period_name(period: str, year: int, number: int | None) -> str:
    """The period a plan covers, e.g. 2026年第3季度."""
    if period == "quarterly":
        return _("Q%(quarter)s %(year)s", quarter=number, year=year)
    if period == "monthly":
        return _("%(year)s-%(month)s", year=year, month=f"{number:02d}")
    return _("Year %(year)s", year=year)


def default_title(period: str, year: int, number: int | None) -> str:
    """The title a plan gets when none is typed, e.g. 2026年第3季度工作计划."""
    if period == "quarterly":
        return _("Work plan for Q%(quarter)s %(year)s", quarter=number, year=year)
    if period == "monthly":
        return _("Work plan for %(year)s-%(month)s", year=year, month=f"{number:02d}")
    return _("Annual work plan %(year)s", year=year)


def check_plan_form(form: FormState) -> dict[str, Any]:
    """Validates a plan form in place and returns clean values: the period number is needed
    (and in range) for quarterly and monthly plans and must stay empty for annual ones."""
    period = form.choice("period", PLAN_PERIODS)
    year = form.integer("year", minimum=FIRST_YEAR, maximum=LAST_YEAR)
    number: int | None = None
    if period in PERIOD_NUMBER_RANGES:
        low, high = PERIOD_NUMBER_RANGES[period]
        number = form.integer("period_number", minimum=low, maximum=high)
        if form.errors.get("period_number") and not form.values.get("period_number"):
            form.errors["period_number"] = (
                _("Enter the quarter (1–4).")
                if period == "quarterly"
                else _("Enter the month (1–12).")
            )
    elif period == "annual" and form.values.get("period_number"):
        form.add_error("period_number", _("Leave this empty for an annual plan."))
    title = form.values.get("title", "")
    form.max_length("title", 200)
    if not title and year is not None and period in PLAN_PERIODS and form.valid:
        title = default_title(period, year, number)
    return {"period": period, "year": year, "period_number": number, "title": title}


def check_item_form(form: FormState) -> dict[str, Any]:
    """Validates a plan item form in place and returns clean values."""
    form.required("content")
    form.max_length("content", 500)
    form.required("owner")
    form.max_length("owner", 50)
    due_on = form.date("due_on")
    if due_on is not None and not FIRST_YEAR <= due_on.year <= LAST_YEAR:
        form.add_error(
            "due_on",
            _("Enter a date from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
        )
    return {
        "content": form.values.get("content", ""),
        "owner": form.values.get("owner", ""),
        "due_on": due_on,
    }


def completion_rate(done: int, total: int) -> int | None:
    """Done items as a whole percentage, rounded down so that 100 means all done; None when
    the plan has no items (nothing to complete is not 0 % and not 100 %)."""
    if total <= 0:
        return None
    return min(100, max(0, done * 100 // total))


def is_overdue(due_on: datetime.date | None, done: bool, today: datetime.date) -> bool:
    """An item is overdue when it is not done and its due date has passed."""
    return not done and due_on is not None and due_on < today
