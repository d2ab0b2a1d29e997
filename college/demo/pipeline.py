"""Demo recruitment pipeline for `portal seed-demo`: about thirty demo students accepted into
the talent pool, and files at every stage of 发展党员 — applicants waiting for their talk,
activists due a review or ready to become development targets, development targets still
missing a step, probationary members awaiting approval (one approved in month four, with the
special case recorded as the reason) or at the end of probation, one whose probation was
cancelled, members who took the oath, and full members — with some items overdue and some
activists and development targets not yet filed with the higher committee.

Every event goes through the pipeline's own rules (`record_event`), so the demo never shows a
file the portal would refuse. Dates are relative to the day of seeding. Idempotent: once any
pipeline event exists, nothing is added.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from partners.coeducation.tables import MentorAssignment
from portal.audit import Actor, audited_write
from portal.dates import add_months
from portal.domain_errors import Refused
from portal.tables import Student
from talent_pool.pipeline import (
    PARTY_STATUSES,
    Event,
    Person,
    build_state,
    check_event,
    record_event_in,
)
from talent_pool.tables import (
    Flag,
    FlagReview,
    FlagSource,
    FlagStatus,
    PipelineEvent,
    PoolEntry,
    PoolStatus,
    ReviewDecision,
)

SEED_ACTOR = Actor(None, "seed-demo")
POOL_SIZE = 30
BRANCH = "学生第一党支部委员会"
COMMITTEE = "学院党委"
PARTY_TEACHERS = ("王建国", "李红梅", "张志强", "刘芳", "陈立新", "杨慧", "周国平", "吴晓燕")
FLAG_REASONS = (
    ("mentor", "实训中表现突出，主动承担班组任务，积极向党组织靠拢。"),
    ("partner", "在企业实训岗位上踏实肯干，获得车间一致好评，推荐重点培养。"),
    ("mentor", "专业成绩优异，技能竞赛获奖，思想上进，推荐纳入人才库。"),
    ("partner", "参加志愿服务和联学联建活动积极，工匠精神突出。"),
)
ACCEPT_REASONS = (
    "综合表现优秀，同意纳入人才库重点培养。",
    "导师与企业双方推荐，评价优秀，同意纳入人才库。",
    "思想进步、专业扎实，纳入人才库跟踪培养。",
)
REVIEW_NOTES = ("学习态度端正，按时提交思想汇报。", "积极参加组织生活，群众评价良好。")
FILING = {"decided_by": "学院党委组织部"}
VOTES = {"entitled": 28, "present": 25, "in_favour": 24}
SPECIAL_CASE = "上级党委换届，审批会议推迟召开。"


@dataclass(frozen=True)
class Scenario:
    """One demo file: the application this many days ago, the story up to `until` (the n-th
    event of that kind), steps left out, and events added after."""

    name: str
    applied_days_ago: int
    until: str
    occurrence: int = 1
    skip: tuple[str, ...] = ()
    extra: tuple[tuple[str, int, dict[str, Any]], ...] = ()  # (kind, days ago, details)
    overrides: dict[str, int] = field(default_factory=dict)  # kind → days ago
    approval_after: int = 30  # days after the branch meeting (beyond three months: a reason)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("applicant, talk overdue", 45, "application"),
    Scenario("applicant, talk due", 10, "application"),
    Scenario("applicant, late talk", 80, "talk", overrides={"talk": 30}),
    Scenario("activist, review overdue, not filed", 290, "contacts", skip=("activist_filing",)),
    Scenario("activist, may become development target", 430, "review", occurrence=2),
    Scenario("activist, recent", 100, "contacts"),
    Scenario(
        "development target, training missing",
        500,
        "introducers",
        skip=("training", "pre_review", "volunteer_form"),
    ),
    Scenario("development target, recent", 440, "development_target"),
    Scenario("probationary, awaiting approval", 510, "branch_meeting"),
    Scenario("probationary, approval overdue", 590, "branch_meeting"),
    Scenario("probationary, approved, oath taken", 700, "oath"),
    Scenario("probationary, approved in month four", 640, "approval", approval_after=100),
    Scenario("probationary, probation ended", 880, "approval"),
    Scenario(
        "probationary, probation extended",
        1000,
        "approval",
        extra=(("extension", -1, {"months": 6, "decided_by": BRANCH}),),
    ),
    Scenario(
        "probation cancelled",
        960,
        "oath",
        extra=(
            (
                "cancellation",
                -1,
                {"decided_by": BRANCH, "note": "预备期满，经支部大会讨论，不具备党员条件。"},
            ),
        ),
    ),
    Scenario("full member", 900, "conversion"),
    Scenario("full member, earlier", 1100, "conversion"),
)


def story(scenario: Scenario, today: datetime.date, teachers: list[str]) -> list[Event]:
    """The scenario's events, dated from its application on."""
    applied = today - datetime.timedelta(days=scenario.applied_days_ago)
    day = datetime.timedelta
    contacts = (Person(teachers[0], True), Person(teachers[1], True))
    introducers = (Person(teachers[2], True), Person(teachers[3], True))
    activist = add_months(applied, 1) + day(15)
    target = add_months(activist, 12) + day(10)
    meeting = target + day(60)
    approved = meeting + day(scenario.approval_after)
    late = approved > add_months(meeting, 3)
    steps: list[tuple[str, datetime.date, dict[str, Any]]] = [
        ("application", applied, {"note": "递交入党申请书。"}),
        ("talk", applied + day(17), {"note": "党支部委派委员谈话，了解入党动机。"}),
        ("activist", activist, {"recommended_by": "league", "decided_by": BRANCH}),
        ("activist_filing", activist + day(3), FILING),
        ("contacts", activist + day(5), {"people": contacts}),
        ("review", add_months(activist, 6), {"note": REVIEW_NOTES[0]}),
        ("review", add_months(activist, 12), {"note": REVIEW_NOTES[1]}),
        ("development_target", target, {"decided_by": BRANCH}),
        ("target_filing", target + day(3), FILING),
        ("political_review", target + day(20), {"note": "政治审查合格。"}),
        ("training", target + day(30), {"days": 5, "class_hours": 32}),
        ("introducers", target + day(40), {"people": introducers}),
        ("pre_review", target + day(45), {"decided_by": COMMITTEE}),
        ("volunteer_form", target + day(50), {}),
        ("branch_meeting", meeting, {"note": "支部大会表决通过，接收为预备党员。", **VOTES}),
        (
            "approval",
            approved,
            {"decided_by": COMMITTEE, "reason": SPECIAL_CASE if late else ""},
        ),
        ("oath", approved + day(10), {"note": "在党旗下进行入党宣誓。"}),
        ("conversion", add_months(meeting, 12) + day(5), {"note": "按期转正。", **VOTES}),
    ]
    events: list[Event] = []
    seen = 0
    for kind, date, details in steps:
        if kind in scenario.skip:
            continue
        if kind in scenario.overrides:
            date = today - day(scenario.overrides[kind])
        events.append(Event(kind=kind, happened_on=date, **details))
        if kind == scenario.until:
            seen += 1
            if seen == scenario.occurrence:
                break
    for kind, days_ago, details in scenario.extra:
        if days_ago < 0:  # on the day the probation ends
            state = build_state(events)
            date = state.probation_end or today
        else:
            date = today - day(days_ago)
        events.append(Event(kind=kind, happened_on=date, **details))
    return events


