"""What deleting a row changes, read from the foreign keys of the tables before it is done:
the rows deleted with it (ON DELETE CASCADE, followed through every level), the rows that
refuse the delete (RESTRICT / NO ACTION) and the rows that stay but lose their link to it
(SET NULL). The confirmation pages show these counts, so the numbers are the database's own.

The foreign keys are taken from the Piccolo tables of every app in the registry (not from an
import of the apps: the base layer knows no app), and the counting statement is built once
per table and run as one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from piccolo.columns import OnDelete
from piccolo.table import Table

from portal import reads
from portal.i18n import ngettext
from portal.sql import Statement


@dataclass(frozen=True, slots=True)
class Edge:
    """A foreign key: ``table.column`` refers to ``target`` with this ON DELETE rule."""

    table: str
    column: str
    target: str
    on_delete: OnDelete


@dataclass(frozen=True, slots=True)
class Counted:
    """How many rows of one table, and how the page says it (“12 条学生考勤记录”)."""

    table: str
    count: int

    @property
    def text(self) -> str:
        return counted(self.table, self.count)


@dataclass(frozen=True, slots=True)
class Impact:
    """What deleting one row does to the others, by table (tables without rows left out)."""

    removed: tuple[Counted, ...]  # deleted with it
    blocking: tuple[Counted, ...]  # refuse the delete while they exist
    unlinked: tuple[Counted, ...]  # stay, no longer linked to it

    def refused_by(self, table: str) -> Impact:
        """The same impact with `table`'s rows moved among those refusing the delete (a rule
        keeps them from going with it, although their key would cascade)."""
        moved = tuple(c for c in self.removed if c.table == table)
        return Impact(
            removed=tuple(c for c in self.removed if c.table != table),
            blocking=(*moved, *self.blocking),
            unlinked=self.unlinked,
        )

    def count(self, table: str) -> int:
        """The rows of `table` the delete reaches, whichever way."""
        return sum(
            c.count for c in (*self.removed, *self.blocking, *self.unlinked) if c.table == table
        )


def edges_of(tables: Iterable[type[Table]]) -> tuple[Edge, ...]:
    """Every foreign key of these tables, as the database enforces it."""
    found = []
    for table in tables:
        for column in table._meta.foreign_key_columns:
            meta = column._foreign_key_meta
            found.append(
                Edge(
                    table._meta.tablename,
                    column._meta.db_column_name,
                    meta.resolved_references._meta.tablename,
                    meta.on_delete,
                )
            )
    return tuple(found)


@cache
def registered_edges() -> tuple[Edge, ...]:
    """The foreign keys of every table of the apps in piccolo_conf's registry."""
    from piccolo.conf.apps import Finder

    return edges_of(Finder().get_table_classes())


def q(name: str) -> str:
    return f'"{name}"'


def reach(root: str, edges: Iterable[Edge]) -> dict[str, str]:
    """For the root table and each table its deletion cascades to: the SQL condition on that
    table's rows that says a row goes with the root row ``:id``."""
    cascades = [edge for edge in edges if edge.on_delete is OnDelete.cascade]
    conditions: dict[str, str] = {root: "id = :id"}
    changed = True
    while changed:  # a fixed point: the graph is small and has no cascading cycles
        changed = False
        for table in {edge.table for edge in cascades} - {root}:
            parts = [
                f"{q(edge.column)} = :id"
                if edge.target == root
                else f"{q(edge.column)} IN (SELECT id FROM {q(edge.target)}"
                f" WHERE {conditions[edge.target]})"
                for edge in cascades
                if edge.table == table and edge.target in conditions
            ]
            if parts:
                condition = " OR ".join(f"({part})" for part in parts)
                if conditions.get(table) != condition:
                    conditions[table] = condition
                    changed = True
    return conditions


@dataclass(frozen=True, slots=True)
class Plan:
    """The counting statement of one root table, and what each of its columns counts."""

    statement: Statement
    columns: tuple[tuple[str, str], ...]  # (kind: removed / blocking / unlinked, table)


def plan_for(root: str, edges: tuple[Edge, ...]) -> Plan:
    conditions = reach(root, edges)
    columns: list[tuple[str, str]] = []
    selects: list[str] = []
    for table, condition in conditions.items():
        if table != root:
            columns.append(("removed", table))
            selects.append(f"(SELECT COUNT(*) FROM {q(table)} WHERE {condition})")
    for kind, rules in (
        ("blocking", (OnDelete.restrict, OnDelete.no_action)),
        ("unlinked", (OnDelete.set_null, OnDelete.set_default)),
    ):
        wheres: dict[str, list[str]] = {}
        for edge in edges:
            if (
                edge.on_delete in rules
                and edge.target in conditions
                and edge.table not in conditions
            ):
                target = (
                    ":id"
                    if edge.target == root
                    else f"(SELECT id FROM {q(edge.target)} WHERE {conditions[edge.target]})"
                )
                operator = "=" if edge.target == root else "IN"
                wheres.setdefault(edge.table, []).append(f"{q(edge.column)} {operator} {target}")
        for table, parts in wheres.items():
            columns.append((kind, table))
            where = " OR ".join(f"({part})" for part in parts)
            selects.append(f"(SELECT COUNT(*) FROM {q(table)} WHERE {where})")
    return Plan(Statement("SELECT " + (", ".join(selects) or "0")), tuple(columns))


