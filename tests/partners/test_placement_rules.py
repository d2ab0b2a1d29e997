"""《职业学校学生实习管理规定》(2021) for placements (issue 12, section 3): each rule a day
before, on and after its boundary, each refusal citing the text — pure checks without HTTP.
The rules and their sources are listed in docs/rules.md (keys placement.*)."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation import placement_rules as rules
from portal.domain_errors import FieldError, Refused
from portal.rulebook import default_numbers

D = datetime.date
TEXT = "职业学校学生实习管理规定"


def refusal(call, *args, **kwargs) -> FieldError:
    """The one message a rule refuses with; it must cite the text."""
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    [error] = refused.value.errors
    assert TEXT in error.message, error.message
    return error


# --- (1) kinds of internship; first-year students ------------------------------------------------


def test_a_placement_from_before_kinds_counts_as_a_post_internship():
    assert rules.is_post_internship("placement", "")
    assert rules.is_post_internship("placement", "post")
    assert not rules.is_post_internship("placement", "cognitive")
    assert not rules.is_post_internship("enrollment", "")
    assert rules.is_post_internship("enrollment", "post")  # an order class's 岗位实习


def test_first_year_students_are_not_placed_in_post_internships():
    # the 2025 cohort is in its first year until 31 August 2026
    assert refusal(rules.check_not_first_year, 2025, D(2026, 8, 31)).field == "internship_kind"
    rules.check_not_first_year(2025, D(2026, 9, 1))
    rules.check_not_first_year(2025, D(2026, 9, 2))
    assert rules.in_first_year(2025, D(2025, 9, 1))


# --- (2) age and consent ------------------------------------------------------------------------


def test_no_post_internship_under_16_cites_the_text():
    assert refusal(rules.check_minimum_age, D(2010, 9, 2), D(2026, 9, 1)).field == "starts_on"
    rules.check_minimum_age(D(2010, 9, 1), D(2026, 9, 1))  # the 16th birthday
    rules.check_minimum_age(D(2010, 8, 31), D(2026, 9, 1))
    assert refusal(rules.check_minimum_age, None, D(2026, 9, 1)).field == "student_no"


def test_the_minimum_age_comes_from_the_numbers_given():
    stricter = {**default_numbers(), "placement.min_age": 17}
    with pytest.raises(Refused, match="17"):
        rules.check_minimum_age(D(2009, 9, 2), D(2026, 9, 1), stricter)


def test_a_minor_needs_the_guardians_consent_before_the_placement_is_active():
    assert rules.is_minor(D(2008, 9, 2), D(2026, 9, 1))  # a day before the 18th birthday
    assert not rules.is_minor(D(2008, 9, 1), D(2026, 9, 1))  # on it
    assert not rules.is_minor(D(2008, 8, 31), D(2026, 9, 1))
    assert rules.is_minor(None, D(2026, 9, 1))
    assert not rules.has_guardian_consent(True, None)
    assert rules.has_guardian_consent(True, D(2026, 8, 1))
    assert rules.has_guardian_consent(False, None)


def test_consent_is_given_on_or_before_the_start():
    rules.check_consent_date(D(2026, 8, 31), D(2026, 9, 1))
    rules.check_consent_date(D(2026, 9, 1), D(2026, 9, 1))
    assert refusal(rules.check_consent_date, D(2026, 9, 2), D(2026, 9, 1)).field == (
        "guardian_consent_on"
    )


# --- (3) agreement and insurance ----------------------------------------------------------------

ADULT_PARTIES = frozenset({"school", "enterprise", "student"})


def test_the_agreement_is_signed_on_or_before_the_start_date():
    rules.check_agreement(D(2026, 8, 31), ADULT_PARTIES, D(2026, 9, 1), minor=False)
    rules.check_agreement(D(2026, 9, 1), ADULT_PARTIES, D(2026, 9, 1), minor=False)
    error = refusal(rules.check_agreement, D(2026, 9, 2), ADULT_PARTIES, D(2026, 9, 1), False)
    assert error.field == "agreement_signed_on"
    rules.check_agreement(None, frozenset(), D(2026, 9, 1), minor=False)  # pending, not refused


def test_every_party_signs_and_a_minors_guardian_too():
    missing = frozenset({"school", "enterprise"})
    error = refusal(rules.check_agreement, D(2026, 8, 1), missing, D(2026, 9, 1), False)
    assert error.field == "agreement_parties"
    refusal(rules.check_agreement, D(2026, 8, 1), ADULT_PARTIES, D(2026, 9, 1), True)
    rules.check_agreement(D(2026, 8, 1), ADULT_PARTIES | {"guardian"}, D(2026, 9, 1), True)
    assert rules.parse_parties("school,,student") == {"school", "student"}


@pytest.mark.parametrize(
    "policy,covered",
    [
        ((D(2026, 8, 31), D(2027, 1, 31)), True),
        ((D(2026, 9, 1), D(2027, 1, 31)), True),  # from the start day
        ((D(2026, 9, 2), D(2027, 1, 31)), False),  # a day late
        ((D(2026, 9, 1), D(2027, 1, 30)), False),  # ends a day early
        ((D(2026, 9, 1), D(2027, 2, 1)), True),
        ((D(2026, 9, 1), None), True),  # an open policy runs on
        ((None, D(2027, 1, 31)), False),
    ],
)
def test_insurance_covers_the_placements_dates(policy, covered):
    assert rules.insurance_covers(*policy, D(2026, 9, 1), D(2027, 1, 31)) is covered


def test_an_open_ended_placement_needs_an_open_policy():
    assert rules.insurance_covers(D(2026, 9, 1), None, D(2026, 9, 1), None)
    assert not rules.insurance_covers(D(2026, 9, 1), D(2030, 1, 1), D(2026, 9, 1), None)


def test_a_recorded_policy_must_cover_the_placement():
    rules.check_insurance("", None, None, D(2026, 9, 1), D(2027, 1, 31))  # not yet: pending
    rules.check_insurance("P-1", D(2026, 9, 1), D(2027, 1, 31), D(2026, 9, 1), D(2027, 1, 31))
    error = refusal(rules.check_insurance, "P-1", None, None, D(2026, 9, 1), D(2027, 1, 31))
    assert error.field == "insurance_starts_on"
    refusal(rules.check_insurance, "P-1", D(2026, 9, 2), None, D(2026, 9, 1), D(2027, 1, 31))


# --- (4) head-count shares ------------------------------------------------------------------------


def test_enterprise_share_at_most_ten_percent():
    rules.check_enterprise_share(100, 9)  # the 10th intern of 100 employees
    assert "10%" in refusal(rules.check_enterprise_share, 100, 10).message
    rules.check_enterprise_share(110, 10)
    assert refusal(rules.check_enterprise_share, 0, 0).field == "form"


def test_post_share_at_most_twenty_percent_of_the_posts_staff():
    rules.check_post_share(10, 1)  # the 2nd intern on a post of 10
    assert refusal(rules.check_post_share, 10, 2).field == "post_headcount"
    rules.check_post_share(15, 2)  # 3 of 15 = 20%
    assert refusal(rules.check_post_share, None, 0).field == "post_headcount"


def test_the_shares_count_only_placements_on_the_same_days():
    period = (D(2026, 9, 1), D(2027, 1, 31))
    ended_the_day_before = (D(2026, 3, 1), D(2026, 8, 31))
    ends_on_the_start = (D(2026, 3, 1), D(2026, 9, 1))
    starts_on_the_end = (D(2027, 1, 31), None)
    starts_the_day_after = (D(2027, 2, 1), None)
    assert rules.peak_overlap(period, [ended_the_day_before, starts_the_day_after]) == 0
    assert rules.peak_overlap(period, [ends_on_the_start]) == 1
    assert rules.peak_overlap(period, [starts_on_the_end]) == 1
    # two placements meeting this one's dates, but never each other: one at a time
    assert rules.peak_overlap(period, [ends_on_the_start, starts_on_the_end]) == 1
    assert rules.peak_overlap(period, [ends_on_the_start, (D(2026, 1, 1), None)]) == 2


# --- (6) fees and pay -----------------------------------------------------------------------------


def test_no_fee_is_charged():
    rules.check_no_fee(0)
    assert refusal(rules.check_no_fee, 1).field == "fee"


def test_pay_below_eighty_percent_of_the_post_wage_is_warned_not_refused():
    assert rules.pay_warning(3999, 5000) is not None  # 80% of 5000 is 4000
    assert rules.pay_warning(4000, 5000) is None
    assert rules.pay_warning(4001, 5000) is None
    warning = rules.pay_warning(3000, 5000)
    assert warning is not None and TEXT in warning and "4000" in warning
    assert rules.pay_warning(None, 5000) is None and rules.pay_warning(3000, None) is None


# --- (7) hours ------------------------------------------------------------------------------------


def test_hours_a_day_and_a_week():
    rules.check_hours(7, 35, False, False)
    rules.check_hours(8, 40, False, False)
    assert refusal(rules.check_hours, 9, 40, False, False).field == "daily_hours"
    assert refusal(rules.check_hours, 8, 41, False, False).field == "weekly_hours"
    rules.check_hours(None, None, False, False)


def test_no_night_shifts_and_no_overtime():
    assert refusal(rules.check_hours, 8, 40, True, False).field == "night_shifts"
    assert refusal(rules.check_hours, 8, 40, False, True).field == "overtime"


# --- (8) forbidden work ---------------------------------------------------------------------------


@pytest.mark.parametrize("work_type", ["entertainment_venue", "high_risk", "heavy_labour"])
def test_forbidden_venues_and_work_are_refused_for_everyone(work_type):
    assert refusal(rules.check_work_type, work_type, False, False).field == "work_type"


def test_work_forbidden_to_minors_and_to_women():
    rules.check_work_type("production", True, True)
    rules.check_work_type("", True, True)
    rules.check_work_type("minor_forbidden", False, True)
    refusal(rules.check_work_type, "minor_forbidden", True, False)
    rules.check_work_type("female_forbidden", True, False)
    refusal(rules.check_work_type, "female_forbidden", False, True)


# --- (10) six months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "starts_on,last_day",
    [
        (D(2026, 3, 1), D(2026, 8, 31)),
        (D(2026, 9, 1), D(2027, 2, 28)),
        (D(2026, 8, 28), D(2027, 2, 27)),
        (D(2026, 8, 31), D(2027, 2, 28)),  # no 31 February: the month's last day
        (D(2027, 8, 31), D(2028, 2, 29)),  # a leap year
    ],
)
def test_six_months_counted_inclusively_from_the_start(starts_on, last_day):
    assert rules.six_months_end(starts_on) == last_day
    before, after = last_day - datetime.timedelta(days=1), last_day + datetime.timedelta(days=1)
    assert not rules.runs_beyond_six_months(starts_on, before)
    assert not rules.runs_beyond_six_months(starts_on, last_day)  # exactly six months
    assert rules.runs_beyond_six_months(starts_on, after)


def test_an_open_end_is_warned_about_citing_the_text():
    assert not rules.runs_beyond_six_months(D(2026, 9, 1), None)
    assert TEXT in rules.open_end_warning()


def test_no_internship_through_an_agency():
    rules.check_no_agency(False)
    assert refusal(rules.check_no_agency, True).field == "through_agency"
