"""The talent pool (人才库) as a list: who a viewer may see in it, the filters and sort orders
of the pool page, and the one query behind the page and its exports (xlsx and PDF roster), so
all three always show the same students in the same order.

The query is composed from Piccolo conditions (the viewer's scope from `portal.record`, the
filters) inside one SQL statement that joins the pool entry, the student and the score, so a
page costs the same few queries whatever the number of students.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from piccolo.columns.combination import And
from piccolo.querystring import QueryString
from starlette.datastructures import QueryParams

from partners.tables import Enterprise, Participation, Project
from portal.auth import Viewer
from portal.db import contains
from portal.i18n import _
from portal.pagination import PageRequest, Sort
from portal.record import placed_with, student_scope
from portal.students import POLITICAL_STATUSES
from portal.tables import Role, Student
from talent_pool.flags import POOL_STATUSES, label
from talent_pool.pipeline import STAGES
from talent_pool.tables import PoolEntry, PoolStatus

# The pool shows these unless the viewer filters for another status (declined).
DEFAULT_STATUSES = (PoolStatus.flagged.value, PoolStatus.watching.value, PoolStatus.pooled.value)
NO_STAGE = "none"  # stage filter: pool students who have not applied yet
SORT_KEYS = ("score", "name", "cohort_year", "status", "stage")
DEFAULT_SORT = "-score"


def pool_status_label(code: str | None) -> str:
    return label(POOL_STATUSES, code)


def stage_label(code: str | None) -> str:
    """A stage's label; nothing for a student who has not applied."""
    return label(STAGES, code) if code else ""


# --- who may see whom -----------------------------------------------------------------------


def pool_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on Student for the students a viewer may see in the pool: those whose
    record they may see (coordinator all; partner the students placed with its enterprise;
    mentor their own mentees). A student sees nobody: never the scores of others."""
    if viewer.role is Role.student:
        return [Student.id < 0]
    return student_scope(viewer)


# --- filters --------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class PoolFilters:
    """The filters of the pool page, read from the query string; unknown values are ignored
    (a hand-edited URL shows the unfiltered pool rather than an error)."""

    q: str = ""
    status: str = ""
    cohort_year: int | None = None
    department: str = ""
    major: str = ""
    project: int | None = None
    enterprise: int | None = None  # coordinators only: partners are confined to their own
    stage: str = ""
    political_status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams | dict[str, str], viewer: Viewer) -> PoolFilters:
        status = query.get("status", "")
        stage = query.get("stage", "")
        political = query.get("political_status", "")
        enterprise = _int_or_none(query.get("enterprise"))
        return cls(
            q=query.get("q", "").strip()[:100],
            status=status if status in POOL_STATUSES else "",
            cohort_year=_int_or_none(query.get("cohort_year")),
            department=query.get("department", "")[:100],
            major=query.get("major", "")[:100],
            project=_int_or_none(query.get("project")),
            enterprise=enterprise if viewer.role is Role.coordinator else None,
            stage=stage if stage in STAGES or stage == NO_STAGE else "",
            political_status=political if political in POLITICAL_STATUSES else "",
        )

    def params(self) -> dict[str, str]:
        """The filters as query-string values (for links that keep them)."""
        return {name: "" if value is None else str(value) for name, value in asdict(self).items()}

    @property
    def active(self) -> bool:
        return any(self.params().values())


def filter_conditions(filters: PoolFilters, viewer: Viewer) -> list[Any]:
    """Where-conditions (on the pool entry and the student) for the filters."""
    statuses = [filters.status] if filters.status else list(DEFAULT_STATUSES)
    conditions: list[Any] = [PoolEntry.status.is_in(statuses)]
    if filters.q:
        conditions.append(
            contains(Student.name, filters.q) | contains(Student.student_no, filters.q)
        )
    if filters.cohort_year is not None:
        conditions.append(Student.cohort_year == filters.cohort_year)
    for name in ("department", "major", "political_status"):
        if value := getattr(filters, name):
            conditions.append(getattr(Student, name) == value)
    if filters.project is not None:
        participations = Participation.select(Participation.student).where(
            Participation.project == filters.project, *_own_projects(viewer)
        )
        conditions.append(Student.id.is_in(participations))
    if filters.enterprise is not None:
        conditions.append(placed_with(filters.enterprise))
    if filters.stage == NO_STAGE:
        conditions.append(PoolEntry.stage.is_null())
    elif filters.stage:
        conditions.append(PoolEntry.stage == filters.stage)
    return conditions


def _own_projects(viewer: Viewer) -> list[Any]:
    """A partner filters only by its own enterprise's projects (conditions on Participation)."""
    if viewer.role is Role.partner:
        own = Project.select(Project.id).where(Project.enterprise == viewer.enterprise_id)
        return [Participation.project.is_in(own)]
    return []


# --- the query ------------------------------------------------------------------------------

POOL_FROM = """FROM talent_pool_entry
JOIN portal_student ON portal_student.id = talent_pool_entry.student
LEFT JOIN talent_pool_student_score
  ON talent_pool_student_score.student = talent_pool_entry.student"""

POOL_COLUMNS = """portal_student.id AS student_id, portal_student.student_no, portal_student.name,
portal_student.gender, portal_student.department, portal_student.major,
portal_student.class_name, portal_student.cohort_year, portal_student.political_status,
talent_pool_entry.status, talent_pool_entry.status_since, talent_pool_entry.stage,
talent_pool_entry.stage_since, talent_pool_student_score.total AS score"""

SCORE = "COALESCE(talent_pool_student_score.total, 0)"


def _rank(column: str, codes: list[str], missing: int) -> str:
    """A CASE giving each code its position (the enum's order), for sorting by it."""
    whens = " ".join(f"WHEN '{code}' THEN {index}" for index, code in enumerate(codes))
    return f"CASE {column} {whens} ELSE {missing} END"


