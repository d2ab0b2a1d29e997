"""Co-education projects (协同育人项目) and the students who join them: the rules.

Pure functions check one rule each and raise `ParticipationRefused` naming the form field the
message belongs to; `add_participation` and `change_participation` run every rule and the
write in ONE audited transaction, so two coordinators enrolling at the same moment cannot both
take the last seat (IMMEDIATE transactions on SQLite, the project row locked on PostgreSQL).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import (
    Participation,
    ParticipationKind,
    ParticipationStatus,
    Project,
    ProjectKind,
    ProjectStatus,
)
from portal.audit import Actor, audited_write
from portal.dates import add_months, age_on
from portal.db import is_unique_violation
from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.tables import Student
from portal.vocabulary import (
    PARTICIPATION_KINDS,
    PARTICIPATION_STATUSES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    WORKSTATION_KINDS,
)

LIVE_STATUSES = (ParticipationStatus.pending.value, ParticipationStatus.active.value)

COMMON_FIELDS = [
    "name",
    "enterprise",
    "organization",
    "majors",
    "starts_on",
    "ends_on",
    "capacity",
    "status",
    "description",
]
KIND_FIELDS: dict[str, list[str]] = {
    "order_class": ["cohort_year", "agreement_no", "employment_promised"],
    "training_base": ["address", "positions", "safety_contact", "safety_phone"],
    "research": ["research_topic"],
    "workstation": ["workstation_kind"],
}
ALL_KIND_FIELDS = [name for names in KIND_FIELDS.values() for name in names]
# What a kind-specific column holds when the project is of another kind.
KIND_FIELD_BLANKS: dict[str, Any] = {
    "cohort_year": None,
    "agreement_no": "",
    "employment_promised": False,
    "address": "",
    "positions": "",
    "safety_contact": "",
    "safety_phone": "",
    "research_topic": "",
    "workstation_kind": "",
}
TEXT_LIMITS = {
    "name": 200,
    "majors": 300,
    "description": 5000,
    "agreement_no": 50,
    "address": 300,
    "positions": 3000,
    "safety_contact": 50,
    "research_topic": 300,
}
MAX_CAPACITY = 2000
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


def label(choices: dict[str, str], code: str) -> str:
    return _(choices[code]) if code in choices else code


def project_kind_label(code: str) -> str:
    return label(PROJECT_KINDS, code)


def project_status_label(code: str) -> str:
    return label(PROJECT_STATUSES, code)


def workstation_kind_label(code: str) -> str:
    return label(WORKSTATION_KINDS, code)


def participation_kind_label(code: str) -> str:
    return label(PARTICIPATION_KINDS, code)


def participation_status_label(code: str) -> str:
    return label(PARTICIPATION_STATUSES, code)


def participation_kind_for(project_kind: str) -> str:
    """Training bases place students (岗位实习); every other kind enrolls them."""
    if project_kind == ProjectKind.training_base.value:
        return ParticipationKind.placement.value
    return ParticipationKind.enrollment.value


# --- the project form ------------------------------------------------------------------------


def project_form_fields(kind: str) -> list[str]:
    return [*COMMON_FIELDS, *KIND_FIELDS.get(kind, ALL_KIND_FIELDS)]


def check_period(starts_on: datetime.date | None, ends_on: datetime.date | None) -> str | None:
    """The message when a period ends before it starts (an open end is fine)."""
    if starts_on and ends_on and ends_on < starts_on:
        return _("The end date cannot be before the start date.")
    return None


def check_kind_fields(form: FormState, kind: str) -> dict[str, Any]:
    values: dict[str, Any] = dict(KIND_FIELD_BLANKS)
    if kind == ProjectKind.order_class.value:
        values["cohort_year"] = form.integer("cohort_year", minimum=2000, maximum=2100)
        values["agreement_no"] = form.values.get("agreement_no", "")
        values["employment_promised"] = form.values.get("employment_promised") in ("on", "1")
    elif kind == ProjectKind.training_base.value:
        values["address"] = form.required("address")
        values["positions"] = "\n".join(
            line.strip() for line in form.values.get("positions", "").splitlines() if line.strip()
        )
        values["safety_contact"] = form.required("safety_contact")
        values["safety_phone"] = phone = form.values.get("safety_phone", "")
        if phone and not is_valid_phone(phone):
            form.add_error("safety_phone", _("Enter a mobile number (11 digits) or a landline."))
    elif kind == ProjectKind.research.value:
        values["research_topic"] = form.required("research_topic")
    elif kind == ProjectKind.workstation.value:
        values["workstation_kind"] = form.choice("workstation_kind", WORKSTATION_KINDS)
    return values


def check_project_form(
    form: FormState,
    kind: str,
    enterprise_ids: Iterable[int],
    organization_ids: Iterable[int],
) -> dict[str, Any]:
    """Validates a project form of the given kind in place (errors go on `form`) and returns
    the cleaned values, with the other kinds' columns blanked."""
    values: dict[str, Any] = {"name": form.required("name")}
    for name, limit in TEXT_LIMITS.items():
        form.max_length(name, limit)
    values["enterprise"] = choose_id(form, "enterprise", enterprise_ids, required=True)
    values["organization"] = choose_id(form, "organization", organization_ids, required=False)
    values["majors"] = form.values.get("majors", "")
    values["starts_on"] = form.date("starts_on")
    values["ends_on"] = form.date("ends_on", required=False)
    if message := check_period(values["starts_on"], values["ends_on"]):
        form.add_error("ends_on", message)
    values["capacity"] = form.integer("capacity", minimum=1, maximum=MAX_CAPACITY)
    values["status"] = form.choice("status", PROJECT_STATUSES)
    values["description"] = form.values.get("description", "")
    values.update(check_kind_fields(form, kind))
    return values