_plans: dict[str, Plan] = {}


async def deletion_impact(root: str, row_id: int, edges: tuple[Edge, ...] | None = None) -> Impact:
    """What deleting row `row_id` of table `root` (its table name) would delete, be refused
    by, and unlink — in one query. `edges` defaults to the registry's foreign keys."""
    if edges is None:
        plan = _plans.get(root) or _plans.setdefault(root, plan_for(root, registered_edges()))
    else:
        plan = plan_for(root, edges)
    [values] = await reads.fetch(plan.statement, id=row_id)
    found: dict[str, list[Counted]] = {"removed": [], "blocking": [], "unlinked": []}
    for (kind, table), value in zip(plan.columns, values, strict=False):
        if int(value or 0):
            found[kind].append(Counted(table, int(value)))
    for rows in found.values():  # in the order COUNTED lists the tables (the pages' order)
        rows.sort(key=lambda row: (ORDER.get(row.table, len(ORDER)), row.table))
    return Impact(
        removed=tuple(found["removed"]),
        blocking=tuple(found["blocking"]),
        unlinked=tuple(found["unlinked"]),
    )


# --- how the pages count them ------------------------------------------------------------------

# table → “N rows of it”, as the confirmation pages list them (each a literal ngettext call,
# so the messages are extracted).
COUNTED: Mapping[str, Callable[[int], str]] = {
    "portal_student": lambda n: ngettext("%(num)s student", "%(num)s students", n, num=n),
    "partners_partner_account": lambda n: ngettext(
        "%(num)s partner account", "%(num)s partner accounts", n, num=n
    ),
    "partners_member_unit": lambda n: ngettext(
        "%(num)s member unit", "%(num)s member units", n, num=n
    ),
    "partners_organization_member": lambda n: ngettext(
        "%(num)s organization member", "%(num)s organization members", n, num=n
    ),
    "partners_committee_seat": lambda n: ngettext(
        "%(num)s committee seat", "%(num)s committee seats", n, num=n
    ),
    "partners_agreement": lambda n: ngettext(
        "%(num)s co-building agreement", "%(num)s co-building agreements", n, num=n
    ),
    "partners_activity": lambda n: ngettext("%(num)s activity", "%(num)s activities", n, num=n),
    "partners_member_attendance": lambda n: ngettext(
        "%(num)s member attendance record", "%(num)s member attendance records", n, num=n
    ),
    "partners_student_attendance": lambda n: ngettext(
        "%(num)s student attendance record", "%(num)s student attendance records", n, num=n
    ),
    "partners_work_plan": lambda n: ngettext("%(num)s work plan", "%(num)s work plans", n, num=n),
    "partners_work_plan_item": lambda n: ngettext(
        "%(num)s work plan item", "%(num)s work plan items", n, num=n
    ),
    "partners_mentor": lambda n: ngettext("%(num)s mentor", "%(num)s mentors", n, num=n),
    "partners_project": lambda n: ngettext(
        "%(num)s co-education project", "%(num)s co-education projects", n, num=n
    ),
    "partners_participation": lambda n: ngettext(
        "%(num)s project enrollment or placement",
        "%(num)s project enrollments or placements",
        n,
        num=n,
    ),
    "partners_mentor_assignment": lambda n: ngettext(
        "%(num)s dual-mentor pairing", "%(num)s dual-mentor pairings", n, num=n
    ),
    "partners_mentoring_log": lambda n: ngettext(
        "%(num)s mentoring log", "%(num)s mentoring logs", n, num=n
    ),
    "partners_evaluation": lambda n: ngettext(
        "%(num)s evaluation", "%(num)s evaluations", n, num=n
    ),
    "talent_pool_student_score": lambda n: ngettext(
        "%(num)s talent score", "%(num)s talent scores", n, num=n
    ),
    "talent_pool_flag": lambda n: ngettext("%(num)s talent flag", "%(num)s talent flags", n, num=n),
    "talent_pool_flag_review": lambda n: ngettext(
        "%(num)s flag review", "%(num)s flag reviews", n, num=n
    ),
    "talent_pool_entry": lambda n: ngettext(
        "%(num)s talent pool entry", "%(num)s talent pool entries", n, num=n
    ),
    "talent_pool_pipeline_event": lambda n: ngettext(
        "%(num)s party development step", "%(num)s party development steps", n, num=n
    ),
    "talent_pool_due_item": lambda n: ngettext("%(num)s due item", "%(num)s due items", n, num=n),
    "talent_pool_award": lambda n: ngettext("%(num)s award", "%(num)s awards", n, num=n),
    "talent_pool_sharing_consent": lambda n: ngettext(
        "%(num)s sharing consent decision", "%(num)s sharing consent decisions", n, num=n
    ),
    "partners_weekly_log_attachment": lambda n: ngettext(
        "%(num)s weekly log attachment", "%(num)s weekly log attachments", n, num=n
    ),
}


ORDER = {table: index for index, table in enumerate(COUNTED)}


def counted(table: str, count: int) -> str:
    """“12 student attendance records” in the request's language."""
    found = COUNTED.get(table)
    if found is None:
        return ngettext("%(num)s record", "%(num)s records", count, num=count)
    return found(count)