SORT_EXPRESSIONS = {
    "score": SCORE,
    "name": "portal_student.name",
    "cohort_year": "portal_student.cohort_year",
    "status": _rank("talent_pool_entry.status", list(POOL_STATUSES), len(POOL_STATUSES)),
    "stage": _rank("talent_pool_entry.stage", list(STAGES), -1),
}
# Ties keep a stable order: the higher score first, then by student number.
TIE_BREAK = f"{SCORE} DESC, portal_student.student_no ASC, portal_student.id ASC"


def order_by(sort: Sort) -> str:
    direction = "DESC" if sort.descending else "ASC"
    return f"ORDER BY {SORT_EXPRESSIONS[sort.key]} {direction}, {TIE_BREAK}"


def where_clause(conditions: list[Any]) -> QueryString:
    if not conditions:
        return QueryString("")
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = And(combined, condition)
    return QueryString("WHERE {}", combined.querystring)


@dataclass(frozen=True)
class PoolQuery:
    """The pool as one viewer asked for it: scope, filters and sort."""

    viewer: Viewer
    filters: PoolFilters
    sort: Sort

    @classmethod
    def from_query(cls, query: QueryParams, viewer: Viewer) -> PoolQuery:
        return cls(
            viewer=viewer,
            filters=PoolFilters.from_query(query, viewer),
            sort=Sort.from_query(query, SORT_KEYS, DEFAULT_SORT),
        )

    def conditions(self) -> list[Any]:
        return [*pool_scope(self.viewer), *filter_conditions(self.filters, self.viewer)]

    def params(self) -> dict[str, str]:
        """Filters and sort as query-string values."""
        return {**self.filters.params(), "sort": self.sort.param}

    async def count(self) -> int:
        query = QueryString(
            f"SELECT COUNT(*) AS n {POOL_FROM} {{}}", where_clause(self.conditions())
        )
        rows = await PoolEntry.raw("{}", query)
        return int(rows[0]["n"])

    async def rows(self, page: PageRequest | None = None) -> list[dict[str, Any]]:
        """The matching students in order: one page of them, or all (for the exports)."""
        sql = f"SELECT {POOL_COLUMNS} {POOL_FROM} {{}} {order_by(self.sort)}"
        args: list[Any] = [where_clause(self.conditions())]
        if page is not None:
            sql += " LIMIT {} OFFSET {}"
            args += [page.size, page.offset]
        return await PoolEntry.raw(sql, *args)


# --- choices for the filters ----------------------------------------------------------------


async def filter_options(viewer: Viewer) -> dict[str, list[Any]]:
    """Choices for the filters, from the students of the pool the viewer may see: a few cheap
    DISTINCT queries whatever the number of students."""
    scope = where_clause(pool_scope(viewer))
    facets = await PoolEntry.raw(
        "SELECT DISTINCT portal_student.department, portal_student.major,"
        " portal_student.cohort_year"
        " FROM talent_pool_entry JOIN portal_student"
        " ON portal_student.id = talent_pool_entry.student {}",
        scope,
    )
    project_where = [*pool_scope(viewer)]
    if viewer.role is Role.partner:
        project_where.append(Project.enterprise == viewer.enterprise_id)
    projects = await PoolEntry.raw(
        "SELECT DISTINCT partners_project.id, partners_project.name FROM partners_project"
        " JOIN partners_participation ON partners_participation.project = partners_project.id"
        " JOIN talent_pool_entry ON talent_pool_entry.student = partners_participation.student"
        " JOIN portal_student ON portal_student.id = talent_pool_entry.student {}"
        " ORDER BY partners_project.name, partners_project.id",
        where_clause(project_where),
    )
    enterprises: list[dict[str, Any]] = []
    if viewer.role is Role.coordinator:
        enterprises = await Enterprise.select(Enterprise.id, Enterprise.name).order_by(
            Enterprise.name
        )
    return {
        "department": sorted({row["department"] for row in facets}),
        "major": sorted({row["major"] for row in facets}),
        "cohort_year": sorted({row["cohort_year"] for row in facets}, reverse=True),
        "project": projects,
        "enterprise": enterprises,
    }


def applied_filters(filters: PoolFilters, options: dict[str, list[Any]]) -> list[tuple[str, str]]:
    """The filters in force as (label, value) pairs a reader understands (the PDF's title)."""
    names = {
        "project": {row["id"]: row["name"] for row in options.get("project", [])},
        "enterprise": {row["id"]: row["name"] for row in options.get("enterprise", [])},
    }
    shown: list[tuple[str, str]] = []
    if filters.q:
        shown.append((_("Search"), filters.q))
    if filters.status:
        shown.append((_("Status"), pool_status_label(filters.status)))
    else:
        statuses = " / ".join(pool_status_label(code) for code in DEFAULT_STATUSES)
        shown.append((_("Status"), statuses))
    if filters.cohort_year is not None:
        shown.append((_("Cohort"), str(filters.cohort_year)))
    if filters.department:
        shown.append((_("Department"), filters.department))
    if filters.major:
        shown.append((_("Major"), filters.major))
    if filters.project is not None:
        shown.append((_("Project"), names["project"].get(filters.project, f"#{filters.project}")))
    if filters.enterprise is not None:
        name = names["enterprise"].get(filters.enterprise, f"#{filters.enterprise}")
        shown.append((_("Enterprise"), name))
    if filters.stage == NO_STAGE:
        shown.append((_("Stage"), _("Not applied yet")))
    elif filters.stage:
        shown.append((_("Stage"), stage_label(filters.stage)))
    if filters.political_status:
        shown.append((_("Political status"), _(POLITICAL_STATUSES[filters.political_status])))
    return shown
