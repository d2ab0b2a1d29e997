"""Flags of the talent pool (人才库): nominations by mentors, partners and coordinators, the
coordinator's review of every flag, and what the pool pages show of a student's flags.

A flag is one reason a student came to the pool's attention — a rule (threshold, top share)
or a nomination — kept with the score parts of that moment. A coordinator reviews each open
flag once: accept (into the pool), watch, or decline, with a reason. Flags and reviews are
never deleted: they are the student's history in the pool.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from partners.students import RecordStudent
from portal.audit import Actor, AuditTrail, audited_write
from portal.auth import Viewer
from portal.domain_errors import FORM, Conflict, Refused
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role
from portal.vocabulary import DECISIONS, FLAG_SOURCES, FLAG_STATUSES, POOL_STATUSES, ROLES, label
from talent_pool.scoring import (
    PARTS,
    auto_reason,
    current_settings,
    lock_for_writing,
    rescore_students,
    score_of,
    snapshot,
)
from talent_pool.tables import (
    Flag,
    FlagReview,
    FlagSource,
    FlagStatus,
    PoolEntry,
    PoolStatus,
    ReviewDecision,
)

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1000
NOMINATION_FIELDS = ["reason"]
REVIEW_FIELDS = ["decision", "reason"]

NOMINATING_ROLES = (Role.coordinator, Role.partner, Role.mentor)


class AlreadyReviewed(Conflict):
    """Someone reviewed the flag first (409): the review page shows their decision."""


# --- rules -------------------------------------------------------------------------------------


def check_reason(form: FormState) -> str:
    """A reason of 10 to 1000 characters (nominations and reviews)."""
    reason = form.required("reason")
    if reason and len(reason) < REASON_MIN_LENGTH:
        form.add_error(
            "reason", _("At least %(limit)s characters, please.", limit=REASON_MIN_LENGTH)
        )
    form.max_length("reason", REASON_MAX_LENGTH)
    return reason


def check_review_form(form: FormState) -> tuple[str, str]:
    decision = form.choice("decision", DECISIONS)
    reason = form.required("reason")
    form.max_length("reason", REASON_MAX_LENGTH)
    return decision, reason


def may_nominate(viewer: Viewer) -> bool:
    """Coordinators, partners and mentors nominate (each within the students they may see)."""
    return viewer.role in NOMINATING_ROLES


def status_after_review(decision: str, stage: str | None, other_open: bool) -> PoolStatus:
    """The student's pool status after a coordinator's decision on one flag.

    A student already in the recruitment pipeline (a stage set) stays pooled; an accept pools
    the student; otherwise, while another flag is still open the student stays flagged, and
    with none open, watch → watching and decline → declined."""
    if stage or decision == ReviewDecision.accept.value:
        return PoolStatus.pooled
    if other_open:
        return PoolStatus.flagged
    if decision == ReviewDecision.watch.value:
        return PoolStatus.watching
    return PoolStatus.declined


def status_after_nomination(current: str | None) -> PoolStatus:
    """A nomination flags a student who is new, watched or declined; a pooled (or already
    flagged) student keeps the status."""
    if current in (PoolStatus.pooled.value, PoolStatus.flagged.value):
        return PoolStatus(current)
    return PoolStatus.flagged


# --- writes ------------------------------------------------------------------------------------


async def set_pool_status(
    audit: AuditTrail, student_id: int, status: PoolStatus, summary: str
) -> None:
    """Creates the student's PoolEntry or moves it to `status` (audited), inside the caller's
    transaction (which holds the pool's lock)."""
    today = datetime.date.today()
    entry = await pool_entry(student_id)
    if entry is None:
        values: dict[str, Any] = {
            "student": student_id,
            "status": status.value,
            "status_since": today,
        }
        row = await PoolEntry.insert(PoolEntry(**values)).returning(PoolEntry.id)
        await audit.created(PoolEntry, row[0]["id"], values, summary)
    elif entry["status"] != status.value:
        changes = {"status": status.value, "status_since": today}
        await PoolEntry.update(
            {
                PoolEntry.status: status.value,
                PoolEntry.status_since: today,
                PoolEntry.updated_at: datetime.datetime.now(),
            }
        ).where(PoolEntry.id == entry["id"])
        before = {"status": entry["status"], "status_since": entry["status_since"]}
        await audit.updated(PoolEntry, entry["id"], before, changes, summary)


async def nominate(student: RecordStudent, viewer: Viewer, reason: str, actor: Actor) -> int:
    """Records a nomination of a student the viewer may see (check that first) and puts the
    student in the pool as flagged when not pooled; then re-scores the cohort. Refuses
    (`Refused`) a second open nomination by the same user. Returns the flag's id."""
    student_id = student.id
    async with audited_write(actor) as audit:
        await lock_for_writing(PoolEntry)
        open_nomination = await Flag.exists().where(
            Flag.student == student_id,
            Flag.source == FlagSource.nomination.value,
            Flag.nominated_by == viewer.user_id,
            Flag.status == FlagStatus.open.value,
        )
        if open_nomination:
            message = _(
                "You have already nominated this student and the nomination is waiting for review."
            )
            raise Refused.at(FORM, message)
        settings = await current_settings()
        parts = snapshot(await score_of(student_id), settings)
        values: dict[str, Any] = {
            "student": student_id,
            "source": FlagSource.nomination.value,
            "reason": reason,
            "score_parts": json.dumps(parts, ensure_ascii=False),
            "nominated_by": viewer.user_id,
            "nominator_name": viewer.display_name[:100],
            "nominator_role": viewer.role.value,
            "enterprise": viewer.enterprise_id if viewer.role is Role.partner else None,
            "status": FlagStatus.open.value,
        }
        row = await Flag.insert(Flag(**values)).returning(Flag.id)
        flag_id = row[0]["id"]
        summary = _("Nomination of %(name)s", name=student.name)
        await audit.created(Flag, flag_id, {**values, "score_parts": parts}, summary)
        entry = await PoolEntry.select(PoolEntry.status).where(PoolEntry.student == student_id)
        current = entry[0]["status"] if entry else None
        await set_pool_status(audit, student_id, status_after_nomination(current), summary)
    await rescore_students([student_id], actor)
    return flag_id


async def review(
    student: RecordStudent,
    flag_id: int,
    decision: str,
    reason: str,
    actor: Actor,
    reviewer_name: str = "",
) -> PoolStatus:
    """Records a coordinator's decision on an open flag of the student and moves the student's
    pool status accordingly; returns the new status. A flag reviewed meanwhile is a conflict
    (`AlreadyReviewed`)."""
    student_id = student.id
    async with audited_write(actor) as audit:
        await lock_for_writing(PoolEntry)
        closed = (
            await Flag.update({Flag.status: FlagStatus.reviewed.value})
            .where(
                Flag.id == flag_id,
                Flag.student == student_id,
                Flag.status == FlagStatus.open.value,
            )
            .returning(Flag.id, Flag.source)
        )
        if not closed:
            raise AlreadyReviewed(_("This flag has already been reviewed."))
        values: dict[str, Any] = {
            "flag": flag_id,
            "decision": decision,
            "reason": reason,
            "reviewed_by": actor.user_id,
            "reviewer_name": (reviewer_name or actor.username)[:100],
        }
        row = await FlagReview.insert(FlagReview(**values)).returning(FlagReview.id)
        summary = _(
            "Review of a flag of %(name)s: %(decision)s",
            name=student.name,
            decision=label(DECISIONS, decision),
        )
        await audit.created(FlagReview, row[0]["id"], values, summary)
        await audit.updated(
            Flag,
            flag_id,
            {"status": FlagStatus.open.value},
            {"status": FlagStatus.reviewed.value},
            summary,
        )
        other_open = await Flag.exists().where(
            Flag.student == student_id, Flag.status == FlagStatus.open.value
        )
        entry = await PoolEntry.select(PoolEntry.stage).where(PoolEntry.student == student_id)
        stage = entry[0]["stage"] if entry else None
        status = status_after_review(decision, stage, other_open)
        await set_pool_status(audit, student_id, status, summary)
    if closed[0]["source"] == FlagSource.nomination.value:
        await rescore_students([student_id], actor)  # a declined nomination no longer counts
    return status


# --- reads -------------------------------------------------------------------------------------


def parsed_parts(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def flag_reason(flag: Mapping[str, Any], parts: Mapping[str, Any]) -> str:
    """The reason a flag shows: a rule's, worded in the viewer's language from the snapshot;
    a nomination's as the nominator wrote it."""
    if flag["source"] != FlagSource.nomination.value and "threshold" in parts:
        return auto_reason(parts) or flag["reason"]
    return flag["reason"]


def parts_table(parts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The score parts of a snapshot, in the order the score table shows them."""
    weights = parts.get("weights") or {}
    return [
        {
            "key": key,
            "label": _(name),
            "value": parts.get(key, 0.0),
            "count": parts.get(count, 0),
            "weight": weights.get(key),
        }
        for key, name, _weight, count in PARTS
    ]


async def flags_of(student_id: int) -> list[dict[str, Any]]:
    """Every flag of a student, newest first, each with its reviews (two queries)."""
    flags = (
        await Flag.select(*Flag.all_columns(), Flag.enterprise.name.as_alias("enterprise_name"))
        .where(Flag.student == student_id)
        .order_by(Flag.created_at, ascending=False)
        .order_by(Flag.id, ascending=False)
    )
    reviews: dict[int, list[dict[str, Any]]] = {}
    if flags:
        rows = (
            await FlagReview.select()
            .where(FlagReview.flag.is_in([flag["id"] for flag in flags]))
            .order_by(FlagReview.reviewed_at)
            .order_by(FlagReview.id)
        )
        for row in rows:
            row["decision_label"] = label(DECISIONS, row["decision"])
            reviews.setdefault(row["flag"], []).append(row)
    for flag in flags:
        parts = parsed_parts(flag["score_parts"])
        flag["parts"] = parts
        flag["parts_table"] = parts_table(parts)
        flag["source_label"] = label(FLAG_SOURCES, flag["source"])
        flag["status_label"] = label(FLAG_STATUSES, flag["status"])
        flag["role_label"] = label(ROLES, flag["nominator_role"] or None)
        flag["reason_text"] = flag_reason(flag, parts)
        flag["reviews"] = reviews.get(flag["id"], [])
        flag["is_open"] = flag["status"] == FlagStatus.open.value
    return flags


async def pool_entry(student_id: int) -> dict[str, Any] | None:
    """The student's PoolEntry row, if the student is in the pool."""
    return await PoolEntry.select().where(PoolEntry.student == student_id).first()


async def flags_context(student_id: int, viewer: Viewer) -> dict[str, Any]:
    """What templates/talent_pool/_flags.html needs for one student the viewer may see."""
    entry = await pool_entry(student_id)
    return {
        "flags": await flags_of(student_id),
        "flag_student_id": student_id,
        "pool_entry": entry,
        "pool_status_label": label(POOL_STATUSES, entry["status"]) if entry else "",
        "may_review": viewer.role is Role.coordinator,
        "may_nominate": may_nominate(viewer),
    }


async def flag_summaries(student_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each student's flags in brief (source, label, reason, status, date), newest first, in
    one query — for the pool list and its exports."""
    summaries: dict[int, list[dict[str, Any]]] = {student_id: [] for student_id in student_ids}
    if not student_ids:
        return summaries
    rows = (
        await Flag.select(
            Flag.id,
            Flag.student,
            Flag.source,
            Flag.reason,
            Flag.score_parts,
            Flag.status,
            Flag.nominator_name,
            Flag.nominator_role,
            Flag.created_at,
        )
        .where(Flag.student.is_in(list(student_ids)))
        .order_by(Flag.created_at, ascending=False)
        .order_by(Flag.id, ascending=False)
    )
    for row in rows:
        parts = parsed_parts(row["score_parts"])
        summaries.setdefault(row["student"], []).append(
            {
                "id": row["id"],
                "source": row["source"],
                "source_label": label(FLAG_SOURCES, row["source"]),
                "reason": flag_reason(row, parts),
                "status": row["status"],
                "nominator_name": row["nominator_name"],
                "nominator_role": row["nominator_role"],
                "created_at": row["created_at"],
            }
        )
    return summaries
