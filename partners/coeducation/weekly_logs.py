"""Weekly placement logs (实习周志): the student writes a week, the enterprise mentor confirms it
or sends it back — from their account, or from a signed single-use link without one.

The rules are pure functions that return or raise what is wrong (portal.domain_errors), tested
without HTTP; the transactions take an Actor (and the Viewer where the viewer decides) and plain
values, and re-read what their rules need inside the same audited transaction as the write.
The pages are in partners.coeducation.views.weekly_logs. The college mentor's review (comments,
grades, the review queue) is partners.coeducation.weekly_reviews.

What the rules say:

- a student writes only for an active 岗位实习 placement of their own (a placement, its
  internship kind 岗位实习 or not recorded), only for a week (its Monday) that overlaps the
  placement's period and has begun, one entry per placement and week;
- the hours of a week are 0 to the national working hours (40, portal.rulebook
  "placement.weekly_hours"); the work done is required; no location is ever recorded;
- an entry is edited while waiting or sent back (sent back: it waits again once edited), never
  once confirmed;
- the enterprise mentor of the student's active dual-mentor assignment confirms an entry or
  sends it back with a comment; a signed link does the same for one entry, once, within 14
  days, while the placement is active;
- an entry has at most 3 attachments, each a PDF, PNG or JPEG of at most 5 MB (the portal's
  document rules, portal.documents), added and removed by the student while they may edit it;
  whoever may see the entry downloads them, and so does the holder of a link that can still
  be used (downloading does not use the link).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import (
    Mentor,
    MentorAssignment,
    Participation,
    WeeklyLog,
    WeeklyLogAttachment,
    WeeklyLogLink,
)
from portal.audit import Actor, AuditTrail, audited_write
from portal.auth import Viewer
from portal.documents import check_document
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
from portal.rulebook import cited, default_numbers
from portal.tables import Role

LOG_FIELDS = ["week_start", "work_done", "hours", "learned", "problems"]
TEXT_LIMIT = 5000
COMMENT_LIMIT = 2000
LINK_DAYS = 14
HOURS_RULE = "placement.weekly_hours"
ATTACHMENT_FIELD = "attachment"
MAX_ATTACHMENTS = 3


# --- weeks ------------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the week a day falls in."""
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Placement:
    """A student's placement, as the weekly log's rules read it."""

    id: int
    student: int
    kind: str
    internship_kind: str
    status: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    project: int
    project_name: str


def is_log_placement(placement: Placement) -> bool:
    """A 岗位实习 placement: kind placement, its internship kind 岗位实习 or not recorded."""
    return placement.kind == "placement" and placement.internship_kind in ("post", "")


def is_active(placement: Placement, today: datetime.date) -> bool:
    """Active and not past its end."""
    return placement.status == "active" and (
        placement.ends_on is None or placement.ends_on >= today
    )


def check_placement(placement: Placement | None, today: datetime.date) -> None:
    """Only an active 岗位实习 placement has weekly logs written."""
    if placement is None or not is_log_placement(placement) or not is_active(placement, today):
        raise Refused.at(
            FORM, _("Weekly logs are written only during an active post internship (岗位实习).")
        )


def weeks_of(placement: Placement, today: datetime.date) -> list[datetime.date]:
    """The Mondays of the placement's weeks that have begun, oldest first."""
    last = monday_of(today)
    if placement.ends_on is not None:
        last = min(last, monday_of(placement.ends_on))
    week = monday_of(placement.starts_on)
    weeks: list[datetime.date] = []
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks


@dataclass(frozen=True, slots=True)
class WeekToWrite:
    """The week the student should write next, and how many of the placement's weeks are
    not written in all."""

    week_start: datetime.date
    missing: int

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


def week_to_write(
    weeks: list[datetime.date], written: set[datetime.date], today: datetime.date
) -> WeekToWrite | None:
    """The newest ended week not written (on Monday, last week), else this week if not
    written; None when every begun week is written."""
    missing = [week for week in weeks if week not in written]
    if not missing:
        return None
    ended = [week for week in missing if week < monday_of(today)]
    return WeekToWrite(ended[-1] if ended else missing[-1], len(missing))


