"""A student's consent to share their talent-pool details (人才库信息：评分、标记、发展阶段)
with the partner enterprises they are placed with. Without consent in force a partner sees only
the placement itself (the record's projects and participations); coordinators and the student
always see everything, mentors as before. One SharingConsent row per decision; the newest is in
force; no row means not given."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.i18n import _
from portal.tables import Role
from talent_pool.tables import ConsentDecision, SharingConsent

GIVEN = ConsentDecision.given.value
WITHDRAWN = ConsentDecision.withdrawn.value


def partner_may_see_talent_details(consent_state: str | None) -> bool:
    """Whether a partner may see a student's score, flags and pipeline stage: only with the
    student's consent in force (the newest decision is "given")."""
    return consent_state == GIVEN


def viewer_may_see_talent_details(viewer: Viewer, consent_state: str | None) -> bool:
    """Partners need the consent; every other role sees as before."""
    if viewer.role is Role.partner:
        return partner_may_see_talent_details(consent_state)
    return True


def consented_sql(student_id: str) -> str:
    """The SQL condition "the student in ``student_id`` has consent in force" (no parameters)."""
    return (
        f"(SELECT c.decision FROM talent_pool_sharing_consent c WHERE c.student = {student_id}"
        f" ORDER BY c.id DESC LIMIT 1) = '{GIVEN}'"
    )


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One decision of the student's history."""

    decision: str
    decided_at: datetime.datetime


async def consent_history(student_id: int) -> list[ConsentChange]:
    """The student's decisions, newest first."""
    rows = (
        await SharingConsent.select(SharingConsent.decision, SharingConsent.decided_at)
        .where(SharingConsent.student == student_id)
        .order_by(SharingConsent.id, ascending=False)
    )
    return [ConsentChange(row["decision"], row["decided_at"]) for row in rows]


async def consent_state(student_id: int) -> str | None:
    """The decision in force: "given", "withdrawn" or None (never decided = not given)."""
    row = (
        await SharingConsent.select(SharingConsent.decision)
        .where(SharingConsent.student == student_id)
        .order_by(SharingConsent.id, ascending=False)
        .first()
    )
    return None if row is None else str(row["decision"])


async def may_see_talent_details(viewer: Viewer, student_id: int) -> bool:
    if viewer.role is not Role.partner:
        return True
    return partner_may_see_talent_details(await consent_state(student_id))


async def check_talent_details(viewer: Viewer, student_id: int) -> None:
    """NotVisible (404) for a partner without the student's consent."""
    if not await may_see_talent_details(viewer, student_id):
        raise NotVisible(f"talent details of student {student_id}")


async def decide(viewer: Viewer, decision: ConsentDecision) -> bool:
    """The signed-in student gives or withdraws consent (audited). Only a student decides,
    and only for themself; returns False when the decision is already in force (nothing
    written)."""
    if viewer.role is not Role.student or viewer.student_id is None:
        raise NotVisible("consent")
    student_id = viewer.student_id
    actor = Actor(viewer.user_id, viewer.username)
    async with audited_write(actor) as audit:
        current = await consent_state(student_id)
        if current == decision.value or (current is None and decision is ConsentDecision.withdrawn):
            return False
        inserted = await SharingConsent.insert(
            SharingConsent(student=student_id, decision=decision.value, decided_by=viewer.user_id)
        ).returning(SharingConsent.id)
        summary = (
            _("Consent to share talent-pool details given")
            if decision is ConsentDecision.given
            else _("Consent to share talent-pool details withdrawn")
        )
        await audit.record(
            "consent",
            SharingConsent,
            inserted[0]["id"],
            summary,
            {"student": [None, student_id], "decision": [current, decision.value]},
        )
    return True


async def give_consent(viewer: Viewer) -> bool:
    return await decide(viewer, ConsentDecision.given)


async def withdraw_consent(viewer: Viewer) -> bool:
    return await decide(viewer, ConsentDecision.withdrawn)
