"""Dual-mentor assignments (双导师): who sees which, the rules of an assignment, mentoring logs
(指导记录) and evaluations (考核评价).

The rules are pure functions that return or raise what is wrong (portal.domain_errors), so
they are tested without HTTP; the transactions take an Actor (and the Viewer where the
viewer's role decides) and plain values, read what their rules need inside the same audited
transaction as the write, and raise `Refused`. The pages in
partners.coeducation.views.mentorships parse the request, call them and render.

What the rules say:

- an assignment pairs a college-side mentor with an enterprise-side one; inside a project the
  enterprise mentor works for the project's enterprise and the student takes part in the
  project (a pending or active participation); the project is not closed;
- a mentor never goes over their maximum of active mentees (`max_mentees`, counted over both
  slots), the mentor rows held so that two coordinators cannot both take the last place;
- a student has one active assignment per project (and one outside any project);
- an assignment is ended once;
- a mentor account writes logs and evaluations for itself, a partner or a coordinator on
  behalf of either of the student's two mentors;
- a mentor evaluates the student of an assignment once per term.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from partners.coeducation.mentors import active_counts
from partners.coeducation.participations import STUDENT_BY_NUMBER, is_live_member
from partners.coeducation.projects import LIVE_STATUSES
from partners.coeducation.tables import (
    Evaluation,
    Mentor,
    MentorAssignment,
    MentoringLog,
    Participation,
    Project,
)
from portal import reads
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import (
    FORM,
    FieldError,
    NotVisible,
    Refused,
    UniqueViolation,
    raise_refusals,
)
from portal.events import StudentsChanged, announce
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role
from portal.vocabulary import DIMENSIONS, MENTORING_MODES

ASSIGNMENT_FIELDS = [
    "student_no",
    "project",
    "college_mentor",
    "enterprise_mentor",
    "starts_on",
    "ends_on",
]
LOG_FIELDS = ["mentor", "held_on", "mode", "topic", "content", "hours"]
EVALUATION_FIELDS = ["mentor", "term", *DIMENSIONS, "comment"]
TERM_PATTERN = re.compile(r"(\d{4})-(\d{4})-([12])")
HOURS_PATTERN = re.compile(r"\d{1,2}(\.\d{1,2})?")
ATTENTION_DAYS = 30


# --- who sees which ------------------------------------------------------------------------


def assignment_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on MentorAssignment keeping a viewer to what they may see (as
    partners.access.assignments_visible_sql for the read layer): coordinators everything, a
    partner its enterprise's projects, a mentor their own mentees, a student their own
    assignments. Anyone else sees nothing."""
    if viewer.role is Role.coordinator:
        return []
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        projects = Project.select(Project.id).where(Project.enterprise == viewer.enterprise_id)
        return [MentorAssignment.project.is_in(projects)]
    if viewer.role is Role.mentor and viewer.mentor_id is not None:
        return [
            (MentorAssignment.college_mentor == viewer.mentor_id)
            | (MentorAssignment.enterprise_mentor == viewer.mentor_id)
        ]
    if viewer.role is Role.student and viewer.student_id is not None:
        return [MentorAssignment.student == viewer.student_id]
    return [MentorAssignment.id < 0]


# --- the rules of an assignment ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectChoice:
    """The project an assignment is made in, as its rules read it."""

    id: int
    name: str
    enterprise: int
    status: str


@dataclass(frozen=True, slots=True)
class MentorChoice:
    """A mentor chosen for an assignment, as its rules read them."""

    id: int
    name: str
    side: str
    enterprise: int | None
    max_mentees: int


def check_period(
    starts_on: datetime.date | None, ends_on: datetime.date | None
) -> list[FieldError]:
    """The end, if any, is not before the start."""
    if starts_on and ends_on and ends_on < starts_on:
        return [FieldError("ends_on", _("The end cannot be before the start."))]
    return []


def check_mentor_pair(
    college: MentorChoice | None,
    enterprise: MentorChoice | None,
    project: ProjectChoice | None,
) -> list[FieldError]:
    """The college mentor is of the college side; the enterprise mentor of the enterprise side
    and, inside a project, of that project's enterprise."""
    errors: list[FieldError] = []
    if college is not None and college.side != "college":
        errors.append(FieldError("college_mentor", _("Choose a college mentor (校内导师).")))
    if enterprise is not None:
        if enterprise.side != "enterprise":
            errors.append(
                FieldError("enterprise_mentor", _("Choose an enterprise mentor (企业导师)."))
            )
        elif project is not None and enterprise.enterprise != project.enterprise:
            errors.append(
                FieldError(
                    "enterprise_mentor",
                    _("The enterprise mentor must work for the project's enterprise."),
                )
            )
    return errors


