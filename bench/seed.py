"""A college-scale database for the benchmark: schema, 20,000 students, their partners and
projects, a coordinator account, and the sign-in accounts of the load test.

The students are inserted in chunks with one multi-row INSERT each (``Student.insert``), so
that 20,000 rows take seconds rather than minutes; Piccolo fills the defaults of any column a
later migration adds. Run on its own, in the repository root:

    DATABASE_URL=sqlite:///tmp/bench.sqlite python -m bench.seed --students 20000

(the schema must exist: ``piccolo migrations forwards all`` first, as ``bench.run`` does).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-pass-123"
BENCH_ROLE = "coordinator"
# Sign-in accounts of the load test (bench/load.py), per role: load-coordinator-01 …
LOAD_PASSWORD = "load-pass-123"
LOAD_ACCOUNTS_PER_ROLE = 32

CHUNK_SIZE = 1000

# Common surnames with rough weights (percent of the population); 王 is the search target.
# fmt: off
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1), ("李", 7.0), ("张", 6.6), ("刘", 5.3), ("陈", 4.4), ("杨", 3.0),
    ("黄", 2.2), ("赵", 2.1), ("吴", 2.0), ("周", 1.9), ("徐", 1.6), ("孙", 1.5),
    ("马", 1.4), ("朱", 1.3), ("胡", 1.3), ("郭", 1.1), ("何", 1.1), ("林", 1.0),
    ("高", 1.0), ("罗", 0.9), ("郑", 0.9), ("梁", 0.8), ("谢", 0.8), ("宋", 0.6),
    ("唐", 0.6), ("许", 0.6), ("韩", 0.5), ("冯", 0.5), ("邓", 0.5), ("曹", 0.5),
    ("彭", 0.5), ("曾", 0.5), ("肖", 0.4), ("田", 0.4), ("董", 0.4), ("潘", 0.4),
    ("袁", 0.4), ("蔡", 0.3), ("蒋", 0.3), ("余", 0.3), ("欧阳", 0.05), ("司马", 0.02),
]
# fmt: on
GIVEN_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲宇浩婷欣然子涵梓轩"
    "雨晨思博文佳一诺俊家嘉睿晓振鑫宁瑶琳悦怡昊天泽凯皓雪梅建国志峰海波晶颖彤铭"
)

# 院系 → 专业, for a higher vocational college (高职).
DEPARTMENTS: dict[str, list[str]] = {
    "机电工程学院": ["机电一体化技术", "工业机器人技术", "数控技术"],
    "信息工程学院": ["计算机应用技术", "软件技术", "大数据技术"],
    "经济管理学院": ["电子商务", "大数据与会计", "市场营销"],
    "汽车工程学院": ["新能源汽车技术", "汽车检测与维修技术"],
    "建筑工程学院": ["建筑工程技术", "工程造价"],
    "健康护理学院": ["护理", "康复治疗技术"],
}
COHORT_YEARS = [2022, 2023, 2024, 2025]
STUDENTS_PER_CLASS = 45

# GB/T 4762 political status codes: 01 中共党员, 02 中共预备党员, 03 共青团员, 13 群众.
POLITICAL_STATUSES: list[tuple[str, float]] = [("03", 74), ("13", 21), ("02", 3), ("01", 2)]


def _weighted(rng: random.Random, choices: list[tuple[str, float]]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def student_rows(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """``count`` plausible, deterministic students, spread over departments and cohorts."""
    rng = random.Random(seed)
    majors = [(dept, major) for dept, names in DEPARTMENTS.items() for major in names]
    department_numbers = {dept: number for number, dept in enumerate(DEPARTMENTS, start=1)}
    now = dt.datetime.now()
    for index in range(count):
        department, major = majors[index % len(majors)]
        cohort_year = COHORT_YEARS[(index // len(majors)) % len(COHORT_YEARS)]
        class_number = index // (len(majors) * len(COHORT_YEARS) * STUDENTS_PER_CLASS) + 1
        given = "".join(rng.choices(GIVEN_CHARACTERS, k=1 if rng.random() < 0.3 else 2))
        yield {
            "student_no": f"{cohort_year}{department_numbers[department]:02d}{index + 1:06d}",
            "name": _weighted(rng, SURNAMES) + given,
            "gender": rng.choice("MF"),
            "birth_date": dt.date(
                cohort_year - 18 - rng.randint(0, 1), rng.randint(1, 12), rng.randint(1, 28)
            ),
            "department": department,
            "major": major,
            "class_name": f"{major}{cohort_year % 100}-{class_number}班",
            "cohort_year": cohort_year,
            "political_status": _weighted(rng, POLITICAL_STATUSES),
            "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "created_at": now,
            "updated_at": now,
        }


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def seed_students(count: int) -> int:
    """Insert ``count`` students into the database named by DATABASE_URL; returns the row count."""
    from portal.tables import Student  # imported here: piccolo_conf reads DATABASE_URL

    for chunk in _chunks(student_rows(count), CHUNK_SIZE):
        await Student.insert(*(Student(**row) for row in chunk))
    # Fresh statistics, so the planner sees a settled table rather than an empty one.
    await Student.raw("ANALYZE portal_student")
    return await Student.count()


ENTERPRISES = 300
ORGANIZATIONS = 100
ACTIVITIES_PER_ORGANIZATION = 40
MEMBERS_PER_UNIT = 6
ACTIVITY_KINDS = ["theme_day", "joint_study", "party_lecture", "lecture", "science", "volunteer"]
INDUSTRIES = ["智能制造", "信息技术", "现代服务", "新能源汽车"]
ORDER_CLASSES = 50  # for enterprises 0–49, 40 students each, with dual mentors
ORDER_CLASS_SIZE = 40
TRAINING_BASES = 100  # for enterprises 50–149, each placing students, with dual mentors
PLACEMENTS_PER_BASE = 25
MEMBERLESS_PROJECTS = 50  # research cooperations and workstations of enterprises 150–199


def credit_code(index: int) -> str:
    """A valid, unique unified social credit code (GB 32100-2015) for the index."""
    from partners.organizations.enterprises import credit_code_check_character

    first17 = f"91320500{index:09d}"
    return first17 + credit_code_check_character(first17)


async def insert_returning_ids(table, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK_SIZE):
        chunk = [table(**row) for row in rows[start : start + CHUNK_SIZE]]
        ids += [r["id"] for r in await table.insert(*chunk).returning(table.id)]
    return ids


async def seed_partners(student_count: int) -> None:
    """Enterprises, joint organizations (a college and two enterprise units each, with
    members), a co-building agreement, activities with attendance, and plans with items."""
    from partners.organizations import tables as ot

    rng = random.Random(2026)
    today = dt.date.today()
    enterprises = await insert_returning_ids(
        ot.Enterprise,
        [
            {
                "name": f"基准企业{i:04d}有限公司",
                "credit_code": credit_code(i),
                "industry": rng.choice(INDUSTRIES),
                "status": rng.choice(["active", "active", "paused", "ended"]),
                "contact_person": "联络员",
                "employee_count": rng.randint(200, 5000),
                "partner_since": today - dt.timedelta(days=rng.randint(100, 3000)),
            }
            for i in range(ENTERPRISES)
        ],
    )
    organizations = await insert_returning_ids(
        ot.JointOrganization,
        [
            {
                "kind": rng.choice(["joint_branch", "alliance", "pairing"]),
                "name": f"基准联合党支部{i:03d}",
                "founded_on": today - dt.timedelta(days=900),
            }
            for i in range(ORGANIZATIONS)
        ],
    )
    unit_rows = []
    for i, org in enumerate(organizations):
        unit_rows.append({"organization": org, "side": "college", "name": f"教工第{i}党支部"})
        for k in (0, 1):
            unit_rows.append(
                {
                    "organization": org,
                    "side": "enterprise",
                    "name": f"企业党支部{i}-{k}",
                    "enterprise": enterprises[(2 * i + k) % ENTERPRISES],
                }
            )
    units = await insert_returning_ids(ot.MemberUnit, unit_rows)
    member_rows = [
        {"organization": row["organization"], "member_unit": unit, "name": f"成员{unit}-{n}"}
        for unit, row in zip(units, unit_rows, strict=True)
        for n in range(MEMBERS_PER_UNIT)
    ]
    members = await insert_returning_ids(ot.OrganizationMember, member_rows)
    await insert_returning_ids(
        ot.Agreement,
        [
            {
                "organization": org,
                "signed_on": today - dt.timedelta(days=700),
                "expires_on": today + dt.timedelta(days=rng.randint(-30, 700)),
            }
            for org in organizations
        ],
    )
    members_of: dict[int, list[int]] = {}
    for member, row in zip(members, member_rows, strict=True):
        members_of.setdefault(row["organization"], []).append(member)
    activity_rows = [
        {
            "organization": org,
            "kind": rng.choice(ACTIVITY_KINDS),
            "title": f"联学联建活动{n}",
            "held_on": today - dt.timedelta(days=rng.randint(0, 700)),
            "place": "党员活动室",
        }
        for org in organizations
        for n in range(ACTIVITIES_PER_ORGANIZATION)
    ]
    activities = await insert_returning_ids(ot.Activity, activity_rows)
    attendance = [
        {"activity": activity, "member": member}
        for activity, row in zip(activities, activity_rows, strict=True)
        for member in rng.sample(members_of[row["organization"]], 8)
    ]
    await insert_returning_ids(ot.MemberAttendance, attendance)
    student_attendance = [
        {"activity": activity, "student": rng.randint(1, student_count)}
        for activity in activities
        for _ in range(10)
    ]
    unique = {(r["activity"], r["student"]): r for r in student_attendance}
    await insert_returning_ids(ot.StudentAttendance, list(unique.values()))
    plans = await insert_returning_ids(
        ot.WorkPlan,
        [
            {"organization": org, "period": "annual", "year": year, "title": f"{year}年度工作计划"}
            for org in organizations
            for year in (today.year - 1, today.year)
        ],
    )
    await insert_returning_ids(
        ot.WorkPlanItem,
        [
            {
                "plan": plan,
                "content": f"工作事项{n}",
                "owner": "张书记",
                "due_on": today + dt.timedelta(days=rng.randint(-300, 200)),
                "done": rng.random() < 0.6,
            }
            for plan in plans
            for n in range(12)
        ],
    )
    await seed_projects(enterprises, student_count, rng, today)
    for table in (
        "partners_enterprise",
        "partners_organization",
        "partners_activity",
        "partners_project",
        "partners_participation",
        "partners_mentor_assignment",
        "partners_mentoring_log",
    ):
        await ot.Enterprise.raw(f"ANALYZE {table}")


@dataclass(frozen=True)
class Group:
    """A project's students, and the enterprise that runs it (where its enterprise mentor works)."""

    project: int
    enterprise: int
    students: list[int]