def check_week(
    week_start: datetime.date, placement: Placement, today: datetime.date
) -> list[FieldError]:
    """A Monday, of a week that has begun and overlaps the placement's period."""
    if week_start.weekday() != 0:
        return [FieldError("week_start", _("Choose the Monday of the week."))]
    if week_start > monday_of(today):
        return [FieldError("week_start", _("This week has not begun yet."))]
    week_end = week_start + datetime.timedelta(days=6)
    if week_end < placement.starts_on or (
        placement.ends_on is not None and week_start > placement.ends_on
    ):
        return [FieldError("week_start", _("This week is outside the placement's period."))]
    return []


def check_hours(hours: int, numbers: Mapping[str, int] | None = None) -> list[FieldError]:
    """0 to the national working hours of a week (40)."""
    limit = (numbers or default_numbers())[HOURS_RULE]
    if hours > limit:
        return [
            FieldError(
                "hours",
                cited(HOURS_RULE, _("Interns work at most %(hours)s hours a week.", hours=limit)),
            )
        ]
    return []


def check_editable(status: str) -> None:
    """An entry is changed while waiting or sent back, never once confirmed."""
    if status == "confirmed":
        raise Refused.at(
            FORM,
            _("This week was confirmed by the enterprise mentor and can no longer be changed."),
        )


def duplicate_week_error() -> FieldError:
    return FieldError("week_start", _("You have already written this week: edit that entry."))


# --- attachments: the rules -------------------------------------------------------------------


@dataclass(frozen=True)
class NewAttachment:
    """A file the student adds to a week, checked: its cleaned name, sniffed type and bytes."""

    file_name: str
    content_type: str
    file_size: int
    data: bytes

    def facts(self) -> dict[str, Any]:
        """What the audit log records of it: never the bytes."""
        return {
            "file_name": self.file_name,
            "content_type": self.content_type,
            "file_size": self.file_size,
        }


def size_text(size: int) -> str:
    """A file's size as people read it: 820 B, 34 KB, 1.2 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class AttachmentRow:
    """An attachment as the pages list it (without its bytes)."""

    id: int
    weekly_log: int
    file_name: str
    content_type: str
    file_size: int
    uploaded_at: datetime.datetime

    @property
    def size_text(self) -> str:
        return size_text(self.file_size)

    def facts(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "content_type": self.content_type,
            "file_size": self.file_size,
        }


def check_attachment_count(count: int) -> list[FieldError]:
    """A week carries at most 3 attachments (`count`: those it has)."""
    if count >= MAX_ATTACHMENTS:
        return [
            FieldError(
                ATTACHMENT_FIELD,
                _(
                    "A week has at most %(count)s attachments: remove one to add another.",
                    count=MAX_ATTACHMENTS,
                ),
            )
        ]
    return []


def check_attachment(
    upload: tuple[str, bytes] | None, count: int
) -> tuple[NewAttachment | None, list[FieldError]]:
    """The file a form brings (its name and bytes, None when no file was chosen), checked
    against the portal's document rules and the week's `count` of attachments: the file to
    add, or what is wrong with it (at the file field)."""
    if upload is None:
        return None, []
    errors = check_attachment_count(count)
    if errors:
        return None, errors
    document, problem = check_document(*upload, fallback="attachment")
    if document is None:
        return None, [FieldError(ATTACHMENT_FIELD, problem or "")]
    return NewAttachment(
        document["file_name"],
        document["content_type"],
        document["file_size"],
        document["file_data"],
    ), []


def check_attachment_form(
    form: FormState, upload: tuple[str, bytes] | None, count: int
) -> NewAttachment | None:
    """Validates the form's file in place: the file to add, or None (none chosen, or wrong)."""
    attachment, errors = check_attachment(upload, count)
    for error in errors:
        form.add_error(error.field, error.message)
    return attachment


def check_attachments_changeable(
    status: str, placement: Placement | None, today: datetime.date
) -> None:
    """Attachments are added and removed as the entry is edited: while it waits or was sent
    back, during the active placement; never once confirmed. Raises Refused."""
    check_editable(status)
    check_placement(placement, today)


@dataclass(frozen=True)
class LogValues:
    """A weekly log as its form gives it."""

    week_start: datetime.date
    work_done: str
    hours: int
    learned: str
    problems: str

    def row(self) -> dict[str, Any]:
        return {
            "week_start": self.week_start,
            "work_done": self.work_done,
            "hours": self.hours,
            "learned": self.learned,
            "problems": self.problems,
        }


