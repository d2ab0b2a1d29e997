"""The rule book (规则库): every time and count rule the portal enforces, as data — its
number, the text it comes from (title, version, issuing body, date), the article, and the
sentence it enforces in our own words — so refusals and the rule text above each form cite
it from one place, and docs/rules.md lists the same entries.

Areas cite rules by key (`citation("party.talk_within")`) and read numbers through
`current_numbers()`: a number marked adjustable may be set stricter by a coordinator (a
setting with history, table portal_rule_setting); everything else is the text's own number.
The party rules have two versions (2014 and the May 2026 revision); which one is in force is
a setting too, and citations of party rules name the active version.

Articles are those of the texts as verified (see `Source.verified` and docs/rules.md); an
article we could not verify is None and shows as "unverified", never as a guess.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import HTTPConnection

from portal.audit import Actor, audited_write
from portal.cache import MISSING, GenerationCache, current_engine, generation
from portal.domain_errors import FieldError, raise_refusals
from portal.i18n import _, lazy
from portal.tables import RuleSetting

Stricter = Literal["lower", "higher"]


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
    # Which way is stricter for an adjustable number: "lower" for a maximum or a deadline
    # (10% → 8%, within 1 month → within 20 days is not expressible: months stay whole),
    # "higher" for a minimum (3 days of training → 5).
    stricter: Stricter | None = None
    evidence: str = ""  # where the article and wording were seen (URLs), for docs/rules.md
    notes: tuple[str, ...] = field(default=())  # what docs/rules.md adds (not shown to users)


PARTY_RULES_2014 = "party_rules_2014"
PARTY_RULES_2026 = "party_rules_2026"
INTERNSHIP_RULES_2021 = "internship_rules_2021"
CIVIL_CODE = "civil_code_2020"
COLLEGE = "college"

# Pages read on 2026-11-30 (the `search` tool's stored copies of public pages).
CSIS_2014 = (
    "https://interpret.csis.org/translations/"
    "detailed-rules-for-the-development-of-party-members-of-the-communist-party-of-china/"
)
PEOPLE_2026 = "http://dangjian.people.com.cn/n1/2026/0519/c117092-40722675.html"
PEOPLE_2026_COPY = (
    "https://sinocism.notion.site/Doing-Party-Member-Development-Work-to-a-High-Standard-and-"
    "High-Quality-A-Person-in-Charge-of-the--36584ece41d781258cdcda168a5f8fed"
)
MOE_2021 = "http://www.moe.gov.cn/srcsite/A07/moe_737/s3876_qt/202201/t20220121_595529.html"
ESTS_2021 = "https://wechat.estsglobal.com/wechat/law_contents/"  # + 342 (第二条), 348, 350
CIVIL_CODE_PAGES = (
    "https://neixun.cn/peixun/ldbj/sangongliuyuanqishierfei/sangongliuyuanqishierfei_057.htm, "
    "http://www.chinalegal.news/teksty/mingfa-zongze-text/ischislenie-srokov/, "
    "http://www.dandonglaw.com/news/618.html"
)
# Third-party pages quoting the 2014 text with its article numbers.
QUOTE_5_7_8 = (
    "http://faxianbang.com/n1018330/n1018433/c1054313/content.html (English, Articles 1-5); "
    "http://couxd.com/partyinfo.aspx?id=10561 (pinyin text, diwutiao-dibatiao = 第五条～第八条); "
    "https://jiaoxuezhishi.com/riyuxuexi/9kffb5pvkp.html (Spanish, Artículos 6, 8 and 13)"
)
QUOTE_13_17 = "https://w.sf024.com/info/347697934.html (第十三条, 第十七条 quoted)"
QUOTE_17_19 = "https://m.taodocs.com/p-675933586.html (第十七条～第二十条 quoted)"
QUOTE_19_20 = "https://88.wendadaohang.com/zd/MVKtSVStK1accKSBcSa.html (第十九条, 第二十条)"
QUOTE_21_33 = "https://33.wendadaohang.com/zd/400cdRhdc.html (第二十一条, 第三十三条)"
QUOTE_32 = "https://www.51dongshi.net/wzztf/rvadc/rvadcsdvd (第三十二条 quoted)"
QUOTE_APPROVAL = (
    "http://www.tccu.edu.cn/wgy/2019/0517/c2280a17618/page.htm, "
    "http://www.examzz.com/file/rudang/chengxu/20130624/121009765-2.html (no article number)"
)

SOURCES: dict[str, Source] = {
    PARTY_RULES_2014: Source(
        PARTY_RULES_2014,
        "《中国共产党发展党员工作细则》",
        "2014",
        "中共中央办公厅",
        datetime.date(2014, 6, 10),
        "Articles checked 2026-11-30 against the bilingual text at "
        + CSIS_2014
        + " (its opening articles) and third-party pages quoting articles with their numbers "
        "(listed per rule in docs/rules.md). The full text could not be fetched in one piece: "
        "rules whose article number was not seen quoted carry no article.",
    ),
    PARTY_RULES_2026: Source(
        PARTY_RULES_2026,
        "《中国共产党发展党员工作细则》",
        "2026",
        "中共中央办公厅",
        datetime.date(2026, 5, 18),
        "unverified: on 2026-11-30 only the Central Organization Department's interview on the "
        "revision (人民日报 2026-05-19, "
        + PEOPLE_2026
        + ", English copy "
        + PEOPLE_2026_COPY
        + ") was found; the revised text and its article numbers were not. No article of the "
        "2026 version is cited.",
    ),
    INTERNSHIP_RULES_2021: Source(
        INTERNSHIP_RULES_2021,
        "《职业学校学生实习管理规定》",
        "2021",
        "教育部等八部门（教职成〔2021〕4号）",
        datetime.date(2021, 12, 31),
        "Articles 2, 16 and 18 checked 2026-11-30 against the bilingual article pages at "
        + ESTS_2021
        + "342, 348 and 350 (official text: "
        + MOE_2021
        + ", not fetched). Other numbers are confirmed by news reports and provincial rules "
        "implementing the text, without article numbers.",
    ),
    CIVIL_CODE: Source(
        CIVIL_CODE,
        "《中华人民共和国民法典》",
        "2020",
        "全国人民代表大会",
        datetime.date(2020, 5, 28),
        "第二百零一条～第二百零四条 checked 2026-11-30 on " + CIVIL_CODE_PAGES + ".",
    ),
    COLLEGE: Source(
        COLLEGE,
        "本校规定",
        "",
        "本校",
        None,
        "the college's own rule (a project's terms), not a public text",
    ),
}

P, J, C = PARTY_RULES_2014, INTERNSHIP_RULES_2021, CIVIL_CODE
_RULES = [
    # --- 发展党员: the recruitment pipeline ---------------------------------------------------
    Rule(
        "party.apply_min_age",
        P,
        "第五条",
        lazy("An applicant is at least 18 years old."),
        18,
        "years",
        evidence=QUOTE_5_7_8,
    ),
    Rule(
        "party.talk_within",
        P,
        "第七条",
        lazy(
            "The party organization sends someone to talk with an applicant within one month "
            "of receiving the application."
        ),
        1,
        "months",
        evidence=QUOTE_5_7_8,
    ),
    Rule(
        "party.activist_channels",
        P,
        "第八条",
        lazy(
            "Activists are chosen from applicants through recommendation by party members, "
            "recommendation by mass organizations (群团组织推优) and similar channels (等), by "
            "decision of the branch committee."
        ),
        evidence=QUOTE_5_7_8,
    ),
    Rule(
        "party.activist_filing",
        P,
        "第八条",
        lazy("A new activist is reported to the higher party committee for filing."),
        evidence=QUOTE_5_7_8,
    ),
    Rule(
        "party.contacts",
        P,
        None,
        lazy("One or two full party members are assigned as an activist's cultivation contacts."),
        2,
        "people",
        notes=("Wording seen in pages quoting the text; the article number was not seen.",),
    ),
    Rule(
        "party.review_every",
        P,
        None,
        lazy("The party branch reviews each activist every six months."),
        6,
        "months",
        adjustable=True,
        stricter="lower",
        notes=(
            "Wording (党支部每半年对入党积极分子进行一次考察) seen without its article number.",
        ),
    ),
    Rule(
        "party.target_after",
        P,
        "第十三条",
        lazy(
            "An activist educated and reviewed for one year or more (一年以上) may become a "
            "development target."
        ),
        12,
        "months",
        evidence=QUOTE_13_17,
    ),
    Rule(
        "party.target_filing",
        P,
        "第十三条",
        lazy("A new development target is reported to the higher party committee for filing."),
        evidence=QUOTE_13_17,
    ),
    Rule(
        "party.political_review",
        P,
        None,
        lazy(
            "A development target's political review is done and concluded before admission; "
            "no one is admitted without it."
        ),
        notes=("Seen as the sentence just before 第十七条 (so probably 第十六条), not numbered.",),
    ),
    Rule(
        "party.training_days",
        P,
        "第十七条",
        lazy(
            "A development target's concentrated training lasts in general at least 3 days "
            "(or at least 24 class hours)."
        ),
        3,
        "days",
        adjustable=True,
        stricter="higher",
        evidence=QUOTE_13_17 + "; " + QUOTE_17_19,
    ),
    Rule(
        "party.training_hours",
        P,
        "第十七条",
        lazy(
            "A development target's concentrated training lasts in general at least 3 days "
            "(or at least 24 class hours)."
        ),
        24,
        "hours",
        adjustable=True,
        stricter="higher",
        evidence=QUOTE_13_17 + "; " + QUOTE_17_19,
    ),
    Rule(
        "party.introducers",
        P,
        None,
        lazy("A development target has two introducers, both full party members."),
        2,
        "people",
        notes=("Also 《中国共产党章程》第五条; the article of the Rules was not seen.",),
    ),
    Rule(
        "party.pre_review",
        P,
        "第十九条",
        lazy(
            "After the branch committee's review, the party committee with the power of "
            "approval pre-reviews a development target before the branch meeting."
        ),
        evidence=QUOTE_17_19 + "; " + QUOTE_19_20,
    ),
    Rule(
        "party.volunteer_form",
        P,
        "第十九条",
        lazy(
            "A development target who passes the pre-review is given the application form "
            "(入党志愿书) to fill in."
        ),
        evidence=QUOTE_17_19 + "; " + QUOTE_19_20,
    ),
    Rule(
        "party.leaving_soon",
        P,
        "第十九条",
        lazy(
            "A development target who will leave the college within three months is in general "
            "not admitted as a probationary member there."
        ),
        3,
        "months",
        evidence=QUOTE_17_19 + "; " + QUOTE_19_20,
    ),
    Rule(
        "party.vote_present",
        P,
        "第二十条",
        lazy(
            "At the branch meeting on admission, those present with a vote must be more than "
            "half of those entitled to vote who should attend."
        ),
        evidence=QUOTE_19_20,
    ),
    Rule(
        "party.vote_in_favour",
        P,
        "第二十一条",
        lazy(
            "Admission needs votes in favour from more than half of the full members entitled "
            "to vote who should attend, by secret ballot."
        ),
        evidence=QUOTE_21_33,
    ),
    Rule(
        "party.written_votes",
        P,
        "第二十一条",
        lazy(
            "A full member entitled to vote who cannot attend and gives a written opinion to "
            "the branch before the meeting is counted in the votes."
        ),
        evidence=QUOTE_21_33,
    ),
    Rule(
        "party.vote_one_by_one",
        P,
        "第二十一条",
        lazy("Two or more development targets are discussed and voted on one by one."),
        evidence=QUOTE_21_33,
    ),
    Rule(
        "party.approval_within",
        P,
        None,
        lazy(
            "The higher party committee approves the branch meeting's admission within three "
            "months."
        ),
        3,
        "months",
        adjustable=True,
        stricter="lower",
        evidence=QUOTE_APPROVAL,
        notes=("The wording is quoted by several pages; its article number was not seen.",),
    ),
    Rule(
        "party.approval_latest",
        P,
        None,
        lazy(
            "In special circumstances the approval time may be extended, but not beyond six months."
        ),
        6,
        "months",
        evidence=QUOTE_APPROVAL,
        notes=("The wording is quoted by several pages; its article number was not seen.",),
    ),
    Rule(
        "party.oath",
        P,
        None,
        lazy("A probationary member takes the oath facing the party flag."),
        notes=("Also 《中国共产党章程》第六条; the article of the Rules was not seen.",),
    ),
    Rule(
        "party.probation",
        P,
        "第三十二条",
        lazy(
            "Probation lasts one year, counted from the day the branch meeting admits the "
            "probationary member."
        ),
        12,
        "months",
        evidence=QUOTE_32,
    ),
    Rule(
        "party.extension_min",
        P,
        "第三十二条",
        lazy(
            "Probation may be extended once, by not less than half a year and at most one "
            "year (不能少于半年，最长不超过一年)."
        ),
        6,
        "months",
        evidence=QUOTE_32,
    ),
    Rule(
        "party.extension_max",
        P,
        "第三十二条",
        lazy(
            "Probation may be extended once, by not less than half a year and at most one "
            "year (不能少于半年，最长不超过一年)."
        ),
        12,
        "months",
        evidence=QUOTE_32,
    ),
    Rule(
        "party.extension_once",
        P,
        "第三十二条",
        lazy("Probation may be extended only once."),
        evidence=QUOTE_32,
    ),
    Rule(
        "party.cancel_probation",
        P,
        "第三十二条",
        lazy(
            "A probationary member who does not fulfil a member's duties or does not meet the "
            "conditions of membership has the probationary membership cancelled."
        ),
        evidence=QUOTE_32,
    ),
    Rule(
        "party.conversion_meeting",
        P,
        "第三十三条",
        lazy(
            "The branch meeting on conversion has the same requirements on those present and "
            "those in favour as the meeting on admission; the higher committee approves it."
        ),
        evidence=QUOTE_21_33,
    ),
    Rule(
        "rules.day_counting",
        C,
        "第二百零一条、第二百零二条",
        lazy(
            "A period of months starts the day after the event and ends on the corresponding "
            "day of the last month (that month's last day when it has no such day)."
        ),
        evidence=CIVIL_CODE_PAGES,
    ),
    Rule(
        "rules.holiday_deadline",
        C,
        "第二百零三条",
        lazy(
            "In civil law a period whose last day is a public holiday ends on the day after the "
            "holiday; the portal does not shift party-rule deadlines this way."
        ),
        evidence=CIVIL_CODE_PAGES,
    ),
    # --- 实习: placements -----------------------------------------------------------------------
    Rule(
        "placement.kinds",
        J,
        "第二条",
        lazy(
            "Internships are cognitive internships (认识实习: visiting and observing) or post "
            "internships (岗位实习: taking part in real work under guidance)."
        ),
        evidence=ESTS_2021 + "342",
    ),
    Rule(
        "placement.first_year_no_post",
        J,
        "第十六条",
        lazy("First-year students are not placed in or accepted for post internships."),
        evidence=ESTS_2021 + "348",
    ),
    Rule(
        "placement.min_age",
        J,
        "第十六条",
        lazy("No student under 16 is placed in or accepted for a post internship."),
        16,
        "years",
        evidence=ESTS_2021 + "348",
    ),
    Rule(
        "placement.guardian_consent",
        J,
        None,
        lazy(
            "A student under 18 needs the guardian's signed informed consent (知情同意书) "
            "before a post internship."
        ),
        18,
        "years",
        notes=(
            "Provincial rules implementing the 2021 text (Guangxi, Shaanxi) require consent "
            "signed by the student and the guardian for every post internship the school "
            "arranges; the national article was not seen.",
        ),
    ),
    Rule(
        "placement.agreement_before_start",
        J,
        None,
        lazy(
            "The tripartite internship agreement (school, enterprise, student) is signed "
            "before the internship starts; no internship without an agreement."
        ),
        notes=("Confirmed by news reports of the 2021 text, without the article number.",),
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
        lazy(
            "Post interns at one enterprise at the same time are at most 10 per cent of its "
            "employees on the job."
        ),
        10,
        "percent",
        adjustable=True,
        stricter="lower",
        notes=("Seen as 第九条 of the 2016 text; its article in the 2021 text was not seen.",),
    ),
    Rule(
        "placement.post_share",
        J,
        None,
        lazy(
            "Post interns on one post at the same time are at most 20 per cent of that post's "
            "staff on the job."
        ),
        20,
        "percent",
        adjustable=True,
        stricter="lower",
        notes=("Seen as 第九条 of the 2016 text; its article in the 2021 text was not seen.",),
    ),
    Rule(
        "placement.pay_floor",
        J,
        "第十八条",
        lazy(
            "A post intern who works relatively independently is in principle paid not less "
            "than 80 per cent of the enterprise's wage for the same post (or its lowest wage "
            "grade), in money, at least monthly."
        ),
        80,
        "percent",
        adjustable=True,
        stricter="higher",
        evidence=ESTS_2021 + "350",
    ),
    Rule(
        "placement.daily_hours",
        J,
        None,
        lazy("Interns work within the national working hours: at most 8 hours a day."),
        8,
        "hours",
        adjustable=True,
        stricter="lower",
        notes=(
            "The 8 and 40 hours are the national working hours the internship rules refer "
            "to; the article was not seen.",
        ),
    ),
    Rule(
        "placement.weekly_hours",
        J,
        None,
        lazy("Interns work within the national working hours: at most 40 hours a week."),
        40,
        "hours",
        adjustable=True,
        stricter="lower",
    ),
    Rule(
        "placement.no_overtime",
        J,
        None,
        lazy("Interns are not placed on overtime or night shifts."),
        notes=("Confirmed by news reports of the 2021 text, without the article number.",),
    ),
    Rule(
        "placement.forbidden_work",
        J,
        "第十六条",
        lazy(
            "Interns do not do work forbidden to minors or to women workers by the special "
            "protection rules, physical labour of intensity level III or above, or other "
            "work harmful to body and mind."
        ),
        evidence=ESTS_2021 + "348",
    ),
    Rule(
        "placement.forbidden_venues",
        J,
        "第十六条",
        lazy(
            "No internship at bars, nightclubs, karaoke halls, bath centres, video game "
            "arcades, internet cafés or other commercial entertainment venues."
        ),
        evidence=ESTS_2021 + "348",
    ),
    Rule(
        "placement.no_agency",
        J,
        "第十六条",
        lazy("Internships are not organized or managed through agencies or paid intermediaries."),
        evidence=ESTS_2021 + "348",
    ),
    Rule(
        "placement.no_fees",
        J,
        None,
        lazy(
            "No deposit, training fee, share of pay, management fee or any other internship "
            "fee is charged to a student."
        ),
        notes=("Confirmed by news reports of the 2021 text, without the article number.",),
    ),
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
        notes=("Confirmed by provincial rules implementing the 2021 text, not numbered.",),
    ),
    Rule(
        "placement.order_class_match",
        COLLEGE,
        None,
        lazy(
            "An order class takes students of its majors and cohort; an exception needs a "
            "recorded reason."
        ),
    ),
]
RULES: dict[str, Rule] = {found.key: found for found in _RULES}

# --- settings: the active version and stricter numbers -------------------------------------

PARTY_VERSION = "rules.party_version"  # the RuleSetting key of the active party rules' version
PARTY_VERSIONS: dict[int, str] = {2014: PARTY_RULES_2014, 2026: PARTY_RULES_2026}
DEFAULT_PARTY_VERSION = 2014
REASON_MAX_LENGTH = 300
HIGHEST_NUMBER = 10_000  # a sanity bound for "higher is stricter" numbers


def rule(key: str) -> Rule:
    return RULES[key]


def default_numbers() -> dict[str, int]:
    """Every rule's own number, as its text sets it."""
    return {key: found.value for key, found in RULES.items() if found.value is not None}


