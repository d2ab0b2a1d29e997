"""Charts: the numbers behind a chart, drawn twice from the same object.

A `Chart` holds categories (labels) and one or more series of numbers. A page shows it as a
<figure> with a canvas that portal/static/charts.js draws with the vendored Chart.js, the
numbers as JSON for that script, and the same numbers as a table for screen readers and for
anyone who prefers them. A PDF shows it as inline SVG made here (WeasyPrint draws SVG but
runs no script), beside the same table.

Also here: the last-twelve-months buckets used by the dashboards, summed in Python from rows
grouped by day in SQL (at most 366 rows), which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

from portal.dates import month_start

Number = int | float | None

# Colours that stay apart in print and for the common colour-vision deficiencies; the first
# is the portal's red. Each series' colour goes to charts.js with its numbers, so a series
# has the same colour on the page and in a PDF.
PALETTE = ("#b71c1c", "#3b6ea5", "#c99a2e", "#2e7d5b", "#7b4fa0", "#6d6d6d")
FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"


@dataclass
class Series:
    """One row of numbers, one per category of its chart."""

    key: str
    label: str
    values: Sequence[Number]
    colour: str | None = None  # else the palette's colour for the series' position

    @property
    def total(self) -> float:
        """The values added up (a missing one counts as nothing)."""
        return sum(value or 0 for value in self.values)

    def colour_at(self, position: int) -> str:
        return self.colour or PALETTE[position % len(PALETTE)]


@dataclass
class Column:
    """A column only the table shows (e.g. a percentage next to the counts it comes from)."""

    label: str
    cells: list[str]


@dataclass
class Chart:
    """The numbers of one chart and how to draw them.

    `key` names the chart in the page (element ids chart-<key>, chart-<key>-data) and in the
    template context; `category` heads the table's first column; `decimals` is how the table
    prints the numbers; `max_value` fixes the value axis (100 for scores and percentages);
    `links` optionally makes each category in the table a link."""

    key: str
    title: str
    category: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"
    stacked: bool = False
    horizontal: bool = False
    max_value: float | None = None
    unit: str = ""
    decimals: int = 0
    extra_columns: list[Column] = field(default_factory=list)
    links: Sequence[str | None] | None = None
    note: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw: no categories, or every value zero or missing."""
        return not any(value for series in self.series for value in series.values)

    def values(self, key: str) -> dict[str, Number]:
        """Category → value of one series (what tests and the templates read)."""
        series = next(s for s in self.series if s.key == key)
        return dict(zip(self.labels, series.values, strict=True))

    def format(self, value: Number) -> str:
        if value is None:
            return "—"
        return f"{value:.{self.decimals}f}"

    def rows(self) -> list[dict[str, Any]]:
        """The table: per category its label, link, the series' values and extra cells."""
        links = self.links or [None] * len(self.labels)
        return [
            {
                "label": label,
                "link": links[index],
                "cells": [self.format(series.values[index]) for series in self.series]
                + [column.cells[index] for column in self.extra_columns],
            }
            for index, label in enumerate(self.labels)
        ]

    @property
    def headers(self) -> list[str]:
        return [series.label for series in self.series] + [c.label for c in self.extra_columns]

    def data(self) -> dict[str, Any]:
        """What charts.js needs to draw the chart (serialised with Jinja's tojson)."""
        return {
            "type": self.kind,
            "labels": [str(label) for label in self.labels],
            "datasets": [
                {
                    "label": str(series.label),
                    "data": [plain(v) for v in series.values],
                    "colour": series.colour_at(position),
                }
                for position, series in enumerate(self.series)
            ],
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "max": self.max_value,
            "unit": str(self.unit),
            "decimals": self.decimals,
        }


def plain(value: Any) -> Number:
    """A JSON-friendly number: Decimals (PostgreSQL sums and averages) become floats."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def percent(part: int | float, whole: int | float) -> float | None:
    """part of whole in percent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return round(part * 100 / whole, 1)


