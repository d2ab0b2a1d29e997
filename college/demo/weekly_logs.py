"""The demo's weekly placement logs (实习周志): a term of weeks for every active 岗位实习
placement, from its start to last week — mostly confirmed by the enterprise mentor and
commented on by the college mentor, the latest weeks still waiting for the enterprise, a couple
sent back, a few weeks never written (overdue), some with a problem the student raised.

Deterministic (seeded by the placement), and idempotent: a placement that has any weekly log
already gets none added, so running seed-demo twice adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import MentorAssignment, Participation, WeeklyLog
from portal.audit import Actor, audited_write

WORK = (
    "跟班学习数控车床操作，完成轴类零件粗加工{n}件，记录首件检验数据。",
    "参与产线日常点检与5S整理，协助师傅更换刀具并校对刀补。",
    "按工艺卡完成装配工序，学习扭矩扳手的使用与记录要求。",
    "参加班组安全例会，学习设备锁定挂牌（LOTO）流程，完成巡检表填写。",
    "在质检岗学习三坐标测量，独立完成{n}个零件的尺寸检测。",
    "协助工程师调试PLC程序，整理设备故障记录与处理步骤。",
)
LEARNED = (
    "理解了首件检验的意义，做事要先确认再批量。",
    "体会到规范操作和记录同样重要。",
    "学会了看懂工艺卡上的公差要求。",
    "",
)
PROBLEMS = (
    "夜班时遇到设备报警不知如何处理，希望老师指导。",
    "对测量仪器的校准方法还不熟悉。",
    "工作强度较大，周末也被安排加班。",
)
COLLEGE_COMMENTS = (
    "记录详实，继续保持，注意把遇到的问题及时与企业导师沟通。",
    "本周进步明显，建议结合课堂所学总结加工参数的选择。",
    "内容偏简单，下周请写清楚具体完成的工序和收获。",
    "已阅，注意安全操作规范。",
)
GRADES = ("A", "A", "B", "B", "B", "C")


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def demo_weeks(
    rng: random.Random,
    placement: dict[str, Any],
    mentor_name: str,
    today: datetime.date,
    returned: bool,
) -> list[dict[str, Any]]:
    """The placement's weeks up to last week, as rows to insert (some left out: overdue)."""
    last = monday_of(today) - datetime.timedelta(days=7)
    weeks: list[datetime.date] = []
    week = monday_of(placement["starts_on"])
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    missing: set[datetime.date] = set()
    if weeks and rng.random() < 0.3:  # a student who has fallen behind: one or two weeks
        missing.add(weeks[-1 - rng.randrange(min(3, len(weeks)))])
        if rng.random() < 0.4:
            missing.add(weeks[-1])
    rows = []
    for age, week in enumerate(reversed(weeks)):  # age 0: last week
        if week in missing:
            continue
        submitted = datetime.datetime.combine(week + datetime.timedelta(days=6), datetime.time(20))
        row: dict[str, Any] = {
            "participation": placement["id"],
            "student": placement["student"],
            "week_start": week,
            "work_done": rng.choice(WORK).format(n=rng.randint(8, 40)),
            "hours": rng.choice((40, 40, 40, 38, 36)),
            "learned": rng.choice(LEARNED),
            "problems": rng.choice(PROBLEMS) if rng.random() < 0.12 else "",
            "status": "submitted",
            "submitted_at": submitted,
        }
        if returned and age == 1:
            row |= {"status": "returned", "enterprise_comment": "请补充本周具体完成的工序和数量。"}
        elif age >= 1 or rng.random() < 0.3:  # the latest week mostly still waits
            confirmed = submitted + datetime.timedelta(days=rng.randint(1, 3))
            row |= {
                "status": "confirmed",
                "confirmed_at": confirmed,
                "confirmed_by": mentor_name,
                "confirmed_via": rng.choice(("account", "link", "link")),
                "enterprise_comment": "情况属实。" if rng.random() < 0.3 else "",
            }
            if age >= 3 or (age == 2 and rng.random() < 0.5):  # the college mentor is behind
                reviewed = confirmed + datetime.timedelta(days=rng.randint(1, 4))
                commented = bool(row["problems"]) or rng.random() < 0.6
                row |= {
                    "reviewed_at": reviewed,
                    "reviewed_by": "college mentor",
                    "college_comment": rng.choice(COLLEGE_COMMENTS) if commented else "",
                    "grade": rng.choice(GRADES) if commented else "",
                }
        rows.append(row)
    return rows


