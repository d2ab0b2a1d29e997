"""Columns a roster leaves out but that hold one thing for the whole file (整列补全).

An academic system's roster of one class often has no 年级 column: every 学号 begins with the
year of enrolment, or the title row above the header says "2026级计算机应用技术1班名单". Rather
than refusing the file, the preview fills such a column in one of these ways:

- ``student_no``: 年级 from the first four digits of each row's 学号 (offered only when every
  学号 of the file begins with a plausible year, 2000 … next year);
- ``title``: one value read from the title row above the header (年级 from "2026级", 班级 from
  "2026级…班", 专业 from the class name without its number, 院系 from a name ending in 学院 or
  系 before the year);
- ``set``: one value the coordinator types for every row, checked like the column's cells;
- ``blank``: for an optional column a kind offers (`ImportSpec.optional_fills`, e.g. a mentor
  file of one enterprise without a 所在企业 column), the default: left empty as before.

Only columns a kind declares in `ImportSpec.fillable` are filled; other required columns
(姓名, 学号, 性别, 出生日期, 政治面貌: facts of each person) are still refused. A fill's values
are shown per row in the preview, and what the preview showed is what confirming writes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from college.importing import values as cell
from college.importing.kinds import ImportSpec, RowInput
from college.importing.reading import clean_text
from portal.i18n import _

MODES = ("title", "student_no", "blank", "set")
FIRST_PLAUSIBLE_YEAR = 2000
YEAR_LEVEL = r"((?:19|20)\d{2})\s*级"
TITLE_YEAR = re.compile(YEAR_LEVEL)
TITLE_CLASS = re.compile(YEAR_LEVEL + r"\s*([^\s,，、()（）]*?\S\d+\s*班)")
TITLE_DEPARTMENT = re.compile(r"([^\s\d,，、()（）]{2,}?(?:学院|系))\s*" + YEAR_LEVEL)
CLASS_NUMBER = re.compile(r"\s*[（(]?\d+[)）]?\s*班$")


@dataclass
class Fill:
    """How one missing column is filled: `mode` (one of MODES), the whole-file value for
    ``title`` and ``set``, and what each way would give (`derived`: mode → value, "" for the
    per-row ``student_no``)."""

    field: str
    header: str
    mode: str
    value: str
    derived: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "header": self.header,
            "mode": self.mode,
            "value": self.value,
            "derived": self.derived,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fill:
        return cls(
            field=data["field"],
            header=data["header"],
            mode=data["mode"],
            value=data.get("value", ""),
            derived=dict(data.get("derived", {})),
        )

    @property
    def fills_column(self) -> bool:
        """Whether the fill gives the column values (an optional column left empty does not:
        an update then keeps each record's own value)."""
        return self.mode != "blank"

    @property
    def waiting(self) -> bool:
        """No value yet: the coordinator must type one before the rows can be checked."""
        return self.mode == "set" and not self.value


def plausible_year(text: str, today: datetime.date) -> bool:
    return len(text) == 4 and text.isdigit() and FIRST_PLAUSIBLE_YEAR <= int(text) <= today.year + 1


def title_text(rows: list[tuple[int, list[Any]]], header_line: int) -> str:
    """The rows above the header as one line of text (the title and any notes)."""
    parts: list[str] = []
    for line, cells in rows:
        if line >= header_line:
            break
        parts.extend(text for value in cells if (text := clean_text(value)))
    return " ".join(parts)


def title_values(title: str, today: datetime.date) -> dict[str, str]:
    """What the title row says for the whole file: cohort_year, class_name, major and
    department, each only when the title names it (a year must be plausible)."""
    found: dict[str, str] = {}
    year = TITLE_YEAR.search(title)
    if year is None or not plausible_year(year.group(1), today):
        return found
    found["cohort_year"] = year.group(1)
    if klass := TITLE_CLASS.search(title):
        name = klass.group(2).strip()
        found["class_name"] = f"{klass.group(1)}级{name}"
        major = CLASS_NUMBER.sub("", name).strip()
        if major and not major.isdigit():
            found["major"] = major
    if department := TITLE_DEPARTMENT.search(title):
        found["department"] = department.group(1)
    return found


def numbers_give_years(numbers: list[str], today: datetime.date) -> bool:
    """Every 学号 of the file begins with a plausible year of enrolment."""
    given = [number for number in numbers if number]
    return bool(given) and all(plausible_year(number[:4], today) for number in given)


def plan_fills(
    spec: ImportSpec,
    missing: list[str],
    title: str,
    numbers: list[str],
    today: datetime.date,
) -> list[Fill]:
    """The fills of the missing (fillable) columns, each with the ways it can be known and
    the first of them chosen: the title's word, else the 学号, else a value to type."""
    from_title = title_values(title, today)
    fills = []
    for name in missing:
        column = spec.column(name)
        assert column is not None
        derived: dict[str, str] = {}
        ways = spec.fillable.get(name, ())
        if "title" in ways and name in from_title:
            derived["title"] = from_title[name]
        if "student_no" in ways and numbers_give_years(numbers, today):
            derived["student_no"] = ""
        if name in spec.optional_fills:
            derived["blank"] = ""
        mode = next(iter(derived), "set")
        fills.append(Fill(name, column.header, mode, derived.get(mode, ""), derived))
    return fills


def choose(fill: Fill, mode: str, typed: str) -> Fill:
    """The fill with the coordinator's choice: a way the file offers, or one typed value."""
    if mode in fill.derived:
        return Fill(fill.field, fill.header, mode, fill.derived[mode], fill.derived)
    return Fill(fill.field, fill.header, "set", typed, fill.derived)


def row_value(fill: Fill, row: RowInput) -> str:
    """What the fill gives this row, as a cell would hold it."""
    if fill.mode == "student_no":
        return str(row.values.get("student_no", ""))[:4]
    return fill.value


def apply_fills(spec: ImportSpec, rows: list[RowInput], fills: list[Fill]) -> None:
    """Puts each fill's value into every row, converted and later checked like a cell."""
    for fill in fills:
        column = spec.column(fill.field)
        assert column is not None
        if not fill.fills_column:
            continue
        for row in rows:
            raw = row_value(fill, row)
            row.raw[fill.field] = clean_text(raw)
            try:
                row.values[fill.field] = column.convert(raw)
            except cell.BadValue as error:
                row.values[fill.field] = row.raw[fill.field]
                row.errors[fill.field] = error.message
    if any(fill.fills_column for fill in fills):
        for row in rows:
            spec.after_fill(row)


def filled_copy(spec: ImportSpec, sample: RowInput, fills: list[Fill]) -> RowInput:
    """A copy of a row with the fills applied (the original is left as it was)."""
    row = RowInput(sample.line, dict(sample.values), dict(sample.raw), {}, set(sample.kept))
    apply_fills(spec, [row], fills)
    return row


def check_typed_value(
    spec: ImportSpec,
    fill: Fill,
    row: RowInput,
    today: datetime.date,
    context: dict[str, Any],
) -> str | None:
    """Why a value typed for every row is not valid for the column, or None. Checked by the
    column's own conversion and the kind's form rule, on `row`: a copy of the file's first
    row with the fills applied (`filled_copy`)."""
    if not fill.value:
        return _("Type the value for every row, or choose another way.")
    if fill.field in row.errors:
        return row.errors[fill.field]
    _values, errors = spec.check(filled_copy(spec, row, []), today, context)
    return errors.get(fill.field)


def row_note(fill: Fill, values: dict[str, Any]) -> str:
    """How a row's value was found, as the preview shows it beside the value."""
    if fill.mode == "student_no":
        return _(
            "from the first four digits of student number %(number)s",
            number=values.get("student_no", ""),
        )
    if fill.mode == "title":
        return _("from the title row")
    if fill.mode == "blank":
        return ""
    return _("set for all rows")
