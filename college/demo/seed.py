"""`portal seed-demo`: fills the database with a believable demo college, idempotently.

The data comes from `college.demo.people` (deterministic); rows are matched on their natural
keys (学号, credit code, mentor phone, username), so running it twice adds nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict

from piccolo.apps.user.tables import BaseUser

from college.accounts import NewAccount, create_account
from college.demo.organizations import seed_demo_organizations
from college.demo.people import DemoCollege, build_demo_college
from college.demo.pipeline import seed_pipeline
from college.demo.projects import seed_demo_projects
from college.demo.weekly_logs import seed_weekly_logs, weekly_log_people
from partners.coeducation.tables import Mentor
from partners.organizations.tables import Enterprise
from portal.audit import Actor, audited_write
from portal.tables import Role, Student
from talent_pool.scoring import flag_candidates, rescore

DEMO_PASSWORD = "demo-pass-2026"
SEED_ACTOR = Actor(None, "seed-demo")


async def insert_missing_enterprises(college: DemoCollege) -> dict[str, int]:
    """Returns credit code → id for every demo enterprise."""
    codes = [e.credit_code for e in college.enterprises]
    existing = await Enterprise.select(Enterprise.credit_code).where(
        Enterprise.credit_code.is_in(codes)
    )
    known = {row["credit_code"] for row in existing}
    missing = [Enterprise(**asdict(e)) for e in college.enterprises if e.credit_code not in known]
    async with audited_write(SEED_ACTOR) as audit:
        if missing:
            await Enterprise.insert(*missing)
            await audit.record("seed", Enterprise, None, f"{len(missing)} demo enterprises")
    rows = await Enterprise.select(Enterprise.id, Enterprise.credit_code).where(
        Enterprise.credit_code.is_in(codes)
    )
    return {row["credit_code"]: row["id"] for row in rows}


async def insert_missing_mentors(college: DemoCollege, enterprise_ids: list[int]) -> dict[str, int]:
    """Returns mentor key → id; demo mentors are recognised by their (unique) phone."""
    phones = [m.phone for m in college.mentors]
    existing = await Mentor.select(Mentor.phone).where(Mentor.phone.is_in(phones))
    known = {row["phone"] for row in existing}
    missing = []
    for mentor in college.mentors:
        if mentor.phone in known:
            continue
        values = asdict(mentor)
        index = values.pop("enterprise_index")
        values.pop("key")
        values["enterprise"] = enterprise_ids[index] if index is not None else None
        missing.append(Mentor(**values))
    async with audited_write(SEED_ACTOR) as audit:
        if missing:
            await Mentor.insert(*missing)
            await audit.record("seed", Mentor, None, f"{len(missing)} demo mentors")
    rows = await Mentor.select(Mentor.id, Mentor.phone).where(Mentor.phone.is_in(phones))
    by_phone = {row["phone"]: row["id"] for row in rows}
    return {mentor.key: by_phone[mentor.phone] for mentor in college.mentors}


async def insert_missing_students(college: DemoCollege, chunk: int = 500) -> int:
    numbers = {s.student_no for s in college.students}
    existing = {row["student_no"] for row in await Student.select(Student.student_no)}
    missing = [Student(**asdict(s)) for s in college.students if s.student_no not in existing]
    async with audited_write(SEED_ACTOR) as audit:
        for start in range(0, len(missing), chunk):
            await Student.insert(*missing[start : start + chunk])
        if missing:
            await audit.record("seed", Student, None, f"{len(missing)} demo students")
    return len(numbers)


async def ensure_account(account: NewAccount) -> bool:
    """Creates the account unless its username exists; True when created."""
    if await BaseUser.exists().where(BaseUser.username == account.username):
        return False
    await create_account(SEED_ACTOR, account)
    return True


async def seed_talent_pool() -> None:
    """Recruitment files at every stage first (they pool their own students), then scores for
    everyone, which flags the other outstanding students for review."""
    await seed_pipeline(datetime.date.today())
    await rescore(actor=SEED_ACTOR)
    await flag_candidates(actor=SEED_ACTOR)


async def seed_demo(student_count: int = 200) -> list[str]:
    """Seeds the demo college and returns the lines to print (the demo logins)."""
    college = build_demo_college(student_count=student_count)
    enterprise_ids = await insert_missing_enterprises(college)
    ordered_enterprises = [enterprise_ids[e.credit_code] for e in college.enterprises]
    mentor_ids = await insert_missing_mentors(college, ordered_enterprises)
    await insert_missing_students(college)
    student_numbers = [s.student_no for s in college.students[:60]]
    student_rows = (
        await Student.select(Student.id).where(Student.student_no.is_in(student_numbers))
        if student_numbers
        else []
    )
    organization_count = await seed_demo_organizations(
        SEED_ACTOR,
        ordered_enterprises,
        [e.name for e in college.enterprises],
        [row["id"] for row in student_rows],
    )

    college_mentor = next(m for m in college.mentors if m.side == "college")
    enterprise_mentor = next(m for m in college.mentors if m.side == "enterprise")
    accounts = [
        NewAccount("admin", DEMO_PASSWORD, Role.coordinator, display_name="校企合作办 管理员"),
        NewAccount("partner1", DEMO_PASSWORD, Role.partner, enterprise_id=ordered_enterprises[0]),
        NewAccount("partner2", DEMO_PASSWORD, Role.partner, enterprise_id=ordered_enterprises[1]),
        NewAccount(
            "student1", DEMO_PASSWORD, Role.student, student_no=college.students[0].student_no
        ),
        NewAccount("mentor1", DEMO_PASSWORD, Role.mentor, mentor_id=mentor_ids[college_mentor.key]),
        NewAccount(
            "mentor2", DEMO_PASSWORD, Role.mentor, mentor_id=mentor_ids[enterprise_mentor.key]
        ),
    ]
    for account in accounts:
        await ensure_account(account)

    numbers = [s.student_no for s in college.students]
    ids_by_number = {
        row["student_no"]: row["id"]
        for row in await Student.select(Student.id, Student.student_no).where(
            Student.student_no.is_in(numbers or [""])
        )
    }
    project_count = await seed_demo_projects(
        SEED_ACTOR, ordered_enterprises, [ids_by_number[n] for n in numbers]
    )
    await seed_weekly_logs(SEED_ACTOR, datetime.date.today())
    interns = await weekly_log_people(
        mentor_ids[college_mentor.key], mentor_ids[enterprise_mentor.key]
    )
    if interns is not None:  # the weekly log (实习周志) to try: a post placement's three people
        for account in (
            NewAccount("intern1", DEMO_PASSWORD, Role.student, student_no=interns.student_no),
            NewAccount("mentor3", DEMO_PASSWORD, Role.mentor, mentor_id=interns.college_mentor),
            NewAccount("mentor4", DEMO_PASSWORD, Role.mentor, mentor_id=interns.enterprise_mentor),
        ):
            await ensure_account(account)
    await seed_talent_pool()
    lines = [
        f"Demo college: {len(college.students)} students, {len(college.enterprises)} enterprises, "
        f"{len(college.mentors)} mentors, {organization_count} joint party organizations, "
        f"{project_count} co-education projects.",
        "Demo logins (password for all: " + DEMO_PASSWORD + "):",
    ]
    describe = {
        "admin": "coordinator (校企合作办)",
        "partner1": f"partner of {college.enterprises[0].name}",
        "partner2": f"partner of {college.enterprises[1].name}",
        "student1": f"student {college.students[0].name} ({college.students[0].student_no})",
        "mentor1": f"college mentor {college_mentor.name}",
        "mentor2": f"enterprise mentor {enterprise_mentor.name}",
    }
    if interns is not None:
        describe |= {
            "intern1": f"student on a 岗位实习 {interns.student_name} ({interns.student_no}),"
            " writes weekly logs",
            "mentor3": f"college mentor {interns.college_mentor_name}, reviews them",
            "mentor4": f"enterprise mentor {interns.enterprise_mentor_name}, confirms them",
        }
    lines += [f"  {username:<10} {text}" for username, text in describe.items()]
    return lines