async def seed_projects(
    enterprises: list[int], student_count: int, rng: random.Random, today: dt.date
) -> None:
    """Projects of every kind: the order classes of ``seed_mentorships``, training bases
    placing 25 students each (岗位实习, with position, agreement and insurance) with dual
    mentors, and research cooperations and workstations without members."""
    from partners.coeducation import tables as co

    await seed_mentorships(enterprises, student_count, rng, today)
    bases = [
        {
            "kind": "training_base",
            "name": f"基准实训基地{i:03d}",
            "enterprise": enterprises[ORDER_CLASSES + i],
            "starts_on": today - dt.timedelta(days=500),
            "capacity": PLACEMENTS_PER_BASE + 5,
            "status": "active",
            "address": f"苏州工业园区基准路{i}号",
            "positions": "装配工\n质检员\n设备维护",
            "safety_contact": "安全员",
            "safety_phone": "0512-66880000",
        }
        for i in range(TRAINING_BASES)
    ]
    first = ORDER_CLASSES + TRAINING_BASES
    memberless = [
        {
            "kind": "research" if i % 2 else "workstation",
            "name": f"基准{'科研合作' if i % 2 else '技能大师工作室'}{i:02d}",
            "enterprise": enterprises[(first + i) % len(enterprises)],
            "starts_on": today - dt.timedelta(days=300),
            "capacity": 10,
            "status": rng.choice(["planning", "active", "closed"]),
            "research_topic": f"基准课题{i}" if i % 2 else "",
            "workstation_kind": "" if i % 2 else "master_craftsman",
        }
        for i in range(MEMBERLESS_PROJECTS)
    ]
    base_ids = await insert_returning_ids(co.Project, bases)
    await insert_returning_ids(co.Project, memberless)
    placed_from = 1 + ORDER_CLASSES * ORDER_CLASS_SIZE
    base_groups = groups(base_ids, bases, PLACEMENTS_PER_BASE, placed_from, student_count)
    await insert_returning_ids(co.Participation, placements(base_groups, rng, today))
    await seed_dual_mentors(base_groups, "实训基地", logs=2, rng=rng, today=today)