def check_log_form(form: FormState, numbers: Mapping[str, int] | None = None) -> LogValues | None:
    """Validates the form in place (not the week against the placement: see check_week); the
    values, or None when anything is wrong."""
    week_start = form.date("week_start")
    if week_start is not None and week_start.weekday() != 0:
        form.add_error("week_start", _("Choose the Monday of the week."))
    work_done = form.required("work_done")
    for name in ("work_done", "learned", "problems"):
        form.max_length(name, TEXT_LIMIT)
    hours = form.integer("hours", minimum=0, maximum=168)
    if hours is not None:
        for error in check_hours(hours, numbers):
            form.add_error(error.field, error.message)
    if not form.valid or week_start is None or hours is None:
        return None
    values = form.values
    return LogValues(
        week_start, work_done, hours, values.get("learned", ""), values.get("problems", "")
    )


# --- reads ------------------------------------------------------------------------------------

PLACEMENT_COLUMNS = (
    Participation.id,
    Participation.student,
    Participation.kind,
    Participation.internship_kind,
    Participation.status,
    Participation.starts_on,
    Participation.ends_on,
    Participation.project,
    Participation.project.name.as_alias("project_name"),
)


async def current_placement(student_id: int, today: datetime.date) -> Placement | None:
    """The student's active 岗位实习 placement (the latest started, if several)."""
    rows = await (
        Participation.select(*PLACEMENT_COLUMNS)
        .where(
            Participation.student == student_id,
            Participation.kind == "placement",
            Participation.internship_kind.is_in(["post", ""]),
            Participation.status == "active",
        )
        .order_by(Participation.starts_on, ascending=False)
    )
    placements = [Placement(**row) for row in rows]
    return next((p for p in placements if is_active(p, today)), None)


async def next_week_to_write(student_id: int, today: datetime.date) -> WeekToWrite | None:
    """For the student's page: the week to write next during an active 岗位实习, or None."""
    placement = await current_placement(student_id, today)
    if placement is None:
        return None
    rows = await WeeklyLog.select(WeeklyLog.week_start).where(
        WeeklyLog.participation == placement.id
    )
    written = {row["week_start"] for row in rows}
    return week_to_write(weeks_of(placement, today), written, today)


async def placement_of(participation_id: int) -> Placement | None:
    row = (
        await Participation.select(*PLACEMENT_COLUMNS)
        .where(Participation.id == participation_id)
        .first()
    )
    return Placement(**row) if row else None


LOG_COLUMNS = (
    WeeklyLog.id,
    WeeklyLog.participation,
    WeeklyLog.student,
    WeeklyLog.student.name.as_alias("student_name"),
    WeeklyLog.participation._.project._.name.as_alias("project_name"),
    WeeklyLog.participation._.project._.enterprise.as_alias("enterprise"),
    WeeklyLog.week_start,
    WeeklyLog.work_done,
    WeeklyLog.hours,
    WeeklyLog.learned,
    WeeklyLog.problems,
    WeeklyLog.status,
    WeeklyLog.submitted_at,
    WeeklyLog.confirmed_at,
    WeeklyLog.confirmed_by,
    WeeklyLog.confirmed_via,
    WeeklyLog.enterprise_comment,
    WeeklyLog.college_comment,
    WeeklyLog.grade,
)


@dataclass(frozen=True)
class LogRow:
    """One weekly log, as its pages show it."""

    id: int
    participation: int
    student: int
    student_name: str
    project_name: str
    enterprise: int
    week_start: datetime.date
    work_done: str
    hours: int
    learned: str
    problems: str
    status: str
    submitted_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    confirmed_by: str
    confirmed_via: str
    enterprise_comment: str
    college_comment: str
    grade: str

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


def mentees_of(mentor_id: int, enterprise_only: bool) -> Any:
    """The students of a mentor's active assignments (as their enterprise mentor only, or
    either)."""
    on: Any = MentorAssignment.enterprise_mentor == mentor_id
    if not enterprise_only:
        on = on | (MentorAssignment.college_mentor == mentor_id)
    return MentorAssignment.select(MentorAssignment.student).where(
        MentorAssignment.status == "active", on
    )


