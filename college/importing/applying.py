"""Keeping a checked file as an ImportBatch, and writing it when the user confirms (确认导入).

All rows are written in ONE audited transaction, or none: the batch is claimed by a
conditional UPDATE on its status inside that transaction (a second confirm finds it no longer
`previewed` and writes nothing), the keys are checked again (the data may have changed since
the preview: a `Conflict`), rows are inserted in chunks of `WRITE_CHUNK` and updated in chunks
with one UPDATE … FROM (VALUES …) each. A conflict or a database error rolls everything back;
the batch is then marked failed, with the reason, in a transaction of its own.

A batch whose missing columns are filled (filling.py) may be checked again with another fill
(`replace_preview`), which bumps its `revision`; a confirm names the revision its page showed
and is refused, writing nothing, when the batch has moved on since.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.defaults.base import Default
from piccolo.querystring import QueryString
from starlette.concurrency import run_in_threadpool

from college.importing.kinds import SPECS, CheckedRow, ImportSpec, chunks
from college.importing.preview import Preview
from portal.audit import Actor, audited_write
from portal.db import DATABASE_ERRORS
from portal.domain_errors import Conflict, ForeignKeyViolation, UniqueViolation
from portal.i18n import _
from portal.tables import ImportBatch, ImportStatus

logger = logging.getLogger("portal.imports")

WRITE_CHUNK = 500  # rows per INSERT or UPDATE statement
# What fails a confirmed batch: the data no longer matching the preview, or the database.
WRITE_FAILURES: tuple[type[Exception], ...] = (Conflict, *DATABASE_ERRORS)
MESSAGE_LIMIT = 1000


class PreviewChanged(Exception):
    """The batch was checked again (another fill) after the page being confirmed was shown."""


@dataclass(frozen=True)
class Outcome:
    """What confirming did: the batch's status afterwards, and the counts or the reason."""

    status: str
    created: int = 0
    updated: int = 0
    message: str = ""


# --- storing a preview ------------------------------------------------------------------


def compact_json(*values: Any) -> list[str]:
    return [json.dumps(value, ensure_ascii=False, separators=(",", ":")) for value in values]


async def store_preview(actor: Actor, preview: Preview, file_name: str) -> int:
    """Keeps the checked file as a batch in status `previewed`; returns its id."""
    counts = preview.counts()
    data = {**preview.meta(), "items": preview.items}
    rows, problems = await run_in_threadpool(compact_json, data, preview.problems)
    batch = ImportBatch(
        kind=preview.kind,
        file_name=file_name[:255],
        rows=rows,
        problems=problems,
        total=counts["create"] + counts["update"],
        written=0,
        status=ImportStatus.previewed.value,
        created_by=actor.user_id,
    )
    async with audited_write(actor) as audit:
        batch_id = (await ImportBatch.insert(batch).returning(ImportBatch.id))[0]["id"]
        summary = f"{preview.kind}: {file_name[:200]}"
        changes = {name: [None, value] for name, value in counts.items()}
        await audit.record("create", ImportBatch, batch_id, summary, changes)
    return batch_id


def fills_summary(meta: dict[str, Any]) -> str:
    """The fills of a batch for its audit entry: 年级 = 学号, 班级 = 2026级计算机1班 …"""
    parts = []
    for fill in meta.get("fills", []):
        how = fill["value"] if fill["mode"] in ("title", "set") else "学号[:4]"
        parts.append(f"{fill['header']} = {how} ({fill['mode']})")
    return "; ".join(parts)


async def replace_preview(
    actor: Actor, batch_id: int, preview: Preview, old: dict[str, Any]
) -> bool:
    """Keeps a batch checked again with other fills in place of its former preview; False if
    the batch is no longer waiting for a confirm."""
    counts = preview.counts()
    data = {**preview.meta(), "items": preview.items}
    rows, problems = await run_in_threadpool(compact_json, data, preview.problems)
    async with audited_write(actor) as audit:
        replaced = (
            await ImportBatch.update(
                {
                    ImportBatch.rows: rows,
                    ImportBatch.problems: problems,
                    ImportBatch.total: counts["create"] + counts["update"],
                }
            )
            .where(ImportBatch.id == batch_id, ImportBatch.status == ImportStatus.previewed.value)
            .returning(ImportBatch.id)
        )
        if replaced:
            changes = {
                "fills": [fills_summary(old), fills_summary(data)],
                "revision": [old.get("revision", 0), preview.revision],
                **{
                    name: [old.get("counts", {}).get(name), value] for name, value in counts.items()
                },
            }
            await audit.record("update", ImportBatch, batch_id, fills_summary(data), changes)
    return bool(replaced)