def adjustable_rules() -> list[Rule]:
    return [found for found in _RULES if found.adjustable]


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """What is in force: the numbers (the text's or a stricter setting) and the version of
    the party rules."""

    numbers: Mapping[str, int]
    party_version: int


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One row of the settings' history, as the rule book page lists it."""

    id: int
    rule_key: str
    value: int
    reason: str
    changed_by: str
    changed_at: datetime.datetime


_settings_cache = GenerationCache(max_entries=8)
# The version citations name: the one last read from the database in this process (every
# page that reads `current_numbers()` or `current_settings()` refreshes it).
_active_party_version = DEFAULT_PARTY_VERSION


async def _read_settings() -> RuleSettings:
    """The newest setting of each key, over the text's own numbers (one query)."""
    rows = await RuleSetting.select(RuleSetting.rule_key, RuleSetting.value).order_by(
        RuleSetting.id
    )
    numbers = default_numbers()
    version = DEFAULT_PARTY_VERSION
    for row in rows:  # oldest first: the newest of each key wins
        key, value = row["rule_key"], row["value"]
        if key == PARTY_VERSION and value in PARTY_VERSIONS:
            version = value
        elif key in RULES and RULES[key].adjustable:
            numbers[key] = value
    return RuleSettings(numbers=numbers, party_version=version)


