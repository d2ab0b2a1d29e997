"""What the pipeline's pages show and read back: a student's file as the student page, its PDF
and the delete page show it (`pipeline_context`, `pipeline_view`), what the record and choose
pages offer for a kind of event, the event form read into an `Event`, and the due list.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import (
    InternshipKind,
    MentorAssignment,
    Participation,
    ParticipationKind,
    ParticipationStatus,
)
from partners.students import student_scope
from portal.auth import Viewer
from portal.db import contains
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.i18n import _
from portal.pagination import PageRequest, Sort
from portal.rulebook import citation, rule
from portal.tables import Role, Student
from portal.vocabulary import DUE_KINDS, EVENT_KINDS, label
from talent_pool.consent import consented_where
from talent_pool.pipeline.labels import RULE_OF_KIND, RULE_TEXTS, channel_label, stage_label
from talent_pool.pipeline.rules import (
    allowed_kinds,
    deletion_error,
    earliest_date,
    file_errors,
    latest_date,
)
from talent_pool.pipeline.state import (
    STATUS_CHANGING,
    Due,
    Event,
    FileState,
    Person,
    due_items,
    without_last_event,
)
from talent_pool.pipeline.store import file_state
from talent_pool.tables import DueItem, EventKind, PoolEntry

# --- placements (岗位实习) during the pipeline ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementNote:
    """The 岗位实习 placement a student is on when something falls due, and the enterprise
    mentor to involve (so the branch knows whom to ask)."""

    enterprise: str
    position: str
    mentor: str  # the enterprise mentor's name, "" when none is assigned
    mentor_phone: str


@dataclass(frozen=True, slots=True)
class PlacementSpan:
    starts_on: datetime.date
    ends_on: datetime.date | None
    note: PlacementNote

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


async def placements_of(student_ids: Iterable[int]) -> dict[int, list[PlacementSpan]]:
    """The post placements (岗位实习, not withdrawn, not a cognitive internship) of these
    students, each with the enterprise mentor assigned for it. Two queries."""
    ids = list(set(student_ids))
    if not ids:
        return {}
    rows = await Participation.select(
        Participation.student,
        Participation.project,
        Participation.starts_on,
        Participation.ends_on,
        Participation.position,
        Participation.project._.enterprise._.name.as_alias("enterprise"),
    ).where(
        Participation.student.is_in(ids),
        Participation.kind == ParticipationKind.placement.value,
        Participation.status != ParticipationStatus.withdrawn.value,
        Participation.internship_kind != InternshipKind.cognitive.value,
    )
    mentors = await MentorAssignment.select(
        MentorAssignment.student,
        MentorAssignment.project,
        MentorAssignment.enterprise_mentor.name.as_alias("name"),
        MentorAssignment.enterprise_mentor.phone.as_alias("phone"),
    ).where(MentorAssignment.student.is_in(ids))
    spans: dict[int, list[PlacementSpan]] = {}
    for row in rows:
        mentor = next(
            (
                m
                for m in mentors
                if m["student"] == row["student"] and m["project"] == row["project"]
            ),
            next((m for m in mentors if m["student"] == row["student"]), None),
        )
        note = PlacementNote(
            row["enterprise"] or "",
            row["position"] or "",
            mentor["name"] if mentor else "",
            mentor["phone"] or "" if mentor else "",
        )
        spans.setdefault(row["student"], []).append(
            PlacementSpan(row["starts_on"], row["ends_on"], note)
        )
    return spans


def placement_on(spans: Iterable[PlacementSpan], day: datetime.date) -> PlacementNote | None:
    """The placement the student is on that day, if any."""
    return next((span.note for span in spans if span.covers(day)), None)


# --- a student's file --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueView:
    kind: str
    label: str
    due_on: datetime.date
    overdue: bool
    days: int  # days until due (negative: days overdue)
    placement: PlacementNote | None = None  # the 岗位实习 the student is on that day


def due_views(
    items: Iterable[Due], today: datetime.date, spans: Iterable[PlacementSpan] = ()
) -> list[DueView]:
    spans = list(spans)
    return [
        DueView(
            item.kind,
            label(DUE_KINDS, item.kind),
            item.due_on,
            item.overdue(today),
            (item.due_on - today).days,
            placement_on(spans, item.due_on),
        )
        for item in items
    ]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event: Event
    label: str
    details: list[tuple[str, str]]
    late: bool
    deletable: bool


@dataclass(frozen=True, slots=True)
class PipelineView:
    """A student's file as the student page, its PDF and the delete page show it."""

    student_id: int
    stage: str | None
    stage_label: str
    stage_since: datetime.date | None
    pool_status: str | None
    timeline: list[TimelineEntry]
    due: list[DueView]
    allowed: list[tuple[str, str]]  # (kind, label) that may be recorded next
    may_record: bool
    probation_end: datetime.date | None