def check_project_open(project: ProjectChoice | None) -> list[FieldError]:
    """No new assignment in a closed project."""
    if project is not None and project.status == "closed":
        return [FieldError("project", _("This project is closed."))]
    return []


def check_capacity(field: str, mentor: MentorChoice, active: int) -> list[FieldError]:
    """A mentor never goes over their maximum of active mentees."""
    if active >= mentor.max_mentees:
        return [
            FieldError(
                field,
                _(
                    "%(name)s already mentors %(count)s of at most %(max)s students.",
                    name=mentor.name,
                    count=active,
                    max=mentor.max_mentees,
                ),
            )
        ]
    return []


def duplicate_assignment_error() -> FieldError:
    return FieldError(
        "student_no",
        _("This student already has an active dual-mentor assignment in this project."),
    )


def no_participation_error() -> FieldError:
    return FieldError("project", _("The student is not taking part in this project."))


def unknown_option_error(field: str) -> FieldError:
    return FieldError(field, _("Choose one of the listed options."))


@dataclass(frozen=True)
class AssignmentDraft:
    """The assignment form as typed (a date that did not parse is None): what the rules look
    up and check."""

    student_no: str
    project: str
    college_mentor: str
    enterprise_mentor: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None


def read_assignment_form(form: FormState) -> AssignmentDraft:
    """The assignment form's fields; what is missing or malformed goes on `form`."""
    return AssignmentDraft(
        student_no=form.required("student_no"),
        project=form.values.get("project", ""),
        college_mentor=form.required("college_mentor"),
        enterprise_mentor=form.required("enterprise_mentor"),
        starts_on=form.date("starts_on"),
        ends_on=form.date("ends_on", required=False),
    )


@dataclass(frozen=True)
class NewAssignment:
    """An assignment every lock-free rule has passed, ready to be created."""

    student: int
    project: ProjectChoice | None
    college_mentor: MentorChoice
    enterprise_mentor: MentorChoice
    starts_on: datetime.date
    ends_on: datetime.date | None

    def row(self) -> dict[str, Any]:
        """The columns of the new assignment."""
        return {
            "student": self.student,
            "project": self.project.id if self.project else None,
            "college_mentor": self.college_mentor.id,
            "enterprise_mentor": self.enterprise_mentor.id,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
        }

    @property
    def summary(self) -> str:
        return f"{self.college_mentor.name} / {self.enterprise_mentor.name}"


async def project_choice(raw: str) -> ProjectChoice | None:
    """The project a form names by id, if it exists."""
    if not raw.isdigit():
        return None
    row = await (
        Project.select(Project.id, Project.name, Project.enterprise, Project.status)
        .where(Project.id == int(raw))
        .first()
    )
    return ProjectChoice(**row) if row else None


PAIRING_SUGGESTIONS_LIMIT = 300


async def students_to_pair(project_id: int) -> list[tuple[str, str]]:
    """The project's students (学号, name) who take part in it (a pending or active
    participation, as plan_assignment requires) and have no active assignment in it yet: the
    new assignment form offers them once the project is chosen."""
    assigned = MentorAssignment.select(MentorAssignment.student).where(
        MentorAssignment.project == project_id, MentorAssignment.status == "active"
    )
    rows = (
        await Participation.select(
            Participation.student.student_no.as_alias("student_no"),
            Participation.student.name.as_alias("name"),
        )
        .where(
            Participation.project == project_id,
            Participation.status.is_in(list(LIVE_STATUSES)),
            Participation.student.not_in(assigned),
        )
        .order_by(Participation.student.student_no)
        .limit(PAIRING_SUGGESTIONS_LIMIT)
    )
    return [(row["student_no"], row["name"]) for row in rows]


async def mentor_choice(raw: str) -> MentorChoice | None:
    """The mentor a form names by id, if they exist."""
    if not raw.isdigit():
        return None
    row = await (
        Mentor.select(Mentor.id, Mentor.name, Mentor.side, Mentor.enterprise, Mentor.max_mentees)
        .where(Mentor.id == int(raw))
        .first()
    )
    return MentorChoice(**row) if row else None


