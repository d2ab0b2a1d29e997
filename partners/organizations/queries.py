"""The read layer of the organization pages — enterprises (合作企业), joint party organizations
(联合党组织), their activities (活动) and work plans (工作计划): the lists with their counts,
filter choices and exports, and the detail pages, as SQL compiled once per shape and read into
typed rows.

Who may see what is written into each statement from the viewer (as partners.access does for
Piccolo queries): a coordinator sees everything, a partner its own enterprise and the joint
organizations that enterprise is a member unit of. A row outside the viewer's reach is not
found, so the pages answer 404 exactly as for a missing one.

Enterprise search goes through the n-gram index (portal.search, kind ``enterprise``: name and
credit code), so it never scans. Organization names and activity titles are searched with
ILIKE: a college has a few hundred joint organizations (the search over 100 of them takes
0.02 ms on SQLite and 0.07 ms on PostgreSQL), and an organization's activities are first
narrowed to that organization by its index.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from partners.access import enterprises_visible_sql, organizations_visible_sql
from partners.organizations.plans import completion_rate, is_overdue
from partners.search import ENTERPRISES
from portal import reads
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.pagination import Sort
from portal.search import Match
from portal.sql import Shapes, Statement, like_pattern
from portal.tables import Role
from portal.vocabulary import (
    ACTIVITY_KINDS,
    ENTERPRISE_STATUSES,
    ORGANIZATION_KINDS,
    ORGANIZATION_STATUSES,
    PLAN_PERIODS,
)

FILTER_LENGTH = 100
ENTERPRISE_SORT_KEYS = ("name", "industry", "status", "partner_since")
ORGANIZATION_SORT_KEYS = ("name", "kind", "founded_on", "status")

_shapes = Shapes()


def columns(row_class: type, alias: str) -> str:
    """The SELECT list of a row class whose fields are its table's columns, in field order."""
    return ", ".join(f"{alias}.{field.name}" for field in dataclasses.fields(row_class))


# --- enterprises ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    """An enterprise as its list, its export and its detail page show it."""

    id: int
    name: str
    credit_code: str
    industry: str
    address: str
    contact_person: str
    contact_phone: str
    party_org_name: str
    party_org_kind: str
    party_member_count: int
    employee_count: int
    partner_since: datetime.date | None
    status: str


ENTERPRISE_COLUMNS = columns(EnterpriseRow, "e")


def _in_one_column(text: str, column: str, prefix: str) -> tuple[str, dict[str, Any], Any]:
    """``column`` contains ``text``, through the index. The index does not say which of the
    enterprise's texts holds a term, so a short query (one term, no LIKE of its own) is
    confirmed on this column."""
    match = Match.of(ENTERPRISES.kind, text)
    sql, params = match.sql("e.id", (column,), prefix), match.params(prefix)
    if match.pattern is None:
        sql += f" AND {column} ILIKE :{prefix}_pattern"
        params[f"{prefix}_pattern"] = like_pattern(text)
    return sql, params, match.shape


def enterprise_search(query: str) -> tuple[str, dict[str, Any], Any]:
    """Enterprises whose name or credit code contains the (trimmed) query, without a scan.

    Codes are copied from licences with spaces: as typed, the query is looked for in names;
    without its spaces, in codes. A query without inner spaces is the same text for both, so
    one index look-up over both columns serves it."""
    compact = "".join(query.split())
    if compact == query:
        match = Match.of(ENTERPRISES.kind, query)
        return match.sql("e.id", ("e.name", "e.credit_code")), match.params(), match.shape
    by_name, name_params, name_shape = _in_one_column(query, "e.name", "n")
    by_code, code_params, code_shape = _in_one_column(compact, "e.credit_code", "c")
    return (
        f"(({by_name}) OR ({by_code}))",
        name_params | code_params,
        ("spaced", name_shape, code_shape),
    )