def log_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on WeeklyLog keeping a viewer to what they may see: coordinators all,
    a student their own, a mentor their active mentees', a partner its placed students'."""
    if viewer.role is Role.coordinator:
        return []
    if viewer.role is Role.student and viewer.student_id is not None:
        return [WeeklyLog.student == viewer.student_id]
    if viewer.role is Role.mentor and viewer.mentor_id is not None:
        return [WeeklyLog.student.is_in(mentees_of(viewer.mentor_id, enterprise_only=False))]
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        return [WeeklyLog.participation._.project._.enterprise == viewer.enterprise_id]
    return [WeeklyLog.id < 0]


async def find_log(viewer: Viewer, log_id: int) -> LogRow | None:
    """The weekly log, if the viewer may see it."""
    row = (
        await WeeklyLog.select(*LOG_COLUMNS)
        .where(WeeklyLog.id == log_id, *log_scope(viewer))
        .first()
    )
    return LogRow(**row) if row else None


async def logs_of_placement(participation_id: int) -> list[LogRow]:
    rows = await (
        WeeklyLog.select(*LOG_COLUMNS)
        .where(WeeklyLog.participation == participation_id)
        .order_by(WeeklyLog.week_start, ascending=False)
    )
    return [LogRow(**row) for row in rows]


async def logs_of_student(student_id: int, limit: int = 200) -> list[LogRow]:
    """A student's weekly logs of every placement, newest week first."""
    rows = await (
        WeeklyLog.select(*LOG_COLUMNS)
        .where(WeeklyLog.student == student_id)
        .order_by(WeeklyLog.week_start, ascending=False)
        .limit(limit)
    )
    return [LogRow(**row) for row in rows]


async def waiting_for(mentor_id: int, limit: int = 200) -> list[LogRow]:
    """Entries waiting for the enterprise mentor's answer, oldest week first."""
    rows = await (
        WeeklyLog.select(*LOG_COLUMNS)
        .where(
            WeeklyLog.status == "submitted",
            WeeklyLog.student.is_in(mentees_of(mentor_id, enterprise_only=True)),
            WeeklyLog.participation.status == "active",
        )
        .order_by(WeeklyLog.week_start)
        .order_by(WeeklyLog.id)
        .limit(limit)
    )
    return [LogRow(**row) for row in rows]


async def enterprise_mentor_of(student_id: int, project_id: int) -> tuple[int, str] | None:
    """The enterprise mentor (id, name) of the student's active assignment — in the
    placement's project if there is one, else outside any project."""
    rows = await (
        MentorAssignment.select(
            MentorAssignment.enterprise_mentor,
            MentorAssignment.enterprise_mentor.name.as_alias("name"),
            MentorAssignment.project,
        )
        .where(MentorAssignment.student == student_id, MentorAssignment.status == "active")
        .order_by(MentorAssignment.id)
    )
    for wanted in (project_id, None):
        for row in rows:
            if row["project"] == wanted:
                return int(row["enterprise_mentor"]), str(row["name"])
    return None


async def is_enterprise_mentor(viewer: Viewer, log: LogRow) -> bool:
    """Whether the viewer is an enterprise-side mentor account and the enterprise mentor of the
    log's student (their active assignment)."""
    if viewer.role is not Role.mentor or viewer.mentor_id is None:
        return False
    side = await Mentor.select(Mentor.side).where(Mentor.id == viewer.mentor_id).first()
    if side is None or side["side"] != "enterprise":
        return False
    return bool(
        await MentorAssignment.exists().where(
            MentorAssignment.student == log.student,
            MentorAssignment.status == "active",
            MentorAssignment.enterprise_mentor == viewer.mentor_id,
        )
    )


# --- writing and editing ----------------------------------------------------------------------


