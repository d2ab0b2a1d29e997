"""Reading and writing recruitment files: load a student's file, record an event or delete the
latest one, each in one audited transaction that checks the rules (talent_pool.pipeline.rules)
on the file as read inside it, and rebuilds what the events imply — the stage on the
student's PoolEntry, the DueItem rows, and the political status after a branch meeting or a
conversion. A rule's refusal is raised as `Refused`.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, replace
from typing import Any

from portal.audit import Actor, AuditTrail, audited_write
from portal.domain_errors import NotVisible, Refused, raise_refusals
from portal.i18n import _
from portal.rulebook import current_numbers
from portal.tables import Student
from portal.vocabulary import EVENT_KINDS, RECOMMENDATIONS, label
from talent_pool.pipeline.rules import check_event, deletion_error
from talent_pool.pipeline.state import (
    Event,
    FileState,
    build_state,
    due_items,
    political_status_after,
    without_last_event,
)
from talent_pool.tables import ChannelSettings, DueItem, EventKind, PipelineEvent, PoolEntry

EVENT_COLUMNS = (
    PipelineEvent.id,
    PipelineEvent.kind,
    PipelineEvent.happened_on,
    PipelineEvent.people,
    PipelineEvent.recommended_by,
    PipelineEvent.decided_by,
    PipelineEvent.days,
    PipelineEvent.class_hours,
    PipelineEvent.months,
    PipelineEvent.note,
    PipelineEvent.reason,
    PipelineEvent.entitled,
    PipelineEvent.present,
    PipelineEvent.in_favour,
    PipelineEvent.status_before,
)


@dataclass(frozen=True, slots=True)
class FileOwner:
    """The student a file belongs to, as its writes need them."""

    id: int
    name: str
    birth_date: datetime.date | None
    political_status: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event just recorded: its id and, for a talk that came late, the day it was due."""

    event_id: int
    late_talk_due_on: datetime.date | None = None


# --- the recommendation channels (推荐渠道): a list a coordinator edits, with its history ------


@dataclass(frozen=True, slots=True)
class ChannelsVersion:
    """One version of the recommendation channels, as the settings page lists it."""

    channels: tuple[str, ...]
    note: str
    changed_by: str
    changed_at: datetime.datetime | None


def parsed_channels(raw: object) -> tuple[str, ...]:
    values = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(str(value) for value in values) if isinstance(values, list) else ()


async def current_channels() -> tuple[str, ...]:
    """The channels in force: the newest version, or the rule book's two (党员推荐,
    群团组织推优) before any edit."""
    row = (
        await ChannelSettings.select(ChannelSettings.channels)
        .order_by(ChannelSettings.id, ascending=False)
        .first()
    )
    channels = parsed_channels(row["channels"]) if row else ()
    return channels or tuple(RECOMMENDATIONS)


async def channels_history(limit: int = 20) -> list[ChannelsVersion]:
    """The versions of the channel list, newest first."""
    rows = (
        await ChannelSettings.select(
            ChannelSettings.channels,
            ChannelSettings.note,
            ChannelSettings.changed_by.username.as_alias("changed_by"),
            ChannelSettings.changed_at,
        )
        .order_by(ChannelSettings.id, ascending=False)
        .limit(limit)
    )
    return [
        ChannelsVersion(
            parsed_channels(row["channels"]),
            row["note"],
            row["changed_by"] or "",
            row["changed_at"],
        )
        for row in rows
    ]


def channel_errors(channels: list[str]) -> list[str]:
    """What is wrong with a new list of channels (one a line): none empty, each at most 100
    characters and named once (a recorded activist keeps the channel's name)."""
    if not channels:
        return [_("Enter at least one channel.")]
    if any(len(channel) > 100 for channel in channels):
        return [_("A channel is at most 100 characters.")]
    if len(set(channels)) != len(channels):
        return [_("Each channel is named once.")]
    return []


async def save_channels(actor: Actor, channels: list[str], note: str) -> None:
    """Adds a version of the channel list (the newest is in force), audited; `Refused` when
    the list is not valid."""
    errors = channel_errors(channels)
    if errors:
        raise Refused.at("channels", errors[0])
    async with audited_write(actor) as audit:
        values: dict[str, Any] = {
            "channels": json.dumps(channels, ensure_ascii=False),
            "note": note[:300],
            "changed_by": actor.user_id,
        }
        row = await ChannelSettings.insert(ChannelSettings(**values)).returning(ChannelSettings.id)
        await audit.created(ChannelSettings, row[0]["id"], values, "、".join(channels))


# --- a student's file -----------------------------------------------------------------------


