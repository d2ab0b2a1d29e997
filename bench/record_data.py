"""Students with full records (成长档案) for the PDF benchmarks: each has an order class and a
training-base placement, two dual-mentor assignments with six mentoring logs, two terms of
evaluations by both mentors, four joint activities attended and three awards — a record of
three A4 pages. Inserted in bulk into the database DATABASE_URL names (schema migrated).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bench import seed

COHORT = 2024
GROUP_SIZE = 20  # students per order class and per training base
ACTIVITIES = 12
LOGS_PER_ASSIGNMENT = 3
ATTENDED = 4
TOPICS = (
    "数控机床安全操作规程",
    "工艺文件识读与工序安排",
    "零件质量检验与测量",
    "设备日常点检与维护保养",
    "班组协作与岗位责任",
    "工匠精神：精益求精的态度",
    "职业规划与企业文化",
    "生产现场 6S 管理",
)
CONTENTS = (
    "结合车间实际讲解操作要点，学生完成两件试切工件并记录问题，下次复盘改进。",
    "围绕图纸和工艺卡逐项讲解，布置课后练习，要求下周提交工序安排表。",
    "在现场示范量具使用方法，学生独立完成测量并填写检验记录，误差在允许范围内。",
    "讨论实习中遇到的困难，肯定进步，提出在团队沟通方面继续加强的建议。",
)
COMMENTS = (
    "该生学习态度端正，动手能力强，能按规范完成岗位任务，建议继续加强理论学习。",
    "在岗表现积极，团结同事，积极参加党团活动，创新意识有待进一步提高。",
)
AWARDS = (
    ("competition", "全国职业院校技能大赛（数控车）", "national", "二等奖"),
    ("scholarship", "国家励志奖学金", "provincial", ""),
    ("honour", "校级优秀共青团员", "school", ""),
)


async def seed_rich_records(count: int, rng: random.Random | None = None) -> list[int]:
    """``count`` students of one cohort, each with a full record; returns their ids."""
    from partners.coeducation import tables as co
    from partners.organizations import tables as ot
    from portal.tables import Student
    from talent_pool.tables import Award

    rng = rng or random.Random(2026)
    today = dt.date.today()
    await seed.seed_students(count)
    await Student.update({Student.cohort_year: COHORT}, force=True)
    students = [row["id"] for row in await Student.select(Student.id).order_by(Student.id)]
    groups = [students[i : i + GROUP_SIZE] for i in range(0, len(students), GROUP_SIZE)]
    enterprises = await seed.insert_returning_ids(
        ot.Enterprise,
        [
            {"name": f"苏州精工智能装备有限公司{i:02d}", "credit_code": seed.credit_code(i)}
            for i in range(2 * len(groups))
        ],
    )
    projects = await _projects(groups, enterprises, today)
    await seed.insert_returning_ids(co.Participation, _participations(groups, projects, today))
    assignments = await _assignments(groups, projects, enterprises, today)
    await seed.insert_returning_ids(co.MentoringLog, _logs(assignments, rng, today))
    await seed.insert_returning_ids(co.Evaluation, _evaluations(assignments, rng))
    activities = await _activities(rng, today)
    await seed.insert_returning_ids(
        ot.StudentAttendance,
        [
            {"activity": activity, "student": student}
            for student in students
            for activity in rng.sample(activities, ATTENDED)
        ],
    )
    await seed.insert_returning_ids(
        Award,
        [
            {
                "student": student,
                "kind": kind,
                "name": name,
                "level": level,
                "rank": rank,
                "awarded_on": today - dt.timedelta(days=rng.randint(30, 600)),
            }
            for student in students
            for kind, name, level, rank in AWARDS
        ],
    )
    for table in ("partners_mentoring_log", "partners_evaluation", "partners_student_attendance"):
        await Student.raw(f"ANALYZE {table}")
    return students


async def _projects(
    groups: list[list[int]], enterprises: list[int], today: dt.date
) -> list[tuple[int, int]]:
    """Per group of students: an order class and a training base (their ids)."""
    from partners.coeducation import tables as co

    rows: list[dict[str, Any]] = []
    for number in range(len(groups)):
        rows.append(
            {
                "kind": "order_class",
                "name": f"精工智能装备订单班{number:02d}",
                "enterprise": enterprises[2 * number],
                "starts_on": today - dt.timedelta(days=420),
                "capacity": GROUP_SIZE,
                "status": "active",
                "cohort_year": COHORT,
                "agreement_no": f"DD-{number:04d}",
            }
        )
        rows.append(
            {
                "kind": "training_base",
                "name": f"智能制造实训基地{number:02d}",
                "enterprise": enterprises[2 * number + 1],
                "starts_on": today - dt.timedelta(days=500),
                "capacity": GROUP_SIZE,
                "status": "active",
                "positions": "数控操作工\n质检员",
            }
        )
    ids = await seed.insert_returning_ids(co.Project, rows)
    return [(ids[2 * n], ids[2 * n + 1]) for n in range(len(groups))]


def _participations(
    groups: list[list[int]], projects: list[tuple[int, int]], today: dt.date
) -> list[dict[str, Any]]:
    rows = []
    for group, (order_class, base) in zip(groups, projects, strict=True):
        for student in group:
            rows.append(
                {
                    "project": order_class,
                    "student": student,
                    "kind": "enrollment",
                    "starts_on": today - dt.timedelta(days=400),
                }
            )
            rows.append(
                {
                    "project": base,
                    "student": student,
                    "kind": "placement",
                    "starts_on": today - dt.timedelta(days=120),
                    "ends_on": today + dt.timedelta(days=60),
                    "position": "数控操作工",
                    "agreement_signed_on": today - dt.timedelta(days=125),
                    "insurance_policy_no": f"SX{student:08d}",
                }
            )
    return rows


async def _assignments(
    groups: list[list[int]],
    projects: list[tuple[int, int]],
    enterprises: list[int],
    today: dt.date,
) -> list[tuple[int, int, int]]:
    """Two assignments per student (one per project), each with its own pair of mentors;
    returns (assignment, college mentor, enterprise mentor)."""
    from partners.coeducation import tables as co

    college = await seed.insert_returning_ids(
        co.Mentor,
        [
            {
                "side": "college",
                "name": f"王建国{n:03d}",
                "department": "智能制造学院",
                "title": "副教授",
                "party_member": True,
                "max_mentees": GROUP_SIZE * 2,
            }
            for n in range(len(groups))
        ],
    )
    company = await seed.insert_returning_ids(
        co.Mentor,
        [
            {
                "side": "enterprise",
                "name": f"李师傅{n:03d}",
                "enterprise": enterprises[n],
                "position": "高级技师、车间主任",
                "party_member": n % 2 == 0,
                "max_mentees": GROUP_SIZE,
            }
            for n in range(len(enterprises))
        ],
    )
    pairs = []
    for number, (group, (order_class, base)) in enumerate(zip(groups, projects, strict=True)):
        for student in group:
            for offset, project in enumerate((order_class, base)):
                pairs.append((student, project, college[number], company[2 * number + offset]))
    ids = await seed.insert_returning_ids(
        co.MentorAssignment,
        [
            {
                "student": student,
                "project": project,
                "college_mentor": college_mentor,
                "enterprise_mentor": enterprise_mentor,
                "starts_on": today - dt.timedelta(days=300),
            }
            for student, project, college_mentor, enterprise_mentor in pairs
        ],
    )
    return [(id_, pair[2], pair[3]) for id_, pair in zip(ids, pairs, strict=True)]


def _logs(
    assignments: list[tuple[int, int, int]], rng: random.Random, today: dt.date
) -> list[dict[str, Any]]:
    rows = []
    for assignment, college_mentor, enterprise_mentor in assignments:
        for n in range(LOGS_PER_ASSIGNMENT):
            held_on = today - dt.timedelta(days=25 * n + rng.randint(1, 10))
            rows.append(
                {
                    "assignment": assignment,
                    "mentor": (college_mentor, enterprise_mentor)[n % 2],
                    "mode": rng.choice(["interview", "online", "onsite"]),
                    "held_on": held_on,
                    "topic": rng.choice(TOPICS),
                    "content": rng.choice(CONTENTS),
                    "hours": rng.choice([1.5, 2, 2.5, 3]),
                    "acknowledged_at": (
                        dt.datetime.combine(held_on, dt.time(18)) if n > 1 else None
                    ),
                }
            )
    return rows


def _evaluations(
    assignments: list[tuple[int, int, int]], rng: random.Random
) -> list[dict[str, Any]]:
    """Two terms for each student's first assignment, by both of its mentors."""
    rows = []
    for assignment, college_mentor, enterprise_mentor in assignments[::2]:
        for term in ("2025-2026-1", "2025-2026-2"):
            for number, mentor in enumerate((college_mentor, enterprise_mentor)):
                scores = {
                    key: rng.randint(72, 98)
                    for key in ("political", "professional", "practical", "innovation")
                }
                rows.append(
                    {
                        "assignment": assignment,
                        "mentor": mentor,
                        "term": term,
                        "craftsmanship": rng.randint(72, 98),
                        "comment": COMMENTS[number],
                        **scores,
                    }
                )
    return rows


async def _activities(rng: random.Random, today: dt.date) -> list[int]:
    from partners.organizations import tables as ot

    organization = (
        await ot.JointOrganization.insert(
            ot.JointOrganization(kind="joint_branch", name="智能制造学院与精工智能联合党支部")
        ).returning(ot.JointOrganization.id)
    )[0]["id"]
    return await seed.insert_returning_ids(
        ot.Activity,
        [
            {
                "organization": organization,
                "kind": rng.choice(seed.ACTIVITY_KINDS),
                "title": f"“匠心筑梦”主题党日活动（第{n + 1}期）",
                "held_on": today - dt.timedelta(days=30 * n + 3),
                "place": "智能制造学院党员活动室",
            }
            for n in range(ACTIVITIES)
        ],
    )
