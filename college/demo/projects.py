"""Demo projects for `portal seed-demo`: one or more of every kind, students enrolled and
placed, dual mentors for most of them, a term of mentoring logs, last term's evaluations and
some awards — so a demo student's record (成长档案) is full.

Deterministic and idempotent: a project whose name exists already is left alone. The first
demo student joins the first project with the first college mentor and the first enterprise
mentor, who are the demo accounts student1, mentor1 and mentor2.
"""

from __future__ import annotations

import datetime
import decimal
import random
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from partners.coeducation import placement_rules as rules
from partners.coeducation.participations import placement_status
from partners.coeducation.tables import (
    Evaluation,
    InternshipKind,
    Mentor,
    MentorAssignment,
    MentoringLog,
    Participation,
    Project,
)
from partners.organizations.tables import Enterprise
from portal.audit import Actor, audited_write
from portal.dates import add_months
from portal.tables import Student
from talent_pool.tables import Award

TOPICS = (
    ("岗位安全操作规程", "讲解岗位安全规范，逐项核对防护措施。"),
    ("职业生涯规划", "结合企业岗位序列，讨论三年成长路径。"),
    ("工匠精神与质量意识", "分享技能大师的成长故事，强调精益求精。"),
    ("设备点检与维护", "现场演示设备点检流程，学生分组实操。"),
    ("技能竞赛备赛指导", "分析赛项规程，制定训练计划。"),
    ("党史学习与理想信念", "结合企业发展史开展党史学习交流。"),
    ("实训周报点评", "逐条点评周报，指出改进方向。"),
)
AWARDS = (
    ("competition", "全国职业院校技能大赛", "national", "三等奖"),
    ("competition", "省职业院校技能大赛", "provincial", "一等奖"),
    ("scholarship", "国家励志奖学金", "national", ""),
    ("honour", "校级优秀共青团员", "school", ""),
    ("competition", "市职工职业技能竞赛（学生组）", "municipal", "第2名"),
)


EXCEPTION_REASON = "企业面试后跨专业（跨年级）选拔，经校企双方同意"  # the demo's override reason
# The training base's posts and the kind of work each is (portal.vocabulary.WORK_TYPES).
DEMO_POSTS = {"仓储管理员": "logistics", "物流调度员": "logistics", "客服专员": "service"}


@dataclass(frozen=True)
class DemoProject:
    kind: str
    name: str
    enterprise_index: int
    capacity: int
    extra: dict[str, Any]


def demo_projects(short_names: list[str], cohort: int) -> list[DemoProject]:
    return [
        DemoProject(
            "order_class",
            f"{short_names[0]}订单班（{cohort}级）",
            0,
            60,
            {
                "cohort_year": cohort,
                "agreement_no": f"DD-{cohort}-001",
                "employment_promised": True,
                "majors": "数控技术、工业机器人技术",
            },
        ),
        DemoProject(
            "training_base",
            f"{short_names[5]}实训基地",
            5,
            30,
            {
                "address": "高新区创业大道88号",
                "positions": "仓储管理员\n物流调度员\n客服专员",
                "safety_contact": "赵安全",
                "safety_phone": "13900001111",
            },
        ),
        DemoProject(
            "research",
            f"{short_names[2]}校企联合研发项目",
            2,
            8,
            {"research_topic": "产线数字孪生与质量追溯"},
        ),
        DemoProject(
            "workstation",
            f"{short_names[3]}技能大师工作室",
            3,
            10,
            {"workstation_kind": "master_craftsman"},
        ),
        DemoProject(
            "order_class",
            f"{short_names[4]}订单班（{cohort + 1}级）",
            4,
            60,
            {
                "cohort_year": cohort + 1,
                "agreement_no": f"DD-{cohort + 1}-002",
                "majors": "电子商务、大数据与会计",
            },
        ),
    ]


