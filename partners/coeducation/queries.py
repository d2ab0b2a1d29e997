"""The read layer of the co-education pages — projects (协同育人项目) with their members,
dual-mentor assignments (双导师) with their logs and evaluations, and mentors (导师): the lists
with their counts and exports, and the detail pages, as SQL compiled once per shape and read
into typed rows.

Who may see what is written into each statement from the viewer (as partners.access and the
scopes of partners.coeducation.projects, mentors and mentorships do for Piccolo queries): a
coordinator sees everything, a partner its own enterprise's projects, mentors and the
assignments in its projects, a mentor their own mentees' assignments, a student their own. A
row outside the viewer's reach is not found, so the pages answer 404 exactly as for a missing
one.

The options of the co-education forms (enterprises, joint organizations, open projects) are
read here as well.

Student and mentor names are searched through the n-gram index (portal.search), so a search
never scans. Project and enterprise names in the project list are searched with ILIKE: a
college runs a few hundred projects, fewer rows than the index look-up would return.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from partners.access import (
    LIVE_PARTICIPATION_SQL,
    assignments_visible_sql,
    enterprises_visible_sql,
)
from partners.coeducation.mentorships import as_date, row_average
from partners.search import MENTORS
from portal import reads
from portal.cache import current_engine
from portal.pagination import Sort
from portal.rulebook import default_numbers
from portal.search import STUDENTS, Match
from portal.sql import Shapes, Statement, in_list, like_pattern
from portal.tables import Role
from portal.vocabulary import (
    ASSIGNMENT_STATUSES,
    DIMENSIONS,
    MENTOR_SIDES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
)

FILTER_LENGTH = 100
PROJECT_SORT_KEYS = ("name", "starts_on", "status")
MENTORSHIP_SORT_KEYS = ("student", "starts_on", "status")
MENTORSHIP_DEFAULT_SORT = "-starts_on"
MENTOR_SORT_KEYS = ("name", "side", "max_mentees")
TIMELINE_LENGTH = 20

_shapes = Shapes()


def where_clause(parts: list[str]) -> str:
    return " WHERE " + " AND ".join(parts) if parts else ""


def as_datetime(value: Any) -> datetime.datetime:
    """SQLite hands a timestamp read through a UNION back as text."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def search_of(kind: str, query: str) -> Match | None:
    return Match.of(kind, query) if query else None


# --- projects ------------------------------------------------------------------------------


