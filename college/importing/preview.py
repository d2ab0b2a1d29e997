"""From an uploaded file to a preview (预览): the header found, every row checked by the form's
rules, duplicate keys, and what each good row will do (create, update or nothing).

Nothing here writes to the domain tables. The CPU-bound steps (reading the workbook, checking
20,000 rows) run in a worker thread so the server keeps answering other requests; the look-ups
of existing records are one query per chunk of keys, never one per row.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from college.importing.kinds import CheckedRow, ImportSpec, RowInput
from college.importing.reading import (
    HEADER_SEARCH_ROWS,
    MAX_DATA_ROWS,
    Sheet,
    clean_text,
    file_refused,
    read_sheet,
    too_many_rows_message,
)
from portal.audit import plain
from portal.i18n import _

PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]|【[^】]*】")


@dataclass
class HeaderMatch:
    """Where the header row is and which column holds which field."""

    line: int
    positions: dict[str, int]  # field → column index (0-based)
    headers: dict[str, str]  # field → the header as written in the file
    ignored: list[str]  # headers of columns that are not read
    example_line: int | None = None  # the template's example row, left in and skipped


@dataclass
class Preview:
    """A checked file: what it will do, and what is wrong with it."""

    kind: str
    header: HeaderMatch
    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    file_type: str = ""
    encoding: str = ""
    sheet_name: str = ""
    data_rows: int = 0

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for item in self.items:
            counts[item["action"]] += 1
        counts["bad_rows"] = len({problem["line"] for problem in self.problems})
        return counts

    def meta(self) -> dict[str, Any]:
        """What the preview page shows besides the rows (stored with the batch)."""
        return {
            "header_line": self.header.line,
            "columns": self.header.headers,
            "ignored": self.header.ignored,
            "example_line": self.header.example_line,
            "file_type": self.file_type,
            "encoding": self.encoding,
            "sheet_name": self.sheet_name,
            "data_rows": self.data_rows,
            "counts": self.counts(),
        }


def normalise_header(text: Any) -> str:
    """Headers compare without spaces (also full-width), case, required marks (*) and notes
    in brackets: "* 出生日期（YYYY-MM-DD）" is 出生日期."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = PARENTHESES.sub("", value)
    return re.sub(r"[\s*]+", "", value).lower()


def header_names(spec: ImportSpec) -> dict[str, str]:
    """normalised header → column field; canonical headers win over aliases."""
    names: dict[str, str] = {}
    for column in spec.columns:
        for alias in column.aliases:
            names.setdefault(normalise_header(alias), column.field)
    for column in spec.columns:
        names[normalise_header(column.header)] = column.field
    return names


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def match_header(spec: ImportSpec, line: int, cells: list[Any]) -> HeaderMatch:
    names = header_names(spec)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, value in enumerate(cells):
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        if not text:
            continue
        name = names.get(normalise_header(text))
        if name is None or name in positions:  # unknown, or a second column for one field
            ignored.append(f"{text} ({column_letter(index)})")
            continue
        positions[name] = index
        headers[name] = text
    return HeaderMatch(line=line, positions=positions, headers=headers, ignored=ignored)


def find_header(spec: ImportSpec, sheet: Sheet) -> HeaderMatch:
    """The header among the first rows (a title row or two may sit above it): the row naming
    the most known columns. Refused if none names the required ones."""
    candidates = [
        match_header(spec, line, cells) for line, cells in sheet.rows[:HEADER_SEARCH_ROWS]
    ]
    best = max(candidates, key=lambda match: len(match.positions), default=None)
    required = [column for column in spec.columns if column.required]
    if best is None or not best.positions:
        raise file_refused(
            _(
                "No header row found: one of the first %(count)s rows must name the columns, "
                "e.g. %(headers)s. Download the template to see them.",
                count=HEADER_SEARCH_ROWS,
                headers=", ".join(column.header for column in required),
            )
        )
    missing = [column.header for column in required if column.field not in best.positions]
    if missing:
        raise file_refused(
            _(
                "Required columns are missing from the header row (line %(line)s): %(columns)s.",
                line=best.line,
                columns=", ".join(missing),
            )
        )
    return best


def is_template_example(spec: ImportSpec, header: HeaderMatch, cells: list[Any]) -> bool:
    """The template's example row, left in by mistake: skipped rather than imported."""
    for name, index in header.positions.items():
        column = spec.column(name)
        value = cells[index] if index < len(cells) else None
        if column is None or clean_text(value) != clean_text(column.example):
            return False
    return True


def read_rows(spec: ImportSpec, sheet: Sheet) -> tuple[HeaderMatch, list[RowInput]]:
    """The header, and each data row below it converted to form values."""
    header = find_header(spec, sheet)
    data = [(line, cells) for line, cells in sheet.rows if line > header.line]
    if data and is_template_example(spec, header, data[0][1]):
        header.example_line = data.pop(0)[0]
    if not data:
        raise file_refused(_("The file has a header row but no data rows under it."))
    if len(data) > MAX_DATA_ROWS:
        raise file_refused(too_many_rows_message())
    rows = []
    for line, cells in data:
        present = {
            name: cells[index] if index < len(cells) else None
            for name, index in header.positions.items()
        }
        rows.append(spec.convert(line, present))
    return header, rows