class ProjectSeeder:
    def __init__(self, today: datetime.date, actor: Actor) -> None:
        self.rng = random.Random("2026:projects")
        self.today = today
        self.actor = actor
        self.term_start = datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        # At least three months of mentoring, even early in a term.
        self.first_day = min(self.term_start, today - datetime.timedelta(days=90))
        self.minor_placed = False

    async def seed(
        self,
        demo: DemoProject,
        enterprise: dict[str, Any],
        students: list[int],
        college_mentors: list[dict[str, Any]],
        enterprise_mentors: list[dict[str, Any]],
    ) -> None:
        project_id = await insert(
            Project,
            kind=demo.kind,
            name=demo.name,
            enterprise=enterprise["id"],
            starts_on=self.term_start - datetime.timedelta(days=365),
            ends_on=self.term_start + datetime.timedelta(days=700),
            capacity=demo.capacity,
            status="active",
            **demo.extra,
        )
        for student in students:
            college_mentor, enterprise_mentor = free(college_mentors), free(enterprise_mentors)
            mentored = college_mentor is not None and enterprise_mentor is not None
            if demo.kind == "training_base":
                await self.place(project_id, student, mentored=mentored)
            else:
                await self.enroll(project_id, student, demo)
            if college_mentor is None or enterprise_mentor is None:
                continue
            await self.mentor(project_id, student, college_mentor, enterprise_mentor)

    async def enroll(self, project_id: int, student: int, demo: DemoProject) -> None:
        """An enrollment; a student outside an order class's majors or cohort is taken with
        a recorded reason, as the order-class rule asks."""
        await insert(
            Participation,
            project=project_id,
            student=student,
            kind="enrollment",
            starts_on=self.first_day,
            ends_on=None,
            status="active",
            override_reason=await order_class_exception(student, demo),
        )

    async def place(self, project_id: int, student: int, *, mentored: bool) -> None:
        """A placement as 《职业学校学生实习管理规定》(2021) asks: a first-year student on a
        cognitive internship, the others on post internships with agreement, insurance over
        the dates, pay, hours and work recorded; one second-year student is made a minor (17)
        whose guardian consented and signed — the demo of a minor's placement."""
        row = await Student.select(Student.cohort_year).where(Student.id == student).first()
        first_year = row is not None and rules.in_first_year(row["cohort_year"], self.first_day)
        kind = InternshipKind.cognitive.value if first_year else InternshipKind.post.value
        insured = self.rng.random() < 0.9
        minor = not first_year and insured and mentored and not self.minor_placed
        if minor:
            self.minor_placed = True
            birth_date = add_months(self.first_day, -12 * 17 + 2)  # 16 years 10 months old
            await Student.update({Student.birth_date: birth_date}).where(Student.id == student)
        ends_on = self.first_day + datetime.timedelta(days=150)
        position = self.rng.choice(tuple(DEMO_POSTS))
        parties = ["school", "enterprise", "student", *(["guardian"] if minor else [])]
        status = placement_status(
            self.first_day - datetime.timedelta(days=7),
            "insured" if insured else "",
            mentored=mentored or kind == InternshipKind.cognitive.value,
        )
        await insert(
            Participation,
            project=project_id,
            student=student,
            kind="placement",
            internship_kind=kind,
            starts_on=self.first_day,
            ends_on=ends_on,
            position=position,
            work_type=DEMO_POSTS[position],
            post_headcount=150,
            agreement_signed_on=self.first_day - datetime.timedelta(days=7),
            agreement_parties=",".join(parties),
            guardian_consent_on=self.first_day - datetime.timedelta(days=10) if minor else None,
            insurance_policy_no=f"SXBX{student:06d}" if insured else "",
            insurance_starts_on=self.first_day if insured else None,
            insurance_ends_on=ends_on if insured else None,
            monthly_pay=3800,
            post_wage=4500,
            daily_hours=8,
            weekly_hours=40,
            status=status,
        )

    async def mentor(
        self, project_id: int, student: int, college: dict[str, Any], enterprise: dict[str, Any]
    ) -> None:
        college["free"] -= 1
        enterprise["free"] -= 1
        assignment = await insert(
            MentorAssignment,
            student=student,
            project=project_id,
            college_mentor=college["id"],
            enterprise_mentor=enterprise["id"],
            starts_on=self.first_day,
        )
        day = self.first_day + datetime.timedelta(days=self.rng.randint(3, 12))
        while day < self.today - datetime.timedelta(days=self.rng.choice((2, 10, 45))):
            mentor = self.rng.choice((college, enterprise))
            topic, content = self.rng.choice(TOPICS)
            await insert(
                MentoringLog,
                assignment=assignment,
                mentor=mentor["id"],
                held_on=day,
                mode="onsite" if mentor is enterprise else self.rng.choice(("interview", "online")),
                topic=topic,
                content=content,
                hours=decimal.Decimal(self.rng.choice((1, 1.5, 2, 3))),
                acknowledged_at=datetime.datetime.combine(day, datetime.time(18))
                if self.rng.random() < 0.7
                else None,
            )
            day += datetime.timedelta(days=self.rng.randint(10, 25))
        last_term = f"{self.term_start.year - 1}-{self.term_start.year}-2"
        for mentor in (college, enterprise):
            scores = {
                name: self.rng.randint(72, 98)
                for name in (
                    "political",
                    "professional",
                    "practical",
                    "innovation",
                    "craftsmanship",
                )
            }
            await insert(
                Evaluation,
                assignment=assignment,
                mentor=mentor["id"],
                term=last_term,
                comment="态度端正，进步明显。",
                **scores,
            )