async def plan_assignment(draft: AssignmentDraft) -> NewAssignment | None:
    """Looks up the student, project and mentors the form names and checks every rule that
    needs no lock. Raises Refused listing all it found wrong; None when the draft lacks a
    field (the form has said which)."""
    errors: list[FieldError] = []
    student: int | None = None
    if draft.student_no:
        student = await reads.value(STUDENT_BY_NUMBER, student_no=draft.student_no)
        if student is None:
            errors.append(FieldError("student_no", _("No student has this student number.")))
    project: ProjectChoice | None = None
    if draft.project:
        project = await project_choice(draft.project)
        errors += check_project_open(project) if project else [unknown_option_error("project")]
    mentors: dict[str, MentorChoice | None] = {}
    for field in ("college_mentor", "enterprise_mentor"):
        raw = getattr(draft, field)
        mentors[field] = await mentor_choice(raw) if raw else None
        if raw and mentors[field] is None:
            errors.append(unknown_option_error(field))
    college, enterprise = mentors["college_mentor"], mentors["enterprise_mentor"]
    errors += check_mentor_pair(college, enterprise, project)
    errors += check_period(draft.starts_on, draft.ends_on)
    if student and project and not await is_live_member(project.id, student, exclude=None):
        errors.append(no_participation_error())
    raise_refusals(errors)
    if student is None or college is None or enterprise is None or draft.starts_on is None:
        return None
    return NewAssignment(student, project, college, enterprise, draft.starts_on, draft.ends_on)


def assignment_refusals(
    new: NewAssignment, active: Mapping[int, int], already_assigned: bool
) -> list[FieldError]:
    """The rules read under the lock: both mentors below their maximum (`active`: active
    mentees per mentor), and no other active assignment of the student in the project."""
    errors = check_capacity(
        "college_mentor", new.college_mentor, active.get(new.college_mentor.id, 0)
    )
    errors += check_capacity(
        "enterprise_mentor", new.enterprise_mentor, active.get(new.enterprise_mentor.id, 0)
    )
    if already_assigned:
        errors.append(duplicate_assignment_error())
    return errors


async def lock_mentors(mentor_ids: Sequence[int]) -> None:
    """On PostgreSQL, two coordinators assigning the same mentor queue on the mentor rows (on
    SQLite the IMMEDIATE transaction already serializes writers)."""
    if Mentor._meta.db.engine_type == "postgres":
        await Mentor.raw(
            "SELECT id FROM partners_mentor WHERE id IN ({}, {}) ORDER BY id FOR UPDATE",
            *mentor_ids,
        )


async def has_active_assignment(student_id: int, project_id: int | None) -> bool:
    """Whether the student has an active assignment in the project (or outside any)."""
    query = MentorAssignment.exists().where(
        MentorAssignment.student == student_id, MentorAssignment.status == "active"
    )
    if project_id is None:
        return await query.where(MentorAssignment.project.is_null())
    return await query.where(MentorAssignment.project == project_id)


async def create_assignment(actor: Actor, new: NewAssignment) -> int:
    """Checks the mentors' maxima and the one-active-assignment rule and creates the
    assignment, in one transaction holding the mentor rows; returns its id. Raises Refused."""
    row = new.row()
    mentor_ids = (new.college_mentor.id, new.enterprise_mentor.id)
    try:
        async with audited_write(actor) as audit:
            await lock_mentors(mentor_ids)
            active = await active_counts(list(mentor_ids))
            clash = await has_active_assignment(new.student, row["project"])
            raise_refusals(assignment_refusals(new, active, clash))
            inserted = await MentorAssignment.insert(MentorAssignment(**row)).returning(
                MentorAssignment.id
            )
            assignment_id = int(inserted[0]["id"])
            await audit.created(MentorAssignment, assignment_id, row, new.summary)
    except UniqueViolation as error:  # a concurrent assignment of the same student won
        raise Refused([duplicate_assignment_error()]) from error
    return assignment_id


# --- ending an assignment ----------------------------------------------------------------------


def check_may_end(status: str) -> None:
    """Only an active assignment is ended."""
    if status != "active":
        raise Refused.at(FORM, _("This assignment has already ended."))


async def end_assignment(actor: Actor, assignment_id: int, today: datetime.date) -> None:
    """Ends the assignment today (or on its start, if that is later). Raises Refused if it
    has ended meanwhile."""
    async with audited_write(actor) as audit:
        row = await (
            MentorAssignment.select(
                MentorAssignment.status,
                MentorAssignment.starts_on,
                MentorAssignment.ends_on,
                MentorAssignment.student.name.as_alias("student_name"),
            )
            .where(MentorAssignment.id == assignment_id)
            .first()
        )
        if row is None:
            raise NotVisible
        check_may_end(row["status"])
        after = {"status": "ended", "ends_on": max(today, row["starts_on"])}
        await MentorAssignment.update(**after).where(MentorAssignment.id == assignment_id)
        before = {"status": row["status"], "ends_on": row["ends_on"]}
        await audit.updated(MentorAssignment, assignment_id, before, after, row["student_name"])


