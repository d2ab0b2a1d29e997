"""Tables of co-education: mentors, projects and participations, dual-mentor assignments
with their mentoring logs and evaluations."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamp,
    Varchar,
)
from piccolo.columns.defaults.timestamp import TimestampNow
from piccolo.table import Table

from partners.organizations.tables import (
    Enterprise,
    JointOrganization,
)
from portal.tables import Student


class MentorSide(str, Enum):
    college = "college"  # 校内导师
    enterprise = "enterprise"  # 企业导师


class Mentor(Table, tablename="partners_mentor"):
    """导师 — a college teacher or an enterprise engineer who mentors students."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    side = Varchar(length=12, choices=MentorSide, index=True)
    name = Varchar(length=50, index=True)
    department = Varchar(length=100, default="")  # college side
    title = Varchar(length=50, default="")  # college side: 职称
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.restrict, index=True)
    position = Varchar(length=100, default="")  # enterprise side: 岗位
    party_member = Boolean(default=False)
    max_mentees = Integer(default=8)
    phone = Varchar(length=20, default="")
    # Enterprise side: where weekly logs waiting for confirmation are sent with a signed link
    # when the mentor has no account.
    email = Varchar(length=254, default="")
    user = ForeignKey(BaseUser, null=True, unique=True, on_delete=OnDelete.set_null)


# --- Joint party organizations (联合党组织) -------------------------------------------------


# --- Co-education projects (协同育人项目) ----------------------------------------------------


class ProjectKind(str, Enum):
    order_class = "order_class"  # 订单班
    training_base = "training_base"  # 实训基地
    research = "research"  # 科研合作
    workstation = "workstation"  # 博士工作室 / 技能大师工作室


class ProjectStatus(str, Enum):
    planning = "planning"
    active = "active"
    closed = "closed"


class WorkstationKind(str, Enum):
    doctoral = "doctoral"  # 博士工作室
    master_craftsman = "master_craftsman"  # 技能大师工作室


class Project(Table, tablename="partners_project"):
    """协同育人项目 — an order class, training base, research cooperation or workstation."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    kind = Varchar(length=20, choices=ProjectKind, index=True)
    name = Varchar(length=200, index=True)
    enterprise = ForeignKey(Enterprise, null=False, on_delete=OnDelete.restrict, index=True)
    organization = ForeignKey(JointOrganization, null=True, on_delete=OnDelete.set_null)
    majors = Varchar(length=300, default="")  # 面向专业, separated by "、"
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    capacity = Integer(default=0)
    status = Varchar(length=10, choices=ProjectStatus, default=ProjectStatus.planning, index=True)
    description = Text(default="")
    # order class (订单班)
    cohort_year = Integer(null=True, default=None)
    agreement_no = Varchar(length=50, default="")
    employment_promised = Boolean(default=False)  # 订单就业
    # training base (实训基地)
    address = Varchar(length=300, default="")
    positions = Text(default="")  # positions offered, one per line
    safety_contact = Varchar(length=50, default="")
    safety_phone = Varchar(length=20, default="")
    # research cooperation (科研合作) and workstations
    research_topic = Varchar(length=300, default="")
    workstation_kind = Varchar(length=20, default="")  # WorkstationKind value, workstations only
    created_at = Timestamp(default=TimestampNow())


class ParticipationKind(str, Enum):
    enrollment = "enrollment"  # 订单班/项目 报名录取
    placement = "placement"  # 实训基地 岗位实习


class ParticipationStatus(str, Enum):
    pending = "pending"  # placement waiting for its agreement and insurance
    active = "active"
    ended = "ended"
    withdrawn = "withdrawn"


class Participation(Table, tablename="partners_participation"):
    """A student in a project: an enrollment, or a placement at a training base with its own
    period, position, placement agreement (实习协议) and liability insurance (实习责任保险)."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    student = ForeignKey(Student, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=12, choices=ParticipationKind)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    position = Varchar(length=100, default="")
    agreement_signed_on = Date(null=True, default=None)  # 实习协议 signed
    insurance_policy_no = Varchar(length=60, default="")  # 实习责任保险 policy number
    status = Varchar(length=10, choices=ParticipationStatus, default=ParticipationStatus.active)
    created_at = Timestamp(default=TimestampNow())
    # 《职业学校学生实习管理规定》(2021): what the placement rules read
    internship_kind = Varchar(length=12, default="")  # InternshipKind value; "" none recorded
    guardian_consent_on = Date(null=True, default=None)  # 知情同意书 of a minor's guardian
    agreement_parties = Varchar(length=60, default="")  # AgreementParty values, "," separated
    insurance_starts_on = Date(null=True, default=None)  # the policy's period
    insurance_ends_on = Date(null=True, default=None)
    post_headcount = Integer(null=True, default=None)  # staff on the post (岗位在岗人数)
    monthly_pay = Integer(null=True, default=None)  # 实习报酬, yuan a month
    post_wage = Integer(null=True, default=None)  # the same post's wage, yuan a month
    fee = Integer(default=0)  # any fee charged to the student (must be 0)
    daily_hours = Integer(null=True, default=None)
    weekly_hours = Integer(null=True, default=None)
    night_shifts = Boolean(default=False)
    overtime = Boolean(default=False)
    through_agency = Boolean(default=False)  # arranged through an agency or paid intermediary
    work_type = Varchar(length=30, default="")  # WorkType value
    override_reason = Text(default="")  # why a student outside an order class's majors/cohort


