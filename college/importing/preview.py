"""From an uploaded file to a preview (预览): the header found, every row checked by the form's
rules, duplicate keys, and what each good row will do (create, update or nothing).

A required column the file leaves out is refused, unless the kind can fill it for the whole
file (filling.py): then the preview carries the fill (how each row's value is found), the
file's cells are kept with the batch (`source`) so that another choice is checked again without
a new upload, and `revision` counts the choices so a confirm writes only what its page showed.

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

from college.importing.filling import (
    Fill,
    apply_fills,
    check_typed_value,
    choose,
    filled_copy,
    plan_fills,
)
from college.importing.filling import title_text as read_title
from college.importing.isolation import read_sheet_isolated
from college.importing.kinds import CheckedRow, ImportSpec, RowInput
from college.importing.reading import (
    HEADER_SEARCH_ROWS,
    MAX_DATA_ROWS,
    Sheet,
    clean_text,
    file_refused,
    too_many_rows_message,
)
from portal.audit import plain
from portal.i18n import _

MAX_STORED_PROBLEMS = 2_000  # a person reads a few dozen; the download gives these

PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]|【[^】]*】")


@dataclass
class HeaderMatch:
    """Where the header row is and which column holds which field."""

    line: int
    positions: dict[str, int]  # field → column index (0-based)
    headers: dict[str, str]  # field → the header as written in the file
    ignored: list[str]  # headers of columns that are not read
    example_line: int | None = None  # the template's example row, left in and skipped
    missing: list[str] = field(default_factory=list)  # required fields to fill for the file
    filled: list[str] = field(default_factory=list)  # fields whose values a fill gives

    def fields(self) -> list[str]:
        """The record fields the file gives a value for: its columns and the filled ones."""
        return [*self.positions, *self.filled]


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
    fills: list[Fill] = field(default_factory=list)
    title: str = ""
    source: dict[str, Any] | None = None  # the file's cells, kept while fills can change
    revision: int = 0
    problem_total: int = 0  # problems found; only the first MAX_STORED_PROBLEMS are kept
    bad_rows: int = 0

    def keep_problems(self, found: list[dict[str, Any]]) -> None:
        """Keeps the first MAX_STORED_PROBLEMS of the problems found, in line order, and how
        many there were: a file of 50,000 bad rows must not become a list of megabytes."""
        ordered = sorted(found, key=lambda p: p["line"])
        self.problem_total = len(ordered)
        self.bad_rows = len({problem["line"] for problem in ordered})
        self.problems = ordered[:MAX_STORED_PROBLEMS]

    @property
    def waiting(self) -> bool:
        """A fill still needs its value: the rows are not checked yet."""
        return any(fill.waiting for fill in self.fills)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for item in self.items:
            counts[item["action"]] += 1
        counts["bad_rows"] = self.bad_rows
        return counts

    def meta(self) -> dict[str, Any]:
        """What the preview page shows besides the rows (stored with the batch)."""
        columns = dict(self.header.headers)
        columns.update(
            {
                fill.field: fill.header
                for fill in self.fills
                if fill.fills_column and not fill.waiting
            }
        )
        meta = {
            "header_line": self.header.line,
            "columns": columns,
            "ignored": self.header.ignored,
            "example_line": self.header.example_line,
            "file_type": self.file_type,
            "encoding": self.encoding,
            "sheet_name": self.sheet_name,
            "data_rows": self.data_rows,
            "counts": self.counts(),
            "problem_total": self.problem_total,
        }
        if self.fills:
            meta.update(
                {
                    "fills": [fill.to_json() for fill in self.fills],
                    "title": self.title,
                    "source": self.source,
                    "revision": self.revision,
                    "waiting": self.waiting,
                }
            )
        return meta


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
    the most known columns. Refused if none names the required ones, unless every one it
    lacks can be filled for the whole file (`missing`)."""
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
    missing = [column for column in required if column.field not in best.positions]
    if any(column.field not in spec.fillable for column in missing):
        found = [best.headers[name] for name in best.positions] + [
            ignored.rsplit(" (", 1)[0] for ignored in best.ignored
        ]
        raise file_refused(
            _(
                "Required columns are missing from the header row (line %(line)s): %(columns)s.",
                line=best.line,
                columns=", ".join(column.header for column in missing),
            )
            + " "
            + _("Columns found: %(columns)s.", columns=", ".join(found) or "—")
        )
    best.missing = [column.field for column in missing]
    present = set(best.positions)
    best.missing += [
        name
        for name, instead in spec.optional_fills.items()
        if name not in present and not present.intersection(instead)
    ]
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
    header, source = read_source(spec, sheet)
    return header, [spec.convert(line, present) for line, present in source]


