"""Tables of enterprises and their party organizations: enterprises and partner accounts,
joint party organizations with member units, members, seats and agreements, activities with
attendance, and work plans.

Every table declares ``id: Serial`` for the type checker only: Piccolo adds that primary key
column itself, so the schema (and the migrations) do not change."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamp,
    Varchar,
)
from piccolo.columns.defaults.timestamp import TimestampNow
from piccolo.table import Table

from portal.tables import Student


class PartyOrgKind(str, Enum):
    committee = "committee"  # 党委
    general_branch = "general_branch"  # 党总支
    branch = "branch"  # 党支部
    none = "none"  # 尚未建立


class EnterpriseStatus(str, Enum):
    active = "active"
    paused = "paused"
    ended = "ended"


class Enterprise(Table, tablename="partners_enterprise"):
    """合作企业 — an enterprise the college educates students with."""

    id: Serial
    name = Varchar(length=200, index=True)
    credit_code = Varchar(length=18, unique=True)  # 统一社会信用代码 (GB 32100-2015)
    industry = Varchar(length=100, default="", index=True)
    address = Varchar(length=300, default="")
    contact_person = Varchar(length=50, default="")
    contact_phone = Varchar(length=20, default="")
    party_org_name = Varchar(length=200, default="")
    party_org_kind = Varchar(length=20, choices=PartyOrgKind, default=PartyOrgKind.none)
    party_member_count = Integer(default=0)
    employee_count = Integer(default=0)
    partner_since = Date(null=True, default=None)
    status = Varchar(length=10, choices=EnterpriseStatus, default=EnterpriseStatus.active)
    created_at = Timestamp(default=TimestampNow())


class PartnerAccount(Table, tablename="partners_partner_account"):
    """Links a partner login to exactly one enterprise (its party branch's account)."""

    id: Serial
    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    enterprise = ForeignKey(Enterprise, null=False, on_delete=OnDelete.cascade, index=True)


class OrganizationKind(str, Enum):
    joint_branch = "joint_branch"  # 联合党支部
    alliance = "alliance"  # 党建联盟
    pairing = "pairing"  # 共建结对


class OrganizationStatus(str, Enum):
    active = "active"
    dissolved = "dissolved"


class JointOrganization(Table, tablename="partners_organization"):
    """联合党组织 — a party organization the college and enterprises build together."""

    id: Serial
    kind = Varchar(length=20, choices=OrganizationKind, index=True)
    name = Varchar(length=200, index=True)
    founded_on = Date(null=True, default=None)
    status = Varchar(length=12, choices=OrganizationStatus, default=OrganizationStatus.active)
    description = Text(default="")
    created_at = Timestamp(default=TimestampNow())


class UnitSide(str, Enum):
    college = "college"  # 学校方党组织 (a college branch)
    enterprise = "enterprise"  # 企业方党组织 (an enterprise branch)


class MemberUnit(Table, tablename="partners_member_unit"):
    """成员单位 — a college branch or an enterprise branch taking part in an organization.

    Each unit has one party group (党小组) of the organization, kept on the unit."""

    id: Serial
    organization = ForeignKey(JointOrganization, null=False, on_delete=OnDelete.cascade, index=True)
    side = Varchar(length=12, choices=UnitSide)
    name = Varchar(length=200)  # the branch's name, e.g. 智能制造学院教工第一党支部
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.restrict, index=True)
    party_group_name = Varchar(length=100, default="")  # 党小组
    party_group_leader = Varchar(length=50, default="")  # 党小组长


class OrganizationMember(Table, tablename="partners_organization_member"):
    """A person of a member unit who belongs to the joint organization."""

    id: Serial
    organization = ForeignKey(JointOrganization, null=False, on_delete=OnDelete.cascade, index=True)
    member_unit = ForeignKey(MemberUnit, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=50)
    position = Varchar(length=100, default="")  # job or post in the unit
    party_member = Boolean(default=True)
    phone = Varchar(length=20, default="")


class SeatKind(str, Enum):
    secretary = "secretary"  # 书记
    deputy_secretary = "deputy_secretary"  # 副书记
    organization = "organization"  # 组织委员
    publicity = "publicity"  # 宣传委员
    discipline = "discipline"  # 纪检委员


class CommitteeSeat(Table, tablename="partners_committee_seat"):
    """支委会 seat: one person per seat and organization (a unique index guards it)."""

    id: Serial
    organization = ForeignKey(JointOrganization, null=False, on_delete=OnDelete.cascade, index=True)
    seat = Varchar(length=20, choices=SeatKind)
    member = ForeignKey(OrganizationMember, null=False, on_delete=OnDelete.cascade, index=True)


class Agreement(Table, tablename="partners_agreement"):
    """共建协议 — the organization's co-building agreement, with its document if uploaded."""

    id: Serial
    organization = ForeignKey(
        JointOrganization, null=False, unique=True, on_delete=OnDelete.cascade
    )
    signed_on = Date()
    expires_on = Date(index=True)
    text = Text(default="")
    file_name = Varchar(length=200, default="")
    content_type = Varchar(length=100, default="")
    file_size = Integer(default=0)
    file_data = Bytea(null=True, default=None)
    updated_at = Timestamp(default=TimestampNow())


class ActivityKind(str, Enum):
    theme_day = "theme_day"  # 主题党日
    joint_study = "joint_study"  # 联学联建
    party_lecture = "party_lecture"  # 专题党课
    lecture = "lecture"  # 讲座
    science = "science"  # 科普活动
    volunteer = "volunteer"  # 志愿服务
    skills = "skills"  # 技能指导


class Activity(Table, tablename="partners_activity"):
    """A joint activity of an organization, hosted by one of its member units."""

    id: Serial
    organization = ForeignKey(JointOrganization, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=ActivityKind, index=True)
    title = Varchar(length=200)
    held_on = Date(index=True)
    place = Varchar(length=200, default="")
    host_unit = ForeignKey(MemberUnit, null=True, on_delete=OnDelete.set_null)
    summary = Text(default="")
    created_at = Timestamp(default=TimestampNow())


class MemberAttendance(Table, tablename="partners_member_attendance"):
    id: Serial
    activity = ForeignKey(Activity, null=False, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(OrganizationMember, null=False, on_delete=OnDelete.cascade, index=True)


class StudentAttendance(Table, tablename="partners_student_attendance"):
    id: Serial
    activity = ForeignKey(Activity, null=False, on_delete=OnDelete.cascade, index=True)
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)


class PlanPeriod(str, Enum):
    annual = "annual"
    quarterly = "quarterly"
    monthly = "monthly"


class WorkPlan(Table, tablename="partners_work_plan"):
    """工作计划 — an annual, quarterly or monthly plan of an organization."""

    id: Serial
    organization = ForeignKey(JointOrganization, null=False, on_delete=OnDelete.cascade, index=True)
    period = Varchar(length=10, choices=PlanPeriod)
    year = Integer()
    period_number = Integer(null=True, default=None)  # quarter 1–4 or month 1–12
    title = Varchar(length=200)
    created_at = Timestamp(default=TimestampNow())


class WorkPlanItem(Table, tablename="partners_work_plan_item"):
    id: Serial
    plan = ForeignKey(WorkPlan, null=False, on_delete=OnDelete.cascade, index=True)
    content = Varchar(length=500)
    owner = Varchar(length=50)
    due_on = Date(index=True)
    done = Boolean(default=False, index=True)
    done_on = Date(null=True, default=None)
