"""Mentors (导师): who may see which, the mentor form, a mentor's load, and saving a mentor.

A college mentor (校内导师) teaches at the college; an enterprise mentor (企业导师) works for a
partner enterprise. Coordinators manage every mentor, a partner only its own enterprise's
(enterprise side, its enterprise forced). A mentor takes at most `max_mentees` active
mentees, counted over both slots of the dual-mentor assignments (partners.coeducation.
mentorships); the maximum never drops below the mentees a mentor already has, and a mentor
with assignments keeps their side. An enterprise mentor's email is where the weekly logs
waiting for their confirmation are sent with a signed link when they have no account.

The pages in partners.coeducation.views.mentors parse the form and call these functions; the
mentor import (college.importing) checks its rows with the same form rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import Mentor, MentorAssignment
from portal import reads
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import FieldError, NotVisible, Refused, raise_refusals
from portal.forms import FormState
from portal.i18n import _
from portal.notify_rules import email_problem
from portal.sql import Statement, in_list
from portal.students import is_valid_phone
from portal.tables import Role
from portal.vocabulary import MENTOR_SIDES

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
    "email",
]
MAX_MENTEES_LIMIT = 50
SUGGESTION_LIMIT = 100

# --- who sees which ------------------------------------------------------------------------


def mentor_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on Mentor: a coordinator sees every mentor, a partner its own
    enterprise's (as partners.coeducation.queries.mentors_visible_sql); anyone else none."""
    if viewer.role is Role.coordinator:
        return []
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        return [Mentor.enterprise == viewer.enterprise_id]
    return [Mentor.id < 0]


def forced_enterprise(viewer: Viewer) -> int | None:
    """The enterprise a viewer's mentor form is tied to: a partner's own (its mentors are
    enterprise mentors of its enterprise), none for a coordinator."""
    return None if viewer.role is Role.coordinator else viewer.enterprise_id


@dataclass(frozen=True, slots=True)
class MentorRecord:
    """A mentor as their page and their edit form show them."""

    id: int
    side: str
    name: str
    department: str
    title: str
    enterprise: int | None
    position: str
    party_member: bool
    max_mentees: int
    phone: str
    email: str
    user: int | None
    enterprise_name: str | None
    username: str | None


async def visible_mentor(viewer: Viewer, mentor_id: int) -> MentorRecord:
    """The mentor, if the viewer may see them; NotVisible otherwise (a 404, as for none)."""
    row = (
        await Mentor.select(
            *Mentor.all_columns(),
            Mentor.enterprise.name.as_alias("enterprise_name"),
            Mentor.user.username.as_alias("username"),
        )
        .where(Mentor.id == mentor_id, *mentor_scope(viewer))
        .first()
    )
    if row is None:
        raise NotVisible
    return MentorRecord(**row)


# --- the mentor form -------------------------------------------------------------------------


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
    email = form.values.get("email", "").strip()
    form.values["email"] = email
    if problem := email_problem(email):
        form.add_error("email", problem)
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
        "email": "" if college else email,
    }


# --- rules on a mentor's changes ---------------------------------------------------------------


def check_max_not_below_active(max_mentees: int | None, active: int) -> list[FieldError]:
    """The maximum of active mentees never drops below those the mentor already has."""
    if max_mentees is not None and max_mentees < active:
        return [
            FieldError(
                "max_mentees",
                _("This mentor already has %(count)s active mentees.", count=active),
            )
        ]
    return []


def check_side_kept(old_side: str, new_side: str, has_assignments: bool) -> list[FieldError]:
    """A mentor with assignments keeps their side (the assignments put them in one slot)."""
    if new_side != old_side and has_assignments:
        return [FieldError("side", _("This mentor has assignments: the side cannot change."))]
    return []


ENTERPRISE_EXISTS = Statement("SELECT 1 FROM partners_enterprise WHERE id = :enterprise")


async def check_enterprise_exists(enterprise_id: int | None) -> None:
    """An enterprise mentor's enterprise is one the portal knows (the form offers a list)."""
    if enterprise_id is not None and not await reads.fetch(
        ENTERPRISE_EXISTS, enterprise=enterprise_id
    ):
        raise Refused.at("enterprise", _("Choose one of the listed options."))