def can_apply(student: dict[str, Any], on: datetime.date, today: datetime.date) -> bool:
    state = build_state(
        [], PoolStatus.pooled.value, student["birth_date"], student["political_status"]
    )
    return not check_event(state, Event("application", on), today)


async def candidates() -> list[dict[str, Any]]:
    """Demo students not yet in the pool and not party members: those with dual mentors
    first (so the demo partner and mentor accounts see some files), then the rest."""
    taken = PoolEntry.select(PoolEntry.student)
    rows = (
        await Student.select(Student.id, Student.name, Student.birth_date, Student.political_status)
        .where(
            Student.id.not_in(taken),
            Student.political_status.not_in(list(PARTY_STATUSES)),
            Student.birth_date.is_not_null(),
        )
        .order_by(Student.id)
    )
    mentored = {row["student"] for row in await MentorAssignment.select(MentorAssignment.student)}
    return sorted(rows, key=lambda row: (row["id"] not in mentored, row["id"]))


async def put_in_pool(audit: Any, student: dict[str, Any], since: datetime.date, n: int) -> None:
    """A nomination, the coordinator's acceptance, and the pool entry."""
    role, reason = FLAG_REASONS[n % len(FLAG_REASONS)]
    flagged_at = datetime.datetime.combine(since - datetime.timedelta(days=7), datetime.time(10))
    flag_id = (
        await Flag.insert(
            Flag(
                student=student["id"],
                source=FlagSource.nomination.value,
                reason=reason,
                score_parts=json.dumps({}),
                nominator_name="实训导师" if role == "mentor" else "企业党支部",
                nominator_role=role,
                status=FlagStatus.reviewed.value,
                created_at=flagged_at,
            )
        ).returning(Flag.id)
    )[0]["id"]
    await FlagReview.insert(
        FlagReview(
            flag=flag_id,
            decision=ReviewDecision.accept.value,
            reason=ACCEPT_REASONS[n % len(ACCEPT_REASONS)],
            reviewer_name="校企合作办 管理员",
            reviewed_at=datetime.datetime.combine(since, datetime.time(15)),
        )
    )
    await PoolEntry.insert(
        PoolEntry(student=student["id"], status=PoolStatus.pooled.value, status_since=since)
    )
    await audit.record("seed", PoolEntry, None, f"{student['name']} demo talent pool")


async def seed_pipeline(today: datetime.date) -> None:
    """Seeds the demo talent pool and recruitment files (once)."""
    if await PipelineEvent.exists():
        return
    pool = await candidates()
    used: set[int] = set()
    async with audited_write(SEED_ACTOR) as audit:
        for n, scenario in enumerate(SCENARIOS):
            teachers = [PARTY_TEACHERS[(n + i) % len(PARTY_TEACHERS)] for i in range(4)]
            events = story(scenario, today, teachers)
            applied = events[0].happened_on
            student = next(
                (s for s in pool if s["id"] not in used and can_apply(s, applied, today)), None
            )
            if student is None:
                break  # too few demo students old enough: seed what fits
            used.add(student["id"])
            await put_in_pool(audit, student, applied - datetime.timedelta(days=30), n)
            for event in events:
                try:
                    await record_event_in(audit, student["id"], event, today)
                except Refused as refused:
                    raise ValueError(f"demo file {scenario.name}: {refused}") from refused
        # The rest of the pool: accepted, no file yet.
        rest = [s for s in pool if s["id"] not in used][: max(0, POOL_SIZE - len(used))]
        for n, student in enumerate(rest, start=len(used)):
            await put_in_pool(audit, student, today - datetime.timedelta(days=20 + n), n)