async def seed_weekly_logs(actor: Actor, today: datetime.date) -> int:
    """Adds the weeks of the active post placements that have none yet; how many it added."""
    placements = await Participation.select(
        Participation.id, Participation.student, Participation.starts_on, Participation.ends_on
    ).where(
        Participation.kind == "placement",
        Participation.internship_kind == "post",
        Participation.status == "active",
        Participation.starts_on <= today,
    ).order_by(Participation.id)
    placements = [p for p in placements if p["ends_on"] is None or p["ends_on"] >= today]
    if not placements:
        return 0
    ids = [p["id"] for p in placements]
    written = {
        row["participation"]
        for row in await WeeklyLog.select(WeeklyLog.participation).where(
            WeeklyLog.participation.is_in(ids)
        )
    }
    students = [p["student"] for p in placements]
    mentors: dict[int, tuple[str, str]] = {}
    for row in await MentorAssignment.select(
        MentorAssignment.student,
        MentorAssignment.enterprise_mentor.name.as_alias("enterprise_name"),
        MentorAssignment.college_mentor.name.as_alias("college_name"),
    ).where(
        MentorAssignment.status == "active", MentorAssignment.student.is_in(students)
    ).order_by(MentorAssignment.id):
        mentors.setdefault(row["student"], (row["enterprise_name"], row["college_name"]))
    rows: list[dict[str, Any]] = []
    returned = 0
    for placement in placements:
        if placement["id"] in written or placement["student"] not in mentors:
            continue
        enterprise_name, college_name = mentors[placement["student"]]
        rng = random.Random(f"2026:weekly:{placement['student']}")
        weeks = demo_weeks(rng, placement, enterprise_name, today, returned < 2)
        returned += any(w["status"] == "returned" for w in weeks)
        for week in weeks:
            if week.get("reviewed_by"):
                week["reviewed_by"] = college_name
        rows += weeks
    if not rows:
        return 0
    async with audited_write(actor) as audit:
        for start in range(0, len(rows), 500):
            await WeeklyLog.insert(*[WeeklyLog(**row) for row in rows[start : start + 500]])
        await audit.record("seed", WeeklyLog, None, f"{len(rows)} demo weekly logs")
    return len(rows)


@dataclass(frozen=True, slots=True)
class WeeklyLogPeople:
    """A student on a 岗位实习 with weeks waiting, and their two mentors: the demo accounts
    intern1, mentor3 (college) and mentor4 (enterprise), so the weekly log can be tried."""

    student_no: str
    student_name: str
    college_mentor: int
    college_mentor_name: str
    enterprise_mentor: int
    enterprise_mentor_name: str


WEEKLY_LOG_PEOPLE = (
    "SELECT s.student_no, s.name AS student_name, ma.college_mentor, cm.name AS college_name,"
    " ma.enterprise_mentor, em.name AS enterprise_name"
    " FROM partners_participation pa"
    " JOIN portal_student s ON s.id = pa.student"
    " JOIN partners_mentor_assignment ma ON ma.student = pa.student AND ma.status = 'active'"
    " JOIN partners_mentor cm ON cm.id = ma.college_mentor"
    " JOIN partners_mentor em ON em.id = ma.enterprise_mentor"
    " WHERE pa.kind = 'placement' AND pa.status = 'active'"
    " AND pa.internship_kind IN ('post', '')"
    " AND ma.college_mentor <> {} AND ma.enterprise_mentor <> {}"
    " AND EXISTS (SELECT 1 FROM partners_weekly_log w"
    "  WHERE w.participation = pa.id AND w.status = 'submitted')"
    " ORDER BY pa.id LIMIT 1"
)


async def weekly_log_people(
    college_taken: int, enterprise_taken: int
) -> WeeklyLogPeople | None:
    """The first post placement with a week waiting for its enterprise mentor, whose mentors
    are not mentor1's and mentor2's (None when the demo has none)."""
    rows = await WeeklyLog.raw(WEEKLY_LOG_PEOPLE, college_taken, enterprise_taken)
    if not rows:
        return None
    return WeeklyLogPeople(*rows[0].values())