def read_source(
    spec: ImportSpec, sheet: Sheet
) -> tuple[HeaderMatch, list[tuple[int, dict[str, Any]]]]:
    """The header, and each data row below it as its cells by column field."""
    header = find_header(spec, sheet)
    data = [(line, cells) for line, cells in sheet.rows if line > header.line]
    if data and is_template_example(spec, header, data[0][1]):
        header.example_line = data.pop(0)[0]
    if not data:
        raise file_refused(_("The file has a header row but no data rows under it."))
    if len(data) > MAX_DATA_ROWS:
        raise file_refused(too_many_rows_message())
    source = []
    for line, cells in data:
        present = {
            name: cells[index] if index < len(cells) else None
            for name, index in header.positions.items()
        }
        source.append((line, present))
    return header, source


def storable(value: Any) -> Any:
    """A cell as JSON keeps it: text, numbers and booleans as they are, dates as text (which
    the date converter reads back to the same day)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return clean_text(value)


def stored_source(header: HeaderMatch, source: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "positions": header.positions,
        "headers": header.headers,
        "missing": header.missing,
        "rows": [
            [line, {name: storable(value) for name, value in cells.items()}]
            for line, cells in source
        ],
    }


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
    present = header.fields()
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


def source_rows(spec: ImportSpec, source: dict[str, Any]) -> list[RowInput]:
    return [spec.convert(line, cells) for line, cells in source["rows"]]


def first_fills(
    spec: ImportSpec, header: HeaderMatch, sheet: Sheet, rows: list[RowInput], today: datetime.date
) -> list[Fill]:
    numbers = [str(row.values.get("student_no", "")) for row in rows]
    return plan_fills(spec, header.missing, read_title(sheet.rows, header.line), numbers, today)


async def build_preview(spec: ImportSpec, content: bytes, today: datetime.date) -> Preview:
    """Reads and checks an uploaded file; Refused when it cannot be read at all."""
    sheet = await run_in_threadpool(read_sheet_isolated, content)  # limits: isolation.py
    header, cells = await run_in_threadpool(read_source, spec, sheet)
    preview = Preview(
        kind=spec.kind,
        header=header,
        file_type=sheet.file_type,
        encoding=sheet.encoding,
        sheet_name=sheet.sheet_name,
        data_rows=len(cells),
    )
    if not header.missing:
        rows = await run_in_threadpool(
            lambda: [spec.convert(line, present) for line, present in cells]
        )
        await check_preview(spec, preview, rows, today)
        return preview
    # The cells go through JSON first, so this check and a later one (another choice of
    # fill, read back from the batch) see the very same values.
    preview.source = await run_in_threadpool(stored_source, header, cells)
    rows = await run_in_threadpool(source_rows, spec, preview.source)
    preview.title = read_title(sheet.rows, header.line)
    preview.fills = first_fills(spec, header, sheet, rows, today)
    await check_preview(spec, preview, rows, today)
    return preview


async def check_preview(
    spec: ImportSpec, preview: Preview, rows: list[RowInput], today: datetime.date
) -> None:
    """Fills the preview's items and problems from the rows (with the fills applied). While a
    fill waits for its value nothing is checked: every row would lack it."""
    if preview.waiting:
        return
    header = preview.header
    if preview.fills:
        apply_fills(spec, rows, preview.fills)
        header.filled = [fill.field for fill in preview.fills if fill.fills_column]
    context = await spec.context(rows)
    checked, problems = await run_in_threadpool(check_rows, spec, header, rows, today, context)
    items, plan_problems = await plan_rows(spec, header, checked, {row.line: row for row in rows})
    preview.items = items
    preview.keep_problems([*problems, *plan_problems])


async def refill_preview(
    spec: ImportSpec,
    meta: dict[str, Any],
    choices: dict[str, tuple[str, str]],
    today: datetime.date,
) -> tuple[Preview | None, dict[str, str]]:
    """A kept file checked again with other fills: `choices` is field → (mode, typed value).
    Returns the new preview, or None and the message per field for a typed value that the
    column does not accept (the batch then stays as it was)."""
    source = meta["source"]
    rows = await run_in_threadpool(source_rows, spec, source)
    fills = []
    for data in meta["fills"]:
        fill = Fill.from_json(data)
        mode, typed = choices.get(fill.field, (fill.mode, fill.value))
        fills.append(choose(fill, mode, typed))
    errors: dict[str, str] = {}
    typed_fills = [fill for fill in fills if fill.mode == "set"]
    if typed_fills:
        sample = filled_copy(spec, rows[0], fills)
        context = await spec.context([sample])
        for fill in typed_fills:
            message = check_typed_value(spec, fill, sample, today, context)
            if message:
                errors[fill.field] = message
    if errors:
        return None, errors
    header = HeaderMatch(
        line=meta["header_line"],
        positions=dict(source["positions"]),
        headers=dict(source["headers"]),
        ignored=list(meta.get("ignored", [])),
        example_line=meta.get("example_line"),
        missing=list(source["missing"]),
    )
    preview = Preview(
        kind=spec.kind,
        header=header,
        file_type=meta.get("file_type", ""),
        encoding=meta.get("encoding", ""),
        sheet_name=meta.get("sheet_name", ""),
        data_rows=len(rows),
        fills=fills,
        title=meta.get("title", ""),
        source=source,
        revision=int(meta.get("revision", 0)) + 1,
    )
    await check_preview(spec, preview, rows, today)
    return preview, {}
