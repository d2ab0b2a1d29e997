"""A recruitment file (发展党员档案) as what it says now: its dated events, replayed by
`build_state` into a `FileState` (stage, dates, contacts, introducers …), and what the stage
asks for next and by when (`due_items`). Pure: no database, no translation.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.dates import add_months
from talent_pool.tables import DueKind, EventKind, Stage

TALK_MONTHS = 1  # the talk within one month of the application (第七条)
REVIEW_MONTHS = 6  # a review every six months (第十五条)
ACTIVIST_MONTHS = 12  # at least a year as activist (第十六条)
APPROVAL_MONTHS = 3  # the higher committee's approval (第二十九条)
PROBATION_MONTHS = 12  # a year of probation (第三十一条)

# The events that move a file to a stage.
STAGE_OF_EVENT: dict[str, str] = {
    EventKind.application.value: Stage.applicant.value,
    EventKind.activist.value: Stage.activist.value,
    EventKind.development_target.value: Stage.development_target.value,
    EventKind.branch_meeting.value: Stage.probationary.value,
    EventKind.conversion.value: Stage.full_member.value,
}
# The events that change the student's political status (政治面貌), and to what.
STATUS_EVENTS: dict[str, str] = {
    EventKind.branch_meeting.value: "02",  # 中共预备党员
    EventKind.conversion.value: "01",  # 中共党员
}
PARTY_STATUSES = ("01", "02")  # full and probationary party members


@dataclass(frozen=True)
class Person:
    """A cultivation contact or an introducer."""

    name: str
    full_member: bool


@dataclass(frozen=True)
class Event:
    """One dated event of a file (a PipelineEvent row, or one about to be recorded)."""

    kind: str
    happened_on: datetime.date
    id: int | None = None
    people: tuple[Person, ...] = ()
    recommended_by: str = ""
    decided_by: str = ""
    days: int | None = None
    class_hours: int | None = None
    months: int | None = None
    note: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Event:
        """The event of a PipelineEvent row (its people as stored JSON, or already parsed)."""
        people = row.get("people") or "[]"
        if isinstance(people, str):
            people = json.loads(people)
        return cls(
            kind=row["kind"],
            happened_on=row["happened_on"],
            id=row.get("id"),
            people=tuple(Person(p.get("name", ""), bool(p.get("full_member"))) for p in people),
            recommended_by=row.get("recommended_by") or "",
            decided_by=row.get("decided_by") or "",
            days=row.get("days"),
            class_hours=row.get("class_hours"),
            months=row.get("months"),
            note=row.get("note") or "",
        )

    def row_values(self) -> dict[str, Any]:
        """The columns of a PipelineEvent row for this event."""
        return {
            "kind": self.kind,
            "happened_on": self.happened_on,
            "people": json.dumps(
                [{"name": p.name, "full_member": p.full_member} for p in self.people],
                ensure_ascii=False,
            ),
            "recommended_by": self.recommended_by,
            "decided_by": self.decided_by,
            "days": self.days,
            "class_hours": self.class_hours,
            "months": self.months,
            "note": self.note,
        }


def timeline_key(event: Event) -> tuple[datetime.date, int]:
    """Events in the order they happened; on the same day, in the order they were recorded."""
    return (event.happened_on, event.id if event.id is not None else 2**62)


@dataclass
class FileState:
    """What a student's file says now, replayed from its events."""

    pool_status: str | None = None
    birth_date: datetime.date | None = None
    political_status: str = ""
    events: list[Event] = field(default_factory=list)
    stage: str | None = None
    stage_since: datetime.date | None = None
    application_on: datetime.date | None = None
    talk_on: datetime.date | None = None
    late_talks: set[int | None] = field(default_factory=set)
    activist_on: datetime.date | None = None
    reviews: list[datetime.date] = field(default_factory=list)  # since becoming activist
    contacts: tuple[Person, ...] = ()
    development_target_on: datetime.date | None = None
    political_review_on: datetime.date | None = None
    training_on: datetime.date | None = None
    introducers: tuple[Person, ...] = ()
    branch_meeting_on: datetime.date | None = None
    approval_on: datetime.date | None = None
    extension_months: int = 0
    conversion_on: datetime.date | None = None

    @property
    def last_event(self) -> Event | None:
        return self.events[-1] if self.events else None

    @property
    def talk_due_on(self) -> datetime.date | None:
        return add_months(self.application_on, TALK_MONTHS) if self.application_on else None

    @property
    def eligible_on(self) -> datetime.date | None:
        """From when an activist may become a development target (a year as activist)."""
        return add_months(self.activist_on, ACTIVIST_MONTHS) if self.activist_on else None

    @property
    def next_review_on(self) -> datetime.date | None:
        start = max(self.reviews) if self.reviews else self.activist_on
        return add_months(start, REVIEW_MONTHS) if start else None

    @property
    def approval_due_on(self) -> datetime.date | None:
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, APPROVAL_MONTHS)

    @property
    def probation_end(self) -> datetime.date | None:
        """Branch meeting + one year + any extension (第三十一、三十三条)."""
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, PROBATION_MONTHS + self.extension_months)

    def talk_late_on(self, day: datetime.date) -> bool:
        """Whether a talk on that day comes more than a month after the application."""
        due = self.talk_due_on
        return due is not None and day > due

    def is_late(self, event: Event) -> bool:
        return event.kind == EventKind.talk.value and event.id in self.late_talks