# --- who writes logs and evaluations -------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """The mentor a log or an evaluation is written for, and whether on their behalf."""

    mentor: int
    on_behalf: bool


def writer_for(
    role: Role, own_mentor_id: int | None, mentors: tuple[int, int], chosen: str
) -> Writer:
    """Whom a viewer of `role` writes for, among an assignment's two mentors (college,
    enterprise). A mentor account writes only for itself (the choice is ignored); a partner
    or a coordinator writes for the chosen one, on their behalf. Raises Refused otherwise."""
    if role is Role.mentor:
        if own_mentor_id is None or own_mentor_id not in mentors:
            raise Refused.at("mentor", _("You are not a mentor of this student."))
        return Writer(own_mentor_id, on_behalf=False)
    if role not in (Role.coordinator, Role.partner):
        raise Refused.at("mentor", _("You cannot write for a mentor."))
    if not chosen:
        raise Refused.at("mentor", _("This field is required."))
    if not chosen.isdigit() or int(chosen) not in mentors:
        raise Refused.at("mentor", _("Choose one of the student's two mentors."))
    return Writer(int(chosen), on_behalf=True)


def writer_of(viewer: Viewer, mentors: tuple[int, int], chosen: str) -> Writer:
    """As writer_for, for the viewer."""
    return writer_for(viewer.role, viewer.mentor_id, mentors, chosen)


# --- mentoring logs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogValues:
    """A mentoring log as its form gives it."""

    held_on: datetime.date
    mode: str
    topic: str
    content: str
    hours: decimal.Decimal


def check_hours(form: FormState) -> decimal.Decimal | None:
    """0.5 to 24 hours, in steps of half an hour."""
    raw = form.required("hours")
    if not raw:
        return None
    if not HOURS_PATTERN.fullmatch(raw):
        form.add_error("hours", _("Enter hours as a number like 1.5."))
        return None
    hours = decimal.Decimal(raw)
    if not decimal.Decimal("0.5") <= hours <= 24 or (hours * 2) % 1 != 0:
        form.add_error("hours", _("Enter 0.5 to 24 hours, in steps of half an hour."))
        return None
    return hours.quantize(decimal.Decimal("0.1"))


def check_log_form(form: FormState, today: datetime.date) -> LogValues | None:
    """Validates a mentoring log's form in place (not its mentor: see writer_for); the log,
    or None when anything is wrong."""
    held_on = form.date("held_on")
    if held_on is not None and held_on > today:
        form.add_error("held_on", _("The date cannot be in the future."))
    mode = form.choice("mode", MENTORING_MODES)
    topic = form.required("topic")
    form.max_length("topic", 200)
    form.max_length("content", 5000)
    hours = check_hours(form)
    if not form.valid or held_on is None or hours is None:
        return None
    return LogValues(held_on, mode, topic, form.values.get("content", ""), hours)


async def add_log(actor: Actor, assignment_id: int, writer: Writer, log: LogValues) -> int:
    """Records a mentoring log of the assignment, written by the actor for `writer`."""
    row: dict[str, Any] = {
        "held_on": log.held_on,
        "mode": log.mode,
        "topic": log.topic,
        "content": log.content,
        "hours": log.hours,
        "assignment": assignment_id,
        "mentor": writer.mentor,
        "on_behalf": writer.on_behalf,
        "written_by": actor.user_id,
    }
    async with audited_write(actor) as audit:
        new = await MentoringLog.insert(MentoringLog(**row)).returning(MentoringLog.id)
        log_id = int(new[0]["id"])
        await audit.created(MentoringLog, log_id, row, log.topic)
    return log_id