async def seed_mentorships(
    enterprises: list[int], student_count: int, rng: random.Random, today: dt.date
) -> None:
    """Order classes of 40 students for the first 50 enterprises, each student with dual
    mentors, four mentoring logs and two evaluations (the record page has something to show)."""
    from partners.coeducation import tables as co

    order_classes = [
        {
            "kind": "order_class",
            "name": f"基准订单班{i:02d}",
            "enterprise": enterprises[i],
            "starts_on": today - dt.timedelta(days=400),
            "capacity": ORDER_CLASS_SIZE,
            "status": "active",
            "cohort_year": COHORT_YEARS[i % len(COHORT_YEARS)],
            "agreement_no": f"DD-{i:04d}",
            "employment_promised": i % 2 == 0,
        }
        for i in range(ORDER_CLASSES)
    ]
    order_ids = await insert_returning_ids(co.Project, order_classes)
    order_groups = groups(order_ids, order_classes, ORDER_CLASS_SIZE, 1, student_count)
    await insert_returning_ids(
        co.Participation,
        [
            {
                "project": group.project,
                "student": student,
                "kind": "enrollment",
                "starts_on": today - dt.timedelta(days=200),
            }
            for group in order_groups
            for student in group.students
        ],
    )
    await seed_dual_mentors(order_groups, "订单班", logs=4, rng=rng, today=today)