async def write_log(
    actor: Actor,
    student_id: int,
    values: LogValues,
    today: datetime.date,
    attachment: NewAttachment | None = None,
) -> int:
    """Records the student's week for their active placement, once per week, with the file
    they attached (checked: check_attachment). Raises Refused."""
    placement = await current_placement(student_id, today)
    check_placement(placement, today)
    assert placement is not None
    raise_refusals(check_week(values.week_start, placement, today))
    row = {
        **values.row(),
        "participation": placement.id,
        "student": student_id,
        "status": "submitted",
        "submitted_at": datetime.datetime.now().replace(microsecond=0),
    }
    try:
        async with audited_write(actor) as audit:
            if await WeeklyLog.exists().where(
                WeeklyLog.participation == placement.id,
                WeeklyLog.week_start == values.week_start,
            ):
                raise Refused([duplicate_week_error()])
            new = await WeeklyLog.insert(WeeklyLog(**row)).returning(WeeklyLog.id)
            log_id = int(new[0]["id"])
            await audit.created(WeeklyLog, log_id, row, values.week_start.isoformat())
            if attachment is not None:
                await _attach(audit, log_id, attachment, values.week_start)
    except UniqueViolation as error:  # the same week sent twice at once
        raise Refused([duplicate_week_error()]) from error
    await announce(StudentsChanged.of([student_id], actor))  # the weekly part of the score
    return log_id


async def edit_log(
    actor: Actor,
    viewer: Viewer,
    log_id: int,
    values: LogValues,
    today: datetime.date,
    attachment: NewAttachment | None = None,
) -> None:
    """The student changes their entry while it waits or was sent back (a sent-back entry
    waits again); never once confirmed, never for an ended placement. The file they attached
    (checked: check_attachment) is added unless the week has its 3 already. Raises Refused."""
    log = await find_log(viewer, log_id)
    if log is None or viewer.role is not Role.student or log.student != viewer.student_id:
        raise NotVisible
    placement = await placement_of(log.participation)
    check_editable(log.status)
    check_placement(placement, today)
    assert placement is not None
    raise_refusals(check_week(values.week_start, placement, today))
    after: dict[str, Any] = {**values.row(), "status": "submitted"}
    if log.status == "returned":
        after["submitted_at"] = datetime.datetime.now().replace(microsecond=0)
    try:
        async with audited_write(actor) as audit:
            current = await WeeklyLog.select(WeeklyLog.status).where(WeeklyLog.id == log_id).first()
            if current is None:
                raise NotVisible
            check_editable(current["status"])  # confirmed meanwhile
            if values.week_start != log.week_start and await WeeklyLog.exists().where(
                WeeklyLog.participation == log.participation,
                WeeklyLog.week_start == values.week_start,
                WeeklyLog.id != log_id,
            ):
                raise Refused([duplicate_week_error()])
            await WeeklyLog.update(**after).where(WeeklyLog.id == log_id)
            before = {
                "week_start": log.week_start,
                "work_done": log.work_done,
                "hours": log.hours,
                "learned": log.learned,
                "problems": log.problems,
                "status": log.status,
            }
            await audit.updated(WeeklyLog, log_id, before, after, log.week_start.isoformat())
            if attachment is not None:
                count = await WeeklyLogAttachment.count().where(
                    WeeklyLogAttachment.weekly_log == log_id
                )
                raise_refusals(check_attachment_count(count))  # added meanwhile
                await _attach(audit, log_id, attachment, values.week_start)
    except UniqueViolation as error:
        raise Refused([duplicate_week_error()]) from error
    await announce(StudentsChanged.of([log.student], actor))


# --- attachments: adding, removing, reading ---------------------------------------------------


def attachment_summary(week_start: datetime.date, file_name: str) -> str:
    return f"{week_start.isoformat()} {file_name}"


async def _attach(
    audit: AuditTrail, log_id: int, attachment: NewAttachment, week_start: datetime.date
) -> int:
    """Inside a write transaction: stores the file with the entry; the audit log records its
    name, type and size, never its bytes."""
    row: dict[str, Any] = {
        "weekly_log": log_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "file_size": attachment.file_size,
        "file_data": attachment.data,
        "uploaded_at": datetime.datetime.now().replace(microsecond=0),
    }
    new = await WeeklyLogAttachment.insert(WeeklyLogAttachment(**row)).returning(
        WeeklyLogAttachment.id
    )
    attachment_id = int(new[0]["id"])
    facts = {"weekly_log": log_id, **attachment.facts()}
    summary = attachment_summary(week_start, attachment.file_name)
    await audit.created(WeeklyLogAttachment, attachment_id, facts, summary)
    return attachment_id


