"""Factories and a browser-like client for tests that speak as users."""

from __future__ import annotations

import asyncio
import datetime
import decimal
import itertools
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from college.accounts import NewAccount, create_account
from partners.coeducation.tables import (
    Evaluation,
    Mentor,
    MentorAssignment,
    MentoringLog,
    Participation,
    Project,
)
from partners.organizations.enterprises import credit_code_check_character
from partners.organizations.tables import (
    Activity,
    CommitteeSeat,
    Enterprise,
    JointOrganization,
    MemberUnit,
    OrganizationMember,
    WorkPlan,
    WorkPlanItem,
)
from portal.audit import Actor
from portal.tables import Role, Student
from talent_pool.tables import Award

T = TypeVar("T")
PASSWORD = "correct-horse-1"
_sequence = itertools.count(1)


_loop: asyncio.AbstractEventLoop | None = None


def run(awaitable: Awaitable[T]) -> T:
    """Runs a coroutine or a Piccolo query from a synchronous test, on one event loop kept for
    the whole session with its own connection pool (a connection per query would cost a
    PostgreSQL backend start each time)."""
    global _loop

    async def wait() -> T:
        return await awaitable

    if _loop is None:
        from piccolo.engine import engine_finder

        _loop = asyncio.new_event_loop()
        _loop.run_until_complete(engine_finder().start_connection_pool())
    return _loop.run_until_complete(wait())


def close_run_loop() -> None:
    """Closes run()'s pool and loop (the pool's connection threads would keep the process
    alive)."""
    global _loop
    if _loop is not None:
        from piccolo.engine import engine_finder

        _loop.run_until_complete(engine_finder().close_connection_pool())
        _loop.close()
        _loop = None


def count_queries(monkeypatch) -> list[str]:
    """Every SQL statement the pages run from now on — through Piccolo or the read layer —
    to keep them free of N+1."""
    from piccolo.engine import engine_finder

    engine = engine_finder()
    seen: list[str] = []
    monkeypatch.setattr(engine, "observers", [*engine.observers, seen.append])
    return seen


def make_enterprise(**fields: Any) -> int:
    n = next(_sequence)
    first17 = f"91320500MA{n:07d}"
    code = first17 + credit_code_check_character(first17)
    values = {"name": f"测试企业{n}有限公司", "credit_code": code, **fields}
    return run(Enterprise.insert(Enterprise(**values)).returning(Enterprise.id))[0]["id"]


def student_values(**fields: Any) -> dict[str, Any]:
    n = next(_sequence)
    return {
        "student_no": f"2024{n:06d}",
        "name": f"学生{n}",
        "gender": "F",
        "birth_date": datetime.date(2005, 5, 1),
        "department": "智能制造学院",
        "major": "工业机器人技术",
        "class_name": "工业机器人2401班",
        "cohort_year": 2024,
        "political_status": "03",
        "phone": "13812345678",
        **fields,
    }


def make_student(**fields: Any) -> int:
    row = run(Student.insert(Student(**student_values(**fields))).returning(Student.id))
    return row[0]["id"]


def make_students(count: int, **fields: Any) -> None:
    rows = [Student(**student_values(**fields)) for _ in range(count)]
    run(Student.insert(*rows))


def make_mentor(**fields: Any) -> int:
    n = next(_sequence)
    values = {"side": "college", "name": f"导师{n}", "department": "智能制造学院", **fields}
    return run(Mentor.insert(Mentor(**values)).returning(Mentor.id))[0]["id"]


def make_organization(*enterprise_ids: int, **fields: Any) -> int:
    """A joint organization with one college branch and a branch of each enterprise given,
    each unit with one party member."""
    n = next(_sequence)
    values = {"kind": "joint_branch", "name": f"测试联合党支部{n}", **fields}
    org_id = run(
        JointOrganization.insert(JointOrganization(**values)).returning(JointOrganization.id)
    )[0]["id"]
    college_unit = make_member_unit(org_id, side="college", name=f"教工第{n}党支部")
    for enterprise_id in enterprise_ids:
        make_member_unit(org_id, side="enterprise", name=f"企业党支部{n}", enterprise=enterprise_id)
    fill_organization(org_id, college_unit)
    return org_id


