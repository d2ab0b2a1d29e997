"""Members of co-education projects (协同育人项目): enrollments, and placements (实习) at
training bases — who may add them, the rules, and the transactions.

Placements follow 《职业学校学生实习管理规定》(2021) (the pure checks are in
partners.coeducation.placement_rules, cited from portal.rulebook): a placement says whether it
is a cognitive (认识实习) or a post internship (岗位实习); no post internship in the first year
or under 16 (also an order-class membership marked 岗位实习); never two overlapping
placements; the agreement signed on or before the start by every party; the insurance
covering the dates; interns at most 10% of the enterprise's and 20% of the post's staff at the
same time; no fee; hours, night shifts, overtime and forbidden work refused; active only once
agreement, insurance, a minor's guardian consent and (for 岗位实习) both mentors are recorded;
warnings for low pay and beyond six months. An order class takes its majors and cohort unless
an override reason is recorded.
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

from partners.coeducation import placement_rules as rules
from partners.coeducation.projects import LIVE_STATUSES, check_period
from partners.coeducation.tables import (
    AgreementParty,
    AssignmentStatus,
    MentorAssignment,
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
from portal.domain_errors import FORM, NotVisible, Refused, UniqueViolation
from portal.forms import FormState
from portal.i18n import _
from portal.rulebook import cited, current_numbers, default_numbers
from portal.sql import Statement
from portal.tables import Role
from portal.vocabulary import INTERNSHIP_KINDS, PARTICIPATION_STATUSES, WORK_TYPES

# The columns a placement form edits (besides the student and the status).
PLACEMENT_FIELDS = [
    "starts_on",
    "ends_on",
    "position",
    "internship_kind",
    "agreement_signed_on",
    "agreement_parties",
    "guardian_consent_on",
    "insurance_policy_no",
    "insurance_starts_on",
    "insurance_ends_on",
    "post_headcount",
    "monthly_pay",
    "post_wage",
    "fee",
    "daily_hours",
    "weekly_hours",
    "night_shifts",
    "overtime",
    "through_agency",
    "work_type",
    "override_reason",
]
# The rules a placement form states above its fields (portal.rulebook keys), in form order.
PLACEMENT_RULE_KEYS = (
    "placement.kinds",
    "placement.first_year_no_post",
    "placement.min_age",
    "placement.guardian_consent",
    "placement.agreement_before_start",
    "placement.insurance",
    "placement.enterprise_share",
    "placement.post_share",
    "placement.pay_floor",
    "placement.no_fees",
    "placement.daily_hours",
    "placement.weekly_hours",
    "placement.no_overtime",
    "placement.forbidden_venues",
    "placement.forbidden_work",
    "placement.no_agency",
    "placement.both_mentors",
    "placement.post_six_months",
)
PARTY_FIELDS = {party.value: f"party_{party.value}" for party in AgreementParty}
FLAG_FIELDS = ("night_shifts", "overtime", "through_agency")
# The names a member form posts: the columns, with one checkbox per agreement party.
MEMBER_FORM_FIELDS = [
    *(name for name in PLACEMENT_FIELDS if name != "agreement_parties"),
    *PARTY_FIELDS.values(),
]
# What a membership holds for the placement columns its form does not show.
PLACEMENT_BLANKS: dict[str, Any] = {
    "position": "",
    "internship_kind": "",
    "agreement_signed_on": None,
    "agreement_parties": "",
    "guardian_consent_on": None,
    "insurance_policy_no": "",
    "insurance_starts_on": None,
    "insurance_ends_on": None,
    "post_headcount": None,
    "monthly_pay": None,
    "post_wage": None,
    "fee": 0,
    "daily_hours": None,
    "weekly_hours": None,
    "night_shifts": False,
    "overtime": False,
    "through_agency": False,
    "work_type": "",
    "override_reason": "",
}


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


check_minimum_age = rules.check_minimum_age


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


def check_intern_quota(
    employee_count: int, interns: int, numbers: Mapping[str, int] | None = None
) -> None:
    """An enterprise hosts at most 10% of its headcount as interns at the same time (all its
    training bases)."""
    rules.check_enterprise_share(employee_count, interns, numbers)


def placement_status(
    agreement_signed_on: datetime.date | None,
    insurance_policy_no: str,
    *,
    insured: bool = True,
    consented: bool = True,
    mentored: bool = True,
) -> str:
    """A placement is active only once its agreement and its insurance (covering its dates)
    are recorded, a minor's guardian has consented and a post intern has both mentors."""
    if agreement_signed_on and insurance_policy_no and insured and consented and mentored:
        return ParticipationStatus.active.value
    return ParticipationStatus.pending.value


