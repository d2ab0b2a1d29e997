"""The college mentor's review of the weekly placement logs (实习周志), and the logs' completion
figures for the dashboards.

The student writes a week and the enterprise mentor confirms it (partners.coeducation.weekly_logs);
here the college mentor of the student's active dual-mentor assignment (or a coordinator)
comments on it and may grade it A–D, working through a queue of the entries not yet reviewed,
oldest week first. Entries the enterprise mentor confirmed and in which the student flagged no
problem may be marked "seen" in bulk; an entry with a problem, or not yet confirmed, is refused
in bulk: it needs a look of its own.

The rules are pure functions tested without HTTP; the transactions take an Actor and a Viewer
and write in one audited transaction, one audit entry per log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import MentorAssignment, WeeklyLog
from portal import reads
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import FORM, FieldError, NotVisible, Refused, raise_refusals
from portal.events import StudentsChanged, announce
from portal.i18n import _
from portal.sql import Shapes
from portal.tables import Role
from portal.vocabulary import WEEKLY_LOG_GRADES

COMMENT_LIMIT = 2000
QUEUE_LIMIT = 200


# --- rules ---------------------------------------------------------------------------------------


def check_review(comment: str, grade: str) -> list[FieldError]:
    """A comment (at most 2000 characters) and a grade A–D or none."""
    errors: list[FieldError] = []
    if not comment.strip():
        errors.append(FieldError("comment", _("Write a comment for the student.")))
    elif len(comment) > COMMENT_LIMIT:
        errors.append(
            FieldError("comment", _("At most %(limit)s characters.", limit=COMMENT_LIMIT))
        )
    if grade and grade not in WEEKLY_LOG_GRADES:
        errors.append(FieldError("grade", _("Choose a grade from A to D, or none.")))
    return errors


def seen_refusal(status: str, problems: str) -> str:
    """Why an entry cannot be marked seen in bulk, or "": only entries the enterprise mentor
    confirmed and in which the student flagged no problem."""
    if problems.strip():
        return _("the student flagged a problem: open it and comment")
    if status != "confirmed":
        return _("not yet confirmed by the enterprise mentor")
    return ""


def can_review(viewer: Viewer) -> bool:
    """Coordinators and mentor accounts (the scope keeps a mentor to their college mentees)."""
    return viewer.role is Role.coordinator or (
        viewer.role is Role.mentor and viewer.mentor_id is not None
    )


# --- reads ---------------------------------------------------------------------------------------


def college_mentees(mentor_id: int) -> Any:
    """The students of whom the mentor is the college mentor in an active assignment."""
    return MentorAssignment.select(MentorAssignment.student).where(
        MentorAssignment.status == "active", MentorAssignment.college_mentor == mentor_id
    )


def review_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on WeeklyLog: a coordinator every entry, a mentor the entries of their
    college mentees, anyone else none."""
    if viewer.role is Role.coordinator:
        return []
    if viewer.role is Role.mentor and viewer.mentor_id is not None:
        return [WeeklyLog.student.is_in(college_mentees(viewer.mentor_id))]
    return [WeeklyLog.id < 0]


REVIEW_COLUMNS = (
    WeeklyLog.id,
    WeeklyLog.student,
    WeeklyLog.student.name.as_alias("student_name"),
    WeeklyLog.student.student_no.as_alias("student_no"),
    WeeklyLog.student.class_name.as_alias("class_name"),
    WeeklyLog.participation._.project._.name.as_alias("project_name"),
    WeeklyLog.week_start,
    WeeklyLog.work_done,
    WeeklyLog.hours,
    WeeklyLog.learned,
    WeeklyLog.problems,
    WeeklyLog.status,
    WeeklyLog.submitted_at,
    WeeklyLog.confirmed_at,
    WeeklyLog.confirmed_by,
    WeeklyLog.enterprise_comment,
    WeeklyLog.college_comment,
    WeeklyLog.grade,
    WeeklyLog.reviewed_at,
    WeeklyLog.reviewed_by,
)