def problem(
    spec: ImportSpec, header: HeaderMatch, row: RowInput, name: str, message: str
) -> dict[str, Any]:
    column = spec.column(name)
    return {
        "line": row.line,
        "column": header.headers.get(name) or (column.header if column else name),
        "value": row.raw.get(name, ""),
        "message": message,
    }


def check_rows(
    spec: ImportSpec,
    header: HeaderMatch,
    rows: list[RowInput],
    today: datetime.date,
    context: dict[str, Any],
) -> tuple[list[CheckedRow], list[dict[str, Any]]]:
    """Every row through the kind's form rule; then keys that occur twice in the file."""
    checked: list[CheckedRow] = []
    problems: list[dict[str, Any]] = []
    for row in rows:
        values, errors = spec.check(row, today, context)
        if errors:
            problems.extend(problem(spec, header, row, name, text) for name, text in errors.items())
            continue
        checked.append(CheckedRow(row.line, spec.key(values), values, frozenset(row.kept)))
    first_line: dict[Hashable, int] = {}
    unique: list[CheckedRow] = []
    by_line = {row.line: row for row in rows}
    for good in checked:
        if good.key in first_line:
            message = _(
                "%(key)s also appears on line %(line)s: each record may appear once in a file.",
                key=spec.describe_key(good.values),
                line=first_line[good.key],
            )
            problems.append(problem(spec, header, by_line[good.line], spec.key_column(), message))
        else:
            first_line[good.key] = good.line
            unique.append(good)
    return unique, problems


def plan_items(
    spec: ImportSpec,
    header: HeaderMatch,
    rows: list[CheckedRow],
    inputs: dict[int, RowInput],
    existing: dict[Hashable, list[dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[CheckedRow, dict[str, Any]]]]:
    """What each good row will do given the records already there: the items, the problems
    (a key matching two records) and the updates (row, record) for the kind's update rules."""
    items: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    updates: list[tuple[CheckedRow, dict[str, Any]]] = []
    present = list(header.positions)
    written: dict[frozenset[str], list[str]] = {}  # fields an update writes, per kept set
    for row in rows:
        records = existing.get(row.key, [])
        base = {"line": row.line, "key": json_key(row.key), "label": spec.describe_key(row.values)}
        if len(records) > 1:
            message = _(
                "%(count)s records in the portal match %(key)s: the import cannot tell which "
                "one to update. Correct them in the portal first.",
                count=len(records),
                key=spec.describe_key(row.values),
            )
            problems.append(problem(spec, header, inputs[row.line], spec.key_column(), message))
            continue
        if not records:
            values = {name: row.values[name] for name in spec.fields}
            items.append({**base, "action": "create", "id": None, "values": spec.to_json(values)})
            continue
        record = records[0]
        if row.kept not in written:
            written[row.kept] = spec.written_fields(present, row.kept)
        values = {name: row.values[name] for name in written[row.kept]}
        changes = {
            name: [plain(record[name]), plain(value)]
            for name, value in values.items()
            if record[name] != value
        }
        items.append(
            {
                **base,
                "action": "update" if changes else "unchanged",
                "id": record["id"],
                "values": spec.to_json(values),
                "changes": changes,
                "kept": sorted(row.kept),
            }
        )
        if changes:
            updates.append((row, record))
    return items, problems, updates


async def plan_rows(
    spec: ImportSpec, header: HeaderMatch, rows: list[CheckedRow], inputs: dict[int, RowInput]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What each good row will do, from the records already there (looked up in chunks)."""
    existing = await spec.existing(rows)
    items, problems, updates = await run_in_threadpool(
        plan_items, spec, header, rows, inputs, existing
    )
    for line, name, message in await spec.update_problems(updates):
        problems.append(problem(spec, header, inputs[line], name, message))
    bad_lines = {p["line"] for p in problems}
    items = [item for item in items if item["line"] not in bad_lines]
    return items, problems


def json_key(key: Hashable) -> Any:
    return list(key) if isinstance(key, tuple) else key


async def build_preview(spec: ImportSpec, content: bytes, today: datetime.date) -> Preview:
    """Reads and checks an uploaded file; Refused when it cannot be read at all."""
    sheet = await run_in_threadpool(read_sheet, content)
    header, rows = await run_in_threadpool(read_rows, spec, sheet)
    context = await spec.context(rows)
    checked, problems = await run_in_threadpool(check_rows, spec, header, rows, today, context)
    items, plan_problems = await plan_rows(spec, header, checked, {row.line: row for row in rows})
    all_problems = sorted([*problems, *plan_problems], key=lambda p: p["line"])
    return Preview(
        kind=spec.kind,
        header=header,
        items=items,
        problems=all_problems,
        file_type=sheet.file_type,
        encoding=sheet.encoding,
        sheet_name=sheet.sheet_name,
        data_rows=len(rows),
    )