# --- months --------------------------------------------------------------------------------


def last_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The first days of the last `count` months, this month last."""
    return [month_start(today, offset) for offset in range(1 - count, 1)]


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from `first`'s month to `last`'s month."""
    start = first.replace(day=1)
    count = (last.year - start.year) * 12 + last.month - start.month + 1
    return [month_start(start, offset) for offset in range(max(count, 0))]


def month_label(month: datetime.date) -> str:
    return f"{month.year}-{month.month:02d}"


def sum_by_month(
    rows: Iterable[Mapping[str, Any]],
    months: list[datetime.date],
    date_key: str,
    value_key: str,
) -> list[float]:
    """Per month of `months`, the sum of `value_key` over rows whose `date_key` falls in it
    (rows outside the months are ignored). The rows are grouped by day in SQL, so there are
    at most a few hundred of them whatever the table's size."""
    totals = {(month.year, month.month): 0.0 for month in months}
    for row in rows:
        day = row[date_key]
        if isinstance(day, str):  # a driver that hands dates back as text
            day = datetime.date.fromisoformat(day[:10])
        key = (day.year, day.month)
        if key in totals:
            totals[key] += float(row[value_key] or 0)
    return [totals[(month.year, month.month)] for month in months]


# --- SVG for PDFs ----------------------------------------------------------------------------


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that divides the axis in about `ticks`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def axis_top(chart: Chart) -> tuple[float, float]:
    """The value axis' top and step: the fixed maximum, or a round number above the data."""
    if chart.stacked:
        totals = [
            sum(float(s.values[i] or 0) for s in chart.series) for i in range(len(chart.labels))
        ]
    else:
        totals = [float(v or 0) for s in chart.series for v in s.values]
    highest = max(totals, default=0)
    if chart.max_value is not None:
        return chart.max_value, nice_step(chart.max_value)
    step = nice_step(highest)
    if chart.decimals == 0:
        step = max(1, step)  # counts: no half students on the axis
    return max(step, math.ceil(highest / step) * step), step


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_text(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def svg_chart(chart: Chart, width: int = 480, height: int | None = None) -> Markup:
    """The chart as an inline SVG bar chart (vertical, or horizontal for long category names),
    with the value printed on each bar, a legend when there are several series, and a <title>
    for assistive technology. Every text is escaped. A horizontal chart is as tall as its
    bars need unless `height` is given."""
    if height is None:
        legend_room = 16 if len(chart.series) > 1 else 0
        height = 30 + 22 * max(len(chart.labels), 2) + legend_room if chart.horizontal else 220
    if chart.horizontal:
        body = _horizontal_bars(chart, width, height)
    else:
        body = _vertical_bars(chart, width, height)
    legend = _legend(chart, width, height) if len(chart.series) > 1 else ""
    title = escape(str(chart.title))
    return Markup(
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}"><title>{title}</title>{body}{legend}</svg>'
    )


def _legend(chart: Chart, width: int, height: int) -> str:
    parts = []
    x = 40.0
    for index, series in enumerate(chart.series):
        colour = series.colour_at(index)
        label = escape(short(str(series.label), 16))
        parts.append(
            f'<rect x="{x:.1f}" y="{height - 12}" width="9" height="9" fill="{colour}"/>'
            f'<text x="{x + 13:.1f}" y="{height - 4}" font-size="9" fill="#1f2328">{label}</text>'
        )
        x += 26 + 9 * min(len(str(series.label)), 16)
    return "".join(parts)