def event_details(event: Event) -> list[tuple[str, str]]:
    """The event's details as (label, value) pairs, for the timeline and the PDF."""
    details: list[tuple[str, str]] = []
    people_label = {
        EventKind.contacts.value: _("Cultivation contacts"),
        EventKind.introducers.value: _("Introducers"),
    }.get(event.kind, _("People"))
    if event.people:
        names = [
            p.name + ("" if p.full_member else " (" + _("not a full member") + ")")
            for p in event.people
        ]
        details.append((people_label, "、".join(names)))
    if event.recommended_by:
        details.append((_("Recommendation"), channel_label(event.recommended_by)))
    if event.decided_by:
        details.append((_("Decided by"), event.decided_by))
    if event.days:
        details.append((_("Days"), str(event.days)))
    if event.class_hours:
        details.append((_("Class hours"), str(event.class_hours)))
    if event.months:
        details.append((_("Months"), str(event.months)))
    if event.reason:
        details.append((_("Special case"), event.reason))
    if event.entitled is not None:
        votes = _(
            "%(entitled)s entitled to vote, %(present)s present, %(in_favour)s in favour",
            entitled=event.entitled,
            present=event.present,
            in_favour=event.in_favour,
        )
        details.append((_("Vote"), votes))
    if event.note:
        details.append((_("Note"), event.note))
    return details


def pipeline_view(
    student_id: int,
    state: FileState,
    viewer: Viewer | None,
    today: datetime.date,
    spans: Iterable[PlacementSpan] = (),
) -> PipelineView:
    """The file for a viewer (None: the PDF, which offers nothing to record or delete), with
    the placements the student is on when items fall due."""
    may_record = viewer is not None and viewer.role is Role.coordinator
    last = state.last_event
    timeline = [
        TimelineEntry(
            event,
            label(EVENT_KINDS, event.kind),
            event_details(event),
            state.is_late(event),
            may_record and event is last and event.kind not in STATUS_CHANGING,
        )
        for event in state.events
    ]
    allowed = [(kind, label(EVENT_KINDS, kind)) for kind in allowed_kinds(state)]
    return PipelineView(
        student_id=student_id,
        stage=state.stage,
        stage_label=stage_label(state.stage),
        stage_since=state.stage_since,
        pool_status=state.pool_status,
        timeline=timeline,
        due=due_views(due_items(state), today, spans),
        allowed=allowed if may_record else [],
        may_record=may_record,
        probation_end=state.probation_end,
    )


async def pipeline_context(
    student_id: int, viewer: Viewer | None, today: datetime.date
) -> dict[str, PipelineView]:
    """What templates/talent_pool/_pipeline.html needs, to merge into the student page's
    context (`context.update(await pipeline_context(...))`): {"pipeline": PipelineView}.
    The caller has checked that the viewer may see the student. Five queries."""
    state = await file_state(student_id)
    spans = (await placements_of([student_id])).get(student_id, [])
    return {"pipeline": pipeline_view(student_id, state, viewer, today, spans)}


# --- recording an event ------------------------------------------------------------------------

# The form fields of each kind, beyond the date and the note.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    EventKind.application.value: (),
    EventKind.talk.value: (),
    EventKind.activist.value: ("recommended_by", "decided_by"),
    EventKind.contacts.value: ("people",),
    EventKind.review.value: (),
    EventKind.development_target.value: ("decided_by",),
    EventKind.political_review.value: (),
    EventKind.training.value: ("days", "class_hours"),
    EventKind.introducers.value: ("people",),
    EventKind.branch_meeting.value: ("decided_by", "votes"),
    EventKind.approval.value: ("decided_by", "reason"),
    EventKind.extension.value: ("months", "decided_by"),
    EventKind.conversion.value: ("decided_by", "votes"),
    EventKind.oath.value: (),
    EventKind.cancellation.value: ("decided_by",),
    EventKind.activist_filing.value: ("decided_by",),
    EventKind.target_filing.value: ("decided_by",),
    EventKind.pre_review.value: ("decided_by",),
    EventKind.volunteer_form.value: (),
}
VOTE_FIELDS = ("entitled", "present", "in_favour")
PEOPLE_ROWS = max(
    rule("party.contacts").value or 2, rule("party.introducers").value or 2
)  # a row of the form per contact or introducer
PERSON_FIELDS = tuple(
    f"person{i}_{part}" for i in range(1, PEOPLE_ROWS + 1) for part in ("name", "full_member")
)


