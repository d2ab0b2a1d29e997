"""Tables of the partners app."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Timestamp, Varchar
from piccolo.columns.defaults.timestamp import TimestampNow
from piccolo.table import Table


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

    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    enterprise = ForeignKey(Enterprise, null=False, on_delete=OnDelete.cascade, index=True)


class MentorSide(str, Enum):
    college = "college"  # 校内导师
    enterprise = "enterprise"  # 企业导师


class Mentor(Table, tablename="partners_mentor"):
    """导师 — a college teacher or an enterprise engineer who mentors students."""

    side = Varchar(length=12, choices=MentorSide, index=True)
    name = Varchar(length=50, index=True)
    department = Varchar(length=100, default="")  # college side
    title = Varchar(length=50, default="")  # college side: 职称
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.restrict, index=True)
    position = Varchar(length=100, default="")  # enterprise side: 岗位
    party_member = Boolean(default=False)
    max_mentees = Integer(default=8)
    phone = Varchar(length=20, default="")
    user = ForeignKey(BaseUser, null=True, unique=True, on_delete=OnDelete.set_null)
