"""Dual mentors (双导师): mentors, assignments, mentoring logs (指导记录), evaluations (考核评价).

The rules are plain functions that return what is wrong (a field and a message) so they can be
tested without HTTP; the pages in partners/coeducation/views/mentors.py and mentorships.py call them.
`assignment_scope` says which assignments a viewer may see; every handler goes through it.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from partners.coeducation.tables import Mentor, MentorAssignment, Project
from portal.auth import Viewer
from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.tables import Role
from portal.vocabulary import ASSIGNMENT_STATUSES, DIMENSIONS, MENTOR_SIDES, MENTORING_MODES

MENTOR_FIELDS = [
    "side",
    "name",
    "department",
    "title",
    "enterprise",
    "position",
    "party_member",
    "max_mentees",
    "phone",
]
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
MAX_MENTEES_LIMIT = 50
TERM_PATTERN = re.compile(r"(\d{4})-(\d{4})-([12])")
HOURS_PATTERN = re.compile(r"\d{1,2}(\.\d{1,2})?")
ATTENTION_DAYS = 30


def ids_placeholders(ids: list[int]) -> str:
    """`{}, {}, …` for a raw query's IN list (Piccolo binds each value)."""
    return ", ".join("{}" for _ in ids)


def side_label(code: str) -> str:
    return _(MENTOR_SIDES[code]) if code in MENTOR_SIDES else code


def mode_label(code: str) -> str:
    return _(MENTORING_MODES[code]) if code in MENTORING_MODES else code


def status_label(code: str) -> str:
    return _(ASSIGNMENT_STATUSES[code]) if code in ASSIGNMENT_STATUSES else code


def score_label(name: str) -> str:
    return _(DIMENSIONS[name])


@dataclass(frozen=True)
class RuleError:
    """What is wrong, and with which form field."""

    field: str
    message: str


def apply(form: FormState, errors: list[RuleError]) -> None:
    for error in errors:
        form.add_error(error.field, error.message)


# --- who sees what ---------------------------------------------------------------------------


def assignment_scope(request: Request) -> list[Any]:
    """Where-conditions on MentorAssignment for the signed-in viewer (see viewer_assignments)."""
    return viewer_assignments(request.user)


def viewer_assignments(user: Viewer) -> list[Any]:
    """Where-conditions on MentorAssignment keeping a viewer to what they may see: coordinators
    everything, a partner its enterprise's projects, a mentor their own mentees, a student
    their own assignments. Anyone else sees nothing."""
    if user.role is Role.coordinator:
        return []
    if user.role is Role.partner and user.enterprise_id is not None:
        projects = Project.select(Project.id).where(Project.enterprise == user.enterprise_id)
        return [MentorAssignment.project.is_in(projects)]
    if user.role is Role.mentor and user.mentor_id is not None:
        return [
            (MentorAssignment.college_mentor == user.mentor_id)
            | (MentorAssignment.enterprise_mentor == user.mentor_id)
        ]
    if user.role is Role.student and user.student_id is not None:
        return [MentorAssignment.student == user.student_id]
    return [MentorAssignment.id < 0]


def mentor_scope(request: Request) -> list[Any]:
    """Where-conditions on Mentor: a partner sees only its own enterprise's mentors."""
    if request.user.role is Role.coordinator:
        return []
    if request.user.role is Role.partner and request.user.enterprise_id is not None:
        return [Mentor.enterprise == request.user.enterprise_id]
    return [Mentor.id < 0]


# --- mentors -----------------------------------------------------------------------------------


def check_mentor_form(form: FormState, *, forced_enterprise: int | None = None) -> dict[str, Any]:
    """Validates a mentor form in place and returns the cleaned values. A partner's form has
    its enterprise forced (`forced_enterprise`): only enterprise mentors of its own."""
    if forced_enterprise is not None:
        form.values["side"] = "enterprise"
        form.values["enterprise"] = str(forced_enterprise)
    side = form.choice("side", MENTOR_SIDES)
    form.required("name")
    for name, limit in (("name", 50), ("department", 100), ("title", 50), ("position", 100)):
        form.max_length(name, limit)
    enterprise: int | None = None
    if side == "enterprise":
        raw = form.required("enterprise")
        if raw and not raw.isdigit():
            form.add_error("enterprise", _("Choose one of the listed options."))
        enterprise = int(raw) if raw.isdigit() else None
    max_mentees = form.integer("max_mentees", minimum=1, maximum=MAX_MENTEES_LIMIT)
    phone = form.values.get("phone", "")
    if phone and not is_valid_phone(phone):
        form.add_error(
            "phone", _("Enter a mobile number (11 digits) or a landline like 0591-87654321.")
        )
    college = side == "college"
    return {
        "side": side,
        "name": form.values.get("name", ""),
        "department": form.values.get("department", "") if college else "",
        "title": form.values.get("title", "") if college else "",
        "enterprise": enterprise,
        "position": "" if college else form.values.get("position", ""),
        "party_member": form.values.get("party_member", "") in ("1", "on", "true"),
        "max_mentees": max_mentees,
        "phone": phone,
    }