async def order_class_exception(student: int, demo: DemoProject) -> str:
    """The reason recorded for a demo student outside an order class's majors or cohort."""
    if demo.kind != "order_class":
        return ""
    row = await (
        Student.select(Student.major, Student.cohort_year).where(Student.id == student).first()
    )
    majors = demo.extra.get("majors", "").split("、")
    if row is None or (row["major"] in majors and row["cohort_year"] == demo.extra["cohort_year"]):
        return ""
    return EXCEPTION_REASON


async def insert(table: type[Table], **values: Any) -> int:
    return (await table.insert(table(**values)).returning(table._meta.primary_key))[0]["id"]


def free(mentors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first mentor (by id, so the demo accounts come first) with a free place."""
    return next((m for m in mentors if m["free"] > 0), None)


async def mentors_with_places(**where: Any) -> list[dict[str, Any]]:
    query = Mentor.select(Mentor.id, Mentor.max_mentees, Mentor.party_member).order_by(Mentor.id)
    for name, value in where.items():
        query = query.where(getattr(Mentor, name) == value)
    rows = await query
    for row in rows:
        row["free"] = row["max_mentees"]
    return rows


async def seed_demo_projects(
    actor: Actor, enterprise_ids: list[int], student_ids: list[int]
) -> int:
    """Seeds the missing demo projects with their students; returns how many there are."""
    if len(enterprise_ids) < 6:
        return 0
    enterprises = {
        row["id"]: row
        for row in await Enterprise.select(
            Enterprise.id, Enterprise.name, Enterprise.employee_count
        ).where(Enterprise.id.is_in(enterprise_ids))
    }
    short = [enterprises[i]["name"][:4] for i in enterprise_ids]
    today = datetime.date.today()
    demos = demo_projects(short, cohort=today.year - 2)
    existing = {
        row["name"]
        for row in await Project.select(Project.name).where(
            Project.name.is_in([d.name for d in demos])
        )
    }
    seeder = ProjectSeeder(today, actor)
    college_mentors = await mentors_with_places(side="college")
    # Each project takes the next students in turn, as many as it has places for (a training
    # base no more than 10% of its enterprise's headcount); the first student goes first.
    remaining = list(student_ids)
    for demo in demos:
        enterprise_id = enterprise_ids[demo.enterprise_index]
        places = demo.capacity
        if demo.kind == "training_base":
            places = min(places, enterprises[enterprise_id]["employee_count"] // 10)
        students, remaining = remaining[:places], remaining[places:]
        if demo.name in existing:
            continue
        async with audited_write(actor) as audit:
            await seeder.seed(
                demo,
                enterprises[enterprise_id],
                students,
                college_mentors,
                await mentors_with_places(enterprise=enterprise_id),
            )
            await audit.record("seed", Project, None, f"demo project {demo.name}")
    if not existing and student_ids:
        await seed_awards(actor, student_ids)
    return len(demos)


async def seed_awards(actor: Actor, student_ids: list[int]) -> None:
    rng = random.Random("2026:awards")
    chosen = [student_ids[0], *rng.sample(student_ids[1:], min(20, len(student_ids) - 1))]
    async with audited_write(actor) as audit:
        for student in chosen:
            kind, name, level, rank = rng.choice(AWARDS)
            await insert(
                Award,
                student=student,
                kind=kind,
                name=name,
                level=level,
                rank=rank,
                awarded_on=datetime.date(2026, rng.randint(1, 10), rng.randint(1, 28)),
            )
        await audit.record("seed", Award, None, f"{len(chosen)} demo awards")