def fill_organization(org_id: int, unit_id: int) -> None:
    """A secretary, an activity and a plan with one item, so every page has something."""
    member = run(
        OrganizationMember.select(OrganizationMember.id)
        .where(OrganizationMember.member_unit == unit_id)
        .first()
    )
    run(
        CommitteeSeat.insert(
            CommitteeSeat(organization=org_id, seat="secretary", member=member["id"])
        )
    )
    activity = Activity(
        organization=org_id,
        kind="theme_day",
        title="主题党日",
        held_on=datetime.date(2026, 10, 1),
        host_unit=unit_id,
    )
    run(Activity.insert(activity))
    plan = WorkPlan(organization=org_id, period="annual", year=2026, title="2026年度工作计划")
    plan_id = run(WorkPlan.insert(plan).returning(WorkPlan.id))[0]["id"]
    item = WorkPlanItem(
        plan=plan_id, content="开展主题党日", owner="张书记", due_on=datetime.date(2026, 12, 1)
    )
    run(WorkPlanItem.insert(item))


def make_member_unit(organization_id: int, **fields: Any) -> int:
    values = {"organization": organization_id, "side": "college", "name": "教工党支部", **fields}
    unit_id = run(MemberUnit.insert(MemberUnit(**values)).returning(MemberUnit.id))[0]["id"]
    member = OrganizationMember(
        organization=organization_id, member_unit=unit_id, name=f"成员{next(_sequence)}"
    )
    run(OrganizationMember.insert(member))
    return unit_id


def make_account(username: str, role: Role, **links: Any) -> int:
    account = NewAccount(username=username, password=PASSWORD, role=role, **links)
    return run(create_account(Actor(None, "test"), account))