ATTACHMENT_COLUMNS = (
    WeeklyLogAttachment.id,
    WeeklyLogAttachment.weekly_log,
    WeeklyLogAttachment.file_name,
    WeeklyLogAttachment.content_type,
    WeeklyLogAttachment.file_size,
    WeeklyLogAttachment.uploaded_at,
)


async def attachments_of(log_ids: Iterable[int]) -> dict[int, list[AttachmentRow]]:
    """The attachments of these entries (without their bytes), by entry, as added: one query
    however many entries."""
    ids = sorted(set(log_ids))
    if not ids:
        return {}
    rows = await (
        WeeklyLogAttachment.select(*ATTACHMENT_COLUMNS)
        .where(WeeklyLogAttachment.weekly_log.is_in(ids))
        .order_by(WeeklyLogAttachment.id)
    )
    found: dict[int, list[AttachmentRow]] = {}
    for row in rows:
        found.setdefault(row["weekly_log"], []).append(AttachmentRow(**row))
    return found


async def attachment_file(log_id: int, attachment_id: int) -> tuple[AttachmentRow, bytes]:
    """One attachment of the entry with its bytes; NotVisible if the entry has no such one."""
    row = (
        await WeeklyLogAttachment.select(*ATTACHMENT_COLUMNS, WeeklyLogAttachment.file_data)
        .where(
            WeeklyLogAttachment.id == attachment_id,
            WeeklyLogAttachment.weekly_log == log_id,
        )
        .first()
    )
    if row is None:
        raise NotVisible
    data = row.pop("file_data")
    return AttachmentRow(**row), bytes(data)


async def attachment_for_viewer(
    viewer: Viewer, log_id: int, attachment_id: int
) -> tuple[AttachmentRow, bytes]:
    """An attachment, for whoever may see its entry (the entry's page's rule); NotVisible for
    anyone else."""
    log = await find_log(viewer, log_id)
    if log is None:
        raise NotVisible
    return await attachment_file(log.id, attachment_id)


async def attachment_by_link(
    token: str, attachment_id: int, now: datetime.datetime
) -> tuple[AttachmentRow, bytes]:
    """An attachment of a link's entry, for the link's holder while the link can still be used
    (downloading does not use it); NotVisible otherwise."""
    view = await open_link(token, now)
    if view.problem:
        raise NotVisible
    return await attachment_file(view.log.id, attachment_id)


async def own_attachment(
    viewer: Viewer, log_id: int, attachment_id: int
) -> tuple[LogRow, AttachmentRow]:
    """The student's own entry and one of its attachments; NotVisible for anyone else."""
    log = await find_log(viewer, log_id)
    if log is None or viewer.role is not Role.student or log.student != viewer.student_id:
        raise NotVisible
    found = await attachments_of([log.id])
    attachment = next((a for a in found.get(log.id, []) if a.id == attachment_id), None)
    if attachment is None:
        raise NotVisible
    return log, attachment


async def remove_attachment(
    actor: Actor, viewer: Viewer, log_id: int, attachment_id: int, today: datetime.date
) -> AttachmentRow:
    """The student removes an attachment of their entry while they may edit it (as editing:
    not once confirmed, not after the placement). Anyone else: NotVisible. Raises Refused."""
    log, attachment = await own_attachment(viewer, log_id, attachment_id)
    check_attachments_changeable(log.status, await placement_of(log.participation), today)
    async with audited_write(actor) as audit:
        current = await WeeklyLog.select(WeeklyLog.status).where(WeeklyLog.id == log.id).first()
        if current is None:
            raise NotVisible
        check_editable(current["status"])  # confirmed meanwhile
        gone = (
            await WeeklyLogAttachment.delete()
            .where(
                WeeklyLogAttachment.id == attachment.id,
                WeeklyLogAttachment.weekly_log == log.id,
            )
            .returning(WeeklyLogAttachment.id)
        )
        if not gone:  # removed meanwhile
            raise NotVisible
        facts = {"weekly_log": log.id, **attachment.facts()}
        summary = attachment_summary(log.week_start, attachment.file_name)
        await audit.deleted(WeeklyLogAttachment, attachment.id, facts, summary)
    return attachment