def choose_id(form: FormState, name: str, allowed: Iterable[int], *, required: bool) -> int | None:
    raw = form.values.get(name, "")
    if not raw:
        if required:
            form.add_error(name, _("This field is required."))
        return None
    if not raw.isdigit() or int(raw) not in set(allowed):
        form.add_error(name, _("Choose one of the listed options."))
        return None
    return int(raw)


# --- participation rules ---------------------------------------------------------------------


class ParticipationRefused(Exception):
    """A rule refuses the enrollment or placement; `field` is where the message shows
    ("form" for the top of the form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_project_open(project_status: str) -> None:
    if project_status == ProjectStatus.closed.value:
        raise ParticipationRefused("form", _("This project is closed: nobody can join it."))


def check_capacity(live_count: int, capacity: int) -> None:
    """A new member needs a free seat: live (pending or active) members stay under capacity."""
    if live_count >= capacity:
        raise ParticipationRefused(
            "form",
            _(
                "The project is full: %(used)s of %(capacity)s places are taken.",
                used=live_count,
                capacity=capacity,
            ),
        )


def already_member_error() -> ParticipationRefused:
    return ParticipationRefused(
        "student_no", _("This student is already a member of this project.")
    )


def check_minimum_age(birth_date: datetime.date | None, starts_on: datetime.date) -> None:
    """《职业学校学生实习管理规定》: no student under 16 is placed."""
    if birth_date is None:
        raise ParticipationRefused(
            "student_no",
            _("Record the student's birth date first: interns must be at least 16."),
        )
    if age_on(birth_date, starts_on) < MIN_INTERN_AGE:
        raise ParticipationRefused(
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


def check_no_overlap(
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    others: Iterable[dict[str, Any]],
) -> None:
    """A student is never in two training placements at once (at any training base)."""
    for other in others:
        if periods_overlap(starts_on, ends_on, other["starts_on"], other["ends_on"]):
            until = other["ends_on"].isoformat() if other["ends_on"] else _("open end")
            raise ParticipationRefused(
                "starts_on",
                _(
                    "The student already has a placement at %(project)s from %(start)s to "
                    "%(end)s that overlaps this period.",
                    project=other.get("project_name", ""),
                    start=other["starts_on"].isoformat(),
                    end=until,
                ),
            )


def check_intern_quota(employee_count: int, live_interns: int) -> None:
    """An enterprise hosts at most 10% of its headcount as interns (all its training bases)."""
    if employee_count <= 0:
        raise ParticipationRefused(
            "form",
            _(
                "The enterprise's number of employees is not recorded: record the headcount "
                "first: interns may be at most a tenth of it."
            ),
        )
    if (live_interns + 1) * 100 > employee_count * INTERN_SHARE_PERCENT:
        raise ParticipationRefused(
            "form",
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


# --- the writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    participation_id: int
    status: str
    warnings: list[str]


async def lock_project(project_id: int) -> dict[str, Any]:
    """The project row, locked on PostgreSQL until the transaction ends (SQLite's IMMEDIATE
    transaction already serializes writers)."""
    if Project._meta.db.engine_type == "postgres":
        await Project.raw("SELECT id FROM partners_project WHERE id = {} FOR UPDATE", project_id)
    row = (
        await Project.select(
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
        raise ParticipationRefused("form", _("This project no longer exists."))
    return row


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


async def other_placements(student_id: int, exclude: int | None) -> list[dict[str, Any]]:
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
    return await query


async def check_joining(
    project: dict[str, Any], student: dict[str, Any], values: dict[str, Any], exclude: int | None
) -> None:
    """Every rule for a live participation, read inside the locked transaction."""
    check_project_open(project["status"])
    check_capacity(await live_count(project["id"], exclude), project["capacity"])
    already = Participation.exists().where(
        Participation.project == project["id"],
        Participation.student == student["id"],
        Participation.status.is_in(list(LIVE_STATUSES)),
    )
    if exclude is not None:
        already = already.where(Participation.id != exclude)
    if await already:
        raise already_member_error()
    if values["kind"] == ParticipationKind.placement.value:
        check_minimum_age(student["birth_date"], values["starts_on"])
        check_no_overlap(
            values["starts_on"], values["ends_on"], await other_placements(student["id"], exclude)
        )
        interns = await live_interns(project["enterprise"], exclude)
        check_intern_quota(project["employee_count"] or 0, interns)


async def find_student(student_no: str) -> dict[str, Any]:
    row = (
        await Student.select(Student.id, Student.name, Student.birth_date)
        .where(Student.student_no == student_no)
        .first()
    )
    if row is None:
        raise ParticipationRefused("student_no", _("No student has this student number."))
    return row


def enrollment_period(project: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """An enrollment runs from the day it is made (or the project's start) to the project's end."""
    return {"starts_on": max(today, project["starts_on"]), "ends_on": project["ends_on"]}


def warnings_for(values: dict[str, Any]) -> list[str]:
    if values["kind"] == ParticipationKind.placement.value and runs_too_long(
        values["starts_on"], values["ends_on"]
    ):
        return [long_placement_warning()]
    return []


async def add_participation(
    actor: Actor, project_id: int, values: dict[str, Any], today: datetime.date
) -> Saved:
    """Enrolls or places the student with the given 学号: every rule and the insert in one
    transaction with the project locked. Raises ParticipationRefused."""
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(project_id)
            student = await find_student(values["student_no"])
            row = {k: v for k, v in values.items() if k != "student_no"}
            row["kind"] = participation_kind_for(project["kind"])
            if row["kind"] == ParticipationKind.enrollment.value:
                row.update(enrollment_period(project, today))
                row["status"] = ParticipationStatus.active.value
            else:
                row["status"] = placement_status(
                    row["agreement_signed_on"], row["insurance_policy_no"]
                )
            await check_joining(project, student, row, exclude=None)
            row.update(project=project["id"], student=student["id"])
            inserted = await Participation.insert(Participation(**row)).returning(Participation.id)
            participation_id = inserted[0]["id"]
            summary = f"{student['name']} → {project['name']}"
            await audit.created(Participation, participation_id, row, summary)
    except Exception as error:
        if is_unique_violation(error):
            raise already_member_error() from error
        raise
    return Saved(participation_id, row["status"], warnings_for(row))


def next_status(kind: str, chosen: str, values: dict[str, Any]) -> str:
    """Ended and withdrawn are kept; a live placement follows its agreement and insurance."""
    if chosen not in LIVE_STATUSES:
        return chosen
    if kind == ParticipationKind.placement.value:
        return placement_status(values["agreement_signed_on"], values["insurance_policy_no"])
    return ParticipationStatus.active.value


async def change_participation(
    actor: Actor, participation: dict[str, Any], values: dict[str, Any]
) -> Saved:
    """Updates period, position, agreement, insurance and status; re-checks the rules when
    the result is live (a returning member needs a free seat like a new one)."""
    kind = participation["kind"]
    changes = dict(values)
    changes["status"] = next_status(kind, values["status"], values)
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(participation["project"])
            if changes["status"] in LIVE_STATUSES:
                student = (
                    await Student.select(Student.id, Student.birth_date)
                    .where(Student.id == participation["student"])
                    .first()
                )
                await check_joining(
                    project, student, {**changes, "kind": kind}, exclude=participation["id"]
                )
            await Participation.update(changes).where(Participation.id == participation["id"])
            before = {name: participation[name] for name in changes}
            await audit.updated(
                Participation, participation["id"], before, changes, project["name"]
            )
    except Exception as error:
        if is_unique_violation(error):
            raise already_member_error() from error
        raise
    return Saved(participation["id"], changes["status"], warnings_for({**changes, "kind": kind}))


async def withdraw_participation(actor: Actor, participation: dict[str, Any]) -> None:
    async with audited_write(actor) as audit:
        await Participation.update({Participation.status: ParticipationStatus.withdrawn}).where(
            Participation.id == participation["id"]
        )
        await audit.updated(
            Participation,
            participation["id"],
            {"status": participation["status"]},
            {"status": ParticipationStatus.withdrawn.value},
            "withdraw",
        )