def groups(
    project_ids: list[int], projects: list[dict[str, Any]], size: int, first: int, last: int
) -> list[Group]:
    """Consecutive students, ``size`` per project from student ``first`` on (as many as exist)."""
    result = []
    for index, (project, row) in enumerate(zip(project_ids, projects, strict=True)):
        start = first + index * size
        students = list(range(start, min(start + size, last + 1)))
        if students:
            result.append(Group(project, row["enterprise"], students))
    return result


def placements(
    base_groups: list[Group], rng: random.Random, today: dt.date
) -> list[dict[str, Any]]:
    """岗位实习 at the training bases: most active with agreement and insurance, some still
    waiting for them, a few ended."""
    rows = []
    for group in base_groups:
        for student in group.students:
            status = rng.choices(["active", "pending", "ended"], weights=[80, 12, 8])[0]
            starts_on = today - dt.timedelta(days=rng.randint(20, 160))
            rows.append(
                {
                    "project": group.project,
                    "student": student,
                    "kind": "placement",
                    "starts_on": starts_on,
                    "ends_on": starts_on + dt.timedelta(days=180),
                    "position": rng.choice(["装配工", "质检员", "设备维护"]),
                    "agreement_signed_on": None if status == "pending" else starts_on,
                    "insurance_policy_no": "" if status == "pending" else f"SX{student:08d}",
                    "status": status,
                }
            )
    return rows