@dataclass(frozen=True)
class ReviewRow:
    """One weekly log as the college mentor reviews it."""

    id: int
    student: int
    student_name: str
    student_no: str
    class_name: str
    project_name: str
    week_start: datetime.date
    work_done: str
    hours: int
    learned: str
    problems: str
    status: str
    submitted_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    confirmed_by: str
    enterprise_comment: str
    college_comment: str
    grade: str
    reviewed_at: datetime.datetime | None
    reviewed_by: str

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    @property
    def has_problem(self) -> bool:
        return bool(self.problems.strip())

    @property
    def seen_in_bulk(self) -> bool:
        """Whether it may be marked seen with the others."""
        return not seen_refusal(self.status, self.problems)


def _queue_query(viewer: Viewer) -> Any:
    return (
        WeeklyLog.select(*REVIEW_COLUMNS)
        .where(WeeklyLog.reviewed_at.is_null(), *review_scope(viewer))
        .order_by(WeeklyLog.week_start)
        .order_by(WeeklyLog.id)
    )


async def review_queue(viewer: Viewer, limit: int = QUEUE_LIMIT) -> list[ReviewRow]:
    """The entries the viewer has not reviewed yet, oldest week first (then as written)."""
    if not can_review(viewer):
        raise NotVisible
    return [ReviewRow(**row) for row in await _queue_query(viewer).limit(limit)]


async def queue_size(viewer: Viewer) -> int:
    if not can_review(viewer):
        return 0
    return int(
        await WeeklyLog.count().where(WeeklyLog.reviewed_at.is_null(), *review_scope(viewer))
    )


async def review_entry(viewer: Viewer, log_id: int) -> ReviewRow:
    """The entry, if the viewer may review it; NotVisible otherwise."""
    if not can_review(viewer):
        raise NotVisible
    row = await WeeklyLog.select(*REVIEW_COLUMNS).where(
        WeeklyLog.id == log_id, *review_scope(viewer)
    ).first()
    if row is None:
        raise NotVisible
    return ReviewRow(**row)


async def next_in_queue(viewer: Viewer, after: ReviewRow) -> int | None:
    """The next entry of the queue after this one (the queue's order), else its first, or
    None when the queue is empty."""
    rows = await (
        WeeklyLog.select(WeeklyLog.id, WeeklyLog.week_start)
        .where(WeeklyLog.reviewed_at.is_null(), WeeklyLog.id != after.id, *review_scope(viewer))
        .order_by(WeeklyLog.week_start)
        .order_by(WeeklyLog.id)
        .limit(QUEUE_LIMIT)
    )
    key = (after.week_start, after.id)
    later = [row for row in rows if (row["week_start"], row["id"]) > key]
    chosen = later[0] if later else (rows[0] if rows else None)
    return None if chosen is None else int(chosen["id"])


# --- writes --------------------------------------------------------------------------------------


def reviewer_name(viewer: Viewer) -> str:
    return viewer.display_name


async def review(
    actor: Actor,
    viewer: Viewer,
    log_id: int,
    comment: str,
    grade: str,
    now: datetime.datetime,
) -> ReviewRow:
    """The college mentor's comment and grade of one entry (again: the comment replaced).
    NotVisible outside the viewer's scope; Refused on a bad comment or grade."""
    entry = await review_entry(viewer, log_id)
    comment = comment.strip()
    raise_refusals(check_review(comment, grade))
    after: dict[Any, Any] = {
        "college_comment": comment,
        "grade": grade,
        "reviewed_at": now,
        "reviewed_by": reviewer_name(viewer),
    }
    async with audited_write(actor) as audit:
        current = await WeeklyLog.select(
            WeeklyLog.college_comment, WeeklyLog.grade, WeeklyLog.reviewed_at
        ).where(WeeklyLog.id == log_id).first()
        if current is None:
            raise NotVisible
        await WeeklyLog.update(after).where(WeeklyLog.id == log_id)
        summary = f"{entry.student_name} {entry.week_start.isoformat()}"
        await audit.updated(WeeklyLog, log_id, dict(current), after, summary)
    await announce(StudentsChanged.of([entry.student], actor))  # the grade counts in the score
    return entry