class InternshipKind(str, Enum):
    cognitive = "cognitive"  # 认识实习
    post = "post"  # 岗位实习


class AgreementParty(str, Enum):
    school = "school"  # 学校
    enterprise = "enterprise"  # 实习单位
    student = "student"  # 学生
    guardian = "guardian"  # 监护人 (a minor's)


# --- Dual mentors (双导师) --------------------------------------------------------------------


class AssignmentStatus(str, Enum):
    active = "active"
    ended = "ended"


class MentorAssignment(Table, tablename="partners_mentor_assignment"):
    """双导师 — one student with a college mentor and an enterprise mentor for a period."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    student = ForeignKey(Student, null=False, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, null=True, on_delete=OnDelete.restrict, index=True)
    college_mentor = ForeignKey(Mentor, null=False, on_delete=OnDelete.restrict, index=True)
    enterprise_mentor = ForeignKey(Mentor, null=False, on_delete=OnDelete.restrict, index=True)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    status = Varchar(length=10, choices=AssignmentStatus, default=AssignmentStatus.active)
    created_at = Timestamp(default=TimestampNow())


class MentoringMode(str, Enum):
    interview = "interview"  # 面谈
    online = "online"  # 线上
    onsite = "onsite"  # 现场指导


class MentoringLog(Table, tablename="partners_mentoring_log"):
    """指导记录 — one mentoring session, written by the mentor or on their behalf."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    assignment = ForeignKey(MentorAssignment, null=False, on_delete=OnDelete.cascade, index=True)
    mentor = ForeignKey(Mentor, null=False, on_delete=OnDelete.restrict, index=True)
    held_on = Date(index=True)
    mode = Varchar(length=10, choices=MentoringMode)
    topic = Varchar(length=200)
    content = Text(default="")
    hours = Numeric(digits=(5, 1))
    written_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    on_behalf = Boolean(default=False)  # written by a partner or coordinator for the mentor
    acknowledged_at = Timestamp(null=True, default=None)  # the student's acknowledgment
    created_at = Timestamp(default=TimestampNow())


class Evaluation(Table, tablename="partners_evaluation"):
    """考核评价 — a mentor's scores (0–100) of a student for one term."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    assignment = ForeignKey(MentorAssignment, null=False, on_delete=OnDelete.cascade, index=True)
    mentor = ForeignKey(Mentor, null=False, on_delete=OnDelete.restrict, index=True)
    term = Varchar(length=20, index=True)  # e.g. 2026-2027-1 (学年-学期)
    political = Integer()  # 政治素养
    professional = Integer()  # 专业技能
    practical = Integer()  # 实践能力
    innovation = Integer()  # 创新精神
    craftsmanship = Integer()  # 工匠精神
    comment = Text(default="")
    written_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())


class WeeklyLogStatus(str, Enum):
    submitted = "submitted"  # written, waiting for the enterprise mentor
    confirmed = "confirmed"  # confirmed by the enterprise mentor
    returned = "returned"  # sent back with a comment: the student corrects and sends it again


class WeeklyLog(Table, tablename="partners_weekly_log"):
    """实习周志 — one week of a 岗位实习 placement, written by the student, confirmed by the
    enterprise mentor (from their account or a signed link) and commented on by the college
    mentor. One per placement and week (a unique index, migrations/partners)."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    participation = ForeignKey(Participation, null=False, on_delete=OnDelete.cascade, index=True)
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    week_start = Date(index=True)  # the Monday of the week
    work_done = Text()
    hours = Integer()  # hours worked in the week
    learned = Text(default="")
    problems = Text(default="")  # a problem the student raises: never marked "seen" in bulk
    status = Varchar(length=10, choices=WeeklyLogStatus, default=WeeklyLogStatus.submitted)
    submitted_at = Timestamp(default=TimestampNow())
    # the enterprise mentor's answer
    confirmed_at = Timestamp(null=True, default=None)
    confirmed_by = Varchar(length=100, default="")  # the mentor's name
    confirmed_via = Varchar(length=10, default="")  # "account" or "link"
    enterprise_comment = Text(default="")
    # the college mentor's review
    college_comment = Text(default="")
    grade = Varchar(length=1, default="")  # A, B, C, D or "" (not graded)
    reviewed_at = Timestamp(null=True, default=None)  # commented, or marked seen
    reviewed_by = Varchar(length=100, default="")


class WeeklyLogAttachment(Table, tablename="partners_weekly_log_attachment"):
    """附件 — a file the student adds to a weekly log (a PDF, PNG or JPEG of at most 5 MB,
    portal.documents; at most 3 a week), kept in the database with the entry."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    weekly_log = ForeignKey(WeeklyLog, null=False, on_delete=OnDelete.cascade, index=True)
    file_name = Varchar(length=200)  # cleaned: no path, an extension that fits the type
    content_type = Varchar(length=100)  # sniffed from the bytes
    file_size = Integer()
    file_data = Bytea()
    uploaded_at = Timestamp(default=TimestampNow())


class WeeklyLogLink(Table, tablename="partners_weekly_log_link"):
    """A signed link that lets the enterprise mentor confirm (or return) one weekly log
    without an account: the table keeps the token's SHA-256, never the token; single use,
    expiring, and worthless once the placement has ended."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker

    log = ForeignKey(WeeklyLog, null=False, on_delete=OnDelete.cascade, index=True)
    mentor = ForeignKey(Mentor, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamp()
    used_at = Timestamp(null=True, default=None)
    created_at = Timestamp(default=TimestampNow())