async def check_mentor_change(mentor: MentorRecord, values: dict[str, Any]) -> None:
    """The rules on editing a mentor, read against the mentor's assignments."""
    active = (await active_counts([mentor.id])).get(mentor.id, 0)
    assigned = values["side"] != mentor.side and await MentorAssignment.exists().where(
        (MentorAssignment.college_mentor == mentor.id)
        | (MentorAssignment.enterprise_mentor == mentor.id)
    )
    raise_refusals(
        [
            *check_max_not_below_active(values["max_mentees"], active),
            *check_side_kept(mentor.side, values["side"], assigned),
        ]
    )


async def save_mentor(actor: Actor, values: dict[str, Any], mentor: MentorRecord | None) -> int:
    """Adds a mentor (`mentor` None) or saves the changes to one, the rules read in the same
    audited transaction as the write; returns the mentor's id. Raises Refused."""
    async with audited_write(actor) as audit:
        await check_enterprise_exists(values["enterprise"])
        if mentor is None:
            row = (await Mentor.insert(Mentor(**values)).returning(Mentor.id))[0]
            await audit.created(Mentor, row["id"], values, values["name"])
            return int(row["id"])
        await check_mentor_change(mentor, values)
        await Mentor.update(**values).where(Mentor.id == mentor.id)
        before = {name: getattr(mentor, name) for name in values}
        await audit.updated(Mentor, mentor.id, before, values, values["name"])
        return mentor.id


# --- a mentor's load -------------------------------------------------------------------------

ACTIVE_BY_MENTOR = (
    "SELECT college_mentor AS mentor FROM partners_mentor_assignment WHERE status = 'active'"
    " UNION ALL"
    " SELECT enterprise_mentor FROM partners_mentor_assignment WHERE status = 'active'"
)


async def active_counts(mentor_ids: list[int]) -> dict[int, int]:
    """Active assignments per mentor (as college or enterprise mentor), in one grouped query."""
    if not mentor_ids:
        return {}
    ids, params = in_list("mentor", mentor_ids)
    statement = Statement(
        f"SELECT mentor, COUNT(*) FROM ({ACTIVE_BY_MENTOR}) t WHERE mentor IN ({ids})"
        " GROUP BY mentor"
    )
    return {int(mentor): int(n) for mentor, n in await reads.fetch(statement, **params)}


@dataclass(frozen=True, slots=True)
class MentorLoad:
    """A mentor with their active mentees, as the assignment form suggests them."""

    id: int
    name: str
    party_member: bool
    max_mentees: int
    enterprise: int | None
    department: str
    position: str
    active: int

    @property
    def free(self) -> int:
        """Places left under the maximum."""
        return self.max_mentees - self.active


def rank_suggestions(mentors: list[MentorLoad]) -> list[MentorLoad]:
    """Mentors with free places, party members first, then the most free places, then name."""
    free = [mentor for mentor in mentors if mentor.free > 0]
    return sorted(free, key=lambda m: (not m.party_member, -m.free, m.name, m.id))


def _suggestions_sql(by_enterprise: bool) -> str:
    return (
        "SELECT m.id, m.name, m.party_member, m.max_mentees, m.enterprise,"
        " m.department, m.position, COALESCE(c.n, 0) AS active FROM partners_mentor m"
        f" LEFT JOIN (SELECT mentor, COUNT(*) AS n FROM ({ACTIVE_BY_MENTOR}) t GROUP BY mentor) c"
        " ON c.mentor = m.id WHERE m.side = :side AND m.max_mentees > COALESCE(c.n, 0)"
        + (" AND m.enterprise = :enterprise" if by_enterprise else "")
        + " ORDER BY m.party_member DESC, m.max_mentees - COALESCE(c.n, 0) DESC, m.name, m.id"
        " LIMIT :limit"
    )


SUGGESTIONS = {by: Statement(_suggestions_sql(by)) for by in (False, True)}


def mentor_load(*columns: Any) -> MentorLoad:
    """A row of SUGGESTIONS (SQLite gives the party membership as 0 or 1)."""
    mentor_id, name, party_member, max_mentees, enterprise, department, position, active = columns
    return MentorLoad(
        mentor_id,
        name,
        bool(party_member),
        max_mentees,
        enterprise,
        department,
        position,
        int(active),
    )


async def suggested_mentors(
    side: str, enterprise_id: int | None = None, limit: int = SUGGESTION_LIMIT
) -> list[MentorLoad]:
    """Mentors of one side (and enterprise) with free places, in suggestion order."""
    params: dict[str, Any] = {"side": side, "limit": limit}
    if enterprise_id is not None:
        params["enterprise"] = enterprise_id
    statement = SUGGESTIONS[enterprise_id is not None]
    return rank_suggestions(await reads.rows(mentor_load, statement, **params))