async def current_settings(connection: HTTPConnection | None = None) -> RuleSettings:
    """The settings in force, read once per write generation (a page that asks many times
    costs one query at most; with a request, the generation is read once per request)."""
    global _active_party_version
    engine = current_engine()
    current = await (
        generation(connection) if connection is not None else engine.write_generation()
    )
    key = id(engine)
    settings = _settings_cache.get(key, current)
    if settings is MISSING:
        settings = await _read_settings()
        _settings_cache.put(key, current, settings)
    _active_party_version = settings.party_version
    return settings


async def current_numbers(connection: HTTPConnection | None = None) -> Mapping[str, int]:
    """The numbers in force: the text's own, or a coordinator's stricter setting."""
    return (await current_settings(connection)).numbers


def party_source_key(version: int | None = None) -> str:
    """The source of the party rules in force (the active version unless one is given)."""
    return PARTY_VERSIONS[version if version is not None else _active_party_version]


def source_of(key: str, version: int | None = None) -> Source:
    """The source a rule is cited from: party rules from the active version."""
    found = RULES[key]
    if found.source == PARTY_RULES_2014:
        return SOURCES[party_source_key(version)]
    return SOURCES[found.source]


def article_of(key: str, version: int | None = None) -> str | None:
    """The rule's article in the version cited; the 2026 articles are unverified (None)."""
    found = RULES[key]
    if found.source == PARTY_RULES_2014 and party_source_key(version) != PARTY_RULES_2014:
        return None
    return found.article