def runs_too_long(starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
    """A 岗位实习 longer than six months counted inclusively earns a warning (not an error)."""
    return rules.runs_beyond_six_months(starts_on, ends_on)


def long_placement_warning() -> str:
    return cited(
        "placement.post_six_months",
        _("This placement runs longer than 6 months; placements are generally limited to 6."),
    )


# --- the participation form -------------------------------------------------------------------


def optional_choice(form: FormState, name: str, choices: Mapping[str, Any]) -> str:
    value = form.values.get(name, "")
    if value and value not in choices:
        form.add_error(name, _("Choose one of the listed options."))
    return value


def check_placement_fields(form: FormState) -> dict[str, Any]:
    """The placement's own fields: kind, agreement and its parties, consent, insurance,
    head-count, pay, fee, hours and work type."""
    values: dict[str, Any] = {"position": form.required("position")}
    form.max_length("position", 100)
    values["internship_kind"] = form.choice("internship_kind", INTERNSHIP_KINDS)
    values["agreement_signed_on"] = form.date("agreement_signed_on", required=False)
    values["agreement_parties"] = ",".join(
        party for party, name in PARTY_FIELDS.items() if form.values.get(name) in ("on", "1")
    )
    values["guardian_consent_on"] = form.date("guardian_consent_on", required=False)
    values["insurance_policy_no"] = form.values.get("insurance_policy_no", "")
    form.max_length("insurance_policy_no", 60)
    values["insurance_starts_on"] = form.date("insurance_starts_on", required=False)
    values["insurance_ends_on"] = form.date("insurance_ends_on", required=False)
    for name, maximum in (("post_headcount", 1_000_000), ("monthly_pay", 1_000_000)):
        values[name] = form.integer(name, minimum=0, maximum=maximum, required=False)
    values["post_wage"] = form.integer("post_wage", minimum=0, maximum=1_000_000, required=False)
    values["fee"] = form.integer("fee", minimum=0, maximum=1_000_000, required=False) or 0
    values["daily_hours"] = form.integer("daily_hours", minimum=0, maximum=24, required=False)
    values["weekly_hours"] = form.integer("weekly_hours", minimum=0, maximum=168, required=False)
    for flag in FLAG_FIELDS:
        values[flag] = form.values.get(flag) in ("on", "1", "True")
    values["work_type"] = optional_choice(form, "work_type", WORK_TYPES)
    values["override_reason"] = form.values.get("override_reason", "")
    form.max_length("override_reason", 500)
    return values


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
        values.update(check_placement_fields(form))
    else:  # an order class's member may do a post internship; an exception needs a reason
        values["internship_kind"] = optional_choice(form, "internship_kind", INTERNSHIP_KINDS)
        values["override_reason"] = form.values.get("override_reason", "")
        form.max_length("override_reason", 500)
    if not creating:
        values["status"] = form.choice("status", PARTICIPATION_STATUSES)
    return values


def member_form_values(participation: ParticipationRecord) -> dict[str, str]:
    """The member form's fields as the participation stands (one checkbox per party)."""
    values: dict[str, str] = {}
    for name in [*PLACEMENT_FIELDS, "status"]:
        value = getattr(participation, name)
        if isinstance(value, bool):
            values[name] = "on" if value else ""
        else:
            values[name] = "" if value is None else str(value)
    parties = rules.parse_parties(participation.agreement_parties)
    for party, name in PARTY_FIELDS.items():
        values[name] = "on" if party in parties else ""
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
    internship_kind: str
    guardian_consent_on: datetime.date | None
    agreement_parties: str
    insurance_starts_on: datetime.date | None
    insurance_ends_on: datetime.date | None
    post_headcount: int | None
    monthly_pay: int | None
    post_wage: int | None
    fee: int
    daily_hours: int | None
    weekly_hours: int | None
    night_shifts: bool
    overtime: bool
    through_agency: bool
    work_type: str
    override_reason: str
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
    majors: str
    cohort_year: int | None

    @property
    def major_list(self) -> list[str]:
        """面向专业: the majors an order class takes, separated by "、"."""
        return [
            major.strip() for major in self.majors.replace(",", "、").split("、") if major.strip()
        ]


@dataclass(frozen=True, slots=True)
class JoiningStudent:
    """The student of a participation, as the rules read them."""

    id: int
    name: str
    birth_date: datetime.date | None
    gender: str
    major: str
    cohort_year: int


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
            Project.majors,
            Project.cohort_year,
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


@dataclass(frozen=True, slots=True)
class HostedIntern:
    """A live post internship at an enterprise: whom the head-count shares count."""

    starts_on: datetime.date
    ends_on: datetime.date | None
    position: str

    @property
    def period(self) -> rules.Period:
        return (self.starts_on, self.ends_on)


async def hosted_interns(enterprise_id: int, exclude: int | None = None) -> list[HostedIntern]:
    """Every live post internship at the enterprise's projects, whatever its dates (the
    shares then count those that meet the new placement's dates)."""
    query = Participation.select(
        Participation.starts_on,
        Participation.ends_on,
        Participation.position,
        Participation.kind,
        Participation.internship_kind,
    ).where(
        Participation.project.enterprise == enterprise_id,
        Participation.status.is_in(list(LIVE_STATUSES)),
    )
    if exclude is not None:
        query = query.where(Participation.id != exclude)
    return [
        HostedIntern(row["starts_on"], row["ends_on"], row["position"])
        for row in await query
        if rules.is_post_internship(row["kind"], row["internship_kind"])
    ]


async def has_both_mentors(student_id: int) -> bool:
    """The student has an active dual-mentor assignment (a college and an enterprise mentor)."""
    return bool(
        await MentorAssignment.exists().where(
            MentorAssignment.student == student_id,
            MentorAssignment.status == AssignmentStatus.active.value,
        )
    )


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


def check_order_class(project: LockedProject, student: JoiningStudent, reason: str) -> None:
    """An order class takes students of its majors and cohort; placing another student needs
    a recorded reason (kept on the membership and in its audit entry)."""
    if project.kind != ProjectKind.order_class.value or reason.strip():
        return
    majors = project.major_list
    if majors and student.major not in majors:
        raise Refused.at(
            "override_reason",
            cited(
                "placement.order_class_match",
                _(
                    "%(name)s studies %(major)s, not a major of this order class (%(majors)s): "
                    "record the reason for the exception to place them.",
                    name=student.name,
                    major=student.major,
                    majors="、".join(majors),
                ),
            ),
        )
    if project.cohort_year and student.cohort_year != project.cohort_year:
        raise Refused.at(
            "override_reason",
            cited(
                "placement.order_class_match",
                _(
                    "%(name)s belongs to the %(cohort)s cohort, not this order class's "
                    "%(class_cohort)s: record the reason for the exception to place them.",
                    name=student.name,
                    cohort=student.cohort_year,
                    class_cohort=project.cohort_year,
                ),
            ),
        )


def check_post_internship(
    student: JoiningStudent, starts_on: datetime.date, numbers: Mapping[str, int]
) -> None:
    """Who may do a 岗位实习 at all, whatever the project's kind: not a first-year student,
    nobody under 16."""
    rules.check_minimum_age(student.birth_date, starts_on, numbers)
    rules.check_not_first_year(student.cohort_year, starts_on)


def check_placement_terms(
    student: JoiningStudent, values: Mapping[str, Any], numbers: Mapping[str, int]
) -> None:
    """What a placement records, checked against the text: agreement, consent, insurance,
    fee, hours and work type."""
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    minor = rules.is_minor(student.birth_date, starts_on, numbers)
    rules.check_agreement(
        values["agreement_signed_on"],
        rules.parse_parties(values["agreement_parties"]),
        starts_on,
        minor,
    )
    rules.check_consent_date(values["guardian_consent_on"], starts_on)
    rules.check_insurance(
        values["insurance_policy_no"],
        values["insurance_starts_on"],
        values["insurance_ends_on"],
        starts_on,
        ends_on,
    )
    rules.check_no_fee(values["fee"])
    rules.check_hours(
        values["daily_hours"],
        values["weekly_hours"],
        values["night_shifts"],
        values["overtime"],
        numbers,
    )
    rules.check_work_type(values["work_type"], minor, student.gender == "F")
    rules.check_no_agency(values["through_agency"])


async def check_shares(
    project: LockedProject,
    values: Mapping[str, Any],
    exclude: int | None,
    numbers: Mapping[str, int],
) -> None:
    """Interns at the enterprise and on the post at the same time, against its staff."""
    period: rules.Period = (values["starts_on"], values["ends_on"])
    hosted = await hosted_interns(project.enterprise, exclude)
    at_enterprise = rules.peak_overlap(period, [intern.period for intern in hosted])
    check_intern_quota(project.employee_count or 0, at_enterprise, numbers)
    same_post = [intern.period for intern in hosted if intern.position == values["position"]]
    rules.check_post_share(values["post_headcount"], rules.peak_overlap(period, same_post), numbers)


async def check_joining(
    project: LockedProject,
    student: JoiningStudent,
    values: Mapping[str, Any],
    exclude: int | None,
    numbers: Mapping[str, int] | None = None,
) -> None:
    """Every rule for a live participation, read inside the locked transaction."""
    numbers = numbers or default_numbers()
    check_project_open(project.status)
    check_capacity(await live_count(project.id, exclude), project.capacity)
    check_not_member(await is_live_member(project.id, student.id, exclude))
    check_order_class(project, student, values.get("override_reason", ""))
    post = rules.is_post_internship(values["kind"], values.get("internship_kind", ""))
    if post:
        check_post_internship(student, values["starts_on"], numbers)
    if values["kind"] == ParticipationKind.placement.value:
        check_no_overlap(
            values["starts_on"], values["ends_on"], await other_placements(student.id, exclude)
        )
        check_placement_terms(student, values, numbers)
        if post:
            await check_shares(project, values, exclude, numbers)


async def status_of_placement(
    student: JoiningStudent, values: Mapping[str, Any], numbers: Mapping[str, int]
) -> str:
    """Pending until the agreement and the insurance covering the dates are recorded and, for
    a 岗位实习, a minor's guardian consent and both mentors; then active."""
    post = rules.is_post_internship(values["kind"], values["internship_kind"])
    minor = rules.is_minor(student.birth_date, values["starts_on"], numbers)
    return placement_status(
        values["agreement_signed_on"],
        values["insurance_policy_no"],
        insured=rules.insurance_covers(
            values["insurance_starts_on"],
            values["insurance_ends_on"],
            values["starts_on"],
            values["ends_on"],
        ),
        consented=not post or rules.has_guardian_consent(minor, values["guardian_consent_on"]),
        mentored=not post or await has_both_mentors(student.id),
    )


STUDENT_COLUMNS = "id, name, birth_date, gender, major, cohort_year"
STUDENT_BY_NUMBER = Statement(
    f"SELECT {STUDENT_COLUMNS} FROM portal_student WHERE student_no = :student_no"
)
STUDENT_BY_ID = Statement(f"SELECT {STUDENT_COLUMNS} FROM portal_student WHERE id = :id")


async def find_student(student_no: str) -> JoiningStudent:
    found = await reads.first(JoiningStudent, STUDENT_BY_NUMBER, student_no=student_no)
    if found is None:
        raise Refused.at("student_no", _("No student has this student number."))
    return found


def enrollment_period(project: LockedProject, today: datetime.date) -> dict[str, Any]:
    """An enrollment runs from the day it is made (or the project's start) to the project's end."""
    return {"starts_on": max(today, project.starts_on), "ends_on": project.ends_on}


def warnings_for(values: Mapping[str, Any], numbers: Mapping[str, int] | None = None) -> list[str]:
    """What a saved placement is warned about: beyond six months, pay below the floor."""
    if values["kind"] != ParticipationKind.placement.value:
        return []
    warnings = []
    if rules.is_post_internship(values["kind"], values.get("internship_kind", "")):
        if values["ends_on"] is None:
            warnings.append(rules.open_end_warning())
        elif rules.runs_beyond_six_months(values["starts_on"], values["ends_on"], numbers):
            warnings.append(long_placement_warning())
    if low_pay := rules.pay_warning(values.get("monthly_pay"), values.get("post_wage"), numbers):
        warnings.append(low_pay)
    return warnings


async def add_participation(
    actor: Actor, project_id: int, values: Mapping[str, Any], today: datetime.date
) -> Saved:
    """Enrolls or places the student with the given 学号: every rule and the insert in one
    transaction with the project locked. Raises Refused."""
    numbers = await current_numbers()
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(project_id)
            student = await find_student(values["student_no"])
            row = {**PLACEMENT_BLANKS, **{k: v for k, v in values.items() if k != "student_no"}}
            row["kind"] = participation_kind_for(project.kind)
            if row["kind"] == ParticipationKind.enrollment.value:
                row.update(enrollment_period(project, today))
                row["status"] = ParticipationStatus.active.value
            else:
                row["status"] = await status_of_placement(student, row, numbers)
            await check_joining(project, student, row, exclude=None, numbers=numbers)
            row.update(project=project.id, student=student.id)
            inserted = await Participation.insert(Participation(**row)).returning(Participation.id)
            participation_id = int(inserted[0]["id"])
            summary = f"{student.name} → {project.name}"
            await audit.created(Participation, participation_id, row, summary)
    except UniqueViolation as error:  # the same student enrolled twice at once
        raise already_member_error() from error
    return Saved(participation_id, row["status"], warnings_for(row, numbers))


async def next_status(
    student: JoiningStudent, chosen: str, values: Mapping[str, Any], numbers: Mapping[str, int]
) -> str:
    """Ended and withdrawn are kept; a live placement follows its agreement, insurance,
    consent and mentors."""
    if chosen not in LIVE_STATUSES:
        return chosen
    if values["kind"] == ParticipationKind.placement.value:
        return await status_of_placement(student, values, numbers)
    return ParticipationStatus.active.value


async def change_participation(
    actor: Actor, participation: ParticipationRecord, values: Mapping[str, Any]
) -> Saved:
    """Updates period, position, agreement, insurance and status; re-checks the rules when
    the result is live (a returning member needs a free seat like a new one). Raises
    Refused."""
    numbers = await current_numbers()
    changes = dict(values)
    current = {name: getattr(participation, name) for name in PLACEMENT_FIELDS}
    try:
        async with audited_write(actor) as audit:
            project = await lock_project(participation.project)
            student = await reads.first(JoiningStudent, STUDENT_BY_ID, id=participation.student)
            if student is None:
                raise NotVisible
            full = {**current, **changes, "kind": participation.kind}
            changes["status"] = await next_status(student, values["status"], full, numbers)
            if changes["status"] in LIVE_STATUSES:
                await check_joining(
                    project, student, full, exclude=participation.id, numbers=numbers
                )
            await Participation.update(**changes).where(Participation.id == participation.id)
            before = {name: getattr(participation, name) for name in changes}
            await audit.updated(Participation, participation.id, before, changes, project.name)
    except UniqueViolation as error:  # the student rejoined meanwhile
        raise already_member_error() from error
    return Saved(participation.id, changes["status"], warnings_for(full, numbers))


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