async def load_batch(batch_id: int, *, with_rows: bool = True) -> dict[str, Any] | None:
    """The batch with its rows and problems decoded (`data`: the meta and `items`)."""
    columns = [
        ImportBatch.id,
        ImportBatch.kind,
        ImportBatch.file_name,
        ImportBatch.total,
        ImportBatch.written,
        ImportBatch.status,
        ImportBatch.message,
        ImportBatch.created_at,
        ImportBatch.applied_at,
        ImportBatch.created_by.username.as_alias("created_by_username"),
    ]
    if with_rows:
        columns += [ImportBatch.rows, ImportBatch.problems]
    batch = await ImportBatch.select(*columns).where(ImportBatch.id == batch_id).first()
    if batch is None:
        return None
    if with_rows:
        batch["data"] = decode(batch.pop("rows"), {})
        batch["problems"] = decode(batch["problems"], [])
    return batch


def decode(value: Any, empty: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value) if value else empty
    return value if value is not None else empty


# --- applying -----------------------------------------------------------------------------


class Statement(QueryString):
    """SQL whose `{}` placeholders are numbered for the engine here, once. A chunk of 500 rows
    has thousands of parameters, and Piccolo's template parsing of each one took longer than
    the database's work."""

    def __init__(self, sql: str, args: list[Any], engine_type: str) -> None:
        super().__init__("")
        parts = sql.split("{}")
        if engine_type == "sqlite":
            self.sql = "?".join(parts)
        else:
            self.sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        self.values = args

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self.sql, self.values

    def __str__(self) -> str:
        return self.sql


async def execute(spec: ImportSpec, sql: str, args: list[Any]) -> None:
    """Runs a statement on the kind's table's engine (in the open transaction)."""
    engine = spec.table._meta.db
    await engine.run_querystring(Statement(sql, args, engine.engine_type))


def column_defaults(spec: ImportSpec) -> dict[str, Any]:
    """What Piccolo would put in each column a new record does not set (e.g. created_at)."""
    defaults = {}
    for column in spec.table._meta.columns:
        if column._meta.primary_key:
            continue
        value = column.get_default_value()
        defaults[column._meta.name] = value.python() if isinstance(value, Default) else value
    return defaults