def citation(key: str, version: int | None = None) -> str:
    """Where a rule comes from, as a refusal cites it: 《…》（2014）第七条."""
    source = source_of(key, version)
    edition = f"（{source.version}）" if source.version else ""
    return f"{source.title}{edition}{article_of(key, version) or ''}"


def cited(key: str, message: str) -> str:
    """A refusal's message followed by the rule it enforces."""
    return _("%(message)s (%(citation)s)", message=message, citation=citation(key))


# --- changing the settings -----------------------------------------------------------------


def reason_errors(reason: str) -> list[FieldError]:
    if not reason.strip():
        return [
            FieldError("reason", _("Give the reason for the change (e.g. the provincial rule)."))
        ]
    if len(reason) > REASON_MAX_LENGTH:
        return [FieldError("reason", _("At most %(limit)s characters.", limit=REASON_MAX_LENGTH))]
    return []


def number_errors(key: str, value: int) -> list[FieldError]:
    """Why a number may not be set: a rule that is not adjustable, or a number looser than
    the text's (a setting may only be stricter)."""
    found = RULES.get(key)
    if found is None or not found.adjustable or found.value is None:
        return [FieldError("rule", _("This rule's number cannot be changed."))]
    if found.stricter == "lower" and not 1 <= value <= found.value:
        return [
            FieldError(
                "value",
                cited(
                    key,
                    _(
                        "The number may only be stricter than the text's: from 1 to %(limit)s.",
                        limit=found.value,
                    ),
                ),
            )
        ]
    if found.stricter == "higher" and not found.value <= value <= HIGHEST_NUMBER:
        return [
            FieldError(
                "value",
                cited(
                    key,
                    _(
                        "The number may only be stricter than the text's: at least %(limit)s.",
                        limit=found.value,
                    ),
                ),
            )
        ]
    return []


