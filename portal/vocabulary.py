"""The vocabulary (词汇): the label of every code the portal stores, defined once and keyed by
the code as the tables store it, so a status reads the same on every page, export and PDF.

Labels are marked for translation (``lazy``) and translated when shown: ``label(CHOICES,
code)`` for one, ``labels(CHOICES, locale)`` (portal.i18n) for a whole dict at once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from portal.i18n import _, labels, lazy

# --- people ------------------------------------------------------------------------------

ROLES: dict[str, str] = {
    "coordinator": lazy("Coordinator"),  # 管理员
    "partner": lazy("Partner"),  # 企业用户
    "student": lazy("Student"),
    "mentor": lazy("Mentor"),
}
GENDERS: dict[str, str] = {"M": lazy("Male"), "F": lazy("Female")}
# 政治面貌, by the national standard's codes (GB/T 4762).
POLITICAL_STATUSES: dict[str, str] = {
    "01": lazy("CPC member"),  # 中共党员
    "02": lazy("CPC probationary member"),  # 中共预备党员
    "03": lazy("Communist Youth League member"),  # 共青团员
    "04": lazy("Member of the Revolutionary Committee of the Kuomintang"),
    "05": lazy("Member of the China Democratic League"),
    "06": lazy("Member of the China Democratic National Construction Association"),
    "07": lazy("Member of the China Association for Promoting Democracy"),
    "08": lazy("Member of the Chinese Peasants' and Workers' Democratic Party"),
    "09": lazy("Member of the China Zhi Gong Party"),
    "10": lazy("Member of the Jiusan Society"),
    "11": lazy("Member of the Taiwan Democratic Self-Government League"),
    "12": lazy("Non-party personage"),
    "13": lazy("Ordinary citizen"),  # 群众
}

# --- enterprises and their party organizations -------------------------------------------

PARTY_ORG_KINDS: dict[str, str] = {
    "committee": lazy("Party committee"),  # 党委
    "general_branch": lazy("General party branch"),  # 党总支
    "branch": lazy("Party branch"),  # 党支部
    "none": lazy("Not yet established"),  # 尚未建立
}
ENTERPRISE_STATUSES: dict[str, str] = {
    "active": lazy("In partnership"),  # 合作中
    "paused": lazy("Paused"),  # 暂停
    "ended": lazy("Ended"),  # 已终止
}
ORGANIZATION_KINDS: dict[str, str] = {
    "joint_branch": lazy("Joint party branch"),  # 联合党支部
    "alliance": lazy("Party-building alliance"),  # 党建联盟
    "pairing": lazy("Co-building pair"),  # 共建结对
}
ORGANIZATION_STATUSES: dict[str, str] = {
    "active": lazy("In operation"),
    "dissolved": lazy("Dissolved"),
}
UNIT_SIDES: dict[str, str] = {  # the side a member unit of a joint organization is on
    "college": lazy("College side"),
    "enterprise": lazy("Enterprise side"),
}
SEATS: dict[str, str] = {
    "secretary": lazy("Secretary"),  # 书记
    "deputy_secretary": lazy("Deputy secretary"),  # 副书记
    "organization": lazy("Organization committee member"),  # 组织委员
    "publicity": lazy("Publicity committee member"),  # 宣传委员
    "discipline": lazy("Discipline inspection committee member"),  # 纪检委员
}
ACTIVITY_KINDS: dict[str, str] = {
    "theme_day": lazy("Party theme day"),  # 主题党日
    "joint_study": lazy("Joint study and joint building"),  # 联学联建
    "party_lecture": lazy("Special party lecture"),  # 专题党课
    "lecture": lazy("Lecture"),  # 讲座
    "science": lazy("Science outreach"),  # 科普活动
    "volunteer": lazy("Volunteer service"),  # 志愿服务
    "skills": lazy("Skills coaching"),  # 技能指导
}
PLAN_PERIODS: dict[str, str] = {
    "annual": lazy("Annual"),
    "quarterly": lazy("Quarterly"),
    "monthly": lazy("Monthly"),
}

# --- co-education ----------------------------------------------------------------------------

PROJECT_KINDS: dict[str, str] = {
    "order_class": lazy("Order class"),  # 订单班
    "training_base": lazy("Training base"),  # 实训基地
    "research": lazy("Research cooperation"),  # 科研合作
    "workstation": lazy("Workstation"),  # 工作室
}
PROJECT_STATUSES: dict[str, str] = {
    "planning": lazy("Planning"),
    "active": lazy("Running"),
    "closed": lazy("Closed"),
}
WORKSTATION_KINDS: dict[str, str] = {
    "doctoral": lazy("Doctoral workstation"),  # 博士工作室
    "master_craftsman": lazy("Skills master workstation"),  # 技能大师工作室
}
PARTICIPATION_KINDS: dict[str, str] = {
    "enrollment": lazy("Enrollment"),
    "placement": lazy("Placement"),
}
PARTICIPATION_STATUSES: dict[str, str] = {
    "pending": lazy("Pending agreement and insurance"),  # 待补协议和保险
    "active": lazy("In progress"),  # 进行中
    "ended": lazy("Finished"),  # 已结束
    "withdrawn": lazy("Withdrawn"),  # 已退出
}
EXPORT_PROFILE_KINDS: dict[str, str] = {
    "placements": lazy("Placement filing"),  # 实习备案
    "party_statistics": lazy("Party recruitment statistics"),  # 发展党员统计
}
PARTY_GROUPINGS: dict[str, str] = {  # the rows of a 发展党员统计 profile (college.filings)
    "cohort_gender": lazy("By cohort and gender"),  # 按年级和性别
    "cohort": lazy("By cohort"),  # 按年级
    "gender": lazy("By gender"),  # 按性别
    "department": lazy("By department"),  # 按院系
    "major": lazy("By major"),  # 按专业
    "class_name": lazy("By class"),  # 按班级
    "total": lazy("One total row only"),  # 仅合计
}
CONSENT_DECISIONS: dict[str, str] = {  # a student's decision on sharing talent-pool details
    "given": lazy("Consent given"),  # 同意共享
    "withdrawn": lazy("Consent withdrawn"),  # 撤回同意
}
WEEKLY_LOG_STATUSES: dict[str, str] = {
    "submitted": lazy("Waiting for the enterprise mentor"),  # 待企业导师确认
    "confirmed": lazy("Confirmed by the enterprise mentor"),  # 企业导师已确认
    "returned": lazy("Sent back for changes"),  # 已退回修改
}
WEEKLY_LOG_GRADES: dict[str, str] = {  # the college mentor's grade of a week
    "A": lazy("A (excellent)"),
    "B": lazy("B (good)"),
    "C": lazy("C (fair)"),
    "D": lazy("D (poor)"),
}
INTERNSHIP_KINDS: dict[str, str] = {
    "cognitive": lazy("Cognitive internship"),  # 认识实习
    "post": lazy("Post internship"),  # 岗位实习
}
AGREEMENT_PARTIES: dict[str, str] = {
    "school": lazy("School"),  # 学校
    "enterprise": lazy("Host enterprise"),  # 实习单位
    "student": lazy("Student"),  # 学生
    "guardian": lazy("Guardian"),  # 监护人
}
WORK_TYPES: dict[str, str] = {
    "production": lazy("Production line"),  # 生产操作
    "technical": lazy("Technical support"),  # 技术辅助
    "service": lazy("Customer service"),  # 服务
    "office": lazy("Office work"),  # 办公文员
    "logistics": lazy("Logistics and warehousing"),  # 物流仓储
    "sales": lazy("Sales"),  # 销售
    "entertainment_venue": lazy(
        "Entertainment venue (bar, nightclub, KTV, bath centre, game hall, internet café)"
    ),  # 营业性娱乐场所
    "high_risk": lazy(
        "High-risk work (at height, underground, radioactive, toxic, flammable or explosive)"
    ),  # 高空、井下、放射性、有毒、易燃易爆
    "heavy_labour": lazy("Physical labour of intensity level III or above"),  # III级及以上体力劳动
    "minor_forbidden": lazy("Work forbidden to juvenile workers"),  # 未成年工禁忌劳动
    "female_forbidden": lazy("Work forbidden to female workers"),  # 女职工禁忌劳动
}
MENTOR_SIDES: dict[str, str] = {
    "college": lazy("College mentor"),  # 校内导师
    "enterprise": lazy("Enterprise mentor"),  # 企业导师
}
ASSIGNMENT_STATUSES: dict[str, str] = {
    "active": lazy("In progress"),  # 进行中
    "ended": lazy("Finished"),  # 已结束
}
MENTORING_MODES: dict[str, str] = {
    "interview": lazy("Face to face"),  # 面谈
    "online": lazy("Online"),  # 线上
    "onsite": lazy("On-site coaching"),  # 现场指导
}
# The five dimensions of an evaluation (考核评价), in the order forms, records and charts show.
DIMENSIONS: dict[str, str] = {
    "political": lazy("Political literacy"),  # 政治素养
    "professional": lazy("Professional skills"),  # 专业技能
    "practical": lazy("Practical ability"),  # 实践能力
    "innovation": lazy("Innovation"),  # 创新精神
    "craftsmanship": lazy("Craftsmanship"),  # 工匠精神
}

# --- the talent pool and the recruitment pipeline (发展党员) ---------------------------------

AWARD_KINDS: dict[str, str] = {
    "competition": lazy("Skills competition"),  # 技能竞赛
    "scholarship": lazy("Scholarship"),  # 奖学金
    "honour": lazy("Honour"),  # 荣誉
}
AWARD_LEVELS: dict[str, str] = {
    "national": lazy("National"),  # 国家级
    "provincial": lazy("Provincial"),  # 省级
    "municipal": lazy("Municipal"),  # 市级
    "school": lazy("School"),  # 校级
}
FLAG_SOURCES: dict[str, str] = {
    "threshold": lazy("Above the threshold"),
    "top_share": lazy("Top of the cohort"),
    "nomination": lazy("Nomination"),
}
FLAG_STATUSES: dict[str, str] = {
    "open": lazy("Waiting for review"),
    "reviewed": lazy("Reviewed"),
}
DECISIONS: dict[str, str] = {
    "accept": lazy("Accept into the pool"),
    "watch": lazy("Keep watching"),
    "decline": lazy("Decline"),
}
POOL_STATUSES: dict[str, str] = {
    "flagged": lazy("Flagged"),
    "watching": lazy("Watching"),
    "pooled": lazy("In the pool"),
    "declined": lazy("Declined"),
}
STAGES: dict[str, str] = {
    "applicant": lazy("Applicant"),  # 入党申请人
    "activist": lazy("Activist"),  # 入党积极分子
    "development_target": lazy("Development target"),  # 发展对象
    "probationary": lazy("Probationary member"),  # 预备党员
    "full_member": lazy("Full member"),  # 正式党员
    "cancelled": lazy("Probationary membership cancelled"),  # 取消预备党员资格
}
EVENT_KINDS: dict[str, str] = {
    "application": lazy("Application to join the party"),  # 入党申请
    "talk": lazy("Talk with the applicant"),  # 谈话
    "activist": lazy("Made an activist"),  # 确定为入党积极分子
    "contacts": lazy("Cultivation contacts assigned"),  # 培养联系人
    "review": lazy("Half-yearly review"),  # 考察
    "development_target": lazy("Made a development target"),  # 确定为发展对象
    "political_review": lazy("Political review"),  # 政治审查
    "training": lazy("Concentrated training"),  # 集中培训
    "introducers": lazy("Introducers assigned"),  # 入党介绍人
    "branch_meeting": lazy("Admitted by the branch meeting"),  # 支部大会
    "approval": lazy("Approved by the higher committee"),  # 上级党委审批
    "extension": lazy("Probation extended"),  # 延长预备期
    "conversion": lazy("Converted to full member"),  # 转正
    "oath": lazy("Oath taken"),  # 入党宣誓
    "cancellation": lazy("Probationary membership cancelled"),  # 取消预备党员资格
    "activist_filing": lazy("Activist filed with the higher committee"),  # 积极分子备案
    "target_filing": lazy("Development target filed with the higher committee"),  # 发展对象备案
    "pre_review": lazy("Pre-review by the higher committee"),  # 预审
    "volunteer_form": lazy("Application form (入党志愿书) filled in"),  # 填写入党志愿书
}
DUE_KINDS: dict[str, str] = {
    "talk": lazy("Talk with the applicant"),
    "review": lazy("Half-yearly review"),
    "development_target_eligible": lazy("May become a development target"),
    "approval": lazy("Approval by the higher committee"),
    "probation_end": lazy("Probation ends: conversion or extension"),
    "approval_latest": lazy("Approval in a special case, at the latest"),
    "activist_filing": lazy("Filing of the activist with the higher committee"),
    "target_filing": lazy("Filing of the development target with the higher committee"),
}
RECOMMENDATIONS: dict[str, str] = {
    "party_members": lazy("Recommended by party members"),  # 党员推荐
    "league": lazy("Recommended by the Youth League"),  # 群团组织推优
}

# --- data in and out -----------------------------------------------------------------------

IMPORT_KINDS: dict[str, str] = {  # what an uploaded file imports (导入)
    "students": lazy("Students"),
    "mentors": lazy("Mentors"),
    "enterprises": lazy("Enterprises"),
}
IMPORT_STATUSES: dict[str, str] = {
    "previewed": lazy("Waiting for confirmation"),
    "applied": lazy("Imported"),
    "failed": lazy("Failed, nothing written"),
    "discarded": lazy("Cancelled"),
}
BATCH_SCOPES: dict[str, str] = {  # what a batch of record PDFs covers
    "class_name": lazy("Class"),  # 班级
    "major": lazy("Major"),  # 专业
    "cohort_year": lazy("Cohort"),  # 年级
    "department": lazy("Department"),  # 院系
}
BATCH_STATUSES: dict[str, str] = {
    "queued": lazy("Waiting to start"),
    "running": lazy("Running"),
    "done": lazy("Done"),
    "failed": lazy("Failed"),
}


def label(choices: Mapping[str, str], code: str | None) -> str:
    """The translated label of a code ("" for None), or the code itself when it is unknown."""
    if code is None:
        return ""
    return _(choices[code]) if code in choices else code


@dataclass(frozen=True)
class RecordLabels:
    """Every code the record shows, translated into one locale: the templates look labels up
    in these dicts (``labels.award_levels.get(code, code)``) instead of calling gettext per
    row."""

    project_kinds: Mapping[str, str]
    participation_kinds: Mapping[str, str]
    participation_statuses: Mapping[str, str]
    assignment_statuses: Mapping[str, str]
    mentoring_modes: Mapping[str, str]
    activity_kinds: Mapping[str, str]
    award_kinds: Mapping[str, str]
    award_levels: Mapping[str, str]
    dimensions: Mapping[str, str]
    genders: Mapping[str, str]
    political_statuses: Mapping[str, str]
    weekly_log_statuses: Mapping[str, str]


@functools.cache
def record_labels(locale: str) -> RecordLabels:
    """The record's labels in a locale, translated once per process."""
    return RecordLabels(
        project_kinds=labels(PROJECT_KINDS, locale),
        participation_kinds=labels(PARTICIPATION_KINDS, locale),
        participation_statuses=labels(PARTICIPATION_STATUSES, locale),
        assignment_statuses=labels(ASSIGNMENT_STATUSES, locale),
        mentoring_modes=labels(MENTORING_MODES, locale),
        activity_kinds=labels(ACTIVITY_KINDS, locale),
        award_kinds=labels(AWARD_KINDS, locale),
        award_levels=labels(AWARD_LEVELS, locale),
        dimensions=labels(DIMENSIONS, locale),
        genders=labels(GENDERS, locale),
        political_statuses=labels(POLITICAL_STATUSES, locale),
        weekly_log_statuses=labels(WEEKLY_LOG_STATUSES, locale),
    )


