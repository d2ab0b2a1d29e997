"""The rule book (规则库): every time and count rule the portal enforces, as data — its
number, the text it comes from (title, version, issuing body, date), the article, and the
sentence it enforces in our own words — so refusals and the rule text above each form cite
it from one place, and docs/rules.md lists the same entries.

Areas cite rules by key (`citation("party.talk_within")`) and read numbers through
`current_numbers()`: a number marked adjustable may be set stricter by a coordinator (a
setting with history); everything else is the text's own number.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from portal.i18n import _, lazy


@dataclass(frozen=True)
class Source:
    """A text rules come from."""

    key: str
    title: str  # as cited, with its book-title marks: 《中国共产党发展党员工作细则》
    version: str  # "2014"
    issuer: str  # 中共中央办公厅
    issued_on: datetime.date | None
    verified: str  # how the article numbers were checked, or "unverified"


@dataclass(frozen=True)
class Rule:
    """One rule: what it enforces, where it comes from, and its number if it has one."""

    key: str
    source: str  # a key of SOURCES
    article: str | None  # e.g. "第七条"; None when the article could not be verified
    sentence: str  # lazy: what the rule says, in our own words
    value: int | None = None
    unit: str = ""  # "years", "months", "days", "hours", "percent", "people"
    adjustable: bool = False  # a college may set a stricter number (a setting with history)


PARTY_RULES_2014 = "party_rules_2014"
PARTY_RULES_2026 = "party_rules_2026"
INTERNSHIP_RULES_2021 = "internship_rules_2021"
CIVIL_CODE = "civil_code_2020"

SOURCES: dict[str, Source] = {
    PARTY_RULES_2014: Source(
        PARTY_RULES_2014,
        "《中国共产党发展党员工作细则》",
        "2014",
        "中共中央办公厅",
        datetime.date(2014, 6, 10),
        "unverified",
    ),
    PARTY_RULES_2026: Source(
        PARTY_RULES_2026,
        "《中国共产党发展党员工作细则》",
        "2026",
        "中共中央办公厅",
        datetime.date(2026, 5, 18),
        "unverified",
    ),
    INTERNSHIP_RULES_2021: Source(
        INTERNSHIP_RULES_2021,
        "《职业学校学生实习管理规定》",
        "2021",
        "教育部等八部门",
        datetime.date(2021, 12, 31),
        "unverified",
    ),
    CIVIL_CODE: Source(
        CIVIL_CODE,
        "《中华人民共和国民法典》",
        "2020",
        "全国人民代表大会",
        datetime.date(2020, 5, 28),
        "unverified",
    ),
}

P, J, C = PARTY_RULES_2014, INTERNSHIP_RULES_2021, CIVIL_CODE
_RULES = [
    # --- 发展党员: the recruitment pipeline ---------------------------------------------------
    Rule(
        "party.apply_min_age", P, None, lazy("An applicant is at least 18 years old."), 18, "years"
    ),
    Rule(
        "party.talk_within",
        P,
        None,
        lazy("The party organization talks with an applicant within one month of the application."),
        1,
        "months",
    ),
    Rule(
        "party.activist_channels",
        P,
        None,
        lazy(
            "Activists are chosen from applicants recommended by party members, by mass organizations (such as the Youth League) and other channels, by decision of the branch committee."
        ),
    ),
    Rule(
        "party.activist_filing",
        P,
        None,
        lazy("A new activist is reported to the higher party committee for filing."),
    ),
    Rule(
        "party.contacts",
        P,
        None,
        lazy("One or two full party members are assigned as an activist's cultivation contacts."),
        2,
        "people",
    ),
    Rule(
        "party.review_every",
        P,
        None,
        lazy("The party branch reviews each activist every six months."),
        6,
        "months",
        adjustable=True,
    ),
    Rule(
        "party.target_after",
        P,
        None,
        lazy(
            "An activist educated and reviewed for more than one year may become a development target."
        ),
        12,
        "months",
    ),
    Rule(
        "party.target_filing",
        P,
        None,
        lazy("A new development target is reported to the higher party committee for filing."),
    ),
    Rule(
        "party.political_review",
        P,
        None,
        lazy("A development target's political review is done before the branch meeting."),
    ),
    Rule(
        "party.training_days",
        P,
        None,
        lazy(
            "A development target's concentrated training lasts at least 3 days or 24 class hours."
        ),
        3,
        "days",
    ),
    Rule(
        "party.training_hours",
        P,
        None,
        lazy(
            "A development target's concentrated training lasts at least 3 days or 24 class hours."
        ),
        24,
        "hours",
    ),
    Rule(
        "party.introducers",
        P,
        None,
        lazy("A development target has two introducers, both full party members."),
        2,
        "people",
    ),
    Rule(
        "party.pre_review",
        P,
        None,
        lazy(
            "The higher party committee pre-reviews a development target before the branch meeting."
        ),
    ),
    Rule(
        "party.volunteer_form",
        P,
        None,
        lazy(
            "After the pre-review, the development target fills in the application form (入党志愿书)."
        ),
    ),
    Rule(
        "party.vote_present",
        P,
        None,
        lazy(
            "A branch meeting on admission or conversion needs more than half of the members entitled to vote present."
        ),
    ),
    Rule(
        "party.vote_in_favour",
        P,
        None,
        lazy(
            "Admission or conversion needs the votes of more than half of the full members entitled to vote."
        ),
    ),
    Rule(
        "party.approval_within",
        P,
        None,
        lazy("The higher party committee approves within three months of the branch meeting."),
        3,
        "months",
    ),
    Rule(
        "party.approval_latest",
        P,
        None,
        lazy("In special cases the approval may take longer, but not more than six months."),
        6,
        "months",
    ),
    Rule("party.oath", P, None, lazy("A probationary member takes the oath after the approval.")),
    Rule(
        "party.probation",
        P,
        None,
        lazy("Probation lasts one year from the day the branch meeting admits the member."),
        12,
        "months",
    ),
    Rule(
        "party.extension_min",
        P,
        None,
        lazy("Probation may be extended once, by at least six months and at most one year."),
        6,
        "months",
    ),
    Rule(
        "party.extension_max",
        P,
        None,
        lazy("Probation may be extended once, by at least six months and at most one year."),
        12,
        "months",
    ),
    Rule("party.extension_once", P, None, lazy("Probation may be extended only once.")),
    Rule(
        "party.cancel_probation",
        P,
        None,
        lazy(
            "A probationary member who does not meet the conditions of membership has the probationary membership cancelled."
        ),
    ),
    Rule(
        "rules.day_counting",
        C,
        None,
        lazy(
            "A period of months ends on the same day of the last month (the month's last day when it has no such day); its first day is the day after the event."
        ),
    ),
    # --- 实习: placements -----------------------------------------------------------------------
    Rule(
        "placement.kinds",
        J,
        None,
        lazy("Internships are cognitive internships (认识实习) or post internships (岗位实习)."),
    ),
    Rule(
        "placement.first_year_no_post",
        J,
        None,
        lazy("First-year students are not placed in post internships."),
    ),
    Rule(
        "placement.min_age",
        J,
        None,
        lazy("No student under 16 is placed in a post internship."),
        16,
        "years",
    ),
    Rule(
        "placement.guardian_consent",
        J,
        None,
        lazy("A student under 18 needs the guardian's informed consent before the internship."),
        18,
        "years",
    ),
    Rule(
        "placement.agreement_before_start",
        J,
        None,
        lazy("The tripartite internship agreement is signed before the internship starts."),
    ),
    Rule(
        "placement.insurance",
        J,
        None,
        lazy("Internship liability insurance covers the whole internship."),
    ),
    Rule(
        "placement.enterprise_share",
        J,
        None,
        lazy("Interns at one enterprise at the same time are at most 10% of its employees."),
        10,
        "percent",
        adjustable=True,
    ),
    Rule(
        "placement.post_share",
        J,
        None,
        lazy("Interns on one post at the same time are at most 20% of that post's staff."),
        20,
        "percent",
        adjustable=True,
    ),
    Rule(
        "placement.pay_floor",
        J,
        None,
        lazy("A post intern's pay is in principle not below 80% of the same post's wage."),
        80,
        "percent",
    ),
    Rule("placement.daily_hours", J, None, lazy("Interns work at most 8 hours a day."), 8, "hours"),
    Rule(
        "placement.weekly_hours",
        J,
        None,
        lazy("Interns work at most 40 hours a week."),
        40,
        "hours",
    ),
    Rule(
        "placement.no_overtime",
        J,
        None,
        lazy("Interns are not placed on overtime or night shifts."),
    ),
    Rule(
        "placement.forbidden_work",
        J,
        None,
        lazy("Interns are not placed in the venues and kinds of work the rules forbid."),
    ),
    Rule("placement.no_fees", J, None, lazy("No fee is charged to an intern for the internship.")),
    Rule(
        "placement.both_mentors",
        J,
        None,
        lazy("A post intern has a college mentor and an enterprise mentor."),
    ),
    Rule(
        "placement.post_six_months",
        J,
        None,
        lazy("A post internship generally lasts six months."),
        6,
        "months",
    ),
    Rule(
        "placement.order_class_match",
        J,
        None,
        lazy(
            "An order class takes students of its majors and cohort; an exception needs a recorded reason."
        ),
    ),
]
RULES: dict[str, Rule] = {found.key: found for found in _RULES}


def rule(key: str) -> Rule:
    return RULES[key]


def citation(key: str) -> str:
    """Where a rule comes from, as a refusal cites it: 《…》（2014）第七条."""
    found = RULES[key]
    source = SOURCES[found.source]
    return f"{source.title}（{source.version}）{found.article or ''}"


def cited(key: str, message: str) -> str:
    """A refusal's message followed by the rule it enforces."""
    return _("%(message)s (%(citation)s)", message=message, citation=citation(key))


def default_numbers() -> dict[str, int]:
    """Every rule's own number, as its text sets it."""
    return {key: found.value for key, found in RULES.items() if found.value is not None}


async def current_numbers() -> Mapping[str, int]:
    """The numbers in force: the text's own, or a coordinator's stricter setting."""
    return default_numbers()