async def _add_setting(key: str, value: int, reason: str, actor: Actor) -> int:
    row: dict[str, Any] = {
        "rule_key": key,
        "value": value,
        "reason": reason.strip(),
        "changed_by": actor.user_id,
    }
    async with audited_write(actor) as audit:
        inserted = await RuleSetting.insert(RuleSetting(**row)).returning(RuleSetting.id)
        setting_id = int(inserted[0]["id"])
        await audit.created(
            RuleSetting,
            setting_id,
            row,
            _("Rule setting %(key)s = %(value)s", key=key, value=value),
        )
    return setting_id


async def set_number(key: str, value: int, reason: str, actor: Actor) -> int:
    """Sets an adjustable rule's number (stricter than the text's only), with its reason; the
    earlier settings stay in the history. Audited."""
    raise_refusals([*number_errors(key, value), *reason_errors(reason)])
    return await _add_setting(key, value, reason, actor)


async def set_party_version(version: int, reason: str, actor: Actor) -> int:
    """Makes a version of the party rules the one citations name. Audited."""
    errors = reason_errors(reason)
    if version not in PARTY_VERSIONS:
        errors.insert(0, FieldError("version", _("Choose one of the listed options.")))
    raise_refusals(errors)
    setting_id = await _add_setting(PARTY_VERSION, version, reason, actor)
    global _active_party_version
    _active_party_version = version  # this process cites it at once; others on their next read
    return setting_id