# --- the enterprise mentor's answer -----------------------------------------------------------


def check_answerable(status: str) -> None:
    """Only an entry waiting for the enterprise mentor is confirmed or sent back."""
    if status == "confirmed":
        raise Refused.at(FORM, _("This week has already been confirmed."))
    if status != "submitted":
        raise Refused.at(FORM, _("This week was sent back and waits for the student's changes."))


def check_comment(comment: str) -> list[FieldError]:
    """Sending back needs a comment saying what to change."""
    if not comment:
        return [FieldError("comment", _("Say what the student should change."))]
    if len(comment) > COMMENT_LIMIT:
        return [FieldError("comment", _("At most %(limit)s characters.", limit=COMMENT_LIMIT))]
    return []


def answer_row(
    confirm: bool, comment: str, by: str, via: str, now: datetime.datetime
) -> dict[str, Any]:
    """The columns an answer sets: confirmed (who, how, when) or sent back with a comment."""
    if confirm:
        return {
            "status": "confirmed",
            "confirmed_at": now,
            "confirmed_by": by,
            "confirmed_via": via,
            "enterprise_comment": comment,
        }
    return {"status": "returned", "enterprise_comment": comment}


async def _answer(
    audit: Any, log_id: int, confirm: bool, comment: str, by: str, via: str, now: datetime.datetime
) -> None:
    """Inside a write transaction: re-reads the entry, checks it waits, writes the answer."""
    current = (
        await WeeklyLog.select(WeeklyLog.status, WeeklyLog.enterprise_comment, WeeklyLog.week_start)
        .where(WeeklyLog.id == log_id)
        .first()
    )
    if current is None:
        raise NotVisible
    check_answerable(current["status"])
    after = answer_row(confirm, comment, by, via, now)
    await WeeklyLog.update(**after).where(WeeklyLog.id == log_id, WeeklyLog.status == "submitted")
    before = {"status": current["status"], "enterprise_comment": current["enterprise_comment"]}
    await audit.updated(WeeklyLog, log_id, before, after, str(current["week_start"]))


async def answer_by_account(
    actor: Actor,
    viewer: Viewer,
    log_id: int,
    confirm: bool,
    comment: str,
    now: datetime.datetime,
) -> LogRow:
    """The enterprise mentor confirms the entry or sends it back (comment required), from
    their account. Anyone else: NotVisible. Raises Refused."""
    log = await find_log(viewer, log_id)
    if log is None or not await is_enterprise_mentor(viewer, log):
        raise NotVisible
    if not confirm:
        raise_refusals(check_comment(comment))
    check_answerable(log.status)
    mentor = await Mentor.select(Mentor.name).where(Mentor.id == viewer.mentor_id).first()
    name = str(mentor["name"]) if mentor else viewer.display_name
    async with audited_write(actor) as audit:
        await _answer(audit, log_id, confirm, comment, name, "account", now)
        # An answer from the account makes any open link of the entry worthless.
        await WeeklyLogLink.update({WeeklyLogLink.used_at: now}).where(
            WeeklyLogLink.log == log_id, WeeklyLogLink.used_at.is_null()
        )
    await announce(StudentsChanged.of([log.student], actor))
    return log