def choose_context(state: FileState, kind: str) -> dict[str, Any]:
    """What event_choose.html shows: the kinds that may be recorded now and, for a kind asked
    for that may not, why not."""
    known = kind in EVENT_KINDS
    return {
        "stage_label": stage_label(state.stage),
        "kind": kind,
        "kind_known": known,
        "kind_label": label(EVENT_KINDS, kind),
        "blockers": file_errors(state, kind) if known else [],
        "allowed": [(k, label(EVENT_KINDS, k)) for k in allowed_kinds(state)],
    }


def form_context(state: FileState, kind: str, today: datetime.date) -> dict[str, Any]:
    """What event_form.html shows around the form of a kind: its rule and article, its fields,
    and the dates the Rules allow."""
    return {
        "stage_label": stage_label(state.stage),
        "kind": kind,
        "kind_label": label(EVENT_KINDS, kind),
        "rule_text": _(RULE_TEXTS[kind]),
        "article": citation(RULE_OF_KIND[kind]),
        "fields": KIND_FIELDS[kind],
        "people_rows": range(1, PEOPLE_ROWS + 1),
        "recommendation_options": [(code, channel_label(code)) for code in state.channels],
        "membership_options": [
            ("yes", _("Full party member")),
            ("no", _("Probationary member (not full)")),
        ],
        "earliest": earliest_date(state, kind),
        "latest": latest_date(state, kind),
        "today": today,
    }


def form_names(kind: str) -> list[str]:
    """The names of the form fields of a kind."""
    names = ["happened_on"]
    for name in KIND_FIELDS.get(kind, ()):
        if name == "people":
            names += list(PERSON_FIELDS)
        elif name == "votes":
            names += list(VOTE_FIELDS)
        else:
            names.append(name)
    return [*names, "note"]


def event_from_form(kind: str, form: FormState) -> Event | None:
    """The event typed into the form, with the plain checks (required, numbers, lengths) put
    on the form; None when those fail."""
    day = form.date("happened_on")
    form.max_length("note", 2000)
    form.max_length("decided_by", 200)
    fields = KIND_FIELDS.get(kind, ())
    values: dict[str, Any] = {}
    if "recommended_by" in fields:
        values["recommended_by"] = form.values.get("recommended_by", "")
    if "decided_by" in fields:
        values["decided_by"] = form.values.get("decided_by", "")
    if "reason" in fields:
        form.max_length("reason", 2000)
        values["reason"] = form.values.get("reason", "")
    if "votes" in fields:
        for name in VOTE_FIELDS:
            values[name] = form.integer(name, minimum=0, maximum=10000)
    if "days" in fields:
        values |= training_from_form(form)
    if "months" in fields:
        values["months"] = form.integer("months", minimum=1, maximum=24)
    if "people" in fields:
        values["people"] = people_from_form(form)
    if not form.valid or day is None:
        return None
    return Event(kind=kind, happened_on=day, note=form.values.get("note", ""), **values)


def training_from_form(form: FormState) -> dict[str, int | None]:
    """The days and class hours of a training: one of them at least."""
    days = form.integer("days", minimum=0, maximum=365, required=False)
    class_hours = form.integer("class_hours", minimum=0, maximum=2000, required=False)
    if not form.values.get("days") and not form.values.get("class_hours"):
        form.add_error("days", _("Enter the days, the class hours, or both."))
    return {"days": days, "class_hours": class_hours}


def people_from_form(form: FormState) -> tuple[Person, ...]:
    """The contacts or introducers of the form's person rows, each a full member or not."""
    people = []
    for index in range(1, PEOPLE_ROWS + 1):
        name = form.values.get(f"person{index}_name", "")
        form.max_length(f"person{index}_name", 50)
        membership = form.values.get(f"person{index}_full_member", "")
        if not name:
            if index == 1 and form.values.get("person2_name"):
                form.add_error("person1_name", _("Fill in the first person first."))
            continue
        if membership not in ("yes", "no"):
            message = _("Say whether this is a full party member.")
            form.add_error(f"person{index}_full_member", message)
        people.append(Person(name, membership == "yes"))
    return tuple(people)


# --- deleting the latest event -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventDeletion:
    """The event a coordinator asks to delete, and why it may not be (None: it may)."""

    entry: TimelineEntry
    refusal: str | None
    # what deleting it changes (when it may be deleted): the stage, and the items due
    stage_now: str = ""
    stage_after: str = ""
    due_now: int = 0
    due_after: int = 0