async def settings_history(limit: int = 200) -> list[SettingChange]:
    """The changes to the settings, newest first, with who made each."""
    rows = (
        await RuleSetting.select(
            RuleSetting.id,
            RuleSetting.rule_key,
            RuleSetting.value,
            RuleSetting.reason,
            RuleSetting.changed_at,
            RuleSetting.changed_by.username.as_alias("changed_by_name"),
        )
        .order_by(RuleSetting.id, ascending=False)
        .limit(limit)
    )
    return [
        SettingChange(
            id=row["id"],
            rule_key=row["rule_key"],
            value=row["value"],
            reason=row["reason"],
            changed_by=row["changed_by_name"] or "",
            changed_at=row["changed_at"],
        )
        for row in rows
    ]


UNITS: dict[str, str] = {
    "years": lazy("years"),
    "months": lazy("months"),
    "days": lazy("days"),
    "hours": lazy("hours"),
    "percent": lazy("per cent"),
    "people": lazy("people"),
}


@dataclass(frozen=True, slots=True)
class BookLine:
    """A rule as the rule book page shows it, with the number in force."""

    rule: Rule
    citation: str
    article: str | None
    current: int | None  # the number in force (the text's unless a stricter one is set)
    changed: bool  # a coordinator's setting is in force


def book(settings: RuleSettings) -> list[tuple[Source, list[BookLine]]]:
    """Every rule grouped by source (party rules under the active version), with its
    number in force and its citation."""
    groups: dict[str, list[BookLine]] = {}
    for found in _RULES:
        source = source_of(found.key, settings.party_version)
        current = settings.numbers.get(found.key)
        groups.setdefault(source.key, []).append(
            BookLine(
                rule=found,
                citation=citation(found.key, settings.party_version),
                article=article_of(found.key, settings.party_version),
                current=current,
                changed=current is not None and current != found.value,
            )
        )
    return [(SOURCES[key], lines) for key, lines in groups.items()]
