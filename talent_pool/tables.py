"""Tables of the talent pool (人才库): score settings and scores, flags and their reviews, each
student's place in the pool, and the recruitment pipeline (发展党员) with what is due next."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    Date,
    DoublePrecision,
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

from partners.organizations.tables import Enterprise
from portal.tables import Student


class ScoreSettings(Table, tablename="talent_pool_score_settings"):
    """One version of the scoring weights and thresholds. Every edit adds a row (the history);
    the newest row is in force."""

    id: Serial  # the primary key Piccolo adds, declared for type checkers
    evaluation_weight = Integer(default=50)  # weights of the five parts, any positive integers
    award_weight = Integer(default=20)
    attendance_weight = Integer(default=15)
    recommendation_weight = Integer(default=15)
    # the weekly placement log (实习周志); 0 by default, so scores stay as they were until a
    # coordinator gives the part a weight
    weekly_weight = Integer(default=0)
    national_points = Integer(default=60)  # award points by level, before the rank factor
    provincial_points = Integer(default=40)
    municipal_points = Integer(default=25)
    school_points = Integer(default=15)
    attendance_points = Integer(default=10)  # per activity attended
    recommendation_points = Integer(default=50)  # per nomination by a mentor or partner
    threshold = Integer(default=80)  # flag at or above this total (0–100)
    top_share = Integer(default=5)  # … or in the top N percent of the cohort
    note = Varchar(length=300, default="")
    changed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamp(default=TimestampNow())


class StudentScore(Table, tablename="talent_pool_student_score"):
    """A student's current score and its five parts (each 0–100), with the counts behind them."""

    id: Serial
    student = ForeignKey(Student, null=False, unique=True, on_delete=OnDelete.cascade)
    evaluation_part = DoublePrecision(default=0)
    award_part = DoublePrecision(default=0)
    attendance_part = DoublePrecision(default=0)
    recommendation_part = DoublePrecision(default=0)
    weekly_part = DoublePrecision(default=0)
    total = DoublePrecision(default=0, index=True)
    evaluation_count = Integer(default=0)
    award_count = Integer(default=0)
    attendance_count = Integer(default=0)
    recommendation_count = Integer(default=0)
    weekly_count = Integer(default=0)  # weekly logs written
    cohort_rank = Integer(default=0)  # 1 = highest total in the student's cohort
    cohort_size = Integer(default=0)
    settings = ForeignKey(ScoreSettings, null=True, on_delete=OnDelete.set_null)
    computed_at = Timestamp(default=TimestampNow())


class FlagSource(str, Enum):
    threshold = "threshold"  # total at or above the threshold
    top_share = "top_share"  # in the top share of the cohort
    nomination = "nomination"  # nominated by a mentor, partner or coordinator


class FlagStatus(str, Enum):
    open = "open"  # waiting for a coordinator's review
    reviewed = "reviewed"


class Flag(Table, tablename="talent_pool_flag"):
    """One reason a student came to the pool's attention, with the score parts at that moment."""

    id: Serial
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    source = Varchar(length=12, choices=FlagSource, index=True)
    reason = Text(default="")
    score_parts = JSON(default="{}")  # {"total": …, "evaluation_part": …, …} when flagged
    nominated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    nominator_name = Varchar(length=100, default="")
    nominator_role = Varchar(length=20, default="")
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.set_null)  # a partner's
    status = Varchar(length=10, choices=FlagStatus, default=FlagStatus.open, index=True)
    created_at = Timestamp(default=TimestampNow(), index=True)


class ReviewDecision(str, Enum):
    accept = "accept"  # into the pool
    watch = "watch"  # keep watching
    decline = "decline"


class FlagReview(Table, tablename="talent_pool_flag_review"):
    """A coordinator's decision on a flag, with the reason."""

    id: Serial
    flag = ForeignKey(Flag, null=False, on_delete=OnDelete.cascade, index=True)
    decision = Varchar(length=10, choices=ReviewDecision)
    reason = Text()
    reviewed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    reviewer_name = Varchar(length=100, default="")
    reviewed_at = Timestamp(default=TimestampNow())


class PoolStatus(str, Enum):
    flagged = "flagged"  # has an open flag, not yet decided
    watching = "watching"  # keep watching
    pooled = "pooled"  # accepted into the pool
    declined = "declined"


class Stage(str, Enum):
    """The stages of 《中国共产党发展党员工作细则》, in order."""

    applicant = "applicant"  # 入党申请人
    activist = "activist"  # 入党积极分子
    development_target = "development_target"  # 发展对象
    probationary = "probationary"  # 预备党员
    full_member = "full_member"  # 正式党员
    cancelled = "cancelled"  # 取消预备党员资格: the file is closed


class PoolEntry(Table, tablename="talent_pool_entry"):
    """A student's place in the talent pool and, once they apply, their pipeline stage."""

    id: Serial
    student = ForeignKey(Student, null=False, unique=True, on_delete=OnDelete.cascade)
    status = Varchar(length=10, choices=PoolStatus, index=True)
    status_since = Date()
    stage = Varchar(length=20, choices=Stage, null=True, default=None, index=True)
    stage_since = Date(null=True, default=None)
    updated_at = Timestamp(default=TimestampNow())