# --- signed links -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_link(
    actor: Actor, log_id: int, now: datetime.datetime, *, replace_earlier: bool = True
) -> str:
    """A new link for the entry's enterprise mentor: the token, shown once (only its SHA-256
    is kept). A link the student asks for replaces the earlier unused ones (so a link sent to
    the wrong person can be withdrawn); the one emailed to the mentor leaves the student's
    valid (`replace_earlier` False). Whichever is used first answers the entry, and the
    others stop working with it. Raises Refused when the entry is not waiting, its placement
    is not active or the student has no enterprise mentor."""
    log = (
        await WeeklyLog.select(
            WeeklyLog.status, WeeklyLog.student, WeeklyLog.participation, WeeklyLog.week_start
        )
        .where(WeeklyLog.id == log_id)
        .first()
    )
    if log is None:
        raise NotVisible
    check_answerable(log["status"])
    placement = await placement_of(log["participation"])
    check_placement(placement, now.date())
    assert placement is not None
    mentor = await enterprise_mentor_of(log["student"], placement.project)
    if mentor is None:
        raise Refused.at(
            FORM, _("The student has no enterprise mentor in an active dual-mentor assignment.")
        )
    token = secrets.token_urlsafe(32)
    row: dict[str, Any] = {
        "log": log_id,
        "mentor": mentor[0],
        "token_hash": hash_token(token),
        "expires_at": now + datetime.timedelta(days=LINK_DAYS),
    }
    async with audited_write(actor) as audit:
        old = await WeeklyLogLink.select(WeeklyLogLink.id).where(
            WeeklyLogLink.log == log_id, WeeklyLogLink.used_at.is_null()
        )
        for link in old if replace_earlier else []:
            await WeeklyLogLink.delete().where(WeeklyLogLink.id == link["id"])
            await audit.deleted(WeeklyLogLink, link["id"], {"log": log_id}, mentor[1])
        new = await WeeklyLogLink.insert(WeeklyLogLink(**row)).returning(WeeklyLogLink.id)
        audited = {key: value for key, value in row.items() if key != "token_hash"}
        await audit.created(WeeklyLogLink, int(new[0]["id"]), audited, mentor[1])
    return token


@dataclass(frozen=True)
class LinkView:
    """What a link's page shows: the entry and the mentor, and why it can no longer be used
    ("" when it can)."""

    link_id: int
    mentor_name: str
    log: LogRow
    problem: str


def link_problem(
    expires_at: datetime.datetime,
    used_at: datetime.datetime | None,
    status: str,
    placement: Placement | None,
    now: datetime.datetime,
) -> str:
    """Why a link cannot be used, or "": the entry answered (from the link or the account),
    the link used, the placement no longer active, expired."""
    if status == "confirmed":
        return _("This week has already been confirmed.")
    if status != "submitted":
        return _("This week was sent back and waits for the student's changes.")
    if used_at is not None:
        return _("This link has already been used.")
    if placement is None or not is_active(placement, now.date()):
        return _("The placement has ended: this link can no longer be used.")
    if now >= expires_at:
        return _("This link has expired. Ask the student for a new one.")
    return ""


async def open_link(token: str, now: datetime.datetime) -> LinkView:
    """The entry a link is for, and whether it can still be used. An unknown token: NotVisible."""
    if not token or len(token) > 100:
        raise NotVisible
    link = (
        await WeeklyLogLink.select(
            WeeklyLogLink.id,
            WeeklyLogLink.log,
            WeeklyLogLink.expires_at,
            WeeklyLogLink.used_at,
            WeeklyLogLink.mentor.name.as_alias("mentor_name"),
        )
        .where(WeeklyLogLink.token_hash == hash_token(token))
        .first()
    )
    if link is None:
        raise NotVisible
    row = await WeeklyLog.select(*LOG_COLUMNS).where(WeeklyLog.id == link["log"]).first()
    if row is None:
        raise NotVisible
    log = LogRow(**row)
    placement = await placement_of(log.participation)
    problem = link_problem(link["expires_at"], link["used_at"], log.status, placement, now)
    return LinkView(link["id"], str(link["mentor_name"]), log, problem)


async def answer_by_link(
    token: str, confirm: bool, comment: str, now: datetime.datetime
) -> LinkView:
    """The mentor named by the link confirms its entry or sends it back, once: the link is
    used in the same transaction. Raises Refused (the link cannot be used, or no comment)."""
    view = await open_link(token, now)
    if view.problem:
        raise Refused.at(FORM, view.problem)
    if not confirm:
        raise_refusals(check_comment(comment))
    actor = Actor(None, view.mentor_name)
    async with audited_write(actor) as audit:
        used = (
            await WeeklyLogLink.update({WeeklyLogLink.used_at: now})
            .where(WeeklyLogLink.id == view.link_id, WeeklyLogLink.used_at.is_null())
            .returning(WeeklyLogLink.id)
        )
        if not used:  # used meanwhile
            raise Refused.at(FORM, _("This link has already been used."))
        await audit.updated(
            WeeklyLogLink, view.link_id, {"used_at": None}, {"used_at": now}, view.mentor_name
        )
        await _answer(audit, view.log.id, confirm, comment, view.mentor_name, "link", now)
    await announce(StudentsChanged.of([view.log.student], actor))
    return view