async def event_deletion(
    student_id: int, event_id: int, viewer: Viewer, today: datetime.date
) -> EventDeletion:
    """The event of the student's file to delete (NotVisible when the file has no such
    event), and the rule's refusal if it may not be deleted."""
    state = await file_state(student_id)
    view = pipeline_view(student_id, state, viewer, today)
    entry = next((e for e in view.timeline if e.event.id == event_id), None)
    if entry is None:
        raise NotVisible(event_id)
    error = deletion_error(state, event_id)
    if error:
        return EventDeletion(entry, error.message)
    remaining = without_last_event(state)
    return EventDeletion(
        entry,
        None,
        stage_now=stage_label(state.stage),
        stage_after=stage_label(remaining.stage),
        due_now=len(due_items(state)),
        due_after=len(due_items(remaining)),
    )


# --- the due list ------------------------------------------------------------------------------

DUE_SORTS = {"due_on": DueItem.due_on, "name": DueItem.student.name}
DUE_FILTERS = ("q", "kind", "overdue")


@dataclass(frozen=True, slots=True)
class DueListRow:
    """An item due in a file the viewer may see, with its student and their stage."""

    id: int
    kind: str
    due_on: datetime.date
    student_id: int
    student_name: str
    student_no: str
    department: str
    label: str
    overdue: bool
    days: int  # days until due (negative: days overdue)
    stage_label: str
    placement: PlacementNote | None = None  # the 岗位实习 the student is on that day


def scoped_students(viewer: Viewer) -> Any:
    """The ids of the students the viewer may see, as a sub-query (None: everyone)."""
    scope = student_scope(viewer)
    if viewer.role is Role.partner:  # the pipeline only with consent for the partner's enterprise
        scope = [*scope, consented_where("portal_student.id", viewer)]
    if not scope:
        return None
    return Student.select(Student.id).where(*scope)


def due_conditions(viewer: Viewer) -> list[Any]:
    """Where-conditions on DueItem for the files the viewer may see."""
    students = scoped_students(viewer)
    return [] if students is None else [DueItem.student.is_in(students)]


def due_filter_conditions(filters: Mapping[str, str], today: datetime.date) -> list[Any]:
    conditions: list[Any] = []
    if filters["kind"] in DUE_KINDS:
        conditions.append(DueItem.kind == filters["kind"])
    if filters["overdue"] == "1":
        conditions.append(DueItem.due_on < today)
    if filters["q"]:
        conditions.append(
            contains(DueItem.student.name, filters["q"])
            | contains(DueItem.student.student_no, filters["q"])
        )
    return conditions


async def stages_of(student_ids: list[int]) -> dict[int, str | None]:
    if not student_ids:
        return {}
    rows = await PoolEntry.select(PoolEntry.student, PoolEntry.stage).where(
        PoolEntry.student.is_in(student_ids)
    )
    return {row["student"]: row["stage"] for row in rows}


async def due_list(
    viewer: Viewer,
    filters: Mapping[str, str],
    sort: Sort,
    page: PageRequest,
    today: datetime.date,
) -> tuple[list[DueListRow], int]:
    """One page of what is due or overdue in the files the viewer may see (soonest first
    unless sorted otherwise), and how many items match in all, with the placement a student is
    on when an item falls due. Five queries."""
    conditions = [*due_conditions(viewer), *due_filter_conditions(filters, today)]
    total = await DueItem.count().where(*conditions)
    rows = (
        await DueItem.select(
            DueItem.id,
            DueItem.kind,
            DueItem.due_on,
            DueItem.student.id.as_alias("student_id"),
            DueItem.student.name.as_alias("student_name"),
            DueItem.student.student_no.as_alias("student_no"),
            DueItem.student.department.as_alias("department"),
        )
        .where(*conditions)
        .order_by(DUE_SORTS[sort.key], ascending=not sort.descending)
        .order_by(DueItem.due_on if sort.key == "name" else DueItem.student.name)
        .order_by(DueItem.id)
        .limit(page.size)
        .offset(page.offset)
    )
    stages = await stages_of(list({row["student_id"] for row in rows}))
    spans = await placements_of(row["student_id"] for row in rows)
    return [
        DueListRow(
            **row,
            label=label(DUE_KINDS, row["kind"]),
            overdue=row["due_on"] < today,
            days=(row["due_on"] - today).days,
            stage_label=stage_label(stages.get(row["student_id"])),
            placement=placement_on(spans.get(row["student_id"], []), row["due_on"]),
        )
        for row in rows
    ], total