async def mark_seen(
    actor: Actor, viewer: Viewer, log_ids: Iterable[int], now: datetime.datetime
) -> int:
    """Marks the chosen entries seen (reviewed, no comment), all or none: any entry with a
    problem flagged or not confirmed by the enterprise mentor refuses the whole batch, naming
    it. Entries outside the viewer's scope: NotVisible. Returns how many were marked."""
    if not can_review(viewer):
        raise NotVisible
    ids = sorted(set(log_ids))
    if not ids:
        raise Refused.at(FORM, _("Choose the entries to mark as seen."))
    name = reviewer_name(viewer)
    async with audited_write(actor) as audit:
        rows = await WeeklyLog.select(*REVIEW_COLUMNS).where(
            WeeklyLog.id.is_in(ids), *review_scope(viewer)
        )
        entries = [ReviewRow(**row) for row in rows]
        if len(entries) != len(ids):
            raise NotVisible
        refusals = [
            FieldError(
                FORM,
                _(
                    "%(student)s, week of %(week)s: %(reason)s.",
                    student=entry.student_name,
                    week=entry.week_start.isoformat(),
                    reason=reason,
                ),
            )
            for entry in entries
            if (reason := seen_refusal(entry.status, entry.problems))
        ]
        if refusals:
            nothing = _("Nothing was marked: these entries need a look of their own.")
            raise Refused([FieldError(FORM, nothing), *refusals])
        marked = 0
        for entry in entries:
            if entry.reviewed_at is not None:
                continue
            after: dict[Any, Any] = {"reviewed_at": now, "reviewed_by": name}
            await WeeklyLog.update(after).where(WeeklyLog.id == entry.id)
            summary = f"{entry.student_name} {entry.week_start.isoformat()}"
            await audit.updated(
                WeeklyLog, entry.id, {"reviewed_at": None, "reviewed_by": ""}, after, summary
            )
            marked += 1
    return marked


# --- completion ----------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def due_weeks(
    starts_on: datetime.date, ends_on: datetime.date | None, today: datetime.date
) -> list[datetime.date]:
    """The Mondays of a placement's weeks that are due: the week has ended (its Sunday is
    past) and the following Monday, the day it is due, is past too."""
    weeks: list[datetime.date] = []
    week = monday_of(starts_on)
    while week + datetime.timedelta(days=7) < today:
        if ends_on is not None and week > ends_on:
            break
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks


@dataclass
class Completion:
    """The weekly logs of one group (a project, a class, a mentor) or of all."""

    key: str
    label: str
    students: int = 0
    written: int = 0
    confirmed: int = 0
    commented: int = 0
    overdue: int = 0

    def add(self, other: Completion) -> None:
        self.students += other.students
        self.written += other.written
        self.confirmed += other.confirmed
        self.commented += other.commented
        self.overdue += other.overdue


@dataclass
class CompletionFigures:
    total: Completion
    projects: list[Completion]
    classes: list[Completion]
    mentors: list[Completion]

    @property
    def empty(self) -> bool:
        return self.total.students == 0


