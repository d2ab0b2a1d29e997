"""The read layer of the talent pool (人才库): the pool list — its page, its count, its filter
choices and both roster exports — and the dashboards' summary of what is due in the
recruitment files, as SQL compiled once per shape and read into typed rows.

Who may see whom is written into each statement from the viewer (partners.access): a
coordinator sees every student, a partner the students placed with its enterprise, a mentor
their mentees, a student nobody (never the scores of others). The search goes through the
n-gram index (portal.search), so it never scans.

A row's parent (a pool entry's or a due item's student) is read with a LEFT JOIN: the foreign
keys are NOT NULL, so the rows are the same, and SQLite, when it has no statistics for the
smaller table, then reads that table first instead of every student.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from partners.access import placed_with_sql, students_visible_sql
from portal import reads
from portal.auth import Viewer
from portal.i18n import _
from portal.pagination import Sort
from portal.search import STUDENTS, Match
from portal.sql import Shapes
from portal.tables import Role
from portal.vocabulary import DUE_KINDS, FLAG_SOURCES, POOL_STATUSES, STAGES, label
from talent_pool.consent import consented_sql
from talent_pool.flags import flag_reason, parsed_parts
from talent_pool.pool import DEFAULT_STATUSES, NO_STAGE, PoolQuery

DUE_SOON_DAYS = 30
DUE_SHOWN = 8

_shapes = Shapes()


def pool_scope_sql(viewer: Viewer, student_id: str) -> tuple[str, dict[str, Any]]:
    """The students a viewer may see in the pool: those whose record they may see, and
    nobody for a student. The condition on ``student_id`` and its parameters."""
    if viewer.role is Role.student:
        return "1 = 0", {}
    scope, params = students_visible_sql(viewer, student_id)
    if viewer.role is Role.partner:  # pool details only with consent for the partner's enterprise
        consented, consent_params = consented_sql(student_id, viewer)
        scope, params = f"({scope}) AND {consented}", {**params, **consent_params}
    return scope, params


# --- the pool list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolRow:
    """A pool student as the list, the xlsx and the PDF roster show them: the student, the
    pool entry, the score, and the reasons of their flags (newest first) with each flag's
    source (threshold, top of the cohort, nomination)."""

    student_id: int
    student_no: str
    name: str
    gender: str
    department: str
    major: str
    class_name: str
    cohort_year: int
    political_status: str
    status: str
    status_since: datetime.date | None
    stage: str | None
    stage_since: datetime.date | None
    score: float | None
    reasons: tuple[str, ...]
    reason_sources: tuple[str, ...]


POOL_COLUMNS = (
    "s.id AS student_id, s.student_no, s.name, s.gender, s.department, s.major, s.class_name,"
    " s.cohort_year, s.political_status, e.status, e.status_since, e.stage, e.stage_since,"
    " sc.total AS score"
)
POOL_FROM = (
    "FROM talent_pool_entry e JOIN portal_student s ON s.id = e.student"
    " LEFT JOIN talent_pool_student_score sc ON sc.student = e.student"
)
PAGE_COLUMNS = (
    "p.student_id, p.student_no, p.name, p.gender, p.department, p.major, p.class_name,"
    " p.cohort_year, p.political_status, p.status, p.status_since, p.stage, p.stage_since,"
    " p.score"
)
# The sort's columns as the pool's select names them, and as the page read from it does.
POOL_NAMES = {
    "score": "sc.total",
    "name": "s.name",
    "cohort_year": "s.cohort_year",
    "status": "e.status",
    "stage": "e.stage",
    "student_no": "s.student_no",
    "id": "s.id",
}
PAGE_NAMES = {
    "score": "p.score",
    "name": "p.name",
    "cohort_year": "p.cohort_year",
    "status": "p.status",
    "stage": "p.stage",
    "student_no": "p.student_no",
    "id": "p.student_id",
}


def _rank(column: str, codes: list[str], missing: int) -> str:
    """A CASE giving each code its position (the enum's order), for sorting by it."""
    whens = " ".join(f"WHEN '{code}' THEN {index}" for index, code in enumerate(codes))
    return f"CASE {column} {whens} ELSE {missing} END"


def order_by(sort: Sort, names: Mapping[str, str]) -> str:
    """The ORDER BY of a sort; ties keep a stable order: the higher score first, then by
    student number."""
    score = f"COALESCE({names['score']}, 0)"
    expressions = {
        "score": score,
        "name": names["name"],
        "cohort_year": names["cohort_year"],
        "status": _rank(names["status"], list(POOL_STATUSES), len(POOL_STATUSES)),
        "stage": _rank(names["stage"], list(STAGES), -1),
    }
    return (
        f"ORDER BY {expressions[sort.key]} {sort.direction}, {score} DESC,"
        f" {names['student_no']} ASC, {names['id']} ASC"
    )


def pool_where(query: PoolQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of the pool as the viewer asked for it, and its parameters: the
    viewer's scope and the filters."""
    viewer, filters = query.viewer, query.filters
    scope, params = pool_scope_sql(viewer, "e.student")
    parts = [scope]
    if filters.status:
        parts.append("e.status = :status")
        params["status"] = filters.status
    else:
        parts.append("e.status IN (" + ", ".join(f"'{s}'" for s in DEFAULT_STATUSES) + ")")
    if filters.q:
        search = Match.of(STUDENTS.kind, filters.q)
        parts.append(search.sql("s.id", ("s.name", "s.student_no")))
        params |= search.params()
    for name in ("cohort_year", "department", "major", "political_status"):
        value = getattr(filters, name)
        if value not in (None, ""):
            parts.append(f"s.{name} = :{name}")
            params[name] = value
    if filters.project is not None:
        parts.append(_project_condition(viewer))
        params["project"] = filters.project
    if filters.enterprise is not None:
        # Coordinators only, whose scope has no parameters: the enterprise takes its place.
        parts.append(placed_with_sql("e.student"))
        params["scope_enterprise"] = filters.enterprise
    if filters.stage == NO_STAGE:
        parts.append("e.stage IS NULL")
    elif filters.stage:
        parts.append("e.stage = :stage")
        params["stage"] = filters.stage
    return " WHERE " + " AND ".join(parts), params


def _project_condition(viewer: Viewer) -> str:
    """Students taking part in :project — for a partner, only in its own enterprise's."""
    own = ""
    if viewer.role is Role.partner:
        own = (
            " AND pa.project IN (SELECT pp.id FROM partners_project pp"
            " WHERE pp.enterprise = :scope_enterprise)"
        )
    return (
        "e.student IN (SELECT pa.student FROM partners_participation pa"
        f" WHERE pa.project = :project{own})"
    )


async def pool_rows(query: PoolQuery, limit: int | None = None, offset: int = 0) -> list[PoolRow]:
    """The matching students in order with their flags' reasons, in one statement: one page
    of them, or all (``limit`` None, for the PDF roster)."""
    where, params = pool_where(query)
    sort = query.sort
    paged = limit is not None

    def build() -> str:
        page = f" {order_by(sort, POOL_NAMES)} LIMIT :limit OFFSET :offset" if paged else ""
        return (
            f"WITH p AS (SELECT {POOL_COLUMNS} {POOL_FROM}{where}{page})"
            f" SELECT {PAGE_COLUMNS}, f.source, f.reason, f.score_parts, f.nominator_name"
            " FROM p LEFT JOIN talent_pool_flag f ON f.student = p.student_id"
            f" {order_by(sort, PAGE_NAMES)}, f.created_at DESC, f.id DESC"
        )

    statement = _shapes.get(("rows", where, sort.key, sort.descending, paged), build)
    if paged:
        params |= {"limit": limit, "offset": offset}
    return with_reasons(await reads.fetch(statement, **params))


def with_reasons(found: list[Any]) -> list[PoolRow]:
    """The rows of the page, one per student, each with its flags (the statement gives one
    row per flag, in the page's order)."""
    rows: list[PoolRow] = []
    current: Any = None
    reasons: list[str] = []
    sources: list[str] = []
    for row in found:
        if current is None or row[0] != current[0]:
            if current is not None:
                rows.append(pool_row(current, reasons, sources))
            current, reasons, sources = row, [], []
        source, reason, score_parts, nominator = row[14:18]
        if source is not None:
            reasons.append(reason_line(source, reason, score_parts, nominator))
            sources.append(source)
    if current is not None:
        rows.append(pool_row(current, reasons, sources))
    return rows


def pool_row(found: Sequence[Any], reasons: list[str], sources: list[str]) -> PoolRow:
    """A student's row: the student's columns of the statement, then their flags."""
    columns: list[Any] = [*found[:14], tuple(reasons), tuple(sources)]
    return PoolRow(*columns)


def reason_line(source: str, reason: str, score_parts: Any, nominator: str) -> str:
    """One flag in a line: its source (and nominator), then its reason."""
    text = label(FLAG_SOURCES, source)
    if nominator:
        text = _("%(source)s (%(name)s)", source=text, name=nominator)
    reason = flag_reason({"source": source, "reason": reason}, parsed_parts(score_parts))
    if not reason:
        return text
    return _("%(source)s: %(reason)s", source=text, reason=reason)


async def pool_count(query: PoolQuery) -> int:
    where, params = pool_where(query)
    source = "talent_pool_entry e JOIN portal_student s ON s.id = e.student"
    return await reads.count(_shapes, ("count", where), source, where, **params)


# --- the filters' choices --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """A project or enterprise to filter by."""

    id: int
    name: str


async def pool_choices(viewer: Viewer) -> dict[str, list[Any]]:
    """Choices for the filters, from the pool students the viewer may see (whatever their
    status): departments, majors, cohorts, the projects they take part in (a partner's own
    only) and, for coordinators, every enterprise — in one statement."""
    scope, params = pool_scope_sql(viewer, "e.student")
    coordinator = viewer.role is Role.coordinator

    def build() -> str:
        own = " AND p.enterprise = :scope_enterprise" if viewer.role is Role.partner else ""
        enterprises = (
            " UNION ALL SELECT 'enterprise', en.id, en.name, NULL, NULL FROM partners_enterprise en"
            if coordinator
            else ""
        )
        return (
            "SELECT 'facet', NULL, s.department, s.major, s.cohort_year"
            " FROM talent_pool_entry e LEFT JOIN portal_student s ON s.id = e.student"
            f" WHERE {scope} GROUP BY s.department, s.major, s.cohort_year"
            " UNION ALL SELECT 'project', p.id, p.name, NULL, NULL FROM partners_project p"
            " WHERE p.id IN (SELECT pa.project FROM partners_participation pa"
            f" JOIN talent_pool_entry e ON e.student = pa.student WHERE {scope}){own}"
            f"{enterprises} ORDER BY 1, 3, 2"
        )

    statement = _shapes.get(("choices", viewer.role), build)
    facets: list[tuple[str, str, int]] = []
    named: dict[str, list[Choice]] = {"project": [], "enterprise": []}
    for kind, choice_id, text, major, cohort_year in await reads.fetch(statement, **params):
        if kind == "facet":
            facets.append((text, major, cohort_year))  # text: the department
        else:
            named[kind].append(Choice(choice_id, text))
    return {
        "department": sorted({department for department, _major, _year in facets}),
        "major": sorted({major for _department, major, _year in facets}),
        "cohort_year": sorted({year for _department, _major, year in facets}, reverse=True),
        **named,
    }


# --- what is due (the dashboards' widget) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueRow:
    """An item due in a recruitment file, with its student."""

    kind: str
    due_on: datetime.date
    student_id: int
    student_name: str
    student_no: str
    overdue: bool

    @property
    def label(self) -> str:
        """What is due, in the language of the page that shows it."""
        return label(DUE_KINDS, self.kind)


@dataclass(frozen=True, slots=True)
class DueSummary:
    """For the dashboard widget (templates/talent_pool/_due_widget.html): how many items are
    overdue, how many fall due in the next 30 days, and the first of them (soonest first)."""

    overdue: int
    due_soon: int
    rows: list[DueRow]
    today: datetime.date


async def due_summary(viewer: Viewer, today: datetime.date, limit: int = DUE_SHOWN) -> DueSummary:
    """What is due in the files of the students the viewer may see, in one statement: the
    first rows, each carrying the two counts (uncorrelated subqueries, computed once; with no
    row to list, both are zero anyway)."""
    scope, params = pool_scope_sql(viewer, "d.student")
    counted, _params = pool_scope_sql(viewer, "c.student")
    statement = _shapes.get(
        ("due", viewer.role),
        lambda: (
            "SELECT d.kind, d.due_on, s.id, s.name, s.student_no,"
            " (SELECT COUNT(*) FROM talent_pool_due_item c"
            f" WHERE c.due_on < :today AND {counted}),"
            " (SELECT COUNT(*) FROM talent_pool_due_item c"
            f" WHERE c.due_on >= :today AND c.due_on <= :soon AND {counted})"
            " FROM talent_pool_due_item d LEFT JOIN portal_student s ON s.id = d.student"
            f" WHERE d.due_on <= :soon AND {scope} ORDER BY d.due_on, d.id LIMIT :limit"
        ),
    )
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    found = await reads.fetch(statement, **params, today=today, soon=soon, limit=limit)
    overdue, due_soon = (int(found[0][5]), int(found[0][6])) if found else (0, 0)
    rows = [
        DueRow(kind, due_on, student_id, name, student_no, due_on < today)
        for kind, due_on, student_id, name, student_no, _overdue, _due_soon in found
    ]
    return DueSummary(overdue=overdue, due_soon=due_soon, rows=rows, today=today)