class EventKind(str, Enum):
    """Dated events of a student's pipeline file, in the order they normally happen."""

    application = "application"  # 递交入党申请书
    talk = "talk"  # 党组织派人谈话 (within one month)
    activist = "activist"  # 确定为入党积极分子 (recommendation + committee decision)
    contacts = "contacts"  # 指定培养联系人 (one or two full members)
    review = "review"  # 半年一次考察
    development_target = "development_target"  # 确定为发展对象 (after a year as activist)
    political_review = "political_review"  # 政治审查
    training = "training"  # 集中培训 (3 days or 24 class hours)
    introducers = "introducers"  # 确定入党介绍人 (two full members)
    branch_meeting = "branch_meeting"  # 支部大会讨论接收为预备党员
    approval = "approval"  # 上级党委审批 (within three months)
    extension = "extension"  # 延长预备期 (at most one year)
    conversion = "conversion"  # 预备党员转正
    oath = "oath"  # 入党宣誓 (after the approval)
    cancellation = "cancellation"  # 取消预备党员资格 (the file closes)
    activist_filing = "activist_filing"  # 积极分子报上级党委备案
    target_filing = "target_filing"  # 发展对象报上级党委备案
    pre_review = "pre_review"  # 上级党委预审 (before the branch meeting)
    volunteer_form = "volunteer_form"  # 填写入党志愿书 (after the pre-review)


class PipelineEvent(Table, tablename="talent_pool_pipeline_event"):
    """One dated event of a student's recruitment file (发展党员档案)."""

    id: Serial
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=EventKind, index=True)
    happened_on = Date(index=True)
    people = JSON(default="[]")  # contacts or introducers: [{"name": …, "full_member": true}]
    recommended_by = Varchar(length=200, default="")  # activist: 党员推荐 / 团组织推优 …
    decided_by = Varchar(length=200, default="")  # the body that decided or approved
    days = Integer(null=True, default=None)  # training
    class_hours = Integer(null=True, default=None)  # training
    months = Integer(null=True, default=None)  # extension of probation
    note = Text(default="")
    reason = Text(default="")  # approval after three months: the special case (特殊情况)
    # branch meeting and conversion: members entitled to vote, present with a vote, in favour
    entitled = Integer(null=True, default=None)
    present = Integer(null=True, default=None)
    in_favour = Integer(null=True, default=None)
    status_before = Varchar(length=2, default="")  # branch meeting: 政治面貌 before it
    recorded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())


class DueKind(str, Enum):
    talk = "talk"  # the talk after an application
    review = "review"  # the half-yearly review of an activist
    development_target_eligible = "development_target_eligible"  # a year as activist is up
    approval = "approval"  # the higher committee's approval after the branch meeting
    probation_end = "probation_end"  # probation ends: conversion or extension is due
    approval_latest = "approval_latest"  # special case: the approval at the latest (6 months)
    activist_filing = "activist_filing"  # an activist not yet filed with the higher committee
    target_filing = "target_filing"  # a development target not yet filed


class DueItem(Table, tablename="talent_pool_due_item"):
    """What is due next in a student's pipeline, and by when (rebuilt after every event)."""

    id: Serial
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=30, choices=DueKind)
    due_on = Date(index=True)


class ChannelSettings(Table, tablename="talent_pool_channel_settings"):
    """One version of the list of recommendation channels an activist may come through (党员推荐,
    群团组织推优 等). Every edit adds a row (the history); the newest row is in force."""

    id: Serial
    channels = JSON(default="[]")  # ["党员推荐", "群团组织推优", …]
    note = Varchar(length=300, default="")
    changed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamp(default=TimestampNow())


class AwardKind(str, Enum):
    competition = "competition"  # 技能竞赛
    scholarship = "scholarship"  # 奖学金
    honour = "honour"  # 荣誉称号


class AwardLevel(str, Enum):
    national = "national"  # 国家级
    provincial = "provincial"  # 省级
    municipal = "municipal"  # 市级
    school = "school"  # 校级


class Award(Table, tablename="talent_pool_award"):
    """奖项 — a student's competition result, scholarship or honour."""

    id: Serial
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=12, choices=AwardKind)
    name = Varchar(length=200)
    level = Varchar(length=12, choices=AwardLevel)
    rank = Varchar(length=50, default="")  # 一等奖, 金奖, 第3名 …
    awarded_on = Date(index=True)
    entered_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    # the partner's enterprise that entered it (None: the college)
    enterprise_id = ForeignKey(Enterprise, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())


class ConsentDecision(str, Enum):
    given = "given"  # 同意共享
    withdrawn = "withdrawn"  # 撤回同意


class SharingConsent(Table, tablename="talent_pool_sharing_consent"):
    """A student's decision to share (or stop sharing) their talent-pool details — score,
    flags, pipeline stage — with one partner enterprise they are placed with (PIPL Art. 23:
    separate consent, 单独同意, naming the recipient). One row per decision. For (student,
    enterprise) the decision in force is the newest row naming that enterprise or naming none;
    no such row means not given. A row without an enterprise was made before consent named
    one and is a decision for every partner enterprise; new decisions always name one."""

    id: Serial
    student = ForeignKey(Student, null=False, on_delete=OnDelete.cascade, index=True)
    # NULL only on rows made before this column; never SET NULL on delete (that would turn a
    # decision for one enterprise into one for all), so it goes with its enterprise (the
    # audit log keeps the decision).
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.cascade, index=True)
    decision = Varchar(length=10, choices=ConsentDecision)
    decided_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamp(default=TimestampNow(), index=True)