def projects_visible_sql(viewer: Any, alias: str) -> tuple[str, dict[str, Any]]:
    """The projects a viewer may see (as partners.coeducation.projects.project_scope): all
    for a coordinator, its own enterprise's for a partner."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    return f"{alias}.enterprise = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}


@dataclass(frozen=True)
class ProjectFilters:
    """The project list's filters as the query string gives them (unknown values dropped)."""

    q: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> ProjectFilters:
        kind, status = query.get("kind", ""), query.get("status", "")
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            kind=kind if kind in PROJECT_KINDS else "",
            status=status if status in PROJECT_STATUSES else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "kind": self.kind, "status": self.status}

    def where(self, viewer: Any) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The WHERE clause on ``p`` (project) and ``e`` (its enterprise), its parameters,
        and the shape of its text."""
        scope, params = projects_visible_sql(viewer, "p")
        parts = [scope]
        if self.q:
            parts.append("(p.name ILIKE :q_pattern OR e.name ILIKE :q_pattern)")
            params["q_pattern"] = like_pattern(self.q)
        for name in ("kind", "status"):
            if value := getattr(self, name):
                parts.append(f"p.{name} = :{name}")
                params[name] = value
        return where_clause(parts), params, (scope, tuple(sorted(params)))


@dataclass(frozen=True, slots=True)
class ProjectListRow:
    """A project as the list and its export show it."""

    id: int
    kind: str
    name: str
    enterprise_id: int
    enterprise_name: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    capacity: int
    status: str
    organization_name: str | None
    majors: str
    cohort_year: int | None
    agreement_no: str
    employment_promised: bool
    address: str
    workstation_kind: str


PROJECT_FROM = (
    "FROM partners_project p JOIN partners_enterprise e ON e.id = p.enterprise"
    " LEFT JOIN partners_organization o ON o.id = p.organization"
)


async def project_rows(
    viewer: Any, filters: ProjectFilters, sort: Sort, limit: int, offset: int = 0
) -> list[ProjectListRow]:
    """One page of the listed projects (or, with a large limit, all of them for an export)."""
    where, params, shape = filters.where(viewer)
    statement = _shapes.get(
        ("projects", shape, sort.key, sort.descending),
        lambda: (
            "SELECT p.id, p.kind, p.name, p.enterprise, e.name, p.starts_on, p.ends_on,"
            " p.capacity, p.status, o.name, p.majors, p.cohort_year, p.agreement_no,"
            " p.employment_promised, p.address, p.workstation_kind "
            f"{PROJECT_FROM}{where} ORDER BY p.{sort.key} {sort.direction}, p.id"
            " LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(ProjectListRow, statement, **params, limit=limit, offset=offset)


async def project_count(viewer: Any, filters: ProjectFilters) -> int:
    where, params, shape = filters.where(viewer)
    source = "partners_project p JOIN partners_enterprise e ON e.id = p.enterprise"
    return await reads.count(_shapes, ("project-count", shape), source, where, **params)


async def seats_taken(project_ids: list[int] | None) -> dict[int, int]:
    """Live (pending or active) members per project, in one grouped query: of the listed
    projects, or of every project (``None``, for an export of any length)."""
    if project_ids is not None and not project_ids:
        return {}
    ids, params = in_list("project", project_ids or [])
    only = f" AND project IN ({ids})" if project_ids is not None else ""
    statement = _shapes.get(
        ("seats", len(params) if project_ids is not None else None),
        lambda: (
            "SELECT project, COUNT(*) FROM partners_participation"
            f" WHERE status IN {LIVE_PARTICIPATION_SQL}{only} GROUP BY project"
        ),
    )
    return dict(await reads.fetch(statement, **params))


def runs_too_long_sql(alias: str, engine_type: str) -> str:
    """Condition on a participation: it ends after six months counted inclusively from its
    start, as partners.coeducation.placement_rules.six_months_end counts them: the day before
    the same day six months later, or that month's last day when it has no such day
    (31 August → 28 February: PostgreSQL's interval arithmetic clamps so; SQLite's date()
    would roll over into March, hence the MIN with the month's last day)."""
    months = default_numbers()["placement.post_six_months"]
    start = f"{alias}.starts_on"
    if engine_type == "postgres":
        later = f"({start} + INTERVAL '{months} months')::date"
        same_day = f"EXTRACT(DAY FROM {later}) = EXTRACT(DAY FROM {start})"
        return f"{alias}.ends_on > CASE WHEN {same_day} THEN {later} - 1 ELSE {later} END"
    later = (
        f"MIN(date({start}, '+{months} months'),"
        f" date({start}, 'start of month', '+{months + 1} months', '-1 day'))"
    )
    same_day = f"strftime('%d', {later}) = strftime('%d', {start})"
    return f"{alias}.ends_on > CASE WHEN {same_day} THEN date({later}, '-1 day') ELSE {later} END"


def long_placement_sql(alias: str, engine_type: str) -> str:
    """Condition: a live placement that runs longer than six months (it earns a warning)."""
    return (
        f"({alias}.kind = 'placement' AND {alias}.internship_kind IN ('', 'post')"
        f" AND {alias}.status IN {LIVE_PARTICIPATION_SQL}"
        f" AND {runs_too_long_sql(alias, engine_type)})"
    )


@dataclass(frozen=True, slots=True)
class ProjectDetail:
    """A project as its page shows it, with the figures of its members: all of them, the
    live ones (places taken), the long placements, those the member search matches, and the
    number of its dual-mentor assignments."""

    id: int
    kind: str
    name: str
    enterprise: int
    enterprise_name: str
    employee_count: int | None
    organization: int | None
    organization_name: str | None
    majors: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    capacity: int
    status: str
    description: str
    cohort_year: int | None
    agreement_no: str
    employment_promised: bool
    address: str
    positions: str
    safety_contact: str
    safety_phone: str
    research_topic: str
    workstation_kind: str
    members: int
    live: int
    long_placements: int
    matching: int
    assignments: int

    @property
    def position_list(self) -> list[str]:
        return [line for line in self.positions.splitlines() if line.strip()]


def member_search(query: str) -> Match | None:
    """The member search of a project page: by the student's name or number."""
    return search_of(STUDENTS.kind, query)


MEMBER_SEARCH_COLUMNS = ("s.name", "s.student_no")


async def find_project(viewer: Any, project_id: int, member_query: str) -> ProjectDetail | None:
    """The project, if the viewer may see it, with its member figures in the same query."""
    scope, params = projects_visible_sql(viewer, "p")
    search = member_search(member_query)
    engine_type = current_engine().engine_type

    def build() -> str:
        matching = "COUNT(*)"
        joined = ""
        if search is not None:
            condition = search.sql("pa.student", MEMBER_SEARCH_COLUMNS)
            matching = f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"
            if search.pattern is not None:
                joined = " JOIN portal_student s ON s.id = pa.student"
        return (
            "SELECT p.id, p.kind, p.name, p.enterprise, e.name, e.employee_count,"
            " p.organization, o.name, p.majors, p.starts_on, p.ends_on, p.capacity, p.status,"
            " p.description, p.cohort_year, p.agreement_no, p.employment_promised, p.address,"
            " p.positions, p.safety_contact, p.safety_phone, p.research_topic,"
            " p.workstation_kind, f.members, f.live, f.long_placements, f.matching,"
            " (SELECT COUNT(*) FROM partners_mentor_assignment ma WHERE ma.project = p.id) "
            f"{PROJECT_FROM} CROSS JOIN (SELECT COUNT(*) AS members,"
            f" COALESCE(SUM(CASE WHEN pa.status IN {LIVE_PARTICIPATION_SQL} THEN 1 ELSE 0"
            " END), 0) AS live,"
            f" COALESCE(SUM(CASE WHEN {long_placement_sql('pa', engine_type)} THEN 1 ELSE 0"
            f" END), 0) AS long_placements, {matching} AS matching"
            f" FROM partners_participation pa{joined} WHERE pa.project = :project) f"
            f" WHERE p.id = :project AND {scope}"
        )

    shape = ("project", engine_type, scope, search.shape if search else None)
    if search is not None:
        params |= search.params()
    return await reads.first(ProjectDetail, _shapes.get(shape, build), **params, project=project_id)


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A student in a project (an enrollment or a placement), as the members table shows it;
    ``long`` is 1 for a live placement of more than six months."""

    id: int
    student: int
    student_name: str
    student_no: str
    class_name: str
    kind: str
    internship_kind: str  # "" on rows from before kinds were recorded: they count as 岗位实习
    starts_on: datetime.date
    ends_on: datetime.date | None
    position: str
    agreement_signed_on: datetime.date | None
    insurance_policy_no: str
    status: str
    long: int


async def member_rows(
    project_id: int, member_query: str, limit: int, offset: int = 0
) -> list[MemberRow]:
    """One page of a project's members (those the search matches), in the order they
    joined."""
    search = member_search(member_query)
    engine_type = current_engine().engine_type
    params: dict[str, Any] = search.params() if search else {}
    matched = f" AND {search.sql('pa.student', MEMBER_SEARCH_COLUMNS)}" if search else ""
    statement = _shapes.get(
        ("members", engine_type, search.shape if search else None),
        lambda: (
            "SELECT pa.id, pa.student, s.name, s.student_no, s.class_name, pa.kind,"
            " pa.internship_kind, pa.starts_on, pa.ends_on, pa.position, pa.agreement_signed_on,"
            " pa.insurance_policy_no, pa.status,"
            f" CASE WHEN {long_placement_sql('pa', engine_type)} THEN 1 ELSE 0 END"
            " FROM partners_participation pa JOIN portal_student s ON s.id = pa.student"
            f" WHERE pa.project = :project{matched}"
            " ORDER BY pa.created_at, pa.id LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(
        MemberRow, statement, **params, project=project_id, limit=limit, offset=offset
    )


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """Something that happened in a project: ``created``, a student ``joined``, dual
    mentors ``assigned`` (``name`` is the student's)."""

    at: datetime.datetime
    kind: str
    name: str


TIMELINE = Statement(
    "SELECT happened_at, kind, name FROM ("
    " SELECT p.created_at AS happened_at, 'created' AS kind, '' AS name, 0 AS id"
    " FROM partners_project p WHERE p.id = :project"
    " UNION ALL SELECT pa.created_at, 'joined', s.name, pa.id"
    " FROM partners_participation pa JOIN portal_student s ON s.id = pa.student"
    " WHERE pa.project = :project"
    " UNION ALL SELECT ma.created_at, 'assigned', s.name, ma.id"
    " FROM partners_mentor_assignment ma JOIN portal_student s ON s.id = ma.student"
    " WHERE ma.project = :project"
    ") events ORDER BY happened_at DESC, id DESC LIMIT :limit"
)


async def project_timeline(project_id: int, length: int = TIMELINE_LENGTH) -> list[TimelineEvent]:
    """The latest events of a project, newest first, read from the rows themselves."""
    found = await reads.fetch(TIMELINE, project=project_id, limit=length)
    return [TimelineEvent(as_datetime(at), kind, name) for at, kind, name in found]


# --- dual-mentor assignments -----------------------------------------------------------------


@dataclass(frozen=True)
class MentorshipFilters:
    """The assignment list's filters: the student's name or number, the status, the
    project (the project page links to its assignments)."""

    q: str = ""
    status: str = ""
    project: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> MentorshipFilters:
        status, project = query.get("status", ""), query.get("project", "").strip()
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            status=status if status in ASSIGNMENT_STATUSES else "",
            project=project if project.isdigit() and len(project) < 10 else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "status": self.status, "project": self.project}

    @property
    def search(self) -> Match | None:
        return search_of(STUDENTS.kind, self.q)

    @property
    def needs_student(self) -> bool:
        """Whether the conditions read the student's columns (a search of more than one
        index term is confirmed with LIKE on them)."""
        search = self.search
        return search is not None and search.pattern is not None

    def where(self, viewer: Any) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The WHERE clause on ``ma`` (assignment) and ``s`` (its student), its parameters,
        and the shape of its text."""
        scope, params = assignments_visible_sql(viewer, "ma")
        parts = [scope]
        search = self.search
        if search is not None:
            parts.append(search.sql("ma.student", ("s.name", "s.student_no")))
            params |= search.params()
        if self.status:
            parts.append("ma.status = :status")
            params["status"] = self.status
        if self.project:
            parts.append("ma.project = :project")
            params["project"] = int(self.project)
        shape = (scope, search.shape if search else None, tuple(sorted(params)))
        return where_clause(parts), params, shape


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """A dual-mentor assignment with its student, project and mentors."""

    id: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str
    college_mentor: int
    enterprise_mentor: int
    student_id: int
    student_name: str
    student_no: str
    project_id: int | None
    project_name: str | None
    college_mentor_name: str
    enterprise_mentor_name: str

    @property
    def mentors(self) -> tuple[int, int]:
        """The assignment's two mentors: college, enterprise."""
        return (self.college_mentor, self.enterprise_mentor)


@dataclass(frozen=True, slots=True)
class AssignmentListRow(AssignmentRow):
    """An assignment as its list and export show it, with its mentoring logs' figures."""

    last_log: datetime.date | None
    logs: int
    hours: float


ASSIGNMENT_COLUMNS = (
    "ma.id, ma.starts_on, ma.ends_on, ma.status, ma.college_mentor, ma.enterprise_mentor,"
    " s.id, s.name, s.student_no, p.id, p.name, cm.name, em.name"
)
ASSIGNMENT_JOINS = (
    " JOIN portal_student s ON s.id = ma.student"
    " LEFT JOIN partners_project p ON p.id = ma.project"
    " JOIN partners_mentor cm ON cm.id = ma.college_mentor"
    " JOIN partners_mentor em ON em.id = ma.enterprise_mentor"
)
STUDENT_JOIN = " JOIN portal_student s ON s.id = ma.student"
MENTORSHIP_ORDER = {"student": "s.name", "starts_on": "ma.starts_on", "status": "ma.status"}


def assignment_list_row(*columns: Any) -> AssignmentListRow:
    *base, last_log, logs, hours = columns
    converted: tuple[Any, ...] = (
        *base,
        as_date(last_log) if last_log else None,
        int(logs),
        float(hours or 0),
    )
    return AssignmentListRow(*converted)


async def mentorship_rows(
    viewer: Any, filters: MentorshipFilters, sort: Sort, limit: int, offset: int = 0
) -> list[AssignmentListRow]:
    """One page of the listed assignments (or all of them for an export), each with its
    latest log date, number of logs and hours logged, in one query: the page's ids are
    chosen first (the student joined only when the sort or the search needs it), then
    joined to their student, project, mentors and logs."""
    where, params, shape = filters.where(viewer)
    order = f"{MENTORSHIP_ORDER[sort.key]} {sort.direction}, ma.id"
    student = STUDENT_JOIN if sort.key == "student" or filters.needs_student else ""
    statement = _shapes.get(
        ("mentorships", shape, sort.key, sort.descending),
        lambda: (
            f"WITH listed AS (SELECT ma.id FROM partners_mentor_assignment ma{student}{where}"
            f" ORDER BY {order} LIMIT :limit OFFSET :offset)"
            f" SELECT {ASSIGNMENT_COLUMNS}, f.last_log, COALESCE(f.logs, 0), f.hours"
            f" FROM listed JOIN partners_mentor_assignment ma ON ma.id = listed.id"
            f"{ASSIGNMENT_JOINS} LEFT JOIN (SELECT assignment, MAX(held_on) AS last_log,"
            " COUNT(*) AS logs, SUM(hours) AS hours FROM partners_mentoring_log"
            " WHERE assignment IN (SELECT id FROM listed) GROUP BY assignment) f"
            f" ON f.assignment = ma.id ORDER BY {order}"
        ),
    )
    return await reads.rows(assignment_list_row, statement, **params, limit=limit, offset=offset)


async def project_assignments(viewer: Any, project_id: int, limit: int) -> list[AssignmentListRow]:
    """A project's first assignments in the assignment list's default order: the project
    page shows them and links to that list, filtered by the project, for the rest."""
    default = Sort.from_query(QueryParams(), MENTORSHIP_SORT_KEYS, MENTORSHIP_DEFAULT_SORT)
    filters = MentorshipFilters(project=str(project_id))
    return await mentorship_rows(viewer, filters, default, limit)


async def mentorship_count(viewer: Any, filters: MentorshipFilters) -> int:
    where, params, shape = filters.where(viewer)
    source = "partners_mentor_assignment ma" + (STUDENT_JOIN if filters.needs_student else "")
    return await reads.count(_shapes, ("mentorship-count", shape), source, where, **params)


async def mentorship_projects(viewer: Any) -> list[tuple[int, str]]:
    """The projects of the assignments a viewer may see (the list's project filter)."""
    scope, params = assignments_visible_sql(viewer, "ma")
    statement = _shapes.get(
        ("mentorship-projects", scope),
        lambda: (
            "SELECT p.id, p.name FROM partners_project p WHERE p.id IN"
            f" (SELECT ma.project FROM partners_mentor_assignment ma WHERE {scope})"
            " ORDER BY p.name, p.id"
        ),
    )
    return [(row[0], row[1]) for row in await reads.fetch(statement, **params)]


async def find_assignment(viewer: Any, assignment_id: int) -> AssignmentRow | None:
    """One assignment, if the viewer may see it."""
    scope, params = assignments_visible_sql(viewer, "ma")
    statement = _shapes.get(
        ("assignment", scope),
        lambda: (
            f"SELECT {ASSIGNMENT_COLUMNS} FROM partners_mentor_assignment ma{ASSIGNMENT_JOINS}"
            f" WHERE ma.id = :id AND {scope}"
        ),
    )
    return await reads.first(AssignmentRow, statement, **params, id=assignment_id)


@dataclass(frozen=True, slots=True)
class LogRow:
    """A mentoring log (指导记录) as the assignment page shows it."""

    id: int
    held_on: datetime.date
    mentor_name: str
    on_behalf: bool
    writer: str | None
    mode: str
    topic: str
    content: str
    hours: decimal.Decimal
    acknowledged_at: datetime.datetime | None


LOGS = Statement(
    "SELECT l.id, l.held_on, m.name, l.on_behalf, u.username, l.mode, l.topic, l.content,"
    " l.hours, l.acknowledged_at FROM partners_mentoring_log l"
    " JOIN partners_mentor m ON m.id = l.mentor"
    " LEFT JOIN piccolo_user u ON u.id = l.written_by"
    " WHERE l.assignment = :assignment ORDER BY l.held_on DESC, l.id DESC"
)


async def logs_of(assignment_id: int) -> list[LogRow]:
    """An assignment's mentoring logs, newest first."""
    return await reads.rows(LogRow, LOGS, assignment=assignment_id)


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    """A mentor's evaluation (考核评价) of the student for one term; the five scores in the
    order of portal.vocabulary.DIMENSIONS."""

    id: int
    term: str
    mentor_name: str
    political: int
    professional: int
    practical: int
    innovation: int
    craftsmanship: int
    comment: str

    @property
    def scores(self) -> tuple[int, ...]:
        return (
            self.political,
            self.professional,
            self.practical,
            self.innovation,
            self.craftsmanship,
        )

    @property
    def score_map(self) -> dict[str, int]:
        """The scores by dimension name (as partners.coeducation.mentorships.average_scores
        reads them)."""
        return dict(zip(DIMENSIONS, self.scores, strict=True))

    @property
    def average(self) -> float:
        return row_average(self.scores)


EVALUATIONS = Statement(
    "SELECT e.id, e.term, m.name, e.political, e.professional, e.practical, e.innovation,"
    " e.craftsmanship, e.comment FROM partners_evaluation e"
    " JOIN partners_mentor m ON m.id = e.mentor"
    " WHERE e.assignment = :assignment ORDER BY e.term DESC, e.id"
)


async def evaluations_of(assignment_id: int) -> list[EvaluationRow]:
    """An assignment's evaluations, latest term first."""
    return await reads.rows(EvaluationRow, EVALUATIONS, assignment=assignment_id)


# --- mentors -------------------------------------------------------------------------------


def mentors_visible_sql(viewer: Any, alias: str) -> tuple[str, dict[str, Any]]:
    """The mentors a viewer may see (as partners.coeducation.mentors.mentor_scope): all for
    a coordinator, its own enterprise's for a partner."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        return f"{alias}.enterprise = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}
    return "1 = 0", {}


@dataclass(frozen=True)
class MentorFilters:
    """The mentor list's filters: name, side, party membership."""

    q: str = ""
    side: str = ""
    party: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> MentorFilters:
        side, party = query.get("side", ""), query.get("party", "")
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            side=side if side in MENTOR_SIDES else "",
            party=party if party in ("1", "0") else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "side": self.side, "party": self.party}

    def where(self, viewer: Any) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The WHERE clause on ``m`` (mentor), its parameters, and the shape of its text."""
        scope, params = mentors_visible_sql(viewer, "m")
        parts = [scope]
        search = search_of(MENTORS.kind, self.q)
        if search is not None:
            parts.append(search.sql("m.id", ("m.name",)))
            params |= search.params()
        if self.side:
            parts.append("m.side = :side")
            params["side"] = self.side
        if self.party:
            parts.append("m.party_member = :party")
            params["party"] = self.party == "1"
        shape = (scope, search.shape if search else None, tuple(sorted(params)))
        return where_clause(parts), params, shape


@dataclass(frozen=True, slots=True)
class MentorRow:
    """A mentor as the list and its export show them, with their active mentees."""

    id: int
    side: str
    name: str
    department: str
    title: str
    position: str
    party_member: bool
    max_mentees: int
    enterprise_id: int | None
    enterprise_name: str | None
    phone: str
    email: str
    active: int


def active_mentees_sql(mentor_id: str) -> str:
    """A mentor's active assignments, as college or as enterprise mentor (each through its
    index)."""
    return " + ".join(
        f"(SELECT COUNT(*) FROM partners_mentor_assignment a WHERE a.{side} = {mentor_id}"
        " AND a.status = 'active')"
        for side in ("college_mentor", "enterprise_mentor")
    )


async def mentor_rows(
    viewer: Any, filters: MentorFilters, sort: Sort, limit: int, offset: int = 0
) -> list[MentorRow]:
    """One page of the listed mentors (or all of them for an export) with their active
    mentees, in one query."""
    where, params, shape = filters.where(viewer)
    order = f"{sort.key} {sort.direction}"
    statement = _shapes.get(
        ("mentors", shape, sort.key, sort.descending),
        lambda: (
            "WITH listed AS (SELECT m.id, m.side, m.name, m.department, m.title, m.position,"
            " m.party_member, m.max_mentees, m.enterprise AS enterprise_id,"
            " e.name AS enterprise_name, m.phone, m.email FROM partners_mentor m"
            f" LEFT JOIN partners_enterprise e ON e.id = m.enterprise{where}"
            f" ORDER BY m.{order}, m.id LIMIT :limit OFFSET :offset)"
            f" SELECT listed.*, {active_mentees_sql('listed.id')} FROM listed"
            f" ORDER BY listed.{order}, listed.id"
        ),
    )
    return await reads.rows(MentorRow, statement, **params, limit=limit, offset=offset)


async def mentor_count(viewer: Any, filters: MentorFilters) -> int:
    where, params, shape = filters.where(viewer)
    return await reads.count(_shapes, ("mentor-count", shape), "partners_mentor m", where, **params)


@dataclass(frozen=True, slots=True)
class MenteeRow:
    """A mentor's current mentee (an active assignment), as the mentor's page lists them."""

    id: int
    starts_on: datetime.date
    student_id: int
    student_name: str
    student_no: str
    project_name: str | None


CURRENT_MENTEES = Statement(
    "SELECT ma.id, ma.starts_on, s.id, s.name, s.student_no, p.name"
    " FROM partners_mentor_assignment ma JOIN portal_student s ON s.id = ma.student"
    " LEFT JOIN partners_project p ON p.id = ma.project"
    " WHERE ma.status = 'active'"
    " AND (ma.college_mentor = :mentor OR ma.enterprise_mentor = :mentor)"
    " ORDER BY s.name, ma.id"
)


async def current_mentees(mentor_id: int) -> list[MenteeRow]:
    """A mentor's active assignments, as college or enterprise mentor, by student name."""
    return await reads.rows(MenteeRow, CURRENT_MENTEES, mentor=mentor_id)