@dataclass(frozen=True)
class EnterpriseFilters:
    """The enterprise list's filters as the query string gives them (unknown values dropped)."""

    q: str = ""
    industry: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> EnterpriseFilters:
        status = query.get("status", "")
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            industry=query.get("industry", "")[:FILTER_LENGTH],
            status=status if status in ENTERPRISE_STATUSES else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "industry": self.industry, "status": self.status}

    def where(self, viewer: Viewer) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The WHERE clause (the viewer's scope and the filters), its parameters, its shape."""
        scope, params = enterprises_visible_sql(viewer, "e.id")
        parts = [scope]
        search_shape = None
        if self.q:
            condition, found, search_shape = enterprise_search(self.q)
            parts.append(condition)
            params |= found
        if self.industry:
            parts.append("e.industry = :industry")
            params["industry"] = self.industry
        if self.status:
            parts.append("e.status = :status")
            params["status"] = self.status
        shape = (viewer.role is Role.coordinator, search_shape, tuple(sorted(params)))
        return " WHERE " + " AND ".join(parts), params, shape


async def enterprise_rows(
    viewer: Viewer, filters: EnterpriseFilters, sort: Sort, limit: int, offset: int = 0
) -> list[EnterpriseRow]:
    """One page of the listed enterprises (or, with a large limit, all for an export)."""
    where, params, shape = filters.where(viewer)
    statement = _shapes.get(
        ("enterprises", shape, sort.key, sort.direction),
        lambda: (
            f"SELECT {ENTERPRISE_COLUMNS} FROM partners_enterprise e{where} "
            f"ORDER BY e.{sort.key} {sort.direction}, e.id ASC LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(EnterpriseRow, statement, **params, limit=limit, offset=offset)


async def enterprise_count(viewer: Viewer, filters: EnterpriseFilters) -> int:
    where, params, shape = filters.where(viewer)
    return await reads.count(
        _shapes, ("enterprise-count", shape), "partners_enterprise e", where, **params
    )


async def industry_choices(viewer: Viewer) -> list[str]:
    """Industries to filter by, from the enterprises the viewer may see."""
    scope, params = enterprises_visible_sql(viewer, "e.id")
    statement = _shapes.get(
        ("industries", viewer.role is Role.coordinator),
        lambda: (
            "SELECT DISTINCT e.industry FROM partners_enterprise e "
            f"WHERE e.industry <> '' AND {scope} ORDER BY e.industry"
        ),
    )
    return [row[0] for row in await reads.fetch(statement, **params)]


async def visible_enterprise(viewer: Viewer, enterprise_id: int) -> EnterpriseRow:
    """The enterprise, if the viewer may see it; NotVisible (a 404) otherwise."""
    scope, params = enterprises_visible_sql(viewer, "e.id")
    statement = _shapes.get(
        ("enterprise", viewer.role is Role.coordinator),
        lambda: (
            f"SELECT {ENTERPRISE_COLUMNS} FROM partners_enterprise e WHERE e.id = :id AND {scope}"
        ),
    )
    row = await reads.first(EnterpriseRow, statement, **params, id=enterprise_id)
    if row is None:
        raise NotVisible(f"enterprise {enterprise_id}")
    return row


ENTERPRISE_CHOICES = Statement("SELECT id, name FROM partners_enterprise ORDER BY name, id")


async def enterprise_choices() -> list[tuple[int, str]]:
    """Every enterprise as (id, name), by name: the options of the organization forms."""
    return [(row[0], row[1]) for row in await reads.fetch(ENTERPRISE_CHOICES)]


@dataclass(frozen=True, slots=True)
class PartnerAccountRow:
    user_id: int
    username: str
    active: bool
    display_name: str


@dataclass(frozen=True, slots=True)
class EnterpriseUnitRow:
    """A member unit the enterprise is, with its joint organization."""

    id: int
    name: str
    party_group_name: str
    organization_id: int
    organization_name: str


@dataclass(frozen=True, slots=True)
class EnterpriseMentorRow:
    id: int
    name: str
    position: str
    party_member: bool


ENTERPRISE_ACCOUNTS = Statement(
    "SELECT u.id, u.username, u.active, p.display_name FROM partners_partner_account pa"
    ' JOIN piccolo_user u ON u.id = pa."user" JOIN portal_profile p ON p."user" = u.id'
    " WHERE pa.enterprise = :enterprise ORDER BY u.username"
)
ENTERPRISE_UNITS = Statement(
    "SELECT mu.id, mu.name, mu.party_group_name, o.id, o.name FROM partners_member_unit mu"
    " JOIN partners_organization o ON o.id = mu.organization"
    " WHERE mu.enterprise = :enterprise ORDER BY o.name, mu.id"
)
ENTERPRISE_MENTORS = Statement(
    "SELECT id, name, position, party_member FROM partners_mentor"
    " WHERE enterprise = :enterprise ORDER BY name, id"
)


async def enterprise_links(enterprise_id: int) -> dict[str, list[Any]]:
    """Partner accounts, member units (with their organization) and mentors: three queries."""
    return {
        "accounts": await reads.rows(
            PartnerAccountRow, ENTERPRISE_ACCOUNTS, enterprise=enterprise_id
        ),
        "units": await reads.rows(EnterpriseUnitRow, ENTERPRISE_UNITS, enterprise=enterprise_id),
        "mentors": await reads.rows(
            EnterpriseMentorRow, ENTERPRISE_MENTORS, enterprise=enterprise_id
        ),
    }


# --- joint organizations -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    """A joint organization's own facts (its detail page, and the heading of its activities
    and plans)."""

    id: int
    kind: str
    name: str
    founded_on: datetime.date | None
    status: str
    description: str


async def visible_organization(viewer: Viewer, organization_id: int) -> OrganizationRow:
    """The organization, if the viewer may see it; NotVisible (a 404) otherwise."""
    scope, params = organizations_visible_sql(viewer, "o.id")
    statement = _shapes.get(
        ("organization", viewer.role is Role.coordinator),
        lambda: (
            f"SELECT {columns(OrganizationRow, 'o')} FROM partners_organization o "
            f"WHERE o.id = :id AND {scope}"
        ),
    )
    row = await reads.first(OrganizationRow, statement, **params, id=organization_id)
    if row is None:
        raise NotVisible(f"organization {organization_id}")
    return row


@dataclass(frozen=True)
class OrganizationFilters:
    """The organization list's filters as the query string gives them (unknown values
    dropped)."""

    q: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> OrganizationFilters:
        kind, status = query.get("kind", ""), query.get("status", "")
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            kind=kind if kind in ORGANIZATION_KINDS else "",
            status=status if status in ORGANIZATION_STATUSES else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "kind": self.kind, "status": self.status}

    def where(self, viewer: Viewer) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        scope, params = organizations_visible_sql(viewer, "o.id")
        parts = [scope]
        if self.q:
            parts.append("o.name ILIKE :q")
            params["q"] = like_pattern(self.q)
        for name in ("kind", "status"):
            if value := getattr(self, name):
                parts.append(f"o.{name} = :{name}")
                params[name] = value
        shape = (viewer.role is Role.coordinator, tuple(sorted(params)))
        return " WHERE " + " AND ".join(parts), params, shape


@dataclass(frozen=True, slots=True)
class OrganizationListRow:
    """An organization as its list and export show it: with its number of member units and
    the expiry of its agreement (None without one)."""

    id: int
    name: str
    kind: str
    founded_on: datetime.date | None
    status: str
    description: str
    unit_count: int
    expires_on: datetime.date | None


async def organization_rows(
    viewer: Viewer, filters: OrganizationFilters, sort: Sort, limit: int, offset: int = 0
) -> list[OrganizationListRow]:
    """One page of the listed organizations (or all, for an export), in one query."""
    where, params, shape = filters.where(viewer)
    statement = _shapes.get(
        ("organizations", shape, sort.key, sort.direction),
        lambda: (
            "SELECT o.id, o.name, o.kind, o.founded_on, o.status, o.description,"
            " (SELECT COUNT(*) FROM partners_member_unit mu WHERE mu.organization = o.id),"
            " a.expires_on FROM partners_organization o"
            f" LEFT JOIN partners_agreement a ON a.organization = o.id{where}"
            f" ORDER BY o.{sort.key} {sort.direction}, o.id ASC LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(OrganizationListRow, statement, **params, limit=limit, offset=offset)


async def organization_count(viewer: Viewer, filters: OrganizationFilters) -> int:
    where, params, shape = filters.where(viewer)
    return await reads.count(
        _shapes, ("organization-count", shape), "partners_organization o", where, **params
    )


async def listed_unit_names(viewer: Viewer, filters: OrganizationFilters) -> dict[int, list[str]]:
    """The member units' names of every listed organization, college side first: one query
    (for the export)."""
    where, params, shape = filters.where(viewer)
    statement = _shapes.get(
        ("organization-unit-names", shape),
        lambda: (
            "SELECT mu.organization, mu.name FROM partners_member_unit mu"
            f" WHERE mu.organization IN (SELECT o.id FROM partners_organization o{where})"
            " ORDER BY mu.side, mu.id"
        ),
    )
    names: dict[int, list[str]] = {}
    for organization_id, name in await reads.fetch(statement, **params):
        names.setdefault(organization_id, []).append(name)
    return names


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A member unit (成员单位) of an organization, with its enterprise's name."""

    id: int
    organization: int
    side: str
    name: str
    enterprise: int | None
    enterprise_name: str | None
    party_group_name: str
    party_group_leader: str


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member of an organization's unit."""

    id: int
    organization: int
    member_unit: int
    name: str
    position: str
    party_member: bool
    phone: str


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """The co-building agreement (共建协议), without the document's bytes."""

    id: int
    signed_on: datetime.date
    expires_on: datetime.date
    text: str
    file_name: str
    content_type: str
    file_size: int
    updated_at: datetime.datetime


UNITS = Statement(
    "SELECT mu.id, mu.organization, mu.side, mu.name, mu.enterprise, e.name AS enterprise_name,"
    " mu.party_group_name, mu.party_group_leader FROM partners_member_unit mu"
    " LEFT JOIN partners_enterprise e ON e.id = mu.enterprise"
    " WHERE mu.organization = :organization ORDER BY mu.side, mu.id"
)
MEMBERS = Statement(
    f"SELECT {columns(MemberRow, 'm')} FROM partners_organization_member m"
    " WHERE m.organization = :organization ORDER BY m.id"
)
SEATS = Statement(
    "SELECT seat, member FROM partners_committee_seat WHERE organization = :organization"
)
AGREEMENT = Statement(
    f"SELECT {columns(AgreementRow, 'a')} FROM partners_agreement a"
    " WHERE a.organization = :organization"
)
WORK_COUNTS = Statement(
    "SELECT (SELECT COUNT(*) FROM partners_activity WHERE organization = :organization),"
    " (SELECT COUNT(*) FROM partners_work_plan WHERE organization = :organization)"
)


@dataclass(frozen=True, slots=True)
class OrganizationParts:
    """An organization's structure: its units, its members (by id and by unit), its committee
    ({seat: member id}) and its agreement (None without one)."""

    units: list[UnitRow]
    members: dict[int, MemberRow]
    members_by_unit: dict[int, list[MemberRow]]
    committee: dict[str, int]
    agreement: AgreementRow | None

    @property
    def unit_names(self) -> dict[int, str]:
        return {unit.id: unit.name for unit in self.units}


async def organization_parts(organization_id: int) -> OrganizationParts:
    """An organization's units, members, committee and agreement: four queries, whatever
    their size."""
    units = await units_of(organization_id)
    members = await reads.rows(MemberRow, MEMBERS, organization=organization_id)
    seats = await reads.fetch(SEATS, organization=organization_id)
    by_unit: dict[int, list[MemberRow]] = {unit.id: [] for unit in units}
    for member in members:
        by_unit.setdefault(member.member_unit, []).append(member)
    return OrganizationParts(
        units=units,
        members={member.id: member for member in members},
        members_by_unit=by_unit,
        committee={seat: member for seat, member in seats},
        agreement=await agreement_of(organization_id),
    )


async def units_of(organization_id: int) -> list[UnitRow]:
    """The organization's member units, college side first."""
    return await reads.rows(UnitRow, UNITS, organization=organization_id)


async def agreement_of(organization_id: int) -> AgreementRow | None:
    """The organization's agreement (without the document's bytes), None without one."""
    return await reads.first(AgreementRow, AGREEMENT, organization=organization_id)


async def work_counts(organization_id: int) -> tuple[int, int]:
    """The organization's number of activities and of work plans, in one query."""
    [(activities, plans)] = await reads.fetch(WORK_COUNTS, organization=organization_id)
    return int(activities), int(plans)


MEMBER = Statement(
    f"SELECT {columns(MemberRow, 'm')} FROM partners_organization_member m"
    " WHERE m.id = :member AND m.organization = :organization"
)


async def member_of(organization_id: int, member_id: int) -> MemberRow:
    """A member of the organization; NotVisible for a member of another one (or none)."""
    row = await reads.first(MemberRow, MEMBER, member=member_id, organization=organization_id)
    if row is None:
        raise NotVisible(f"member {member_id}")
    return row


MEMBER_SEAT = Statement("SELECT seat FROM partners_committee_seat WHERE member = :member")


async def seat_held_by(member_id: int) -> str | None:
    """The committee seat the member holds (one at most), None without one."""
    return await reads.value(MEMBER_SEAT, member=member_id)


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """The agreement's uploaded document, as its download sends it."""

    file_name: str
    content_type: str
    data: bytes


AGREEMENT_DOCUMENT = Statement(
    "SELECT file_name, content_type, file_data FROM partners_agreement"
    " WHERE organization = :organization"
)


async def agreement_document(organization_id: int) -> AgreementDocument:
    """The organization's agreement document; NotVisible without an agreement or a file."""
    found = await reads.fetch(AGREEMENT_DOCUMENT, organization=organization_id)
    if not found or not found[0][2]:
        raise NotVisible(f"agreement document of organization {organization_id}")
    file_name, content_type, data = found[0]
    return AgreementDocument(file_name, content_type, bytes(data))


# --- activities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilters:
    """The timeline's filters as the query string gives them (unknown values dropped)."""

    q: str = ""
    kind: str = ""
    year: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> ActivityFilters:
        kind, year = query.get("kind", "").strip(), query.get("year", "").strip()
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            kind=kind if kind in ACTIVITY_KINDS else "",
            year=year if year.isdigit() and 1900 <= int(year) <= 2200 else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"q": self.q, "kind": self.kind, "year": self.year}

    def where(self, organization_id: int) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        parts = ["a.organization = :organization"]
        params: dict[str, Any] = {"organization": organization_id}
        if self.q:
            parts.append("a.title ILIKE :q")
            params["q"] = like_pattern(self.q)
        if self.kind:
            parts.append("a.kind = :kind")
            params["kind"] = self.kind
        if self.year:
            parts.append("a.held_on >= :year_start AND a.held_on < :year_end")
            params["year_start"] = datetime.date(int(self.year), 1, 1)
            params["year_end"] = datetime.date(int(self.year) + 1, 1, 1)
        return " WHERE " + " AND ".join(parts), params, tuple(sorted(params))


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """An activity as the timeline and its export show it, with its attendance counts."""

    id: int
    kind: str
    title: str
    held_on: datetime.date
    place: str
    host_name: str | None
    members: int
    students: int
    summary: str