async def insert_rows(spec: ImportSpec, items: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT for a chunk of new records. Written as SQL rather than through
    Table instances: Piccolo's per-object work was most of the time of a 20,000-row import."""
    table = spec.table._meta.tablename
    defaults = column_defaults(spec)
    names = list(defaults)
    row_sql = "(" + ", ".join("{}" for _name in names) + ")"
    columns = ", ".join(
        f'"{spec.table._meta.get_column_by_name(name)._meta.db_column_name}"' for name in names
    )
    sql = f'INSERT INTO "{table}" ({columns}) VALUES {", ".join([row_sql] * len(items))}'
    args: list[Any] = []
    for item in items:
        values = {**defaults, **spec.from_json(item["values"])}
        args.extend(values[name] for name in names)
    await execute(spec, sql, args)


SERIAL_TYPES = {"SERIAL": "INTEGER", "BIGSERIAL": "BIGINT", "SMALLSERIAL": "SMALLINT"}


def sql_type(spec: ImportSpec, name: str) -> str:
    """The column's type for a cast, without a length (a cast to VARCHAR(n) would cut a
    longer value silently instead of failing)."""
    column = spec.table._meta.get_column_by_name(name)
    base = column.column_type.split("(")[0].upper()
    return SERIAL_TYPES.get(base, base)


async def update_rows(
    spec: ImportSpec, fields: Sequence[str], items: Sequence[dict[str, Any]]
) -> None:
    """One UPDATE … FROM (VALUES …) for a chunk of records that get the same fields. VALUES
    columns are called column1, column2 … on both SQLite and PostgreSQL; PostgreSQL needs the
    parameters' types spelt out."""
    table = spec.table._meta.tablename
    extra = spec.update_extra()
    names = [*fields, *extra]
    postgres = spec.table._meta.db.engine_type == "postgres"

    def placeholder(name: str) -> str:
        return f"CAST({{}} AS {sql_type(spec, name)})" if postgres else "{}"

    row_sql = "(" + ", ".join(placeholder(name) for name in ["id", *names]) + ")"
    assignments = ", ".join(f'"{name}" = v.column{index}' for index, name in enumerate(names, 2))
    sql = (
        f'UPDATE "{table}" SET {assignments} FROM (VALUES {", ".join([row_sql] * len(items))})'
        f' AS v WHERE "{table}"."id" = v.column1'
    )
    args: list[Any] = []
    for item in items:
        values = spec.from_json(item["values"])
        args.append(item["id"])
        args.extend(values[name] for name in fields)
        args.extend(extra.values())
    await execute(spec, sql, args)


def as_key(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


async def check_still_valid(
    spec: ImportSpec, creates: list[dict[str, Any]], updates: list[dict[str, Any]]
) -> None:
    """Inside the write transaction: the keys to create are still free, the records to update
    still exist with the same key, and the update rules still hold."""
    rows = [
        CheckedRow(item["line"], as_key(item["key"]), spec.from_json(item["values"]), frozenset())
        for item in creates
    ]
    taken = await spec.existing(rows) if rows else {}
    clashes = [item for item in creates if as_key(item["key"]) in taken]
    if clashes:
        raise Conflict(
            _(
                "Since the preview, records with these keys were added in the portal: "
                "%(keys)s. Upload the file again to see the current state.",
                keys=", ".join(item["label"] for item in clashes[:5]),
            )
        )
    missing: list[dict[str, Any]] = []
    key_columns = [spec.table._meta.get_column_by_name(name) for name in spec.key_fields]
    for part in chunks(updates):
        ids = [item["id"] for item in part]
        primary_key = spec.table._meta.primary_key
        records = await spec.table.select(primary_key, *key_columns).where(primary_key.is_in(ids))
        keys = {record["id"]: spec.key(record) for record in records}
        missing += [item for item in part if keys.get(item["id"]) != as_key(item["key"])]
    if missing:
        raise Conflict(
            _(
                "Since the preview, these records were deleted or changed their key: "
                "%(keys)s. Upload the file again to see the current state.",
                keys=", ".join(item["label"] for item in missing[:5]),
            )
        )
    if spec.has_update_rules:
        checked = [
            (
                CheckedRow(
                    item["line"],
                    as_key(item["key"]),
                    spec.from_json(item["values"]),
                    frozenset(item.get("kept", [])),
                ),
                {"id": item["id"]},
            )
            for item in updates
        ]
        broken = await spec.update_problems(checked)
        if broken:
            line, _name, message = broken[0]
            raise Conflict(
                _(
                    "Line %(line)s no longer passes the checks: %(message)s",
                    line=line,
                    message=message,
                )
            )


async def write_items(
    spec: ImportSpec, creates: list[dict[str, Any]], updates: list[dict[str, Any]]
) -> None:
    for part in chunks(creates, WRITE_CHUNK):
        await insert_rows(spec, part)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for item in updates:
        groups.setdefault(tuple(item["values"]), []).append(item)
    for fields, group in groups.items():
        for part in chunks(group, WRITE_CHUNK):
            await update_rows(spec, fields, part)


def failure_message(error: Exception) -> str:
    """Why a confirmed batch was not written, as its page shows it."""
    if isinstance(error, UniqueViolation):
        return _(
            "A record with the same key was saved in the portal while this import was "
            "waiting (a unique value is already taken). Upload the file again."
        )
    if isinstance(error, ForeignKeyViolation):
        return _(
            "A record this import refers to (e.g. an enterprise) was deleted meanwhile. "
            "Upload the file again."
        )
    if isinstance(error, Conflict):  # the data no longer matches the preview
        return str(error)
    return _("The database refused the write: %(error)s", error=str(error)[:MESSAGE_LIMIT])


def changed_message() -> str:
    return _(
        "The preview was checked again with another choice since this page was shown: look "
        "at the rows again, then confirm."
    )


async def current_revision(batch_id: int) -> Any:
    batch = await ImportBatch.select(ImportBatch.rows).where(ImportBatch.id == batch_id).first()
    return decode(batch["rows"] if batch else "", {}).get("revision")


async def apply_batch(batch_id: int, actor: Actor, revision: int | None = None) -> Outcome:
    """Writes a previewed batch's rows, all or none. Batches with bad rows are refused, and
    a batch with fills unless `revision` is the one its confirming page showed."""
    batch = await load_batch(batch_id)
    if batch is None:
        raise LookupError(batch_id)
    if batch["status"] != ImportStatus.previewed.value:
        return Outcome(batch["status"], message=batch["message"])
    if batch["problems"]:
        return Outcome(
            ImportStatus.previewed.value,
            message=_("The file has bad rows: correct them and upload it again."),
        )
    if batch["data"].get("waiting"):
        return Outcome(
            ImportStatus.previewed.value,
            message=_(
                "Choose how the missing columns are filled above: the rows are checked then."
            ),
        )
    refillable = "fills" in batch["data"]
    revision = revision or 0  # a confirm that names none confirms the first preview
    if refillable and revision != batch["data"].get("revision"):
        return Outcome(ImportStatus.previewed.value, message=changed_message())
    spec = SPECS[batch["kind"]]
    items = batch["data"].get("items", [])
    creates = [item for item in items if item["action"] == "create"]
    updates = [item for item in items if item["action"] == "update"]
    try:
        async with audited_write(actor) as audit:
            claimed = await claim_batch(batch_id, len(creates) + len(updates))
            # Checked again under the claim: a new fill saved since this request read it.
            if claimed and refillable and await current_revision(batch_id) != revision:
                raise PreviewChanged(batch_id)
            if claimed:
                await check_still_valid(spec, creates, updates)
                await write_items(spec, creates, updates)
                await audit.record(
                    "import",
                    spec.table,
                    None,
                    f"{batch['file_name']}: {len(creates)} created, {len(updates)} updated",
                    {
                        "import_batch": [None, batch_id],
                        "created": [None, len(creates)],
                        "updated": [None, len(updates)],
                    },
                )
    except PreviewChanged:
        return Outcome(ImportStatus.previewed.value, message=changed_message())
    except WRITE_FAILURES as error:
        if not isinstance(error, Conflict):
            logger.exception("import batch %s failed", batch_id)
        message = failure_message(error)
        await mark_failed(batch_id, actor, message)
        return Outcome(ImportStatus.failed.value, message=message)
    if not claimed:  # confirmed, cancelled or failed before this request got to it
        current = await load_batch(batch_id, with_rows=False)
        assert current is not None
        return Outcome(current["status"], message=current["message"])
    return Outcome(ImportStatus.applied.value, created=len(creates), updated=len(updates))


async def claim_batch(batch_id: int, written: int) -> bool:
    """Inside the write transaction: marks a batch that is still `previewed` as applied, and
    says whether it was (a second confirm finds it applied already and writes nothing)."""
    claimed = (
        await ImportBatch.update(
            {
                ImportBatch.status: ImportStatus.applied.value,
                ImportBatch.written: written,
                ImportBatch.applied_at: datetime.datetime.now(),
            }
        )
        .where(ImportBatch.id == batch_id, ImportBatch.status == ImportStatus.previewed.value)
        .returning(ImportBatch.id)
    )
    return bool(claimed)


async def mark_failed(batch_id: int, actor: Actor, message: str) -> None:
    async with audited_write(actor) as audit:
        marked = (
            await ImportBatch.update(
                {ImportBatch.status: ImportStatus.failed.value, ImportBatch.message: message}
            )
            .where(ImportBatch.id == batch_id, ImportBatch.status == ImportStatus.previewed.value)
            .returning(ImportBatch.id)
        )
        if marked:
            await audit.record("import_failed", ImportBatch, batch_id, message[:300])


async def discard_batch(batch_id: int, actor: Actor) -> bool:
    """Cancels a previewed batch and drops its rows (they were never written); True if it
    was still waiting."""
    batch = await load_batch(batch_id)
    if batch is None or batch["status"] != ImportStatus.previewed.value:
        return False
    meta = {name: value for name, value in batch["data"].items() if name not in ("items", "source")}
    async with audited_write(actor) as audit:
        discarded = (
            await ImportBatch.update(
                {
                    ImportBatch.status: ImportStatus.discarded.value,
                    ImportBatch.rows: json.dumps({**meta, "items": []}, ensure_ascii=False),
                }
            )
            .where(ImportBatch.id == batch_id, ImportBatch.status == ImportStatus.previewed.value)
            .returning(ImportBatch.id)
        )
        if discarded:
            await audit.record("discard", ImportBatch, batch_id, batch["file_name"])
    return bool(discarded)
