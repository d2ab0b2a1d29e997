"""Members of co-education projects (协同育人项目): enrollments, and placements (岗位实习) at
training bases — who may add them, the rules, and the transactions.

Placements follow 《职业学校学生实习管理规定》: no intern under 16, never two overlapping
placements, interns at most a tenth of the enterprise's employees, active only once the
placement agreement and the liability insurance are recorded, a warning beyond six months.
Every project keeps its live (pending or active) members within its capacity; a student is a
live member of a project once; a closed project takes nobody. Coordinators enroll and place,
a partner places students at its own training bases.

Pure functions check one rule each and raise `Refused` naming the form field the message
belongs to (FORM for the top of the form); `add_participation` and `change_participation` run
every rule and the write in ONE audited transaction, so two coordinators enrolling at the same
moment cannot both take the last seat (IMMEDIATE transactions on SQLite, the project row
locked on PostgreSQL).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from partners.coeducation.projects import LIVE_STATUSES, check_period
from partners.coeducation.tables import (
    Participation,
    ParticipationKind,
    ParticipationStatus,
    Project,
    ProjectKind,
    ProjectStatus,
)
from portal import reads
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.dates import add_months, age_on
from portal.domain_errors import FORM, NotVisible, Refused, UniqueViolation
from portal.forms import FormState
from portal.i18n import _
from portal.sql import Statement
from portal.tables import Role
from portal.vocabulary import PARTICIPATION_STATUSES

MIN_INTERN_AGE = 16  # 《职业学校学生实习管理规定》(2021)
INTERN_SHARE_PERCENT = 10  # interns at most 10% of the enterprise's employees
LONG_PLACEMENT_MONTHS = 6

PLACEMENT_FIELDS = [
    "starts_on",
    "ends_on",
    "position",
    "agreement_signed_on",
    "insurance_policy_no",
]


def participation_kind_for(project_kind: str) -> str:
    """Training bases place students (岗位实习); every other kind enrolls them."""
    if project_kind == ProjectKind.training_base.value:
        return ParticipationKind.placement.value
    return ParticipationKind.enrollment.value


# --- who adds members -------------------------------------------------------------------------


def may_add_members(viewer: Viewer, project_kind: str) -> bool:
    """Coordinators enroll and place; a partner places students at its own training bases."""
    if viewer.role is Role.coordinator:
        return True
    return participation_kind_for(project_kind) == ParticipationKind.placement.value


def check_may_add_members(viewer: Viewer, project_kind: str) -> None:
    """A viewer who may not add members to a project does not see its member form."""
    if not may_add_members(viewer, project_kind):
        raise NotVisible


# --- participation rules ---------------------------------------------------------------------


def check_project_open(project_status: str) -> None:
    if project_status == ProjectStatus.closed.value:
        raise Refused.at(FORM, _("This project is closed: nobody can join it."))


def check_capacity(live_count: int, capacity: int) -> None:
    """A new member needs a free seat: live (pending or active) members stay under capacity."""
    if live_count >= capacity:
        raise Refused.at(
            FORM,
            _(
                "The project is full: %(used)s of %(capacity)s places are taken.",
                used=live_count,
                capacity=capacity,
            ),
        )


def already_member_error() -> Refused:
    return Refused.at("student_no", _("This student is already a member of this project."))


def check_not_member(already_member: bool) -> None:
    """A student is a live member of a project once (they may rejoin after withdrawing)."""
    if already_member:
        raise already_member_error()


def check_minimum_age(birth_date: datetime.date | None, starts_on: datetime.date) -> None:
    """《职业学校学生实习管理规定》: no student under 16 is placed."""
    if birth_date is None:
        raise Refused.at(
            "student_no",
            _("Record the student's birth date first: interns must be at least 16."),
        )
    if age_on(birth_date, starts_on) < MIN_INTERN_AGE:
        raise Refused.at(
            "starts_on",
            _(
                "The student is under %(age)s on the start date: placements of students "
                "under %(age)s are not allowed.",
                age=MIN_INTERN_AGE,
            ),
        )


def periods_overlap(
    a_start: datetime.date,
    a_end: datetime.date | None,
    b_start: datetime.date,
    b_end: datetime.date | None,
) -> bool:
    """True when two periods share a day; an open end runs on forever."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