async def activity_rows(
    filters: ActivityFilters, organization_id: int, limit: int, offset: int = 0
) -> list[ActivityRow]:
    """One page of the organization's activities, newest first (or all, for an export), with
    their attendance counts, in one query."""
    where, params, shape = filters.where(organization_id)
    statement = _shapes.get(
        ("activities", shape),
        lambda: (
            "SELECT a.id, a.kind, a.title, a.held_on, a.place, mu.name,"
            " (SELECT COUNT(*) FROM partners_member_attendance ma WHERE ma.activity = a.id),"
            " (SELECT COUNT(*) FROM partners_student_attendance sa WHERE sa.activity = a.id),"
            " a.summary FROM partners_activity a"
            f" LEFT JOIN partners_member_unit mu ON mu.id = a.host_unit{where}"
            " ORDER BY a.held_on DESC, a.id DESC LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(ActivityRow, statement, **params, limit=limit, offset=offset)


async def activity_count(filters: ActivityFilters, organization_id: int) -> int:
    where, params, shape = filters.where(organization_id)
    statement = _shapes.get(
        ("activity-count", shape), lambda: f"SELECT COUNT(*) FROM partners_activity a{where}"
    )
    return int(await reads.value(statement, **params))


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """An activity as its own pages show and change it, with its host unit's name."""

    id: int
    organization: int
    kind: str
    title: str
    held_on: datetime.date
    place: str
    host_unit: int | None
    summary: str
    host_name: str | None


ACTIVITY = Statement(
    "SELECT a.id, a.organization, a.kind, a.title, a.held_on, a.place, a.host_unit, a.summary,"
    " mu.name AS host_name FROM partners_activity a"
    " LEFT JOIN partners_member_unit mu ON mu.id = a.host_unit"
    " WHERE a.id = :activity AND a.organization = :organization"
)


async def activity_in(organization_id: int, activity_id: int) -> ActivityRecord:
    """The activity, if it belongs to this organization (the one the viewer may see);
    NotVisible otherwise."""
    row = await reads.first(
        ActivityRecord, ACTIVITY, activity=activity_id, organization=organization_id
    )
    if row is None:
        raise NotVisible(f"activity {activity_id}")
    return row


@dataclass(frozen=True, slots=True)
class AttendeeMemberRow:
    """A member of the organization as the attendance pages list them, under their unit."""

    id: int
    name: str
    position: str
    unit_id: int
    unit_name: str
    party_group: str = ""  # the unit's 党小组, if named


@dataclass(frozen=True, slots=True)
class AttendeeStudentRow:
    """A student as the attendance pages list them (attending, or found to be added)."""

    id: int
    student_no: str
    name: str
    class_name: str


ORGANIZATION_MEMBERS = Statement(
    "SELECT m.id, m.name, m.position, mu.id AS unit_id, mu.name AS unit_name,"
    " mu.party_group_name AS party_group FROM partners_organization_member m"
    " JOIN partners_member_unit mu ON mu.id = m.member_unit"
    " WHERE m.organization = :organization ORDER BY mu.side, mu.id, m.name"
)
ATTENDING_MEMBERS = Statement(
    "SELECT member FROM partners_member_attendance WHERE activity = :activity"
)
ATTENDING_STUDENTS = Statement(
    "SELECT s.id, s.student_no, s.name, s.class_name FROM partners_student_attendance sa"
    " JOIN portal_student s ON s.id = sa.student"
    " WHERE sa.activity = :activity ORDER BY s.student_no"
)


async def organization_members(organization_id: int) -> list[AttendeeMemberRow]:
    """The organization's members, unit by unit (college side first), by name."""
    return await reads.rows(AttendeeMemberRow, ORGANIZATION_MEMBERS, organization=organization_id)


async def attending_member_ids(activity_id: int) -> set[int]:
    return {row[0] for row in await reads.fetch(ATTENDING_MEMBERS, activity=activity_id)}


async def attending_students(activity_id: int) -> list[AttendeeStudentRow]:
    """The activity's student attendees with 学号 and class, by 学号."""
    return await reads.rows(AttendeeStudentRow, ATTENDING_STUDENTS, activity=activity_id)


ACTIVITY_SPAN = Statement(
    "SELECT MIN(held_on), MAX(held_on) FROM partners_activity WHERE organization = :organization"
)


def year_of(value: Any) -> int:
    """The year of MIN/MAX of a date column (text on SQLite, a date on PostgreSQL)."""
    return value.year if isinstance(value, datetime.date) else int(str(value)[:4])


async def activity_years(organization_id: int) -> list[int]:
    """Years from the newest activity back to the oldest, from one min/max query."""
    [(first, last)] = await reads.fetch(ACTIVITY_SPAN, organization=organization_id)
    if first is None or last is None:
        return []
    return list(range(year_of(last), year_of(first) - 1, -1))


# --- work plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    """The plan list's filters as the query string gives them (unknown values dropped)."""

    year: str = ""
    period: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> PlanFilters:
        year, period = query.get("year", "").strip(), query.get("period", "").strip()
        return cls(
            year=year if year.isdigit() and len(year) == 4 else "",
            period=period if period in PLAN_PERIODS else "",
        )

    def as_params(self) -> dict[str, str]:
        return {"year": self.year, "period": self.period}

    def where(self, organization_id: int) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        parts = ["p.organization = :organization"]
        params: dict[str, Any] = {"organization": organization_id}
        if self.year:
            parts.append("p.year = :year")
            params["year"] = int(self.year)
        if self.period:
            parts.append("p.period = :period")
            params["period"] = self.period
        return " WHERE " + " AND ".join(parts), params, tuple(sorted(params))


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A work plan as its list and export show it: its items, done and overdue (not done and
    due before today)."""

    id: int
    period: str
    year: int
    period_number: int | None
    title: str
    total: int
    done: int
    overdue: int

    @property
    def rate(self) -> int | None:
        return completion_rate(self.done, self.total)


async def plan_rows(
    filters: PlanFilters,
    organization_id: int,
    today: datetime.date,
    limit: int,
    offset: int = 0,
) -> list[PlanRow]:
    """One page of the organization's plans, newest year first (or all, for an export), with
    their item counts, in one query."""
    where, params, shape = filters.where(organization_id)
    statement = _shapes.get(
        ("plans", shape),
        lambda: (
            "SELECT p.id, p.period, p.year, p.period_number, p.title, COUNT(i.id),"
            " COALESCE(SUM(CASE WHEN i.done THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN NOT i.done AND i.due_on < :today THEN 1 ELSE 0 END), 0)"
            " FROM partners_work_plan p"
            f" LEFT JOIN partners_work_plan_item i ON i.plan = p.id{where}"
            " GROUP BY p.id, p.period, p.year, p.period_number, p.title"
            " ORDER BY p.year DESC, p.period ASC, p.period_number ASC, p.id ASC"
            " LIMIT :limit OFFSET :offset"
        ),
    )
    return await reads.rows(PlanRow, statement, **params, today=today, limit=limit, offset=offset)


async def plan_count(filters: PlanFilters, organization_id: int) -> int:
    where, params, shape = filters.where(organization_id)
    statement = _shapes.get(
        ("plan-count", shape), lambda: f"SELECT COUNT(*) FROM partners_work_plan p{where}"
    )
    return int(await reads.value(statement, **params))


PLAN_YEARS = Statement(
    "SELECT DISTINCT year FROM partners_work_plan WHERE organization = :organization"
    " ORDER BY year DESC"
)


async def plan_years(organization_id: int) -> list[int]:
    return [row[0] for row in await reads.fetch(PLAN_YEARS, organization=organization_id)]


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A work plan's own facts, as its pages show and change them."""

    id: int
    organization: int
    period: str
    year: int
    period_number: int | None
    title: str


@dataclass(frozen=True, slots=True)
class PlanItemRow:
    """An item of a work plan; ``overdue`` as of the day it was read."""

    id: int
    plan: int
    content: str
    owner: str
    due_on: datetime.date
    done: bool
    done_on: datetime.date | None
    overdue: bool = False


PLAN = Statement(
    f"SELECT {columns(PlanRecord, 'p')} FROM partners_work_plan p"
    " WHERE p.id = :plan AND p.organization = :organization"
)
ITEM_COLUMNS = "i.id, i.plan, i.content, i.owner, i.due_on, i.done, i.done_on"
PLAN_ITEM = Statement(
    f"SELECT {ITEM_COLUMNS} FROM partners_work_plan_item i WHERE i.id = :item AND i.plan = :plan"
)
PLAN_ITEMS = Statement(
    f"SELECT {ITEM_COLUMNS} FROM partners_work_plan_item i WHERE i.plan = :plan"
    " ORDER BY i.due_on, i.id"
)


async def plan_in(organization_id: int, plan_id: int) -> PlanRecord:
    """The plan, if it belongs to this organization (the one the viewer may see);
    NotVisible otherwise."""
    row = await reads.first(PlanRecord, PLAN, plan=plan_id, organization=organization_id)
    if row is None:
        raise NotVisible(f"work plan {plan_id}")
    return row


async def plan_item_in(plan_id: int, item_id: int) -> PlanItemRow:
    """The item, if it belongs to this plan; NotVisible otherwise."""
    row = await reads.first(PlanItemRow, PLAN_ITEM, item=item_id, plan=plan_id)
    if row is None:
        raise NotVisible(f"work plan item {item_id}")
    return row


async def plan_items(plan_id: int, today: datetime.date) -> list[PlanItemRow]:
    """The plan's items by due date, each marked overdue or not as of ``today``."""
    return [
        dataclasses.replace(item, overdue=is_overdue(item.due_on, item.done, today))
        for item in await reads.rows(PlanItemRow, PLAN_ITEMS, plan=plan_id)
    ]