def _vertical_bars(chart: Chart, width: int, height: int) -> str:
    left, right, top = 40.0, 8.0, 12.0
    bottom = 36.0 if len(chart.series) > 1 else 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_max, step = axis_top(chart)
    base = top + plot_h
    parts: list[str] = []
    tick = 0.0
    while tick <= axis_max + 1e-9:
        y = base - tick / axis_max * plot_h
        colour = "#57606a" if tick == 0 else "#d0d7de"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="0.8"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end" '
            f'fill="#57606a">{number_text(tick, 0 if step >= 1 else 1)}</text>'
        )
        tick += step
    count = max(len(chart.labels), 1)
    slot = plot_w / count
    groups = 1 if chart.stacked else max(len(chart.series), 1)
    bar_w = min(28.0, slot * 0.72 / groups)
    every = max(1, math.ceil(count / 12))  # thin the category labels when there are many
    for index, label in enumerate(chart.labels):
        centre = left + slot * (index + 0.5)
        stacked_height = 0.0
        for number, series in enumerate(chart.series):
            value = float(series.values[index] or 0)
            bar_h = value / axis_max * plot_h if axis_max else 0
            colour = series.colour_at(number)
            if chart.stacked:
                x = centre - bar_w / 2
                y = base - stacked_height - bar_h
                stacked_height += bar_h
            else:
                x = centre - bar_w * groups / 2 + number * bar_w
                y = base - bar_h
            if bar_h > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" '
                    f'height="{bar_h:.1f}" fill="{colour}"/>'
                )
            if value and not chart.stacked and count * groups <= 24:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="7.5" '
                    f'text-anchor="middle" fill="#1f2328">'
                    f"{number_text(value, chart.decimals)}</text>"
                )
        if chart.stacked and count <= 24:
            total = sum(float(s.values[index] or 0) for s in chart.series)
            if total:
                parts.append(
                    f'<text x="{centre:.1f}" y="{base - stacked_height - 2:.1f}" '
                    f'font-size="7.5" text-anchor="middle" fill="#1f2328">'
                    f"{number_text(total, chart.decimals)}</text>"
                )
        if index % every == 0:
            limit = max(4, int(slot * every / 6))
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 11:.1f}" font-size="8" '
                f'text-anchor="middle" fill="#1f2328">{escape(short(str(label), limit))}</text>'
            )
    return "".join(parts)


def _horizontal_bars(chart: Chart, width: int, height: int) -> str:
    left, right, top = 120.0, 30.0, 6.0
    bottom = 30.0 if len(chart.series) > 1 else 16.0
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_max, step = axis_top(chart)
    parts: list[str] = []
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = left + tick / axis_max * plot_w
        colour = "#57606a" if tick == 0 else "#d0d7de"
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h:.1f}" '
            f'stroke="{colour}" stroke-width="0.8"/>'
            f'<text x="{x:.1f}" y="{top + plot_h + 10:.1f}" font-size="8" '
            f'text-anchor="middle" fill="#57606a">{number_text(tick, 0 if step >= 1 else 1)}</text>'
        )
        tick += step
    count = max(len(chart.labels), 1)
    slot = plot_h / count
    groups = 1 if chart.stacked else max(len(chart.series), 1)
    bar_h = min(18.0, slot * 0.72 / groups)
    for index, label in enumerate(chart.labels):
        middle = top + slot * (index + 0.5)
        offset = 0.0
        for number, series in enumerate(chart.series):
            value = float(series.values[index] or 0)
            bar_w = value / axis_max * plot_w if axis_max else 0
            colour = series.colour_at(number)
            if chart.stacked:
                x, y = left + offset, middle - bar_h / 2
                offset += bar_w
            else:
                x, y = left, middle - bar_h * groups / 2 + number * bar_h
            if bar_w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{bar_h - 1:.1f}" fill="{colour}"/>'
                )
            if series.values[index] is not None and not chart.stacked:
                parts.append(
                    f'<text x="{x + bar_w + 3:.1f}" y="{y + bar_h / 2 + 2.5:.1f}" '
                    f'font-size="7.5" fill="#1f2328">{number_text(value, chart.decimals)}</text>'
                )
        parts.append(
            f'<text x="{left - 4}" y="{middle + 3:.1f}" font-size="8" text-anchor="end" '
            f'fill="#1f2328">{escape(short(str(label), 14))}</text>'
        )
    return "".join(parts)