# --- the options the forms offer -------------------------------------------------------------

Option = tuple[int, str]

ORGANIZATION_OPTIONS = Statement("SELECT id, name FROM partners_organization ORDER BY name, id")
OPEN_PROJECT_OPTIONS = Statement(
    "SELECT p.id, p.name, e.name FROM partners_project p"
    " JOIN partners_enterprise e ON e.id = p.enterprise"
    " WHERE p.status <> 'closed' ORDER BY p.name, p.id"
)
STUDENT_NUMBER = Statement("SELECT student_no FROM portal_student WHERE id = :id")


async def enterprise_options(viewer: Any) -> list[Option]:
    """The enterprises a viewer may choose (a partner: its own), by name."""
    scope, params = enterprises_visible_sql(viewer, "e.id")
    statement = _shapes.get(
        ("enterprise-options", scope),
        lambda: (
            f"SELECT e.id, e.name FROM partners_enterprise e WHERE {scope} ORDER BY e.name, e.id"
        ),
    )
    return [(row[0], row[1]) for row in await reads.fetch(statement, **params)]


async def organization_options() -> list[Option]:
    """Every joint party organization, by name (a project may belong to one)."""
    return [(row[0], row[1]) for row in await reads.fetch(ORGANIZATION_OPTIONS)]


async def open_project_options() -> list[Option]:
    """The projects that are not closed, as “name（enterprise）”: where dual mentors may be
    assigned."""
    return [(row[0], f"{row[1]}（{row[2]}）") for row in await reads.fetch(OPEN_PROJECT_OPTIONS)]


async def student_number(student_id: int) -> str | None:
    """A student's number (学号), to fill in a form."""
    return await reads.value(STUDENT_NUMBER, id=student_id)