class Browser:
    """A signed-in (or not) user's browser: cookies kept, CSRF token sent with every form."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, follow_redirects=False, **kwargs)

    def csrf_token(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.client.get("/login")
        return self.client.cookies["csrftoken"]

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
        form = {"csrftoken": self.csrf_token(), **(data or {})}
        return self.client.post(path, data=form, follow_redirects=False, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD):
        return self.post("/login", {"username": username, "password": password})

    @staticmethod
    def soup(response) -> BeautifulSoup:
        return BeautifulSoup(response.text, "html.parser")

    @staticmethod
    def field_error(response, name: str) -> str:
        element = BeautifulSoup(response.text, "html.parser").select_one(f"#e-{name}")
        return element.get_text(strip=True) if element else ""


def insert_id(table: Any, **values: Any) -> int:
    return run(table.insert(table(**values)).returning(table.id))[0]["id"]


def make_project(enterprise_id: int, **fields: Any) -> int:
    n = next(_sequence)
    values = {
        "kind": "training_base",
        "name": f"测试实训基地{n}",
        "enterprise": enterprise_id,
        "starts_on": datetime.date(2026, 3, 1),
        "ends_on": datetime.date(2027, 7, 31),
        "capacity": 30,
        "status": "active",
        **fields,
    }
    return insert_id(Project, **values)


def make_participation(project_id: int, student_id: int, **fields: Any) -> int:
    values = {
        "project": project_id,
        "student": student_id,
        "kind": "placement",
        "starts_on": datetime.date(2026, 9, 1),
        "ends_on": datetime.date(2027, 1, 31),
        "position": "装配技术员",
        "agreement_signed_on": datetime.date(2026, 8, 20),
        "insurance_policy_no": "PICC-2026-0001",
        "status": "active",
        **fields,
    }
    return insert_id(Participation, **values)


def make_assignment(
    student_id: int, college_mentor: int, enterprise_mentor: int, **fields: Any
) -> int:
    values = {
        "student": student_id,
        "college_mentor": college_mentor,
        "enterprise_mentor": enterprise_mentor,
        "starts_on": datetime.date(2026, 9, 1),
        **fields,
    }
    return insert_id(MentorAssignment, **values)


def make_log(assignment_id: int, mentor_id: int, **fields: Any) -> int:
    values = {
        "assignment": assignment_id,
        "mentor": mentor_id,
        "held_on": datetime.date(2026, 10, 15),
        "mode": "onsite",
        "topic": "数控机床安全操作规程",
        "content": "讲解安全操作要点并现场示范。",
        "hours": decimal.Decimal("2.0"),
        **fields,
    }
    return insert_id(MentoringLog, **values)


def make_evaluation(assignment_id: int, mentor_id: int, **fields: Any) -> int:
    values = {
        "assignment": assignment_id,
        "mentor": mentor_id,
        "term": "2026-2027-1",
        "political": 90,
        "professional": 85,
        "practical": 88,
        "innovation": 80,
        "craftsmanship": 92,
        "comment": "表现优秀。",
        **fields,
    }
    return insert_id(Evaluation, **values)


def make_award(student_id: int, **fields: Any) -> int:
    values = {
        "student": student_id,
        "kind": "competition",
        "name": "全国职业院校技能大赛",
        "level": "provincial",
        "rank": "一等奖",
        "awarded_on": datetime.date(2026, 5, 20),
        **fields,
    }
    return insert_id(Award, **values)


def clear_mentorships() -> None:
    """Removes every project, placement, dual-mentor assignment (with its logs and
    evaluations) and mentor, for tests that then delete students or enterprises."""
    run(MentorAssignment.delete(force=True))
    run(Participation.delete(force=True))
    run(Project.delete(force=True))
    run(Mentor.delete(force=True))


@dataclass(frozen=True)
class Mentorship:
    """A project of one enterprise with a student placed, dual mentors, a log, an evaluation."""

    project: int
    participation: int
    enterprise_mentor: int
    assignment: int
    log: int
    evaluation: int
    award: int


def make_mentorship(enterprise_id: int, student_id: int, college_mentor: int) -> Mentorship:
    project = make_project(enterprise_id)
    enterprise_mentor = make_mentor(side="enterprise", enterprise=enterprise_id, department="")
    assignment = make_assignment(student_id, college_mentor, enterprise_mentor, project=project)
    return Mentorship(
        project=project,
        participation=make_participation(project, student_id),
        enterprise_mentor=enterprise_mentor,
        assignment=assignment,
        log=make_log(assignment, enterprise_mentor),
        evaluation=make_evaluation(assignment, college_mentor),
        award=make_award(student_id, enterprise_id=enterprise_id),
    )


@dataclass(frozen=True)
class People:
    """One account of every role, plus a second enterprise's partner for isolation tests.

    `mine` is the student1 account's mentorship: in enterprise_a's project, with mentor1 as
    college mentor. `theirs` is other_student's: in enterprise_b's project, with other mentors
    — nothing of it may reach partner_a, student1 or mentor1."""

    enterprise_a: int
    enterprise_b: int
    organization_a: int  # enterprise_a is a member unit
    organization_b: int  # only enterprise_b is
    student_id: int
    other_student_id: int
    mentor_id: int
    coordinator_user: int
    partner_user: int
    student_user: int
    mentor_user: int
    mine: Mentorship
    theirs: Mentorship


def make_people() -> People:
    enterprise_a, enterprise_b = make_enterprise(), make_enterprise()
    student_id, other_student_id = make_student(), make_student()
    mentor_id = make_mentor()
    student_no = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return People(
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
        organization_a=make_organization(enterprise_a),
        organization_b=make_organization(enterprise_b),
        student_id=student_id,
        other_student_id=other_student_id,
        mentor_id=mentor_id,
        coordinator_user=make_account("coord", Role.coordinator),
        partner_user=make_account("partner_a", Role.partner, enterprise_id=enterprise_a),
        student_user=make_account("student1", Role.student, student_no=student_no["student_no"]),
        mentor_user=make_account("mentor1", Role.mentor, mentor_id=mentor_id),
        mine=make_mentorship(enterprise_a, student_id, mentor_id),
        theirs=make_mentorship(enterprise_b, other_student_id, make_mentor()),
    )
