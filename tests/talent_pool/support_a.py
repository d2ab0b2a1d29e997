"""Factories for the talent pool's score and flag tests: the inputs of a score (evaluations,
awards, attendance, nominations), settings versions, flags, reviews and pool entries."""

from __future__ import annotations

import datetime
import itertools
import json
from typing import Any

from partners.organizations.tables import (
    Activity,
    JointOrganization,
    StudentAttendance,
)
from talent_pool.scoring import flag_candidates, rescore, score_of
from talent_pool.tables import Flag, FlagReview, PoolEntry, ScoreSettings
from tests.support import (
    insert_id,
    make_assignment,
    make_award,
    make_evaluation,
    make_mentor,
    run,
)

_terms = itertools.count(1)
DIMENSIONS = ("political", "professional", "practical", "innovation", "craftsmanship")


def evaluate(student_id: int, *score_sets: tuple[int, int, int, int, int]) -> None:
    """One evaluation per score set (the five dimensions), through one dual-mentor
    assignment of the student."""
    college = make_mentor()
    company = make_mentor(side="enterprise", department="")
    assignment = make_assignment(student_id, college, company)
    for scores in score_sets:
        term = f"2026-2027-{next(_terms)}"
        make_evaluation(
            assignment, college, term=term, **dict(zip(DIMENSIONS, scores, strict=True))
        )


def award(student_id: int, level: str, rank: str = "") -> int:
    return make_award(student_id, level=level, rank=rank)


def make_activities(count: int) -> list[int]:
    organization = insert_id(JointOrganization, kind="joint_branch", name="评分测试联合党支部")
    return [
        insert_id(
            Activity,
            organization=organization,
            kind="theme_day",
            title=f"主题党日{n}",
            held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
        for n in range(count)
    ]


def attend(student_id: int, activity_ids: list[int]) -> None:
    if activity_ids:
        run(
            StudentAttendance.insert(
                *(StudentAttendance(activity=a, student=student_id) for a in activity_ids)
            )
        )


def make_settings(**fields: Any) -> int:
    """A settings version (defaults for the fields not given), now in force."""
    return insert_id(ScoreSettings, **fields)


def make_flag(student_id: int, source: str = "nomination", **fields: Any) -> int:
    values = {
        "student": student_id,
        "source": source,
        "reason": "在实训基地表现突出，多次获得企业表扬。",
        "score_parts": json.dumps({"total": 0.0}),
        "status": "open",
        **fields,
    }
    return insert_id(Flag, **values)


def make_review(flag_id: int, decision: str, **fields: Any) -> int:
    run(Flag.update({Flag.status: "reviewed"}).where(Flag.id == flag_id))
    return insert_id(FlagReview, flag=flag_id, decision=decision, reason="理由充分。", **fields)


def make_pool_entry(student_id: int, status: str = "flagged", **fields: Any) -> int:
    values = {"status": status, "status_since": datetime.date(2026, 9, 1), **fields}
    return insert_id(PoolEntry, student=student_id, **values)


def score(student_id: int) -> dict[str, Any]:
    row = run(score_of(student_id))
    assert row is not None, f"student {student_id} has no score"
    return row


def rescore_all(cohort_year: int | None = None) -> int:
    return run(rescore(cohort_year))


def flag_all(cohort_year: int | None = None) -> int:
    return run(flag_candidates(cohort_year))


def pool_status(student_id: int) -> str | None:
    row = run(PoolEntry.select(PoolEntry.status).where(PoolEntry.student == student_id).first())
    return row["status"] if row else None


def flags_of_student(student_id: int) -> list[dict[str, Any]]:
    return run(Flag.select().where(Flag.student == student_id).order_by(Flag.id))