def check_max_not_below_active(max_mentees: int | None, active: int) -> list[RuleError]:
    if max_mentees is not None and max_mentees < active:
        return [
            RuleError(
                "max_mentees",
                _("This mentor already has %(count)s active mentees.", count=active),
            )
        ]
    return []


# --- assignments -------------------------------------------------------------------------------


def check_period(starts_on: datetime.date | None, ends_on: datetime.date | None) -> list[RuleError]:
    if starts_on and ends_on and ends_on < starts_on:
        return [RuleError("ends_on", _("The end cannot be before the start."))]
    return []


def check_mentor_pair(
    college: dict[str, Any] | None,
    enterprise: dict[str, Any] | None,
    project: dict[str, Any] | None,
) -> list[RuleError]:
    """The college mentor is of the college side; the enterprise mentor of the enterprise side
    and, inside a project, of that project's enterprise."""
    errors: list[RuleError] = []
    if college is not None and college["side"] != "college":
        errors.append(RuleError("college_mentor", _("Choose a college mentor (校内导师).")))
    if enterprise is not None:
        if enterprise["side"] != "enterprise":
            errors.append(
                RuleError("enterprise_mentor", _("Choose an enterprise mentor (企业导师)."))
            )
        elif project is not None and enterprise["enterprise"] != project["enterprise"]:
            errors.append(
                RuleError(
                    "enterprise_mentor",
                    _("The enterprise mentor must work for the project's enterprise."),
                )
            )
    return errors


def check_capacity(field: str, mentor: dict[str, Any], active: int) -> list[RuleError]:
    """A mentor never goes over their maximum of active mentees."""
    if active >= mentor["max_mentees"]:
        return [
            RuleError(
                field,
                _(
                    "%(name)s already mentors %(count)s of at most %(max)s students.",
                    name=mentor["name"],
                    count=active,
                    max=mentor["max_mentees"],
                ),
            )
        ]
    return []


def duplicate_assignment_error() -> RuleError:
    return RuleError(
        "student_no",
        _("This student already has an active dual-mentor assignment in this project."),
    )


def no_participation_error() -> RuleError:
    return RuleError("project", _("The student is not taking part in this project."))


