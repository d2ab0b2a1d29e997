"""Bulk actions on students ticked on the student list: enroll or place them all in one
co-education project (协同育人项目), or pair them all with the same two mentors (双导师结对).

Nothing here has a rule of its own: every student goes through the same rules and the same
audited transaction as the single forms (partners.coeducation.participations.add_participation,
partners.coeducation.mentorships.plan_assignment and create_assignment), each student in a
transaction of their own — all or nothing per student, one audit entry per student written.
A student a rule refuses is left untouched and reported with the rules' messages; the others
are written. What is wrong with the form itself (a project that does not exist, a mentor of the
wrong side, a date that does not parse) is refused before any student is tried, beside its
field.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from partners.coeducation.mentorships import (
    AssignmentDraft,
    create_assignment,
    plan_assignment,
)
from partners.coeducation.participations import (
    add_participation,
    check_placement_fields,
    optional_choice,
    participation_kind_for,
)
from partners.coeducation.projects import check_period
from partners.coeducation.tables import ParticipationKind
from portal import reads
from portal.audit import Actor
from portal.domain_errors import FORM, Refused
from portal.forms import FormState
from portal.i18n import _
from portal.sql import Shapes, in_list
from portal.vocabulary import INTERNSHIP_KINDS

_shapes = Shapes(limit=64)


@dataclass(frozen=True, slots=True)
class ChosenStudent:
    """A ticked student, as a bulk page names them."""

    id: int
    student_no: str
    name: str


async def chosen_students(ids: Sequence[int]) -> list[ChosenStudent]:
    """The students with these ids that exist, in the order they were ticked."""
    if not ids:
        return []
    placeholders, params = in_list("id", ids)
    statement = _shapes.get(
        ("chosen", len(params)),
        lambda: f"SELECT id, student_no, name FROM portal_student WHERE id IN ({placeholders})",
    )
    found = {row.id: row for row in await reads.rows(ChosenStudent, statement, **params)}
    return [found[student_id] for student_id in ids if student_id in found]


def check_selection(students: Sequence[ChosenStudent]) -> None:
    """A bulk action needs at least one student."""
    if not students:
        raise Refused.at(FORM, _("Tick at least one student on the student list first."))


@dataclass(frozen=True, slots=True)
class Done:
    """A student the action was carried out for, and what became of it (a status, warnings)."""

    student: ChosenStudent
    status: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    """A student a rule refused, with every message the rules gave; nothing was written."""

    student: ChosenStudent
    messages: tuple[str, ...]


@dataclass
class BulkResult:
    """Who was done and who was refused, in the order the students were ticked."""

    done: list[Done] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def refuse(self, student: ChosenStudent, refusal: Refused) -> None:
        messages = tuple(dict.fromkeys(error.message for error in refusal.errors))
        self.refused.append(Refusal(student, messages))


# --- enroll or place in a project ---------------------------------------------------------------


def check_bulk_member_form(form: FormState, project_kind: str) -> dict[str, Any]:
    """The member form's fields as the single form checks them, without the student number
    (each ticked student is one): a training base's placement fields (dates, kind of
    internship, agreement, insurance, hours…), or an enrollment's kind of internship and an
    order class's reason for an exception. Validates in place; returns the cleaned values."""
    values: dict[str, Any] = {}
    if participation_kind_for(project_kind) == ParticipationKind.placement.value:
        values["starts_on"] = form.date("starts_on")
        values["ends_on"] = form.date("ends_on", required=False)
        if message := check_period(values["starts_on"], values["ends_on"]):
            form.add_error("ends_on", message)
        values.update(check_placement_fields(form))
    else:
        values["internship_kind"] = optional_choice(form, "internship_kind", INTERNSHIP_KINDS)
        values["override_reason"] = form.values.get("override_reason", "")
        form.max_length("override_reason", 500)
    return values


async def enroll_students(
    actor: Actor,
    project_id: int,
    students: Sequence[ChosenStudent],
    values: dict[str, Any],
    today: datetime.date,
) -> BulkResult:
    """Enrolls or places each student in the project through the single form's transaction
    (every rule, the insert and its audit entry, the project locked), one transaction per
    student; a refused student is reported and the next one tried."""
    result = BulkResult()
    for student in students:
        try:
            saved = await add_participation(
                actor, project_id, {**values, "student_no": student.student_no}, today
            )
        except Refused as refusal:
            result.refuse(student, refusal)
        else:
            result.done.append(Done(student, saved.status, tuple(saved.warnings)))
    return result


# --- pair with two mentors ------------------------------------------------------------------------

PAIRING_FIELDS = ["project", "college_mentor", "enterprise_mentor", "starts_on", "ends_on"]


def read_pairing_form(form: FormState) -> AssignmentDraft:
    """The pairing form: the single assignment form's fields but the student number (each
    ticked student is one); what is missing or malformed goes on `form`."""
    return AssignmentDraft(
        student_no="",
        project=form.values.get("project", ""),
        college_mentor=form.required("college_mentor"),
        enterprise_mentor=form.required("enterprise_mentor"),
        starts_on=form.date("starts_on"),
        ends_on=form.date("ends_on", required=False),
    )


async def check_pairing(draft: AssignmentDraft) -> None:
    """The rules of the form itself, before any student is tried: the project exists and is
    open, the mentors exist and are of their sides (the enterprise one of the project's
    enterprise), the end is not before the start. Raises Refused."""
    await plan_assignment(draft)  # with no student number, only the form's own rules


async def pair_students(
    actor: Actor, students: Sequence[ChosenStudent], draft: AssignmentDraft
) -> BulkResult:
    """Creates one assignment per student through the single form's rules and transaction
    (the student takes part in the project, the mentors' maxima held under lock, one active
    assignment per project), one transaction per student; a refused student is reported and
    the next one tried — once a mentor is full, the students after are refused for it."""
    result = BulkResult()
    for student in students:
        try:
            new = await plan_assignment(
                AssignmentDraft(
                    student_no=student.student_no,
                    project=draft.project,
                    college_mentor=draft.college_mentor,
                    enterprise_mentor=draft.enterprise_mentor,
                    starts_on=draft.starts_on,
                    ends_on=draft.ends_on,
                )
            )
            if new is None:  # the form was checked whole before: cannot happen
                raise Refused.at(FORM, _("Please correct the fields marked below."))
            await create_assignment(actor, new)
        except Refused as refusal:
            result.refuse(student, refusal)
        else:
            result.done.append(Done(student))
    return result