async def seed_dual_mentors(
    project_groups: list[Group], label: str, *, logs: int, rng: random.Random, today: dt.date
) -> None:
    """A college mentor and an enterprise mentor per project group, assigned to each of its
    students, with ``logs`` mentoring logs and one evaluation by each mentor per student."""
    from partners.coeducation import tables as co

    college = await insert_returning_ids(
        co.Mentor,
        [
            {"side": "college", "name": f"{label}校内导师{i}", "max_mentees": len(g.students)}
            for i, g in enumerate(project_groups)
        ],
    )
    company = await insert_returning_ids(
        co.Mentor,
        [
            {
                "side": "enterprise",
                "name": f"{label}企业导师{i}",
                "enterprise": g.enterprise,
                "max_mentees": len(g.students),
            }
            for i, g in enumerate(project_groups)
        ],
    )
    pairs = [
        (group, student, mentors)
        for group, mentors in zip(project_groups, zip(college, company, strict=True), strict=True)
        for student in group.students
    ]
    assignments = await insert_returning_ids(
        co.MentorAssignment,
        [
            {
                "student": student,
                "project": group.project,
                "college_mentor": mentors[0],
                "enterprise_mentor": mentors[1],
                "starts_on": today - dt.timedelta(days=200),
            }
            for group, student, mentors in pairs
        ],
    )
    log_rows, evaluations = [], []
    for assignment, (_group, _student, mentors) in zip(assignments, pairs, strict=True):
        for n in range(logs):
            log_rows.append(
                {
                    "assignment": assignment,
                    "mentor": mentors[n % 2],
                    "mode": "onsite",
                    "held_on": today - dt.timedelta(days=30 * n + rng.randint(1, 20)),
                    "topic": f"岗位实践指导{n}",
                    "content": "现场指导。",
                    "hours": 2,
                }
            )
        for mentor in mentors:
            scores = {
                k: rng.randint(70, 98)
                for k in ("political", "professional", "practical", "innovation", "craftsmanship")
            }
            evaluations.append(
                {"assignment": assignment, "mentor": mentor, "term": "2025-2026-2", **scores}
            )
    await insert_returning_ids(co.MentoringLog, log_rows)
    await insert_returning_ids(co.Evaluation, evaluations)


async def seed_accounts(per_role: int = LOAD_ACCOUNTS_PER_ROLE) -> dict[str, int]:
    """The load test's sign-in accounts, made by the portal's own ``create_account`` (argon2id
    hash, profile, link, audit): ``per_role`` coordinators; partners of enterprises that run
    projects and belong to a joint organization; mentors who have mentees (college and
    enterprise side in turn); students who have dual mentors and mentoring logs."""
    from college.accounts import NewAccount, create_account
    from partners.coeducation import tables as co
    from partners.organizations import tables as ot
    from portal.audit import Actor
    from portal.tables import Role, Student

    member_enterprises = ot.MemberUnit.select(ot.MemberUnit.enterprise).where(
        ot.MemberUnit.enterprise.is_not_null()
    )
    partners = (
        await co.Project.select(co.Project.enterprise)
        .where(
            co.Project.kind.is_in(["order_class", "training_base"]),
            co.Project.enterprise.is_in(member_enterprises),
        )
        .order_by(co.Project.id)
    )
    mentors = await co.MentorAssignment.select(
        co.MentorAssignment.college_mentor, co.MentorAssignment.enterprise_mentor
    ).order_by(co.MentorAssignment.id)
    mentees = await co.MentorAssignment.select(co.MentorAssignment.student.student_no).order_by(
        co.MentorAssignment.id
    )
    mentor_ids = unique(m for r in mentors for m in (r["college_mentor"], r["enterprise_mentor"]))
    linked: dict[Role, list[dict[str, Any]]] = {
        Role.coordinator: [{} for _ in range(per_role)],
        Role.partner: [
            {"enterprise_id": e}
            for e in spread(unique(r["enterprise"] for r in partners), per_role)
        ],
        Role.mentor: [{"mentor_id": m} for m in mentor_ids[:per_role]],  # college, enterprise …
        Role.student: [{"student_no": r["student.student_no"]} for r in spread(mentees, per_role)],
    }
    actor = Actor(None, "bench")
    made: dict[str, int] = {}
    for role, links in linked.items():
        for number, link in enumerate(links, start=1):
            account = NewAccount(
                username=f"load-{role.value}-{number:02d}",
                password=LOAD_PASSWORD,
                role=role,
                **link,
            )
            await create_account(actor, account)
        made[role.value] = len(links)
    await Student.raw("ANALYZE piccolo_user")
    return made