def rank_suggestions(mentors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mentors with free places, party members first, then the most free places, then name."""
    free = [dict(m, free=m["max_mentees"] - m["active"]) for m in mentors]
    free = [m for m in free if m["free"] > 0]
    return sorted(free, key=lambda m: (not m["party_member"], -m["free"], m["name"], m["id"]))


async def active_counts(mentor_ids: list[int]) -> dict[int, int]:
    """Active assignments per mentor (as college or enterprise mentor), in one grouped query."""
    if not mentor_ids:
        return {}
    sql = (
        "SELECT mentor, COUNT(*) AS n FROM ("
        " SELECT college_mentor AS mentor FROM partners_mentor_assignment WHERE status = 'active'"
        " UNION ALL"
        " SELECT enterprise_mentor FROM partners_mentor_assignment WHERE status = 'active'"
        f") t WHERE mentor IN ({ids_placeholders(mentor_ids)}) GROUP BY mentor"
    )
    rows = await MentorAssignment.raw(sql, *mentor_ids)
    return {row["mentor"]: row["n"] for row in rows}


async def suggested_mentors(side: str, enterprise_id: int | None = None, limit: int = 100):
    """Mentors of one side (and enterprise) with free places, in suggestion order."""
    conditions = [Mentor.side == side]
    if enterprise_id is not None:
        conditions.append(Mentor.enterprise == enterprise_id)
    sql = (
        "SELECT m.id, m.name, m.party_member, m.max_mentees, m.enterprise,"
        " m.department, m.position, COALESCE(c.n, 0) AS active FROM partners_mentor m"
        " LEFT JOIN (SELECT mentor, COUNT(*) AS n FROM ("
        " SELECT college_mentor AS mentor FROM partners_mentor_assignment WHERE status = 'active'"
        " UNION ALL"
        " SELECT enterprise_mentor FROM partners_mentor_assignment WHERE status = 'active'"
        ") t GROUP BY mentor) c ON c.mentor = m.id"
        " WHERE m.side = {} AND m.max_mentees > COALESCE(c.n, 0)"
    )
    args: list[Any] = [side]
    if enterprise_id is not None:
        sql += " AND m.enterprise = {}"
        args.append(enterprise_id)
    sql += " ORDER BY m.party_member DESC, m.max_mentees - COALESCE(c.n, 0) DESC, m.name, m.id"
    sql += f" LIMIT {int(limit)}"
    rows = await Mentor.raw(sql, *args)
    for row in rows:
        row["party_member"] = bool(row["party_member"])
    return rank_suggestions(rows)


# --- logs and evaluations ----------------------------------------------------------------------


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


def check_writer(
    request: Request, assignment: Any, chosen: str
) -> tuple[int | None, bool, list[RuleError]]:
    """Which mentor a log or evaluation is written for, and whether on their behalf.

    A mentor account writes only for itself (the choice is ignored); a partner or coordinator
    writes for either mentor of the assignment, on their behalf. Anything else is an error."""
    mentors = (assignment.college_mentor, assignment.enterprise_mentor)
    return writer_for(request.user.role, request.user.mentor_id, mentors, chosen)


def writer_for(
    role: Role, own_mentor_id: int | None, mentors: tuple[int, int], chosen: str
) -> tuple[int | None, bool, list[RuleError]]:
    """As check_writer, for the assignment's two mentors (college, enterprise)."""
    if role is Role.mentor:
        if own_mentor_id not in mentors:
            return None, False, [RuleError("mentor", _("You are not a mentor of this student."))]
        return own_mentor_id, False, []
    if role not in (Role.coordinator, Role.partner):
        return None, False, [RuleError("mentor", _("You cannot write for a mentor."))]
    if not chosen:
        return None, True, [RuleError("mentor", _("This field is required."))]
    if not chosen.isdigit() or int(chosen) not in mentors:
        return None, True, [RuleError("mentor", _("Choose one of the student's two mentors."))]
    return int(chosen), True, []


def check_log_form(form: FormState, today: datetime.date) -> dict[str, Any]:
    """Validates a mentoring log (not its mentor: see writer_for)."""
    held_on = form.date("held_on")
    if held_on is not None and held_on > today:
        form.add_error("held_on", _("The date cannot be in the future."))
    mode = form.choice("mode", MENTORING_MODES)
    topic = form.required("topic")
    form.max_length("topic", 200)
    form.max_length("content", 5000)
    hours = check_hours(form)
    return {
        "held_on": held_on,
        "mode": mode,
        "topic": topic,
        "content": form.values.get("content", ""),
        "hours": hours,
    }


def is_valid_term(term: str) -> bool:
    """2026-2027-1: a school year (second year = first + 1) and term 1 or 2."""
    match = TERM_PATTERN.fullmatch(term)
    return bool(match) and int(match.group(2)) == int(match.group(1)) + 1


def current_term(today: datetime.date) -> str:
    """The term a day falls in: autumn (Aug–Jan) is term 1, spring (Feb–Jul) term 2."""
    if today.month >= 8:
        return f"{today.year}-{today.year + 1}-1"
    if today.month == 1:
        return f"{today.year - 1}-{today.year}-1"
    return f"{today.year - 1}-{today.year}-2"


def check_evaluation_form(form: FormState) -> dict[str, Any]:
    term = form.required("term")
    if term and not is_valid_term(term):
        form.add_error("term", _("Enter a term like 2026-2027-1 (school year, then term 1 or 2)."))
    values: dict[str, Any] = {"term": term, "comment": form.values.get("comment", "")}
    form.max_length("comment", 5000)
    for name in DIMENSIONS:
        values[name] = form.integer(name, minimum=0, maximum=100)
    return values


def duplicate_evaluation_error() -> RuleError:
    return RuleError("term", _("This mentor has already evaluated the student for this term."))


def row_average(scores: Sequence[int]) -> float:
    """The mean of one evaluation's scores."""
    return round(sum(scores) / len(scores), 1)


def average_scores(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Average per dimension over evaluation rows, and `overall` (the mean of all five);
    None everywhere when there are no rows."""
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