@dataclass(frozen=True, slots=True)
class OtherPlacement:
    """Another live placement of the same student (the overlap rule reads it)."""

    starts_on: datetime.date
    ends_on: datetime.date | None
    project_name: str = ""


def check_no_overlap(
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    others: Iterable[OtherPlacement],
) -> None:
    """A student is never in two training placements at once (at any training base)."""
    for other in others:
        if periods_overlap(starts_on, ends_on, other.starts_on, other.ends_on):
            until = other.ends_on.isoformat() if other.ends_on else _("open end")
            raise Refused.at(
                "starts_on",
                _(
                    "The student already has a placement at %(project)s from %(start)s to "
                    "%(end)s that overlaps this period.",
                    project=other.project_name,
                    start=other.starts_on.isoformat(),
                    end=until,
                ),
            )


def check_intern_quota(employee_count: int, live_interns: int) -> None:
    """An enterprise hosts at most 10% of its headcount as interns (all its training bases)."""
    if employee_count <= 0:
        raise Refused.at(
            FORM,
            _(
                "The enterprise's number of employees is not recorded: record the headcount "
                "first: interns may be at most a tenth of it."
            ),
        )
    if (live_interns + 1) * 100 > employee_count * INTERN_SHARE_PERCENT:
        raise Refused.at(
            FORM,
            _(
                "The enterprise already hosts %(count)s interns: at most 10%% of its "
                "%(employees)s employees (%(limit)s) may be placed.",
                count=live_interns,
                employees=employee_count,
                limit=employee_count * INTERN_SHARE_PERCENT // 100,
            ),
        )


def placement_status(agreement_signed_on: datetime.date | None, insurance_policy_no: str) -> str:
    """A placement is active only once its agreement and its insurance are both recorded."""
    if agreement_signed_on and insurance_policy_no:
        return ParticipationStatus.active.value
    return ParticipationStatus.pending.value


