"""Demo joint party organizations for `portal seed-demo`: member units and their people,
committees, co-building agreements, a year of activities with attendance, and work plans.

Deterministic (one random stream) and idempotent: an organization whose name exists already
is left alone. Dates are relative to the day of seeding, so the demo always shows a living
year, one agreement close to expiry and a few overdue plan items.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from college.demo.people import _NameMaker
from partners.organizations.tables import (
    Activity,
    ActivityKind,
    Agreement,
    CommitteeSeat,
    JointOrganization,
    MemberAttendance,
    MemberUnit,
    OrganizationMember,
    SeatKind,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.audit import Actor, audited_write

ACTIVITY_TITLES: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.theme_day: (
        "“学思想、强党性”主题党日",
        "重温入党誓词主题党日",
        "红色教育基地参观学习",
    ),
    ActivityKind.joint_study: (
        "校企联学联建：学习党的二十届三中全会精神",
        "联学联建：新质生产力专题研讨",
    ),
    ActivityKind.party_lecture: ("专题党课：弘扬劳模精神和工匠精神", "专题党课：党史学习教育"),
    ActivityKind.lecture: ("大国工匠进校园讲座", "企业文化与职业素养讲座"),
    ActivityKind.science: ("智能制造科普开放日", "安全生产科普进社区"),
    ActivityKind.volunteer: ("“学雷锋”志愿服务", "社区义务维修志愿服务"),
    ActivityKind.skills: ("技能大师现场指导", "岗位技能比武赛前指导"),
}
PLACES = (
    "学院党员活动室",
    "企业党建活动中心",
    "实训基地报告厅",
    "线上（腾讯会议）",
    "红色教育基地",
)
PLAN_ITEMS = (
    "制定年度联学联建计划",
    "开展“三会一课”联合学习",
    "组织主题党日活动",
    "开展党员先锋岗创建",
    "组织学生参观企业党建阵地",
    "举办工匠精神专题讲座",
    "开展志愿服务进社区",
    "召开年度组织生活会",
    "推荐优秀学生入党积极分子",
    "总结年度共建成效",
)


@dataclass(frozen=True)
class DemoOrganization:
    kind: str
    name: str
    college_units: tuple[str, ...]
    enterprise_indexes: tuple[int, ...]
    founded_years_ago: int
    agreement_days_left: int


def demo_organizations(enterprise_names: list[str]) -> list[DemoOrganization]:
    """Three organizations over the first five demo enterprises (fewer when there are fewer)."""
    if len(enterprise_names) < 5:
        return []
    short = [name[:4] for name in enterprise_names]
    return [
        DemoOrganization(
            "joint_branch",
            f"智能制造学院—{short[0]}联合党支部",
            ("智能制造学院教工第一党支部",),
            (0,),
            3,
            45,
        ),
        DemoOrganization(
            "alliance",
            "产教融合党建联盟",
            ("信息工程学院教工党支部", "现代服务学院学生党支部"),
            (1, 2, 3),
            2,
            400,
        ),
        DemoOrganization(
            "pairing",
            f"机电工程学院—{short[4]}共建结对",
            ("机电工程学院教工党支部",),
            (4,),
            1,
            200,
        ),
    ]


class OrganizationSeeder:
    def __init__(self, rng: random.Random, today: datetime.date, student_ids: list[int]) -> None:
        self.rng = rng
        self.today = today
        self.student_ids = student_ids
        self.names = _NameMaker()

    async def seed(self, demo: DemoOrganization, enterprise_ids: list[int]) -> None:
        founded = self.today.replace(year=self.today.year - demo.founded_years_ago, day=1)
        org_id = await self.insert(
            JointOrganization,
            kind=demo.kind,
            name=demo.name,
            founded_on=founded,
            description="校企双方党组织共建，围绕人才培养开展联学联建。",
        )
        units = [
            await self.insert(
                MemberUnit,
                organization=org_id,
                side="college",
                name=name,
                party_group_name=f"{name[:4]}党小组",
                party_group_leader=self.person(),
            )
            for name in demo.college_units
        ]
        for index in demo.enterprise_indexes:
            units.append(
                await self.insert(
                    MemberUnit,
                    organization=org_id,
                    side="enterprise",
                    name=f"企业第{index + 1}党支部",
                    enterprise=enterprise_ids[index],
                    party_group_name=f"企业第{index + 1}党小组",
                    party_group_leader=self.person(),
                )
            )
        members = [
            await self.insert(
                OrganizationMember,
                organization=org_id,
                member_unit=unit,
                name=self.person(),
                position=self.rng.choice(
                    ("支部书记", "党员教师", "技术骨干", "车间主任", "辅导员")
                ),
                party_member=self.rng.random() < 0.85,
            )
            for unit in units
            for _ in range(self.rng.randint(3, 5))
        ]
        for seat, member in zip(SeatKind, self.rng.sample(members, len(SeatKind)), strict=True):
            await self.insert(CommitteeSeat, organization=org_id, seat=seat.value, member=member)
        await self.insert(
            Agreement,
            organization=org_id,
            signed_on=founded,
            expires_on=self.today + datetime.timedelta(days=demo.agreement_days_left),
            text="双方在党员教育、人才培养、技术服务等方面开展共建，定期举办联合活动。",
        )
        await self.seed_activities(org_id, units, members)
        await self.seed_plans(org_id)

    def person(self) -> str:
        return self.names.make(self.rng, self.rng.choice("MF"))

    async def insert(self, table: type[Table], **values: Any) -> int:
        return (await table.insert(table(**values)).returning(table._meta.primary_key))[0]["id"]

    async def seed_activities(self, org_id: int, units: list[int], members: list[int]) -> None:
        """About two activities a month over the past year, with attendance."""
        day = self.today - datetime.timedelta(days=365)
        while day < self.today:
            kind = self.rng.choice(list(ActivityKind))
            activity_id = await self.insert(
                Activity,
                organization=org_id,
                kind=kind.value,
                title=self.rng.choice(ACTIVITY_TITLES[kind]),
                held_on=day,
                place=self.rng.choice(PLACES),
                host_unit=self.rng.choice(units),
                summary="活动围绕立德树人和校企协同育人展开，参加人员交流了学习体会。",
            )
            present = self.rng.sample(members, k=max(2, len(members) * 2 // 3))
            await MemberAttendance.insert(
                *[MemberAttendance(activity=activity_id, member=m) for m in present]
            )
            if self.student_ids:
                students = self.rng.sample(self.student_ids, k=min(8, len(self.student_ids)))
                await StudentAttendance.insert(
                    *[StudentAttendance(activity=activity_id, student=s) for s in students]
                )
            day += datetime.timedelta(days=self.rng.randint(10, 20))

    async def seed_plans(self, org_id: int) -> None:
        """This year's annual plan, this quarter's and this month's; past items mostly done."""
        year, month = self.today.year, self.today.month
        quarter = (month - 1) // 3 + 1
        plans = [
            ("annual", None, f"{year}年度党建共建工作计划", datetime.date(year, 1, 1), 10),
            (
                "quarterly",
                quarter,
                f"{year}年第{quarter}季度工作计划",
                datetime.date(year, 3 * quarter - 2, 1),
                4,
            ),
            ("monthly", month, f"{year}年{month}月工作计划", datetime.date(year, month, 1), 3),
        ]
        for period, number, title, start, item_count in plans:
            plan_id = await self.insert(
                WorkPlan,
                organization=org_id,
                period=period,
                year=year,
                period_number=number,
                title=title,
            )
            span = (self.today - start).days + 60
            for index in range(item_count):
                due = start + datetime.timedelta(days=(index + 1) * span // (item_count + 1))
                done = due < self.today and self.rng.random() < 0.8
                await self.insert(
                    WorkPlanItem,
                    plan=plan_id,
                    content=PLAN_ITEMS[index % len(PLAN_ITEMS)],
                    owner=self.person(),
                    due_on=due,
                    done=done,
                    done_on=due if done else None,
                )


async def seed_demo_organizations(
    actor: Actor, enterprise_ids: list[int], enterprise_names: list[str], student_ids: list[int]
) -> int:
    """Seeds the demo organizations that are missing; returns how many exist."""
    demos = demo_organizations(enterprise_names)
    existing = {
        row["name"]
        for row in await JointOrganization.select(JointOrganization.name).where(
            JointOrganization.name.is_in([d.name for d in demos] or [""])
        )
    }
    seeder = OrganizationSeeder(
        random.Random("2026:organizations"), datetime.date.today(), student_ids
    )
    for demo in demos:
        if demo.name in existing:
            continue
        async with audited_write(actor) as audit:
            await seeder.seed(demo, enterprise_ids)
            await audit.record("seed", JointOrganization, None, f"demo organization {demo.name}")
    return len(demos)
