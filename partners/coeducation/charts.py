"""Charts of co-education (协同育人): mentoring hours per month and evaluation averages per
dimension by the mentors' side. The dashboard draws them from its grouped read-layer figures;
the project summary PDF from its own queries of one project.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Avg, Count, Sum

from partners.coeducation.tables import Evaluation, MentoringLog
from portal.charts import Chart, Column, Number, Series, month_label, sum_by_month
from portal.i18n import _
from portal.vocabulary import DIMENSIONS, MENTOR_SIDES


@dataclass(frozen=True, slots=True)
class SideAverages:
    """Average scores per dimension of the evaluations by the mentors of one side (college
    or enterprise; None for an evaluation whose mentor is unknown), and how many."""

    side: str | None
    political: Decimal | float | None
    professional: Decimal | float | None
    practical: Decimal | float | None
    innovation: Decimal | float | None
    craftsmanship: Decimal | float | None
    n: int


async def logs_per_day(conditions: list[Any]) -> list[dict[str, Any]]:
    """Mentoring hours and sessions per day (one row a day: bucketed by month in Python)."""
    return (
        await MentoringLog.select(
            MentoringLog.held_on, Sum(MentoringLog.hours, alias="hours"), Count(alias="n")
        )
        .where(*conditions)
        .group_by(MentoringLog.held_on)
    )


def hours_chart(
    rows: list[dict[str, Any]], months: list[datetime.date], key: str, title: str
) -> Chart:
    """Mentoring hours per month as a chart, with the number of sessions in its table."""
    hours: list[Number] = [round(v, 1) for v in sum_by_month(rows, months, "held_on", "hours")]
    sessions = [int(v) for v in sum_by_month(rows, months, "held_on", "n")]
    return Chart(
        key=key,
        title=title,
        category=_("Month"),
        labels=[month_label(month) for month in months],
        series=[Series("hours", _("Hours"), hours)],
        unit=_("Hours"),
        decimals=1,
        extra_columns=[Column(_("Mentoring sessions"), [str(n) for n in sessions])],
    )


async def evaluation_chart(conditions: list[Any], key: str = "evaluations") -> Chart:
    """The evaluation averages of the evaluations matching `conditions` (Piccolo, for the
    project summary PDF), in one grouped query."""
    side = Evaluation.mentor.side
    rows = (
        await Evaluation.select(
            side.as_alias("side"),
            *(Avg(getattr(Evaluation, name), alias=name) for name in DIMENSIONS),
            Count(alias="n"),
        )
        .where(*conditions)
        .group_by(side)
    )
    return evaluation_averages_chart([SideAverages(**row) for row in rows], key)


def evaluation_averages_chart(rows: Iterable[SideAverages], key: str = "evaluations") -> Chart:
    """Average scores per dimension by the side of the mentor who scored, and over all of
    them (weighted by the number of evaluations of each side)."""
    by_side = {row.side: row for row in rows}
    total = sum(row.n for row in by_side.values())
    series = [
        Series(
            code,
            _(label),
            [
                _rounded(getattr(by_side[code], name)) if code in by_side else None
                for name in DIMENSIONS
            ],
        )
        for code, label in MENTOR_SIDES.items()
    ]
    overall = [
        _rounded(sum(float(getattr(row, name)) * row.n for row in by_side.values()) / total)
        if total
        else None
        for name in DIMENSIONS
    ]
    counts = ", ".join(
        f"{_(label)} {by_side[code].n if code in by_side else 0}"
        for code, label in MENTOR_SIDES.items()
    )
    return Chart(
        key=key,
        title=_("Evaluation averages per dimension"),
        category=_("Dimension"),
        labels=[_(label) for label in DIMENSIONS.values()],
        series=series,
        max_value=100,
        unit=_("Score"),
        decimals=1,
        extra_columns=[Column(_("All evaluations"), [_format_number(v) for v in overall])],
        note=_("%(count)s evaluations (%(sides)s).", count=total, sides=counts),
    )


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _format_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