def unique(values: Iterable[int]) -> list[int]:
    """The values in their first order, each once."""
    return list(dict.fromkeys(values))


def spread(values: Sequence[T], count: int) -> list[T]:
    """``count`` values evenly spaced over the sequence, first one included (all if fewer)."""
    if count >= len(values):
        return list(values)
    return [values[index * len(values) // count] for index in range(count)]


def _subprocess_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, PICCOLO_CONF="piccolo_conf")
    env.update(extra or {})
    return env


def _venv_bin(name: str) -> Path:
    return Path(sys.executable).parent / name


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {completed.returncode}): {' '.join(command)}\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )


def migrate(database_url: str, env: dict[str, str] | None = None) -> None:
    """Build the schema with the project's migrations, as a deployment would."""
    piccolo = _venv_bin("piccolo")
    command = [str(piccolo)] if piccolo.exists() else [sys.executable, "-m", "piccolo.main"]
    _run(
        command + ["migrations", "forwards", "all"],
        _subprocess_env(database_url, env),
        "migrations",
    )


def seed(database_url: str, students: int, env: dict[str, str] | None = None) -> None:
    """Seed the students in a child process, so its Piccolo engine reads this DATABASE_URL."""
    command = [sys.executable, "-m", "bench.seed", "--students", str(students)]
    _run(command, _subprocess_env(database_url, env), "seeding")


def create_user(database_url: str, env: dict[str, str] | None = None) -> None:
    """The signed-in account, made with the portal's own CLI."""
    portal = _venv_bin("portal")
    command = [str(portal)] if portal.exists() else [sys.executable, "-m", "college.commands"]
    command += [
        "create-user",
        "--username",
        BENCH_USERNAME,
        "--password",
        BENCH_PASSWORD,
        "--role",
        BENCH_ROLE,
    ]
    _run(command, _subprocess_env(database_url, env), "create-user")


async def create_postgres_database(admin_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def query(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a read-only statement (no parameters), from outside the portal: the
    benchmarks' look-ups of ids and row counts, on either engine."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return connection.execute(sql).fetchall()
    return asyncio.run(_postgres_rows(database_url, sql))


async def _postgres_rows(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


async def drop_postgres_database(admin_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument(
        "--accounts",
        type=int,
        default=LOAD_ACCOUNTS_PER_ROLE,
        help="sign-in accounts per role for the load test",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (sqlite:///path or postgres://...) to the database to seed")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    total = asyncio.run(seed_students(args.students))
    accounts: dict[str, int] = {}
    if args.students:
        asyncio.run(seed_partners(args.students))
        from bench.talent_pool import seed_pool

        asyncio.run(seed_pool(args.students))  # scores and flags, for the pool's pages
        accounts = asyncio.run(seed_accounts(args.accounts))
    elapsed = time.perf_counter() - started
    print(
        f"seeded {args.students} students ({total} in table), {ENTERPRISES} enterprises, "
        f"{ORGANIZATIONS} organizations, "
        f"{ORDER_CLASSES + TRAINING_BASES + MEMBERLESS_PROJECTS} projects and accounts "
        f"{accounts} in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
