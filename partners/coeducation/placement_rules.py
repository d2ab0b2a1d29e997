"""The rules of 《职业学校学生实习管理规定》(2021) for placements, as pure functions.

Each check reads what a placement records (its internship kind, dates, agreement, insurance,
head-counts, pay, hours, work type) and raises `Refused` naming the form field the message
belongs to, citing the rule book (portal.rulebook) by key. Numbers come from a `numbers`
mapping (the rule book's defaults unless a transaction passes `current_numbers()`).
partners.coeducation.participations runs them inside its transactions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from partners.coeducation.tables import AgreementParty, InternshipKind, ParticipationKind
from portal.dates import add_months, age_on
from portal.domain_errors import FORM, Refused
from portal.i18n import _
from portal.rulebook import cited, default_numbers

# 第十六条: no internship at commercial entertainment venues (bars, nightclubs, KTV, ...).
FORBIDDEN_VENUES = frozenset({"entertainment_venue"})
# 第十六条/第十七条: the kinds of work no intern does (high-risk work: 高空、井下、放射性、有毒、
# 易燃易爆; physical labour of intensity III or above).
FORBIDDEN_WORK_TYPES = frozenset({"high_risk", "heavy_labour"})
MINOR_FORBIDDEN_WORK_TYPES = frozenset({"minor_forbidden"})  # 《未成年工特殊保护规定》
FEMALE_FORBIDDEN_WORK_TYPES = frozenset({"female_forbidden"})  # 《女职工劳动保护特别规定》
SCHOOL_YEAR_STARTS = (9, 1)  # a cohort's second year starts on 1 September a year after entry


def is_post_internship(kind: str, internship_kind: str) -> bool:
    """岗位实习: a placement marked so (a placement from before kinds were recorded counts as
    one, as training-base placements always were), or any membership marked 岗位实习."""
    if internship_kind:
        return internship_kind == InternshipKind.post.value
    return kind == ParticipationKind.placement.value


# --- (1) first-year students ------------------------------------------------------------------


def in_first_year(cohort_year: int, day: datetime.date) -> bool:
    """A student of the given cohort (入学年份) is in the first year until 31 August after."""
    month, first = SCHOOL_YEAR_STARTS
    return day < datetime.date(cohort_year + 1, month, first)


def check_not_first_year(cohort_year: int, starts_on: datetime.date) -> None:
    """First-year students are not placed in 岗位实习."""
    if in_first_year(cohort_year, starts_on):
        raise Refused.at(
            "internship_kind",
            cited(
                "placement.first_year_no_post",
                _(
                    "The student is in the first year on the start date: first-year students "
                    "are not placed in post internships (a cognitive internship is allowed)."
                ),
            ),
        )


# --- (2) age and the guardian's consent -------------------------------------------------------


def check_minimum_age(
    birth_date: datetime.date | None,
    starts_on: datetime.date,
    numbers: Mapping[str, int] | None = None,
) -> None:
    """No student under 16 is placed in 岗位实习; the birth date must be known to tell."""
    minimum = (numbers or default_numbers())["placement.min_age"]
    if birth_date is None:
        raise Refused.at(
            "student_no",
            cited(
                "placement.min_age",
                _(
                    "Record the student's birth date first: interns must be at least %(age)s.",
                    age=minimum,
                ),
            ),
        )
    if age_on(birth_date, starts_on) < minimum:
        raise Refused.at(
            "starts_on",
            cited(
                "placement.min_age",
                _(
                    "The student is under %(age)s on the start date: placements of students "
                    "under %(age)s are not allowed.",
                    age=minimum,
                ),
            ),
        )


def is_minor(
    birth_date: datetime.date | None,
    on: datetime.date,
    numbers: Mapping[str, int] | None = None,
) -> bool:
    """Under 18 on the day (an unknown birth date is treated as a minor's: ask for consent)."""
    adult = (numbers or default_numbers())["placement.guardian_consent"]
    return birth_date is None or age_on(birth_date, on) < adult


def has_guardian_consent(minor: bool, guardian_consent_on: datetime.date | None) -> bool:
    """A minor's placement becomes active only once the guardian's informed consent is
    recorded; an adult needs none."""
    return not minor or guardian_consent_on is not None


def check_consent_date(guardian_consent_on: datetime.date | None, starts_on: datetime.date) -> None:
    """The guardian consents before the internship, not after it started."""
    if guardian_consent_on is not None and guardian_consent_on > starts_on:
        raise Refused.at(
            "guardian_consent_on",
            cited(
                "placement.guardian_consent",
                _("The guardian's consent must be given on or before the start date."),
            ),
        )


# --- (3) agreement and insurance --------------------------------------------------------------


def parse_parties(raw: str) -> frozenset[str]:
    return frozenset(part for part in raw.split(",") if part)


def required_parties(minor: bool) -> list[str]:
    """School, enterprise and student sign; a minor's guardian too."""
    parties = [AgreementParty.school, AgreementParty.enterprise, AgreementParty.student]
    if minor:
        parties.append(AgreementParty.guardian)
    return [party.value for party in parties]


def check_agreement(
    agreement_signed_on: datetime.date | None,
    parties: frozenset[str],
    starts_on: datetime.date,
    minor: bool,
) -> None:
    """The tripartite agreement is signed on or before the start date, by every party."""
    if agreement_signed_on is None:
        return
    if agreement_signed_on > starts_on:
        raise Refused.at(
            "agreement_signed_on",
            cited(
                "placement.agreement_before_start",
                _("The placement agreement must be signed on or before the start date."),
            ),
        )
    missing = [party for party in required_parties(minor) if party not in parties]
    if missing:
        raise Refused.at(
            "agreement_parties",
            cited(
                "placement.agreement_before_start",
                _(
                    "The agreement is signed by the school, the enterprise and the student, "
                    "and by the guardian of a student under 18: record every party."
                ),
            ),
        )


def insurance_covers(
    insurance_starts_on: datetime.date | None,
    insurance_ends_on: datetime.date | None,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
) -> bool:
    """The policy period covers every day of the placement (an open policy end runs on)."""
    if insurance_starts_on is None or insurance_starts_on > starts_on:
        return False
    if insurance_ends_on is None:
        return True
    return ends_on is not None and insurance_ends_on >= ends_on


def check_insurance(
    policy_no: str,
    insurance_starts_on: datetime.date | None,
    insurance_ends_on: datetime.date | None,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
) -> None:
    """A recorded policy has its period, and the period covers the placement's dates."""
    if not policy_no and insurance_starts_on is None and insurance_ends_on is None:
        return
    if not insurance_covers(insurance_starts_on, insurance_ends_on, starts_on, ends_on):
        raise Refused.at(
            "insurance_starts_on",
            cited(
                "placement.insurance",
                _(
                    "The liability insurance must cover the whole placement: record a policy "
                    "period from the start date (or earlier) to the end date (or later)."
                ),
            ),
        )


# --- (4) head-count shares --------------------------------------------------------------------

Period = tuple[datetime.date, datetime.date | None]


def overlaps(a: Period, b: Period) -> bool:
    """True when two periods share a day; an open end runs on forever."""
    return (b[1] is None or a[0] <= b[1]) and (a[1] is None or b[0] <= a[1])


def peak_overlap(period: Period, others: Iterable[Period]) -> int:
    """The most other placements present on any one day of `period`: the count the shares
    are checked against (placements that never meet this one's dates do not count)."""
    meeting = [other for other in others if overlaps(period, other)]
    days = {period[0], *(other[0] for other in meeting if other[0] >= period[0])}
    return max(
        (sum(1 for other in meeting if overlaps((day, day), other)) for day in days), default=0
    )


def check_enterprise_share(
    employee_count: int, interns: int, numbers: Mapping[str, int] | None = None
) -> None:
    """Interns at one enterprise at the same time are at most 10% of its employees."""
    percent = (numbers or default_numbers())["placement.enterprise_share"]
    if employee_count <= 0:
        raise Refused.at(
            FORM,
            cited(
                "placement.enterprise_share",
                _(
                    "The enterprise's number of employees is not recorded: record the "
                    "headcount first: interns may be at most %(percent)s%% of it.",
                    percent=percent,
                ),
            ),
        )
    if (interns + 1) * 100 > employee_count * percent:
        raise Refused.at(
            FORM,
            cited(
                "placement.enterprise_share",
                _(
                    "The enterprise already hosts %(count)s interns at the same time: at most "
                    "%(percent)s%% of its %(employees)s employees (%(limit)s) may be placed.",
                    count=interns,
                    percent=percent,
                    employees=employee_count,
                    limit=employee_count * percent // 100,
                ),
            ),
        )


def check_post_share(
    post_headcount: int | None, interns: int, numbers: Mapping[str, int] | None = None
) -> None:
    """Interns on one post at the same time are at most 20% of that post's staff."""
    percent = (numbers or default_numbers())["placement.post_share"]
    if not post_headcount:
        raise Refused.at(
            "post_headcount",
            cited(
                "placement.post_share",
                _(
                    "Record the number of staff on this post: interns may be at most "
                    "%(percent)s%% of it.",
                    percent=percent,
                ),
            ),
        )
    if (interns + 1) * 100 > post_headcount * percent:
        raise Refused.at(
            "post_headcount",
            cited(
                "placement.post_share",
                _(
                    "This post already has %(count)s interns at the same time: at most "
                    "%(percent)s%% of its %(staff)s staff (%(limit)s) may be interns.",
                    count=interns,
                    percent=percent,
                    staff=post_headcount,
                    limit=post_headcount * percent // 100,
                ),
            ),
        )


# --- (6) fees and pay -------------------------------------------------------------------------


def check_no_fee(fee: int) -> None:
    """No fee of any kind is charged to an intern."""
    if fee:
        raise Refused.at(
            "fee",
            cited(
                "placement.no_fees",
                _("No fee may be charged to a student for an internship: record 0."),
            ),
        )


def pay_warning(
    monthly_pay: int | None, post_wage: int | None, numbers: Mapping[str, int] | None = None
) -> str | None:
    """A warning (not a refusal: the text says 'in principle') when a post intern's pay is
    below 80% of the same post's wage."""
    percent = (numbers or default_numbers())["placement.pay_floor"]
    if monthly_pay is None or not post_wage or monthly_pay * 100 >= post_wage * percent:
        return None
    return cited(
        "placement.pay_floor",
        _(
            "The pay of %(pay)s yuan is below %(percent)s%% of the post's wage of %(wage)s "
            "yuan (%(floor)s yuan).",
            pay=monthly_pay,
            percent=percent,
            wage=post_wage,
            floor=-(-post_wage * percent // 100),
        ),
    )


# --- (7) hours --------------------------------------------------------------------------------


def check_hours(
    daily_hours: int | None,
    weekly_hours: int | None,
    night_shifts: bool,
    overtime: bool,
    numbers: Mapping[str, int] | None = None,
) -> None:
    """At most 8 hours a day and 40 a week; no overtime and no night shifts."""
    limits = numbers or default_numbers()
    if daily_hours is not None and daily_hours > limits["placement.daily_hours"]:
        raise Refused.at(
            "daily_hours",
            cited(
                "placement.daily_hours",
                _(
                    "Interns work at most %(hours)s hours a day.",
                    hours=limits["placement.daily_hours"],
                ),
            ),
        )
    if weekly_hours is not None and weekly_hours > limits["placement.weekly_hours"]:
        raise Refused.at(
            "weekly_hours",
            cited(
                "placement.weekly_hours",
                _(
                    "Interns work at most %(hours)s hours a week.",
                    hours=limits["placement.weekly_hours"],
                ),
            ),
        )
    if night_shifts or overtime:
        field = "night_shifts" if night_shifts else "overtime"
        raise Refused.at(
            field,
            cited(
                "placement.no_overtime",
                _("Interns may not be placed on night shifts or work overtime."),
            ),
        )


# --- (8) forbidden work -----------------------------------------------------------------------


def check_work_type(work_type: str, minor: bool, female: bool) -> None:
    """The venues and kinds of work the text forbids: for every intern, for minors, for
    female students."""
    if work_type in FORBIDDEN_VENUES:
        raise Refused.at(
            "work_type",
            cited(
                "placement.forbidden_venues",
                _("Students may not be placed in commercial entertainment venues."),
            ),
        )
    forbidden = (
        work_type in FORBIDDEN_WORK_TYPES
        or (minor and work_type in MINOR_FORBIDDEN_WORK_TYPES)
        or (female and work_type in FEMALE_FORBIDDEN_WORK_TYPES)
    )
    if forbidden:
        raise Refused.at(
            "work_type",
            cited(
                "placement.forbidden_work",
                _("Students may not be placed in this kind of work or venue."),
            ),
        )


def check_no_agency(through_agency: bool) -> None:
    """No internship is organized or managed through an agency or paid intermediary."""
    if through_agency:
        raise Refused.at(
            "through_agency",
            cited(
                "placement.no_agency",
                _("Internships may not be arranged through agencies or paid intermediaries."),
            ),
        )


# --- (10) six months --------------------------------------------------------------------------


def six_months_end(
    starts_on: datetime.date, numbers: Mapping[str, int] | None = None
) -> datetime.date:
    """The last day of six months counted from the start day inclusive: the day before the
    same day six months later (03-01 → 08-31, 09-01 → 02-28); when that month has no such day,
    its last day (08-31 → 02-28), as portal.dates.add_months clamps."""
    months = (numbers or default_numbers())["placement.post_six_months"]
    same_day = add_months(starts_on, months)
    if same_day.day != starts_on.day:  # clamped to the month's last day
        return same_day
    return same_day - datetime.timedelta(days=1)


def runs_beyond_six_months(
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    numbers: Mapping[str, int] | None = None,
) -> bool:
    """A 岗位实习 that ends after its six months (counted inclusively) earns a warning: the
    text says 'generally six months', so exactly six months is fine and more is not refused.
    An open end is warned about separately (`open_end_warning`)."""
    return ends_on is not None and ends_on > six_months_end(starts_on, numbers)


def open_end_warning() -> str:
    """A post internship without an end date cannot be told to keep to six months."""
    return cited(
        "placement.post_six_months",
        _(
            "This post internship has no end date: post internships generally last six "
            "months; record the planned end date."
        ),
    )