def placement_scope(viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """The placements (pa, its project pp) a viewer's figures count, as SQL: a coordinator
    all, a mentor their mentees' (either side), a partner its enterprise's projects'."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    if viewer.role is Role.mentor and viewer.mentor_id is not None:
        return (
            "pa.student IN (SELECT ma.student FROM partners_mentor_assignment ma"
            " WHERE ma.status = 'active'"
            " AND (ma.college_mentor = :scope_mentor OR ma.enterprise_mentor = :scope_mentor))",
            {"scope_mentor": viewer.mentor_id},
        )
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        return "pp.enterprise = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}
    return "1 = 0", {}


def _completion_sql(scope: str) -> str:
    """One row per active 岗位实习 placement: its group keys, and its weeks written, confirmed,
    reviewed, and written among those due (to tell the overdue ones)."""
    return (
        "SELECT pa.id, pa.starts_on, pa.ends_on, pa.project, pp.name, s.class_name,"
        " cm.id, cm.name, COUNT(wl.id),"
        " COALESCE(SUM(CASE WHEN wl.status = 'confirmed' THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN wl.reviewed_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN wl.week_start < :due_before THEN 1 ELSE 0 END), 0)"
        " FROM partners_participation pa"
        " JOIN partners_project pp ON pp.id = pa.project"
        " JOIN portal_student s ON s.id = pa.student"
        " LEFT JOIN partners_mentor cm ON cm.id = (SELECT ma.college_mentor"
        " FROM partners_mentor_assignment ma WHERE ma.student = pa.student"
        " AND ma.status = 'active' ORDER BY ma.id LIMIT 1)"
        " LEFT JOIN partners_weekly_log wl ON wl.participation = pa.id"
        " WHERE pa.kind = 'placement' AND pa.internship_kind IN ('post', '')"
        " AND pa.status = 'active' AND pa.starts_on <= :today"
        " AND (pa.ends_on IS NULL OR pa.ends_on >= :today)"
        f" AND {scope}"
        " GROUP BY pa.id, pa.starts_on, pa.ends_on, pa.project, pp.name, s.class_name,"
        " cm.id, cm.name"
    )


@dataclass(frozen=True, slots=True)
class PlacementWeeks:
    id: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    project: int
    project_name: str
    class_name: str
    mentor: int | None
    mentor_name: str | None
    written: int
    confirmed: int
    commented: int
    written_due: int


_shapes = Shapes()


async def completion(viewer: Viewer, today: datetime.date) -> CompletionFigures:
    """Written, confirmed, commented and overdue weeks of the active 岗位实习 placements the
    viewer may see, per project, class and college mentor: one statement however many
    placements and weeks."""
    scope, params = placement_scope(viewer)
    links = (viewer.mentor_id is not None, viewer.enterprise_id is not None)
    key = ("completion", viewer.role, *links)
    placements = await reads.rows(
        PlacementWeeks,
        _shapes.get(key, lambda: _completion_sql(scope)),
        today=today,
        due_before=today - datetime.timedelta(days=7),  # a week due by its next Monday
        **params,
    )
    total = Completion("", _("All"))
    groups: dict[str, dict[str, Completion]] = {"project": {}, "class": {}, "mentor": {}}
    for p in placements:
        due = len(due_weeks(p.starts_on, p.ends_on, today))
        figures = Completion(
            "",
            "",
            students=1,
            written=int(p.written),
            confirmed=int(p.confirmed),
            commented=int(p.commented),
            overdue=max(0, due - int(p.written_due)),
        )
        total.add(figures)
        keys = {
            "project": (str(p.project), p.project_name),
            "class": (p.class_name, p.class_name or _("No class")),
            "mentor": (str(p.mentor), p.mentor_name)
            if p.mentor is not None and p.mentor_name is not None
            else ("", _("No college mentor")),
        }
        for group, (group_key, label) in keys.items():
            groups[group].setdefault(group_key, Completion(group_key, label)).add(figures)

    def ordered(group: str) -> list[Completion]:
        return sorted(groups[group].values(), key=lambda c: (-c.overdue, c.label))

    return CompletionFigures(total, ordered("project"), ordered("class"), ordered("mentor"))


# --- the student's record ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    written: int
    confirmed: int
    commented: int
    average_grade: str  # "" when no week is graded


GRADE_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1}


def average_grade(grades: Iterable[str]) -> str:
    """The average of the grades given, as the nearest letter ("" without any)."""
    points = [GRADE_POINTS[g] for g in grades if g in GRADE_POINTS]
    if not points:
        return ""
    mean = sum(points) / len(points)
    nearest = min(GRADE_POINTS.items(), key=lambda item: (abs(item[1] - mean), -item[1]))
    return nearest[0]


def summarize(rows: Iterable[Any]) -> WeeklySummary:
    """Weeks written / confirmed / commented and the average grade of a student's logs (rows
    with status, reviewed_at and grade)."""
    rows = list(rows)
    return WeeklySummary(
        written=len(rows),
        confirmed=sum(1 for r in rows if r.status == "confirmed"),
        commented=sum(1 for r in rows if r.reviewed_at is not None),
        average_grade=average_grade(r.grade for r in rows),
    )
