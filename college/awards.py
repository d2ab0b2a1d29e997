"""Awards (奖项) on the student record: who may enter and delete which award, the form's rule,
and the transactions, each taking the `Viewer` whose scope decides and the `Actor` who writes.

In the top layer because an award joins areas: it is entered on the record of a student the
viewer may see (partners.students), it is stored in the talent pool's table
(talent_pool.tables.Award) and it counts towards the student's score, which is re-scored after
every change. Coordinators enter awards for any student, partners for the students placed with
their enterprise; a partner deletes only what its own enterprise entered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypedDict

from partners.students import RecordStudent, record_student
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.deletion import Impact, deletion_impact
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role
from portal.vocabulary import AWARD_KINDS, AWARD_LEVELS
from talent_pool.scoring import rescore_students
from talent_pool.tables import Award

AWARD_FIELDS = ["kind", "name", "level", "rank", "awarded_on"]


class AwardValues(TypedDict):
    """An award's fields as a checked form gives them."""

    kind: str
    name: str
    level: str
    rank: str
    awarded_on: datetime.date | None


@dataclass(frozen=True, slots=True)
class StoredAward:
    """An award as stored: what its delete page shows and the delete starts from."""

    id: int
    student: int
    kind: str
    name: str
    level: str
    rank: str
    awarded_on: datetime.date
    enterprise_id: int | None

    def fields(self) -> dict[str, object]:
        """What the audit log keeps of a deleted award."""
        return {name: getattr(self, name) for name in (*AWARD_FIELDS, "enterprise_id")}


# --- rules -----------------------------------------------------------------------------------


def may_enter_awards(viewer: Viewer) -> bool:
    """Coordinators and partners enter awards (for students they may see)."""
    return viewer.role in (Role.coordinator, Role.partner)


def may_delete_award(viewer: Viewer, entered_by_enterprise: int | None) -> bool:
    """A coordinator any award; a partner only those its own enterprise entered (an award's
    enterprise_id; None for the college's)."""
    if viewer.role is Role.coordinator:
        return True
    return viewer.role is Role.partner and entered_by_enterprise == viewer.enterprise_id


def check_award_form(form: FormState, today: datetime.date) -> AwardValues:
    """Validates an award form in place (errors go on `form`) and returns the cleaned values."""
    form.choice("kind", AWARD_KINDS)
    form.required("name")
    form.max_length("name", 200)
    form.choice("level", AWARD_LEVELS)
    form.max_length("rank", 50)
    awarded_on = form.date("awarded_on")
    if awarded_on is not None and awarded_on > today:
        form.add_error("awarded_on", _("The award date cannot be in the future."))
    return {
        "kind": form.values.get("kind", ""),
        "name": form.values.get("name", ""),
        "level": form.values.get("level", ""),
        "rank": form.values.get("rank", ""),
        "awarded_on": awarded_on,
    }


# --- reads and transactions ------------------------------------------------------------------


async def award_student(viewer: Viewer, student_id: int) -> RecordStudent:
    """The student whose awards the viewer works on; NotVisible unless the viewer may see
    the student's record."""
    student = await record_student(viewer, student_id)
    if student is None:
        raise NotVisible(f"student {student_id}")
    return student


async def deletable_award(viewer: Viewer, student: RecordStudent, award_id: int) -> StoredAward:
    """An award of this student that the viewer may delete; NotVisible for any other (one
    of another student, or entered by another enterprise)."""
    row = (
        await Award.select(
            Award.id,
            Award.student,
            Award.kind,
            Award.name,
            Award.level,
            Award.rank,
            Award.awarded_on,
            Award.enterprise_id,
        )
        .where(Award.id == award_id, Award.student == student.id)
        .first()
    )
    if row is None or not may_delete_award(viewer, row["enterprise_id"]):
        raise NotVisible(f"award {award_id}")
    return StoredAward(**row)


async def record_award(
    viewer: Viewer, actor: Actor, student: RecordStudent, values: AwardValues
) -> int:
    """Records an award for a student the viewer may see (a partner's is marked as its
    enterprise's), audited, then re-scores the student; returns the award's id."""
    columns: dict[str, Any] = {
        **values,
        "student": student.id,
        "entered_by": viewer.user_id,
        "enterprise_id": viewer.enterprise_id if viewer.role is Role.partner else None,
    }
    async with audited_write(actor) as audit:
        row = (await Award.insert(Award(**columns)).returning(Award.id))[0]
        await audit.created(Award, row["id"], columns, f"{student.name} {values['name']}")
    await rescore_students([student.id], actor)  # the award counts towards the score
    return int(row["id"])


async def delete_award(actor: Actor, student: RecordStudent, award: StoredAward) -> None:
    """Deletes an award (found with `deletable_award`), audited, then re-scores the student."""
    async with audited_write(actor) as audit:
        await Award.delete().where(Award.id == award.id)
        await audit.deleted(Award, award.id, award.fields(), f"{student.name} {award.name}")
    await rescore_students([student.id], actor)  # the award no longer counts


async def award_deletion(viewer: Viewer, award: StoredAward) -> Impact:
    """What deleting an award found with `deletable_award` changes (nothing refers to an
    award; the student's score is worked out again by delete_award)."""
    return await deletion_impact(Award._meta.tablename, award.id)
