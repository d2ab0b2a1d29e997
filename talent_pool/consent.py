"""A student's consent to share their talent-pool details (人才库信息：评分、标记、发展阶段)
with a partner enterprise they are placed with, one enterprise at a time.

The Personal Information Protection Law (个人信息保护法) asks, when personal information is
provided to another handler, that the person be told the recipient's name, its contact
details, the purpose, the processing method and the kinds of information, and give separate
consent (单独同意, Art. 23); consent is given freely and explicitly, fully informed (Art. 14),
can be withdrawn, with a convenient way to do so, and withdrawing does not affect processing
done before (Art. 15). So a decision names one enterprise, and the student decides for each
enterprise on /me, where giving and withdrawing are the same one button.

Without consent in force a partner sees only the placement itself (the record's projects and
participations); coordinators and the student always see everything, mentors as before.
One SharingConsent row per decision. For (student, enterprise) the decision in force is the
newest row naming that enterprise or naming none — a row without an enterprise was made before
decisions named one, and stands for every partner enterprise until a newer decision for an
enterprise replaces it there. No such row means not given.

A student decides only for an enterprise they are or were placed with (a participation of any
status, or a mentor assignment, in one of its projects — what partners.access calls "placed
with", past ones included), or one a decision of theirs already names (so a decision can
always be withdrawn); any other enterprise is NotVisible (404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal import reads
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.i18n import _
from portal.sql import Statement
from portal.tables import Role
from talent_pool.tables import ConsentDecision, SharingConsent

GIVEN = ConsentDecision.given.value
WITHDRAWN = ConsentDecision.withdrawn.value


def partner_may_see_talent_details(consent_state: str | None) -> bool:
    """Whether a partner may see a student's score, flags and pipeline stage: only with the
    student's consent for its enterprise in force (that decision is "given")."""
    return consent_state == GIVEN


def viewer_may_see_talent_details(viewer: Viewer, consent_state: str | None) -> bool:
    """Partners need the consent (``consent_state``: the decision in force for the partner's
    enterprise); every other role sees as before."""
    if viewer.role is Role.partner:
        return viewer.enterprise_id is not None and partner_may_see_talent_details(consent_state)
    return True


# --- the rule as SQL, for the partners' lists ----------------------------------------------------


def _in_force_sql(student: str, enterprise: str) -> str:
    """The decision in force for the student ``student`` and the enterprise ``enterprise``
    (SQL expressions or placeholders): the newest row naming it or naming none."""
    return (
        "(SELECT c.decision FROM talent_pool_sharing_consent c"
        f" WHERE c.student = {student} AND (c.enterprise = {enterprise} OR c.enterprise IS NULL)"
        " ORDER BY c.id DESC LIMIT 1)"
    )


def consented_sql(student_id: str, viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """The SQL condition "the student in ``student_id`` (a column of the statement) has
    consent in force for the viewer's enterprise", for the read layer's statements, and its
    parameter (the enterprise, bound as :consent_enterprise; the text is the same for every
    partner)."""
    condition = f"{_in_force_sql(student_id, ':consent_enterprise')} = '{GIVEN}'"
    return condition, {"consent_enterprise": viewer.enterprise_id}


def consented_where(student_id: str, viewer: Viewer) -> WhereRaw:
    """The same condition for Piccolo's query builder (the enterprise a bound argument)."""
    return WhereRaw(f"{_in_force_sql(student_id, '{}')} = '{GIVEN}'", viewer.enterprise_id)


# --- the student's enterprises and decisions -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseConsent:
    """A partner enterprise the student may decide for, as the consent card tells it (the
    recipient's name and contact, PIPL Art. 23), with the decision in force for it."""

    enterprise_id: int
    name: str
    contact_person: str
    contact_phone: str
    decision: str | None  # "given", "withdrawn" or None (never decided = not given)
    for_every_enterprise: bool  # the decision in force is an earlier one naming no enterprise

    @property
    def given(self) -> bool:
        return partner_may_see_talent_details(self.decision)


def _enterprises_sql(one: bool) -> str:
    """The enterprises the student :student may decide for (as the module says), by name,
    with the decision in force for each and whether it names no enterprise; ``one``: only the
    enterprise :enterprise."""
    newest = (
        "(SELECT {column} FROM talent_pool_sharing_consent c WHERE c.student = :student"
        " AND (c.enterprise = en.id OR c.enterprise IS NULL) ORDER BY c.id DESC LIMIT 1)"
    )
    only = " AND en.id = :enterprise" if one else ""
    return (
        "SELECT en.id, en.name, en.contact_person, en.contact_phone,"
        f" {newest.format(column='c.decision')},"
        f" {newest.format(column='CASE WHEN c.enterprise IS NULL THEN 1 ELSE 0 END')}"
        " FROM partners_enterprise en"
        " WHERE (en.id IN (SELECT pp.enterprise FROM partners_participation pa"
        " JOIN partners_project pp ON pp.id = pa.project WHERE pa.student = :student)"
        " OR en.id IN (SELECT pp.enterprise FROM partners_mentor_assignment ma"
        " JOIN partners_project pp ON pp.id = ma.project WHERE ma.student = :student)"
        " OR en.id IN (SELECT c.enterprise FROM talent_pool_sharing_consent c"
        f" WHERE c.student = :student AND c.enterprise IS NOT NULL)){only}"
        " ORDER BY en.name, en.id"
    )


ENTERPRISES = Statement(_enterprises_sql(one=False))
ONE_ENTERPRISE = Statement(_enterprises_sql(one=True))
IN_FORCE = Statement(f"SELECT {_in_force_sql(':student', ':enterprise')}")
HISTORY = Statement(
    "SELECT c.decision, c.decided_at, en.name FROM talent_pool_sharing_consent c"
    " LEFT JOIN partners_enterprise en ON en.id = c.enterprise"
    " WHERE c.student = :student ORDER BY c.id DESC"
)


def _enterprise_consent(
    enterprise_id: int,
    name: str,
    contact_person: str,
    contact_phone: str,
    decision: str | None,
    for_every_enterprise: int | None,
) -> EnterpriseConsent:
    return EnterpriseConsent(
        enterprise_id,
        name,
        contact_person or "",
        contact_phone or "",
        decision,
        bool(for_every_enterprise),
    )


async def consent_enterprises(student_id: int) -> list[EnterpriseConsent]:
    """The enterprises the student may decide for, by name, each with its decision in force
    (one statement)."""
    return await reads.rows(_enterprise_consent, ENTERPRISES, student=student_id)


async def consent_enterprise(student_id: int, enterprise_id: int) -> EnterpriseConsent | None:
    """One of them, or None when the student may not decide for this enterprise."""
    return await reads.first(
        _enterprise_consent, ONE_ENTERPRISE, student=student_id, enterprise=enterprise_id
    )


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One decision of the student's history: the enterprise it names (None: an earlier
    decision for every partner enterprise)."""

    decision: str
    decided_at: datetime.datetime
    enterprise_name: str | None


async def consent_history(student_id: int) -> list[ConsentChange]:
    """The student's decisions, newest first."""
    return await reads.rows(ConsentChange, HISTORY, student=student_id)