def build_state(
    events: Iterable[Event],
    pool_status: str | None = None,
    birth_date: datetime.date | None = None,
    political_status: str = "",
) -> FileState:
    """Replays a file's events, in the order they happened, into its current state."""
    state = FileState(pool_status, birth_date, political_status)
    state.events = sorted(events, key=timeline_key)
    for event in state.events:
        replay(state, event)
    return state


def replay(state: FileState, event: Event) -> None:
    """What one event changes in the file (the events before it already replayed)."""
    kind, day = event.kind, event.happened_on
    if kind in STAGE_OF_EVENT:
        state.stage, state.stage_since = STAGE_OF_EVENT[kind], day
    if kind == EventKind.application.value:
        state.application_on = day
    elif kind == EventKind.talk.value:
        state.talk_on = state.talk_on or day
        if state.talk_late_on(day):
            state.late_talks.add(event.id)
    elif kind == EventKind.activist.value:
        state.activist_on, state.reviews = day, []
    elif kind == EventKind.contacts.value:
        state.contacts = event.people
    elif kind == EventKind.review.value:
        state.reviews.append(day)
    elif kind == EventKind.development_target.value:
        state.development_target_on = day
    elif kind == EventKind.political_review.value:
        state.political_review_on = day
    elif kind == EventKind.training.value:
        state.training_on = day
    elif kind == EventKind.introducers.value:
        state.introducers = event.people
    elif kind == EventKind.branch_meeting.value:
        state.branch_meeting_on = day
    elif kind == EventKind.approval.value:
        state.approval_on = day
    elif kind == EventKind.extension.value:
        state.extension_months += event.months or 0
    elif kind == EventKind.conversion.value:
        state.conversion_on = day


def political_status_after(state: FileState) -> str | None:
    """The political status the file's events imply (probationary after the branch meeting,
    full member after the conversion), or None when they imply none."""
    status = None
    for kind, code in STATUS_EVENTS.items():
        if any(event.kind == kind for event in state.events):
            status = code
    return status


# --- what is due -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """Something due in a file, and by when."""

    kind: str
    due_on: datetime.date

    def overdue(self, today: datetime.date) -> bool:
        return self.due_on < today


def due_items(state: FileState) -> list[Due]:
    """What the file's stage asks for next, soonest first."""
    items: list[Due] = []
    if state.stage == Stage.applicant.value and state.talk_on is None and state.talk_due_on:
        items.append(Due(DueKind.talk.value, state.talk_due_on))
    if state.stage == Stage.activist.value:
        if state.next_review_on:
            items.append(Due(DueKind.review.value, state.next_review_on))
        if state.eligible_on:
            items.append(Due(DueKind.development_target_eligible.value, state.eligible_on))
    if state.stage == Stage.probationary.value:
        if state.approval_on is None and state.approval_due_on:
            items.append(Due(DueKind.approval.value, state.approval_due_on))
        if state.probation_end:
            items.append(Due(DueKind.probation_end.value, state.probation_end))
    return sorted(items, key=lambda item: (item.due_on, item.kind))