def runs_too_long(starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
    """A 岗位实习 longer than 6 months earns a warning (not an error)."""
    return ends_on is not None and ends_on > add_months(starts_on, LONG_PLACEMENT_MONTHS)


def long_placement_warning() -> str:
    return _("This placement runs longer than 6 months; placements are generally limited to 6.")


# --- the participation form -------------------------------------------------------------------


def check_participation_form(form: FormState, kind: str, *, creating: bool) -> dict[str, Any]:
    """Validates an enrollment or placement form in place; returns the cleaned values."""
    values: dict[str, Any] = {}
    if creating:
        values["student_no"] = form.required("student_no")
    if kind == ParticipationKind.placement.value or not creating:
        values["starts_on"] = form.date("starts_on")
        values["ends_on"] = form.date("ends_on", required=False)
        if message := check_period(values["starts_on"], values["ends_on"]):
            form.add_error("ends_on", message)
    if kind == ParticipationKind.placement.value:
        values["position"] = form.required("position")
        form.max_length("position", 100)
        values["agreement_signed_on"] = form.date("agreement_signed_on", required=False)
        values["insurance_policy_no"] = form.values.get("insurance_policy_no", "")
        form.max_length("insurance_policy_no", 60)
    if not creating:
        values["status"] = form.choice("status", PARTICIPATION_STATUSES)
    return values


# --- members: who, and the writes ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParticipationRecord:
    """A member of a project (an enrollment or a placement) with the student's name and
    number: what its form and the rules read."""

    id: int
    project: int
    student: int
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    position: str
    agreement_signed_on: datetime.date | None
    insurance_policy_no: str
    status: str
    created_at: datetime.datetime
    student_name: str
    student_no: str


async def find_participation(project_id: int, participation_id: int) -> ParticipationRecord | None:
    """A member of the project, if there is one with this id."""
    row = await (
        Participation.select(
            *Participation.all_columns(),
            Participation.student.name.as_alias("student_name"),
            Participation.student.student_no.as_alias("student_no"),
        )
        .where(Participation.id == participation_id, Participation.project == project_id)
        .first()
    )
    return ParticipationRecord(**row) if row else None


async def visible_participation(
    viewer: Viewer, project_id: int, participation_id: int
) -> ParticipationRecord:
    """A member of a project the viewer sees: a coordinator any, a partner the placements
    (its enrollments are the college's business). NotVisible otherwise."""
    found = await find_participation(project_id, participation_id)
    if found is None:
        raise NotVisible
    if viewer.role is not Role.coordinator and found.kind != ParticipationKind.placement.value:
        raise NotVisible
    return found


@dataclass(frozen=True)
class Saved:
    """What became of a saved enrollment or placement: its status and any warnings."""

    participation_id: int
    status: str
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class LockedProject:
    """A project as the participation rules read it, held until the transaction ends."""

    id: int
    name: str
    kind: str
    status: str
    capacity: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    enterprise: int
    employee_count: int | None


@dataclass(frozen=True, slots=True)
class JoiningStudent:
    """The student of a participation, as the rules read them."""

    id: int
    name: str
    birth_date: datetime.date | None


async def lock_project(project_id: int) -> LockedProject:
    """The project row, locked on PostgreSQL until the transaction ends (SQLite's IMMEDIATE
    transaction already serializes writers)."""
    if Project._meta.db.engine_type == "postgres":
        await Project.raw("SELECT id FROM partners_project WHERE id = {} FOR UPDATE", project_id)
    row = await (
        Project.select(
            Project.id,
            Project.name,
            Project.kind,
            Project.status,
            Project.capacity,
            Project.starts_on,
            Project.ends_on,
            Project.enterprise,
            Project.enterprise.employee_count.as_alias("employee_count"),
        )
        .where(Project.id == project_id)
        .first()
    )
    if row is None:
        raise Refused.at(FORM, _("This project no longer exists."))
    return LockedProject(**row)


async def live_count(project_id: int, exclude: int | None = None) -> int:
    query = Participation.count().where(
        Participation.project == project_id, Participation.status.is_in(list(LIVE_STATUSES))
    )
    if exclude is not None:
        query = query.where(Participation.id != exclude)
    return await query


async def live_interns(enterprise_id: int, exclude: int | None = None) -> int:
    query = Participation.count().where(
        Participation.project.enterprise == enterprise_id,
        Participation.kind == ParticipationKind.placement.value,
        Participation.status.is_in(list(LIVE_STATUSES)),
    )
    if exclude is not None:
        query = query.where(Participation.id != exclude)
    return await query


async def other_placements(student_id: int, exclude: int | None) -> list[OtherPlacement]:
    query = Participation.select(
        Participation.starts_on,
        Participation.ends_on,
        Participation.project.name.as_alias("project_name"),
    ).where(
        Participation.student == student_id,
        Participation.kind == ParticipationKind.placement.value,
        Participation.status.is_in(list(LIVE_STATUSES)),
    )
    if exclude is not None:
        query = query.where(Participation.id != exclude)
    return [OtherPlacement(**row) for row in await query]


async def is_live_member(project_id: int, student_id: int, exclude: int | None) -> bool:
    query = Participation.exists().where(
        Participation.project == project_id,
        Participation.student == student_id,
        Participation.status.is_in(list(LIVE_STATUSES)),
    )
    if exclude is not None:
        query = query.where(Participation.id != exclude)
    return await query


async def check_joining(
    project: LockedProject,
    student: JoiningStudent,
    values: Mapping[str, Any],
    exclude: int | None,
) -> None:
    """Every rule for a live participation, read inside the locked transaction."""
    check_project_open(project.status)
    check_capacity(await live_count(project.id, exclude), project.capacity)
    check_not_member(await is_live_member(project.id, student.id, exclude))
    if values["kind"] == ParticipationKind.placement.value:
        check_minimum_age(student.birth_date, values["starts_on"])
        check_no_overlap(
            values["starts_on"], values["ends_on"], await other_placements(student.id, exclude)
        )
        interns = await live_interns(project.enterprise, exclude)
        check_intern_quota(project.employee_count or 0, interns)


STUDENT_BY_NUMBER = Statement(
    "SELECT id, name, birth_date FROM portal_student WHERE student_no = :student_no"
)
STUDENT_BY_ID = Statement("SELECT id, name, birth_date FROM portal_student WHERE id = :id")


async def find_student(student_no: str) -> JoiningStudent:
    found = await reads.first(JoiningStudent, STUDENT_BY_NUMBER, student_no=student_no)
    if found is None:
        raise Refused.at("student_no", _("No student has this student number."))
    return found


def enrollment_period(project: LockedProject, today: datetime.date) -> dict[str, Any]:
    """An enrollment runs from the day it is made (or the project's start) to the project's end."""
    return {"starts_on": max(today, project.starts_on), "ends_on": project.ends_on}


def warnings_for(values: Mapping[str, Any]) -> list[str]:
    if values["kind"] == ParticipationKind.placement.value and runs_too_long(
        values["starts_on"], values["ends_on"]
    ):
        return [long_placement_warning()]
    return []


async def add_participation(
    actor: Actor, project_id: int, values: Mapping[str, Any], today: datetime.date
) -> Saved:
    """Enrolls or places the student with the given 学号: every rule and the insert in one
    transaction with the project locked. Raises Refused."""
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(project_id)
            student = await find_student(values["student_no"])
            row = {k: v for k, v in values.items() if k != "student_no"}
            row["kind"] = participation_kind_for(project.kind)
            if row["kind"] == ParticipationKind.enrollment.value:
                row.update(enrollment_period(project, today))
                row["status"] = ParticipationStatus.active.value
            else:
                row["status"] = placement_status(
                    row["agreement_signed_on"], row["insurance_policy_no"]
                )
            await check_joining(project, student, row, exclude=None)
            row.update(project=project.id, student=student.id)
            inserted = await Participation.insert(Participation(**row)).returning(Participation.id)
            participation_id = int(inserted[0]["id"])
            summary = f"{student.name} → {project.name}"
            await audit.created(Participation, participation_id, row, summary)
    except UniqueViolation as error:  # the same student enrolled twice at once
        raise already_member_error() from error
    return Saved(participation_id, row["status"], warnings_for(row))


def next_status(kind: str, chosen: str, values: Mapping[str, Any]) -> str:
    """Ended and withdrawn are kept; a live placement follows its agreement and insurance."""
    if chosen not in LIVE_STATUSES:
        return chosen
    if kind == ParticipationKind.placement.value:
        return placement_status(values["agreement_signed_on"], values["insurance_policy_no"])
    return ParticipationStatus.active.value


async def change_participation(
    actor: Actor, participation: ParticipationRecord, values: Mapping[str, Any]
) -> Saved:
    """Updates period, position, agreement, insurance and status; re-checks the rules when
    the result is live (a returning member needs a free seat like a new one). Raises
    Refused."""
    kind = participation.kind
    changes = dict(values)
    changes["status"] = next_status(kind, values["status"], values)
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(participation.project)
            if changes["status"] in LIVE_STATUSES:
                student = await reads.first(JoiningStudent, STUDENT_BY_ID, id=participation.student)
                if student is None:
                    raise NotVisible
                await check_joining(
                    project, student, {**changes, "kind": kind}, exclude=participation.id
                )
            await Participation.update(**changes).where(Participation.id == participation.id)
            before = {name: getattr(participation, name) for name in changes}
            await audit.updated(Participation, participation.id, before, changes, project.name)
    except UniqueViolation as error:  # the student rejoined meanwhile
        raise already_member_error() from error
    return Saved(participation.id, changes["status"], warnings_for({**changes, "kind": kind}))


async def withdraw_participation(actor: Actor, participation: ParticipationRecord) -> bool:
    """Withdraws a live member (a seat is freed); True if they were live, False (nothing
    done) if they had already left."""
    if participation.status not in LIVE_STATUSES:
        return False
    async with audited_write(actor) as audit:
        withdrawn = await (
            Participation.update({Participation.status: ParticipationStatus.withdrawn})
            .where(
                Participation.id == participation.id,
                Participation.status.is_in(list(LIVE_STATUSES)),
            )
            .returning(Participation.id)
        )
        if not withdrawn:  # withdrawn or ended meanwhile
            return False
        await audit.updated(
            Participation,
            participation.id,
            {"status": participation.status},
            {"status": ParticipationStatus.withdrawn.value},
            "withdraw",
        )
    return True