async def acknowledge_log(
    actor: Actor, viewer: Viewer, assignment_id: int, log_id: int, now: datetime.datetime
) -> bool:
    """The student of the assignment confirms one of its logs, once: True when this call
    confirmed it, False when it already was. Anyone else: NotVisible."""
    log = await (
        MentoringLog.select(MentoringLog.id, MentoringLog.topic, MentoringLog.acknowledged_at)
        .where(
            MentoringLog.id == log_id,
            MentoringLog.assignment == assignment_id,
            MentoringLog.assignment.student == viewer.student_id,
        )
        .first()
    )
    if log is None or viewer.student_id is None:
        raise NotVisible
    if log["acknowledged_at"] is not None:
        return False
    async with audited_write(actor) as audit:
        await MentoringLog.update({MentoringLog.acknowledged_at: now}).where(
            MentoringLog.id == log_id, MentoringLog.acknowledged_at.is_null()
        )
        await audit.updated(
            MentoringLog, log_id, {"acknowledged_at": None}, {"acknowledged_at": now}, log["topic"]
        )
    return True


# --- evaluations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationValues:
    """An evaluation as its form gives it: the term, a score (0–100) per dimension, a
    comment."""

    term: str
    scores: Mapping[str, int]
    comment: str


def is_valid_term(term: str) -> bool:
    """2026-2027-1: a school year (second year = first + 1) and term 1 or 2."""
    match = TERM_PATTERN.fullmatch(term)
    return match is not None and int(match.group(2)) == int(match.group(1)) + 1


def current_term(today: datetime.date) -> str:
    """The term a day falls in: autumn (Aug–Jan) is term 1, spring (Feb–Jul) term 2."""
    if today.month >= 8:
        return f"{today.year}-{today.year + 1}-1"
    if today.month == 1:
        return f"{today.year - 1}-{today.year}-1"
    return f"{today.year - 1}-{today.year}-2"


def check_evaluation_form(form: FormState) -> EvaluationValues | None:
    """Validates an evaluation's form in place (not its mentor: see writer_for); the
    evaluation, or None when anything is wrong."""
    term = form.required("term")
    if term and not is_valid_term(term):
        form.add_error("term", _("Enter a term like 2026-2027-1 (school year, then term 1 or 2)."))
    form.max_length("comment", 5000)
    scores = {name: form.integer(name, minimum=0, maximum=100) for name in DIMENSIONS}
    if not form.valid:
        return None
    checked = {name: score for name, score in scores.items() if score is not None}
    return EvaluationValues(term, checked, form.values.get("comment", ""))


def duplicate_evaluation_error() -> FieldError:
    return FieldError("term", _("This mentor has already evaluated the student for this term."))


def check_evaluated_once(already_evaluated: bool) -> None:
    """A mentor evaluates the student of an assignment once per term."""
    if already_evaluated:
        raise Refused([duplicate_evaluation_error()])


async def add_evaluation(
    actor: Actor, assignment_id: int, student_id: int, writer: Writer, values: EvaluationValues
) -> int:
    """Records the writer's evaluation of the assignment's student for a term, once per
    mentor and term; then tells whoever re-scores students (the talent pool). Raises Refused."""
    row: dict[str, Any] = {
        **values.scores,
        "term": values.term,
        "comment": values.comment,
        "assignment": assignment_id,
        "mentor": writer.mentor,
        "written_by": actor.user_id,
    }
    try:
        async with audited_write(actor) as audit:
            check_evaluated_once(
                await Evaluation.exists().where(
                    Evaluation.assignment == assignment_id,
                    Evaluation.mentor == writer.mentor,
                    Evaluation.term == values.term,
                )
            )
            new = await Evaluation.insert(Evaluation(**row)).returning(Evaluation.id)
            evaluation_id = int(new[0]["id"])
            await audit.created(Evaluation, evaluation_id, row, values.term)
    except UniqueViolation as error:  # the same evaluation saved twice at once
        raise Refused([duplicate_evaluation_error()]) from error
    await announce(StudentsChanged.of([student_id], actor))
    return evaluation_id


def row_average(scores: Sequence[int]) -> float:
    """The mean of one evaluation's scores."""
    return round(sum(scores) / len(scores), 1)


def average_scores(rows: Iterable[Mapping[str, int]]) -> dict[str, float | None]:
    """Average per dimension over evaluations (their scores by dimension), and `overall` (the
    mean of all five); None everywhere when there are none."""
    rows = list(rows)
    if not rows:
        return {**{name: None for name in DIMENSIONS}, "overall": None}
    averages: dict[str, float | None] = {
        name: round(sum(row[name] for row in rows) / len(rows), 1) for name in DIMENSIONS
    }
    total = sum(row[name] for row in rows for name in DIMENSIONS)
    averages["overall"] = round(total / (len(rows) * len(DIMENSIONS)), 1)
    return averages


def as_date(value: Any) -> datetime.date:
    """SQLite hands MAX() of a date column back as text."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value
