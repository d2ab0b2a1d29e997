"""A recruitment file (发展党员档案) as what it says now: its dated events, replayed by
`build_state` into a `FileState` (stage, dates, contacts, introducers …), and what the stage
asks for next and by when (`due_items`). Pure: no database, no translation.

The numbers (months, counts) come from the rule book (portal.rulebook): a file carries the
numbers in force (`default_numbers()` unless the store passes a college's `current_numbers()`).
Day counting (rules.day_counting): "within N months of D" ends on `add_months(D, N)` inclusive,
"at least N months after D" starts on `add_months(D, N)`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.dates import add_months
from portal.rulebook import default_numbers
from portal.vocabulary import RECOMMENDATIONS
from talent_pool.tables import DueKind, EventKind, Stage

# The events that move a file to a stage.
STAGE_OF_EVENT: dict[str, str] = {
    EventKind.application.value: Stage.applicant.value,
    EventKind.activist.value: Stage.activist.value,
    EventKind.development_target.value: Stage.development_target.value,
    EventKind.branch_meeting.value: Stage.probationary.value,
    EventKind.conversion.value: Stage.full_member.value,
    EventKind.cancellation.value: Stage.cancelled.value,
}
# The events that change the student's political status (政治面貌), and to what.
STATUS_EVENTS: dict[str, str] = {
    EventKind.branch_meeting.value: "02",  # 中共预备党员
    EventKind.conversion.value: "01",  # 中共党员
}
# The events after which the political status is what they made it (not deletable here).
STATUS_CHANGING = (*STATUS_EVENTS, EventKind.cancellation.value)
PARTY_STATUSES = ("01", "02")  # full and probationary party members
FALLBACK_STATUS = "13"  # 群众: the status restored when none was recorded before the meeting


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
    reason: str = ""  # an approval after three months: the special case
    entitled: int | None = None  # votes at a branch meeting or a conversion
    present: int | None = None
    in_favour: int | None = None
    status_before: str = ""  # a branch meeting: the political status before it

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
            reason=row.get("reason") or "",
            entitled=row.get("entitled"),
            present=row.get("present"),
            in_favour=row.get("in_favour"),
            status_before=row.get("status_before") or "",
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
            "reason": self.reason,
            "entitled": self.entitled,
            "present": self.present,
            "in_favour": self.in_favour,
            "status_before": self.status_before,
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
    extensions: int = 0
    conversion_on: datetime.date | None = None
    oath_on: datetime.date | None = None
    cancellation_on: datetime.date | None = None
    activist_filed_on: datetime.date | None = None
    target_filed_on: datetime.date | None = None
    pre_review_on: datetime.date | None = None
    volunteer_form_on: datetime.date | None = None
    status_before: str = ""  # the political status before the branch meeting
    numbers: Mapping[str, int] = field(default_factory=default_numbers)
    channels: tuple[str, ...] = tuple(RECOMMENDATIONS)  # the recommendation channels in force

    def months(self, key: str) -> int:
        """A rule's number of months (or people, days …) in force for this file."""
        return self.numbers[key]

    @property
    def last_event(self) -> Event | None:
        return self.events[-1] if self.events else None

    @property
    def talk_due_on(self) -> datetime.date | None:
        return (
            add_months(self.application_on, self.months("party.talk_within"))
            if self.application_on
            else None
        )

    @property
    def eligible_on(self) -> datetime.date | None:
        """From when an activist may become a development target (a year as activist)."""
        return (
            add_months(self.activist_on, self.months("party.target_after"))
            if self.activist_on
            else None
        )

    @property
    def next_review_on(self) -> datetime.date | None:
        start = max(self.reviews) if self.reviews else self.activist_on
        return add_months(start, self.months("party.review_every")) if start else None

    @property
    def approval_due_on(self) -> datetime.date | None:
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, self.months("party.approval_within"))

    @property
    def approval_latest_on(self) -> datetime.date | None:
        """The last day of the special case: six months after the branch meeting."""
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, self.months("party.approval_latest"))

    @property
    def probation_end(self) -> datetime.date | None:
        """Branch meeting + one year + any extension (第三十一、三十三条)."""
        if self.branch_meeting_on is None:
            return None
        months = self.months("party.probation") + self.extension_months
        return add_months(self.branch_meeting_on, months)

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
    numbers: Mapping[str, int] | None = None,
    channels: Iterable[str] | None = None,
) -> FileState:
    """Replays a file's events, in the order they happened, into its current state (with the
    rule book's numbers and the recommendation channels in force, by default the texts')."""
    state = FileState(pool_status, birth_date, political_status)
    if numbers is not None:
        state.numbers = numbers
    if channels is not None:
        state.channels = tuple(channels)
    state.events = sorted(events, key=timeline_key)
    for event in state.events:
        replay(state, event)
    return state


def without_last_event(state: FileState) -> FileState:
    """The file as it would be with its latest event deleted (the only one that may be)."""
    return build_state(
        state.events[:-1],
        state.pool_status,
        state.birth_date,
        state.political_status,
        state.numbers,
        state.channels,
    )


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
        state.branch_meeting_on, state.status_before = day, event.status_before
    elif kind == EventKind.approval.value:
        state.approval_on = day
    elif kind == EventKind.extension.value:
        state.extension_months += event.months or 0
        state.extensions += 1
    else:
        replay_dated(state, kind, day)


# The kinds whose only effect is a date on the file, and which date.
DATE_OF_KIND = {
    EventKind.conversion.value: "conversion_on",
    EventKind.oath.value: "oath_on",
    EventKind.cancellation.value: "cancellation_on",
    EventKind.activist_filing.value: "activist_filed_on",
    EventKind.target_filing.value: "target_filed_on",
    EventKind.pre_review.value: "pre_review_on",
    EventKind.volunteer_form.value: "volunteer_form_on",
}


def replay_dated(state: FileState, kind: str, day: datetime.date) -> None:
    if kind in DATE_OF_KIND:
        setattr(state, DATE_OF_KIND[kind], day)


def political_status_after(state: FileState) -> str | None:
    """The political status the file's events imply (probationary after the branch meeting,
    full member after the conversion, the one before the branch meeting after a cancellation),
    or None when they imply none."""
    if state.cancellation_on is not None:
        return state.status_before or FALLBACK_STATUS
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
    items += filing_items(state)
    if state.stage == Stage.activist.value:
        if state.next_review_on:
            items.append(Due(DueKind.review.value, state.next_review_on))
        if state.eligible_on:
            items.append(Due(DueKind.development_target_eligible.value, state.eligible_on))
    if state.stage == Stage.probationary.value:
        if state.approval_on is None and state.approval_due_on and state.approval_latest_on:
            items.append(Due(DueKind.approval.value, state.approval_due_on))
            items.append(Due(DueKind.approval_latest.value, state.approval_latest_on))
        if state.probation_end:
            items.append(Due(DueKind.probation_end.value, state.probation_end))
    return sorted(items, key=lambda item: (item.due_on, item.kind))


OPEN_STAGES = (
    Stage.activist.value,
    Stage.development_target.value,
    Stage.probationary.value,
)


def filing_items(state: FileState) -> list[Due]:
    """An activist or a development target not yet filed with the higher committee (报上级党委
    备案), due from the day of the decision, while the file is open."""
    if state.stage not in OPEN_STAGES:
        return []
    items = []
    if state.activist_on and state.activist_filed_on is None:
        items.append(Due(DueKind.activist_filing.value, state.activist_on))
    if state.development_target_on and state.target_filed_on is None:
        items.append(Due(DueKind.target_filing.value, state.development_target_on))
    return items