async def load_events(student_id: int) -> list[Event]:
    rows = await PipelineEvent.select(*EVENT_COLUMNS).where(PipelineEvent.student == student_id)
    return [Event.from_row(row) for row in rows]


async def load_file(student_id: int, *, lock: bool = False) -> tuple[FileOwner, FileState]:
    """The student and the state of their file (NotVisible if there is no such student).
    `lock` (inside a write transaction) holds the student's row on PostgreSQL, so two
    coordinators cannot record into the same file at once; SQLite's IMMEDIATE transactions
    already serialise writers."""
    query = Student.select(
        Student.id, Student.name, Student.birth_date, Student.political_status
    ).where(Student.id == student_id)
    if lock and Student._meta.db.engine_type == "postgres":
        query = query.lock_rows()
    student = await query.first()
    if student is None:
        raise NotVisible(student_id)
    owner = FileOwner(**student)
    entry = await PoolEntry.select(PoolEntry.status).where(PoolEntry.student == student_id).first()
    state = build_state(
        await load_events(student_id),
        entry["status"] if entry else None,
        owner.birth_date,
        owner.political_status,
        await current_numbers(),
        await current_channels(),
    )
    return owner, state


async def file_state(student_id: int) -> FileState:
    """The state of a student's file, for a page (the caller checked the viewer may see it)."""
    _owner, state = await load_file(student_id)
    return state


async def record_event(
    actor: Actor, student_id: int, event: Event, today: datetime.date
) -> Recorded:
    """Records an event in a file, in its own audited transaction, if the rules allow it
    (`Refused` otherwise); the actor is the one who recorded it."""
    async with audited_write(actor) as audit:
        return await record_event_in(audit, student_id, event, today)


async def record_event_in(
    audit: AuditTrail, student_id: int, event: Event, today: datetime.date
) -> Recorded:
    """Records an event inside the caller's `audited_write` (the demo seeds many at once), if
    the rules allow it on the file as read inside that transaction (`Refused` otherwise)."""
    owner, state = await load_file(student_id, lock=True)
    raise_refusals(check_event(state, event, today))
    if event.kind == EventKind.branch_meeting.value:  # kept, so a cancellation can restore it
        event = replace(event, status_before=owner.political_status)
    values = {**event.row_values(), "student": student_id, "recorded_by": audit.actor.user_id}
    row = await PipelineEvent.insert(PipelineEvent(**values)).returning(PipelineEvent.id)
    event_id = row[0]["id"]
    summary = f"{owner.name} {label(EVENT_KINDS, event.kind)}"
    await audit.created(PipelineEvent, event_id, values, summary)
    new_state = build_state(
        [*state.events, replace(event, id=event_id)],
        state.pool_status,
        state.birth_date,
        state.political_status,
        state.numbers,
        state.channels,
    )
    await save_derived(audit, owner, new_state)
    late = event.kind == EventKind.talk.value and state.talk_late_on(event.happened_on)
    return Recorded(event_id, state.talk_due_on if late else None)


async def delete_event(actor: Actor, student_id: int, event_id: int) -> Event:
    """Deletes the file's latest event in one audited transaction, if the rules allow it
    (`Refused` otherwise); returns the event deleted."""
    async with audited_write(actor) as audit:
        owner, state = await load_file(student_id, lock=True)
        error = deletion_error(state, event_id)
        if error is not None:
            raise Refused([error])
        event = state.events[-1]
        await PipelineEvent.delete().where(PipelineEvent.id == event_id)
        summary = f"{owner.name} {label(EVENT_KINDS, event.kind)}"
        await audit.deleted(PipelineEvent, event_id, event.row_values(), summary)
        remaining = without_last_event(state)
        await save_derived(audit, owner, remaining)
    return event


async def save_derived(audit: AuditTrail, owner: FileOwner, state: FileState) -> None:
    """Writes what the events imply: the stage on the PoolEntry, the DueItem rows, and the
    political status after a branch meeting or a conversion."""
    await PoolEntry.update(
        {
            PoolEntry.stage: state.stage,
            PoolEntry.stage_since: state.stage_since,
            PoolEntry.updated_at: datetime.datetime.now(),
        }
    ).where(PoolEntry.student == owner.id)
    await DueItem.delete().where(DueItem.student == owner.id)
    items = due_items(state)
    if items:
        await DueItem.insert(
            *[DueItem(student=owner.id, kind=item.kind, due_on=item.due_on) for item in items]
        )
    status = political_status_after(state)
    if status is not None and status != owner.political_status:
        await Student.update(
            {Student.political_status: status, Student.updated_at: datetime.datetime.now()}
        ).where(Student.id == owner.id)
        await audit.updated(
            Student,
            owner.id,
            {"political_status": owner.political_status},
            {"political_status": status},
            owner.name,
        )