async def consent_state(student_id: int, enterprise_id: int) -> str | None:
    """The decision in force for the enterprise: "given", "withdrawn" or None (never decided =
    not given)."""
    found = await reads.value(IN_FORCE, student=student_id, enterprise=enterprise_id)
    return None if found is None else str(found)


async def may_see_talent_details(viewer: Viewer, student_id: int) -> bool:
    """Whether the viewer may see the student's score, flags and pipeline stage: a partner only
    with the student's consent for its own enterprise."""
    if viewer.role is not Role.partner:
        return True
    if viewer.enterprise_id is None:
        return False
    return partner_may_see_talent_details(await consent_state(student_id, viewer.enterprise_id))


async def check_talent_details(viewer: Viewer, student_id: int) -> None:
    """NotVisible (404) for a partner without the student's consent for its enterprise."""
    if not await may_see_talent_details(viewer, student_id):
        raise NotVisible(f"talent details of student {student_id}")


# --- deciding ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decided:
    """What a decision did: whether it was written (False: already in force) and the
    enterprise it names."""

    changed: bool
    enterprise_name: str


async def decide(viewer: Viewer, enterprise_id: int, decision: ConsentDecision) -> Decided:
    """The signed-in student gives or withdraws consent for one enterprise (audited). Only a
    student decides, only for themself and only for an enterprise they may decide for
    (NotVisible otherwise); nothing is written when the decision is already in force."""
    if viewer.role is not Role.student or viewer.student_id is None:
        raise NotVisible("consent")
    student_id = viewer.student_id
    actor = Actor(viewer.user_id, viewer.username)
    async with audited_write(actor) as audit:
        found = await consent_enterprise(student_id, enterprise_id)
        if found is None:
            raise NotVisible(f"consent for enterprise {enterprise_id}")
        current = found.decision
        if current == decision.value or (current is None and decision is ConsentDecision.withdrawn):
            return Decided(False, found.name)
        inserted = await SharingConsent.insert(
            SharingConsent(
                student=student_id,
                enterprise=enterprise_id,
                decision=decision.value,
                decided_by=viewer.user_id,
            )
        ).returning(SharingConsent.id)
        summary = (
            _(
                "Consent to share talent-pool details with %(enterprise)s given",
                enterprise=found.name,
            )
            if decision is ConsentDecision.given
            else _(
                "Consent to share talent-pool details with %(enterprise)s withdrawn",
                enterprise=found.name,
            )
        )
        await audit.record(
            "consent",
            SharingConsent,
            inserted[0]["id"],
            summary,
            {
                "student": [None, student_id],
                "enterprise": [None, enterprise_id],
                "decision": [current, decision.value],
            },
        )
    return Decided(True, found.name)


async def give_consent(viewer: Viewer, enterprise_id: int) -> Decided:
    return await decide(viewer, enterprise_id, ConsentDecision.given)


async def withdraw_consent(viewer: Viewer, enterprise_id: int) -> Decided:
    return await decide(viewer, enterprise_id, ConsentDecision.withdrawn)
