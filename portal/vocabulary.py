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
from portal.students import GENDERS, POLITICAL_STATUSES

ACTIVITY_KINDS: dict[str, str] = {
    "theme_day": lazy("Party theme day"),  # 主题党日
    "joint_study": lazy("Joint study and joint building"),  # 联学联建
    "party_lecture": lazy("Special party lecture"),  # 专题党课
    "lecture": lazy("Lecture"),  # 讲座
    "science": lazy("Science outreach"),  # 科普活动
    "volunteer": lazy("Volunteer service"),  # 志愿服务
    "skills": lazy("Skills coaching"),  # 技能指导
}

PROJECT_KINDS: dict[str, str] = {
    "order_class": lazy("Order class"),  # 订单班
    "training_base": lazy("Training base"),  # 实训基地
    "research": lazy("Research cooperation"),  # 科研合作
    "workstation": lazy("Workstation"),  # 工作室
}
PARTICIPATION_STATUSES: dict[str, str] = {
    "pending": lazy("Pending"),
    "active": lazy("In progress"),
    "ended": lazy("Finished"),
    "withdrawn": lazy("Withdrawn"),
}
PARTICIPATION_KINDS: dict[str, str] = {
    "enrollment": lazy("Enrollment"),
    "placement": lazy("Placement"),
}
ASSIGNMENT_STATUSES: dict[str, str] = {"active": lazy("In progress"), "ended": lazy("Finished")}
MENTORING_MODES: dict[str, str] = {
    "interview": lazy("Face to face"),  # 面谈
    "online": lazy("Online"),  # 线上
    "onsite": lazy("On-site coaching"),  # 现场指导
}
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
# The five dimensions of an evaluation (考核评价), in the order the record shows them.
DIMENSIONS: dict[str, str] = {
    "political": lazy("Political integrity"),  # 政治素养
    "professional": lazy("Professional skills"),  # 专业技能
    "practical": lazy("Practical ability"),  # 实践能力
    "innovation": lazy("Innovation"),  # 创新精神
    "craftsmanship": lazy("Craftsmanship"),  # 工匠精神
}


def label(choices: dict[str, str], code: str | None) -> str:
    """The translated label of a code, or the code itself when it is unknown."""
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
    )


# --- who may see whose record --------------------------------------------------------------