# --- the audit log (审计日志): what a stored table name and action mean to people ------------

AUDIT_TABLES: dict[str, str] = {  # table name → the noun of one of its rows
    "piccolo_user": lazy("account"),  # 账号
    "portal_profile": lazy("account profile"),  # 账号资料
    "portal_student": lazy("student"),  # 学生
    "portal_import_batch": lazy("import"),  # 导入
    "portal_pdf_batch": lazy("batch of records"),  # 批量档案
    "portal_rule_setting": lazy("rule setting"),  # 规则设置
    "portal_export_profile": lazy("export profile"),  # 报送导出方案
    "partners_enterprise": lazy("enterprise"),  # 企业
    "partners_partner_account": lazy("enterprise account"),  # 企业账号
    "partners_organization": lazy("joint party organization"),  # 联合党组织
    "partners_member_unit": lazy("member unit"),  # 成员单位
    "partners_organization_member": lazy("organization member"),  # 组织成员
    "partners_committee_seat": lazy("committee seat"),  # 委员职务
    "partners_agreement": lazy("co-building agreement"),  # 共建协议
    "partners_activity": lazy("activity"),  # 活动
    "partners_member_attendance": lazy("member attendance"),  # 成员出勤
    "partners_student_attendance": lazy("student attendance"),  # 学生出勤
    "partners_work_plan": lazy("work plan"),  # 工作计划
    "partners_work_plan_item": lazy("work plan item"),  # 计划事项
    "partners_mentor": lazy("mentor"),  # 导师
    "partners_project": lazy("co-education project"),  # 协同育人项目
    "partners_participation": lazy("project participation"),  # 项目参与
    "partners_mentor_assignment": lazy("dual-mentor pairing"),  # 双导师结对
    "partners_mentoring_log": lazy("mentoring log"),  # 指导记录
    "partners_evaluation": lazy("evaluation"),  # 评价
    "partners_weekly_log": lazy("weekly placement log"),  # 实习周志
    "partners_weekly_log_link": lazy("confirmation link"),  # 确认链接
    "partners_weekly_log_attachment": lazy("weekly log attachment"),  # 周志附件
    "talent_pool_score_settings": lazy("score settings"),  # 评分设置
    "talent_pool_student_score": lazy("student scores"),  # 学生评分
    "talent_pool_flag": lazy("talent flag"),  # 人才标记
    "talent_pool_flag_review": lazy("flag review"),  # 标记审核
    "talent_pool_entry": lazy("talent pool entry"),  # 人才库条目
    "talent_pool_pipeline_event": lazy("party development step"),  # 发展党员环节
    "talent_pool_due_item": lazy("due item"),  # 待办事项
    "talent_pool_channel_settings": lazy("channel settings"),  # 推荐渠道设置
    "talent_pool_award": lazy("award"),  # 奖励
    "talent_pool_sharing_consent": lazy("sharing consent"),  # 共享同意
    "portal_notification": lazy("notice"),  # 通知
    "portal_notification_delivery": lazy("notice delivery"),  # 通知投递
    "portal_addressed_notice": lazy("email to a person without an account"),  # 无账号人员的通知邮件
}
# Rows named by a person's name (学生 张三); other rows are named by a title (活动《…》).
AUDIT_PERSON_TABLES: frozenset[str] = frozenset(
    {"piccolo_user", "portal_student", "partners_mentor", "partners_organization_member"}
)
AUDIT_ACTIONS: dict[str, str] = {  # an action other than create/update/delete → what it did
    "login": lazy("Signed in"),  # 登录了系统
    "login_failed": lazy("Sign-in failed"),  # 登录失败
    "logout": lazy("Signed out"),  # 退出了系统
    "password": lazy("Changed their password"),  # 修改了密码
    "password_rehashed": lazy("Password storage upgraded"),  # 升级了密码存储
    "import": lazy("Imported rows"),  # 导入了数据
    "import_failed": lazy("Import failed"),  # 导入失败
    "discard": lazy("Discarded an import"),  # 放弃了导入
    "seed": lazy("Added demo data"),  # 添加了演示数据
    "rescore": lazy("Recomputed scores"),  # 重新计算了评分
    "flag": lazy("Flagged students automatically"),  # 自动标记了学生
}
