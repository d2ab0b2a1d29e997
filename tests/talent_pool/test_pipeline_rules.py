"""The rules of the recruitment pipeline (《中国共产党发展党员工作细则》), each at its boundary:
a day before and on the day, one short and enough. Pure functions, no database."""

from __future__ import annotations

import datetime

import pytest

from portal.dates import add_months
from portal.i18n import current_locale
from portal.rulebook import citation, default_numbers
from talent_pool.pipeline.labels import RULE_OF_KIND
from talent_pool.pipeline.rules import (
    allowed_kinds,
    check_event,
    deletion_error,
    earliest_date,
    eighteenth_birthday,
)
from talent_pool.pipeline.state import (
    Due,
    Event,
    FileState,
    Person,
    build_state,
    due_items,
    political_status_after,
)
from tests.talent_pool.pipeline_support import cited_article

D = datetime.date
TODAY = D(2027, 12, 31)
FULL = Person("王建国", True)
FULL_2 = Person("李红梅", True)
PROBATIONARY = Person("赵小飞", False)
VOTES = {"entitled": 30, "present": 25, "in_favour": 24}

# A complete, valid file: each event is checked against the file before it (see `file_until`).
STORY: list[tuple[str, datetime.date, dict]] = [
    ("application", D(2024, 1, 15), {}),
    ("talk", D(2024, 2, 1), {}),
    ("activist", D(2024, 3, 1), {"recommended_by": "league", "decided_by": "学生第一党支部委员会"}),
    ("contacts", D(2024, 3, 5), {"people": (FULL, FULL_2)}),
    ("review", D(2024, 9, 1), {}),
    ("review", D(2025, 3, 1), {}),
    ("development_target", D(2025, 3, 1), {"decided_by": "学生第一党支部委员会"}),
    ("political_review", D(2025, 4, 1), {}),
    ("training", D(2025, 4, 10), {"days": 3}),
    ("introducers", D(2025, 5, 1), {"people": (FULL, FULL_2)}),
    ("pre_review", D(2025, 5, 10), {"decided_by": "学院党委"}),
    ("volunteer_form", D(2025, 5, 15), {}),
    ("branch_meeting", D(2025, 6, 1), VOTES),
    ("approval", D(2025, 7, 1), {"decided_by": "学院党委"}),
    ("conversion", D(2026, 6, 1), VOTES),
]


def event(kind: str, day: datetime.date, **fields) -> Event:
    return Event(kind=kind, happened_on=day, **fields)


def state_of(events: list[Event], **facts) -> FileState:
    values = {"pool_status": "pooled", "birth_date": D(2004, 6, 1), "political_status": "03"}
    values.update(facts)
    numbered = [Event(**{**e.__dict__, "id": index}) for index, e in enumerate(events, start=1)]
    return build_state(numbered, **values)


def file_until(last_kind: str, occurrence: int = 1, **facts) -> FileState:
    """The story's file up to and including the given event, every step checked."""
    events: list[Event] = []
    seen = 0
    for kind, day, fields in STORY:
        new = event(kind, day, **fields)
        errors = check_event(state_of(events, **facts), new, TODAY)
        assert errors == [], (kind, errors)
        events.append(new)
        if kind == last_kind:
            seen += 1
            if seen == occurrence:
                break
    return state_of(events, **facts)


def refusal(state: FileState, new: Event, today: datetime.date = TODAY):
    errors = check_event(state, new, today)
    assert errors, f"{new.kind} on {new.happened_on} should be refused"
    return errors


def fields_of(errors) -> set[str]:
    return {error.field for error in errors}


def articles_of(errors) -> set[str]:
    """The articles the refusals' messages cite ("" for a message that cites none)."""
    return {cited_article(error.message) for error in errors}


def accepted(state: FileState, new: Event, today: datetime.date = TODAY) -> FileState:
    errors = check_event(state, new, today)
    assert errors == [], errors
    return state_of(
        [*state.events, new],
        pool_status=state.pool_status,
        birth_date=state.birth_date,
        political_status=state.political_status,
    )


# --- month arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2025, 6, 1), 3, D(2025, 9, 1)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


# --- application: pooled, 18 years old (第七条) ----------------------------------------------


def test_a_student_may_apply_on_their_eighteenth_birthday_but_not_the_day_before():
    state = state_of([], birth_date=D(2006, 5, 10))
    assert check_event(state, event("application", D(2024, 5, 10)), TODAY) == []
    errors = refusal(state, event("application", D(2024, 5, 9)))
    assert fields_of(errors) == {"happened_on"}
    assert articles_of(errors) == {citation("party.apply_min_age")}
    assert "2024-05-10" in errors[0].message


def test_someone_born_on_29_february_turns_18_on_1_march():
    assert eighteenth_birthday(D(2008, 2, 29)) == D(2026, 3, 1)
    state = state_of([], birth_date=D(2008, 2, 29))
    refusal(state, event("application", D(2026, 2, 28)))
    assert check_event(state, event("application", D(2026, 3, 1)), TODAY) == []


def test_an_application_without_a_birth_date_is_refused_saying_so():
    token = current_locale.set("en")
    try:
        errors = refusal(state_of([], birth_date=None), event("application", D(2024, 5, 10)))
        articles = articles_of(errors)  # read in the language the messages were made in
    finally:
        current_locale.reset(token)
    assert fields_of(errors) == {"form"}
    assert articles == {citation("party.apply_min_age")}
    assert "birth date" in errors[0].message


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_refusal_cites_the_rule_book_in_the_users_language(locale):
    token = current_locale.set(locale)
    try:
        errors = refusal(file_until("review", 1), event("development_target", D(2025, 3, 1)))
    finally:
        current_locale.reset(token)
    source = citation("party.target_after")
    assert source.startswith("《中国共产党发展党员工作细则》")
    assert errors[0].message.endswith(source + ")") or errors[0].message.endswith(source + "）")
    assert len(errors[0].message) > len(source) + 5  # and says what is wrong


def test_a_plain_data_check_cites_no_article():
    errors = refusal(state_of([]), event("application", TODAY + datetime.timedelta(days=1)))
    assert fields_of(errors) == {"happened_on"} and articles_of(errors) == {""}


@pytest.mark.parametrize("pool_status", [None, "flagged", "watching", "declined"])
def test_only_a_student_accepted_into_the_pool_may_apply(pool_status):
    errors = refusal(state_of([], pool_status=pool_status), event("application", D(2024, 5, 10)))
    assert fields_of(errors) == {"form"}


@pytest.mark.parametrize("status", ["01", "02"])
def test_a_party_member_cannot_apply(status):
    errors = refusal(state_of([], political_status=status), event("application", D(2024, 5, 10)))
    assert articles_of(errors) == {citation("party.apply_min_age")}


def test_a_second_application_is_refused():
    errors = refusal(file_until("application"), event("application", D(2024, 2, 1)))
    assert articles_of(errors) == {citation("party.apply_min_age")}


def test_an_application_makes_the_student_an_applicant():
    state = file_until("application")
    assert (state.stage, state.stage_since) == ("applicant", D(2024, 1, 15))


# --- dates -----------------------------------------------------------------------------------


def test_no_event_may_be_dated_in_the_future():
    state = state_of([])
    assert check_event(state, event("application", TODAY), TODAY) == []
    errors = refusal(state, event("application", TODAY + datetime.timedelta(days=1)))
    assert fields_of(errors) == {"happened_on"}


def test_no_event_may_be_dated_before_the_latest_stage_change():
    state = file_until("activist")
    refusal(state, event("review", D(2024, 2, 29)))
    assert check_event(state, event("review", D(2024, 3, 1)), TODAY) == []


def test_a_stage_change_may_not_be_dated_before_the_files_latest_event():
    state = file_until("training")  # latest event 2025-04-10
    state = accepted(state, event("introducers", D(2025, 4, 20), people=(FULL, FULL_2)))
    state = accepted(state, event("pre_review", D(2025, 4, 20), decided_by="学院党委"))
    state = accepted(state, event("volunteer_form", D(2025, 4, 20)))
    errors = refusal(state, event("branch_meeting", D(2025, 4, 19), **VOTES))
    assert fields_of(errors) == {"happened_on"}
    assert check_event(state, event("branch_meeting", D(2025, 4, 20), **VOTES), TODAY) == []


# --- the talk within one month (第七条) -------------------------------------------------------


def test_a_talk_on_the_last_day_of_the_month_is_on_time_and_the_day_after_is_late():
    state = file_until("application")  # 2024-01-15
    on_time = accepted(state, event("talk", D(2024, 2, 15)))
    assert on_time.late_talks == set()
    late = accepted(state, event("talk", D(2024, 2, 16)))
    assert late.is_late(late.events[-1])


def test_the_talk_deadline_is_clamped_at_month_end():
    state = state_of([event("application", D(2026, 1, 31))])
    assert state.talk_due_on == D(2026, 2, 28)
    assert not accepted(state, event("talk", D(2026, 2, 28))).late_talks
    assert accepted(state, event("talk", D(2026, 3, 1))).late_talks


def test_a_talk_is_due_a_month_after_the_application_until_it_is_recorded():
    state = file_until("application")
    assert due_items(state) == [Due("talk", D(2024, 2, 15))]
    assert not Due("talk", D(2024, 2, 15)).overdue(D(2024, 2, 15))
    assert Due("talk", D(2024, 2, 15)).overdue(D(2024, 2, 16))
    assert due_items(file_until("talk")) == []


def test_the_talk_cannot_come_before_the_application_nor_twice():
    refusal(file_until("application"), event("talk", D(2024, 1, 14)))
    errors = refusal(file_until("talk"), event("talk", D(2024, 2, 2)))
    assert articles_of(errors) == {citation("party.talk_within")}


# --- becoming an activist (第九、十条) --------------------------------------------------------

ACTIVIST = {"recommended_by": "party_members", "decided_by": "支部委员会"}


def test_an_activist_needs_the_talk_first():
    errors = refusal(file_until("application"), event("activist", D(2024, 3, 1), **ACTIVIST))
    assert articles_of(errors) == {citation("party.activist_channels")}
    assert fields_of(errors) == {"form"}


@pytest.mark.parametrize("missing", ["recommended_by", "decided_by"])
def test_an_activist_needs_a_recommendation_and_a_decision(missing):
    fields = {**ACTIVIST, missing: ""}
    errors = refusal(file_until("talk"), event("activist", D(2024, 3, 1), **fields))
    assert fields_of(errors) == {missing}
    assert articles_of(errors) == {citation("party.activist_channels")}


def test_the_recommendation_is_one_of_the_two_kinds():
    fields = {**ACTIVIST, "recommended_by": "self"}
    errors = refusal(file_until("talk"), event("activist", D(2024, 3, 1), **fields))
    assert fields_of(errors) == {"recommended_by"}


def test_becoming_an_activist_changes_the_stage():
    state = file_until("activist")
    assert (state.stage, state.stage_since) == ("activist", D(2024, 3, 1))


# --- cultivation contacts (第十三条) ----------------------------------------------------------


def test_one_or_two_full_members_may_be_contacts():
    state = file_until("activist")
    one = accepted(state, event("contacts", D(2024, 3, 5), people=(FULL,)))
    assert one.contacts == (FULL,)
    two = accepted(state, event("contacts", D(2024, 3, 5), people=(FULL, FULL_2)))
    assert two.contacts == (FULL, FULL_2)


def test_no_contact_or_three_contacts_are_refused():
    state = file_until("activist")
    errors = refusal(state, event("contacts", D(2024, 3, 5), people=()))
    assert fields_of(errors) == {"people"} and articles_of(errors) == {citation("party.contacts")}
    errors = refusal(
        state, event("contacts", D(2024, 3, 5), people=(FULL, FULL_2, Person("三", True)))
    )
    assert "people" in fields_of(errors)


def test_a_probationary_member_cannot_be_a_contact():
    state = file_until("activist")
    errors = refusal(state, event("contacts", D(2024, 3, 5), people=(FULL, PROBATIONARY)))
    assert fields_of(errors) == {"person2_full_member"}
    assert articles_of(errors) == {citation("party.contacts")}


def test_a_later_contacts_event_replaces_the_earlier_one():
    state = file_until("contacts")
    state = accepted(state, event("contacts", D(2024, 6, 1), people=(Person("孙志刚", True),)))
    assert state.contacts == (Person("孙志刚", True),)


def test_contacts_may_be_changed_while_a_development_target():
    state = file_until("development_target")
    accepted(state, event("contacts", D(2025, 3, 10), people=(FULL,)))


# --- half-yearly reviews (第十五条) -----------------------------------------------------------


def test_the_first_review_is_due_six_months_after_becoming_an_activist():
    state = file_until("activist")  # 2024-03-01
    assert Due("review", D(2024, 9, 1)) in due_items(state)


def test_the_next_review_is_due_six_months_after_the_last_one():
    state = accepted(file_until("contacts"), event("review", D(2024, 8, 20)))
    assert Due("review", D(2025, 2, 20)) in due_items(state)


def test_the_review_due_date_is_clamped_at_month_end():
    state = state_of(
        [
            event("application", D(2024, 1, 15)),
            event("talk", D(2024, 2, 1)),
            event("activist", D(2024, 8, 31), **ACTIVIST),
        ]
    )
    assert Due("review", D(2025, 2, 28)) in due_items(state)


def test_a_review_is_overdue_the_day_after_it_was_due():
    due = Due("review", D(2024, 9, 1))
    assert not due.overdue(D(2024, 9, 1)) and due.overdue(D(2024, 9, 2))


def test_only_reviews_since_becoming_an_activist_count():
    assert file_until("review", 2).reviews == [D(2024, 9, 1), D(2025, 3, 1)]


# --- development target: a year as activist (第十六条) ----------------------------------------

TARGET = {"decided_by": "支部委员会"}


def test_a_development_target_after_a_year_as_activist_on_the_day_not_the_day_before():
    state = accepted(file_until("review", 1), event("review", D(2025, 2, 1)))  # activist 03-01
    errors = refusal(state, event("development_target", D(2025, 2, 28), **TARGET))
    assert fields_of(errors) == {"happened_on"} and articles_of(errors) == {
        citation("party.target_after")
    }
    assert "2025-03-01" in errors[0].message
    accepted(state, event("development_target", D(2025, 3, 1), **TARGET))


def test_a_year_as_activist_is_clamped_at_month_end():
    state = state_of(
        [
            event("application", D(2023, 1, 15)),
            event("talk", D(2023, 2, 1)),
            event("activist", D(2024, 2, 29), **ACTIVIST),
            event("contacts", D(2024, 3, 1), people=(FULL,)),
            event("review", D(2024, 8, 29)),
            event("review", D(2025, 2, 1)),
        ]
    )
    assert state.eligible_on == D(2025, 2, 28)
    refusal(state, event("development_target", D(2025, 2, 27), **TARGET))
    accepted(state, event("development_target", D(2025, 2, 28), **TARGET))


def test_a_development_target_needs_contacts():
    state = state_of([e for e in file_until("review", 2).events if e.kind != "contacts"])
    errors = refusal(state, event("development_target", D(2025, 3, 1), **TARGET))
    assert fields_of(errors) == {"form"} and articles_of(errors) == {citation("party.contacts")}


def test_a_development_target_needs_two_reviews_one_is_not_enough():
    errors = refusal(file_until("review", 1), event("development_target", D(2025, 3, 1), **TARGET))
    assert articles_of(errors) == {citation("party.target_after")}
    accepted(file_until("review", 2), event("development_target", D(2025, 3, 1), **TARGET))


def test_a_development_target_needs_the_committees_decision():
    errors = refusal(file_until("review", 2), event("development_target", D(2025, 3, 1)))
    assert fields_of(errors) == {"decided_by"}


def test_becoming_eligible_is_due_a_year_after_becoming_an_activist():
    assert Due("development_target_eligible", D(2025, 3, 1)) in due_items(file_until("activist"))
    assert not any(
        d.kind == "development_target_eligible" for d in due_items(file_until("development_target"))
    )


# --- concentrated training: 3 days or 24 class hours (第二十条) -------------------------------


@pytest.mark.parametrize(
    "days,hours,ok",
    [
        (2, 23, False),
        (2, None, False),
        (None, 23, False),
        (3, None, True),
        (None, 24, True),
        (0, 24, True),
        (3, 0, True),
    ],
)
def test_training_lasts_at_least_three_days_or_24_class_hours(days, hours, ok):
    state = file_until("political_review")
    new = event("training", D(2025, 4, 10), days=days, class_hours=hours)
    errors = check_event(state, new, TODAY)
    if ok:
        assert errors == []
    else:
        assert fields_of(errors) == {"days"} and articles_of(errors) == {
            citation("party.training_days")
        }


# --- introducers: two full members (第二十二条) ------------------------------------------------


def test_two_different_full_members_introduce():
    state = file_until("training")
    accepted(state, event("introducers", D(2025, 5, 1), people=(FULL, FULL_2)))


def test_one_introducer_is_not_enough():
    errors = refusal(file_until("training"), event("introducers", D(2025, 5, 1), people=(FULL,)))
    assert fields_of(errors) == {"people"} and articles_of(errors) == {
        citation("party.introducers")
    }


def test_the_two_introducers_are_two_different_people():
    errors = refusal(
        file_until("training"), event("introducers", D(2025, 5, 1), people=(FULL, FULL))
    )
    assert fields_of(errors) == {"people"}


def test_a_probationary_member_cannot_introduce():
    errors = refusal(
        file_until("training"), event("introducers", D(2025, 5, 1), people=(PROBATIONARY, FULL))
    )
    assert fields_of(errors) == {"person1_full_member"} and articles_of(errors) == {
        citation("party.introducers")
    }


# --- branch meeting (第二十四、二十五条) --------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["political_review", "training", "introducers", "pre_review", "volunteer_form"]
)
def test_the_branch_meeting_needs_every_step_before_it(missing):
    events = [e for e in file_until("volunteer_form").events if e.kind != missing]
    errors = refusal(state_of(events), event("branch_meeting", D(2025, 6, 1), **VOTES))
    assert fields_of(errors) == {"form"}
    assert articles_of(errors) == {citation(RULE_OF_KIND[missing])}


def test_the_branch_meeting_makes_a_probationary_member():
    state = file_until("branch_meeting")
    assert (state.stage, state.stage_since) == ("probationary", D(2025, 6, 1))
    assert state.probation_end == D(2026, 6, 1)


# --- approval within three months, in a special case up to six ------------------------------

APPROVAL = {"decided_by": "学院党委"}
SPECIAL = {**APPROVAL, "reason": "上级党委换届，审批会议推迟"}


def test_the_approval_on_the_last_day_of_three_months_needs_no_reason():
    state = file_until("branch_meeting")  # 2025-06-01
    accepted(state, event("approval", D(2025, 8, 31), **APPROVAL))
    accepted(state, event("approval", D(2025, 9, 1), **APPROVAL))


def test_the_approval_the_day_after_three_months_needs_the_special_case_as_reason():
    state = file_until("branch_meeting")  # 2025-06-01
    errors = refusal(state, event("approval", D(2025, 9, 2), **APPROVAL))
    assert fields_of(errors) == {"reason"}
    assert articles_of(errors) == {citation("party.approval_latest")}
    approved = accepted(state, event("approval", D(2025, 9, 2), **SPECIAL))
    assert approved.approval_on == D(2025, 9, 2)


def test_a_month_four_to_six_approval_unblocks_the_file():
    state = accepted(file_until("branch_meeting"), event("approval", D(2025, 10, 15), **SPECIAL))
    assert "conversion" in allowed_kinds(state) and "extension" in allowed_kinds(state)
    assert accepted(state, event("conversion", D(2026, 6, 1), **VOTES)).stage == "full_member"


def test_the_approval_on_the_last_day_of_six_months_is_accepted_and_the_day_after_refused():
    state = file_until("branch_meeting")  # 2025-06-01
    accepted(state, event("approval", D(2025, 11, 30), **SPECIAL))
    accepted(state, event("approval", D(2025, 12, 1), **SPECIAL))
    errors = refusal(state, event("approval", D(2025, 12, 2), **SPECIAL))
    assert fields_of(errors) == {"happened_on"}
    assert articles_of(errors) == {citation("party.approval_latest")}
    assert "2025-12-01" in errors[0].message


def test_the_three_and_six_months_are_clamped_at_month_end():
    events = [e for e in file_until("volunteer_form").events]
    state = state_of([*events, event("branch_meeting", D(2025, 11, 30), **VOTES)])
    assert state.approval_due_on == D(2026, 2, 28)
    assert state.approval_latest_on == D(2026, 5, 30)
    accepted(state, event("approval", D(2026, 2, 28), **APPROVAL))
    assert fields_of(refusal(state, event("approval", D(2026, 3, 1), **APPROVAL))) == {"reason"}
    accepted(state, event("approval", D(2026, 5, 30), **SPECIAL))
    refusal(state, event("approval", D(2026, 5, 31), **SPECIAL))


def test_the_approval_needs_the_deciding_committee_and_comes_once():
    state = file_until("branch_meeting")
    assert fields_of(refusal(state, event("approval", D(2025, 7, 1)))) == {"decided_by"}
    errors = refusal(file_until("approval"), event("approval", D(2025, 7, 2), **APPROVAL))
    assert articles_of(errors) == {citation("party.approval_within")}


def test_the_due_list_warns_at_three_months_and_shows_the_six_month_limit():
    items = due_items(file_until("branch_meeting"))
    assert Due("approval", D(2025, 9, 1)) in items
    assert Due("approval_latest", D(2025, 12, 1)) in items
    assert not Due("approval", D(2025, 9, 1)).overdue(D(2025, 9, 1))
    assert Due("approval", D(2025, 9, 1)).overdue(D(2025, 9, 2))
    kinds = [d.kind for d in due_items(file_until("approval"))]
    assert "approval" not in kinds and "approval_latest" not in kinds


# --- probation, extension, conversion (第三十一、三十二、三十三条) ------------------------------


def test_conversion_after_one_year_of_probation_on_the_day_not_the_day_before():
    state = file_until("approval")  # branch meeting 2025-06-01
    errors = refusal(state, event("conversion", D(2026, 5, 31), **VOTES))
    assert fields_of(errors) == {"happened_on"} and articles_of(errors) == {
        citation("party.probation")
    }
    converted = accepted(state, event("conversion", D(2026, 6, 1), **VOTES))
    assert converted.stage == "full_member"
    assert due_items(converted) == []


def test_conversion_needs_the_approval():
    errors = refusal(file_until("branch_meeting"), event("conversion", D(2026, 6, 1), **VOTES))
    assert fields_of(errors) == {"form"} and articles_of(errors) == {citation("party.probation")}


def test_probation_end_is_due_while_probationary():
    assert Due("probation_end", D(2026, 6, 1)) in due_items(file_until("branch_meeting"))


@pytest.mark.parametrize("months,ok", [(5, False), (6, True), (12, True), (13, False)])
def test_an_extension_is_six_to_twelve_months(months, ok):
    state = file_until("approval")
    errors = check_event(state, event("extension", D(2026, 6, 1), months=months), TODAY)
    if ok:
        assert errors == []
    else:
        assert fields_of(errors) == {"months"} and articles_of(errors) == {
            citation("party.extension_max")
        }


def test_an_extension_comes_when_probation_ends_not_the_day_before():
    state = file_until("approval")
    errors = refusal(state, event("extension", D(2026, 5, 31), months=6))
    assert fields_of(errors) == {"happened_on"} and articles_of(errors) == {
        citation("party.probation")
    }


def test_an_extension_needs_the_approval():
    errors = refusal(file_until("branch_meeting"), event("extension", D(2026, 6, 1), months=6))
    assert articles_of(errors) == {citation("party.extension_once")}


def test_probation_is_extended_only_once():
    state = accepted(file_until("approval"), event("extension", D(2026, 6, 1), months=6))
    assert state.probation_end == D(2026, 12, 1)
    assert "extension" not in allowed_kinds(state)
    errors = refusal(state, event("extension", D(2026, 12, 1), months=6))
    assert fields_of(errors) == {"form"}
    assert articles_of(errors) == {citation("party.extension_once")}
    assert "only once" in errors[0].message or "一次" in errors[0].message


def test_conversion_after_an_extension_waits_for_the_extended_end():
    state = accepted(file_until("approval"), event("extension", D(2026, 6, 1), months=6))
    assert Due("probation_end", D(2026, 12, 1)) in due_items(state)
    refusal(state, event("conversion", D(2026, 11, 30), **VOTES))
    accepted(state, event("conversion", D(2026, 12, 1), **VOTES))


def test_a_twelve_month_extension_ends_two_years_after_the_branch_meeting():
    state = accepted(file_until("approval"), event("extension", D(2026, 6, 1), months=12))
    assert state.probation_end == D(2027, 6, 1)
    refusal(state, event("conversion", D(2027, 5, 31), **VOTES))
    accepted(state, event("conversion", D(2027, 6, 1), **VOTES))


# --- stage order -----------------------------------------------------------------------------

DETAILS = {
    "activist": ACTIVIST,
    "contacts": {"people": (FULL,)},
    "development_target": TARGET,
    "training": {"days": 3},
    "introducers": {"people": (FULL, FULL_2)},
    "branch_meeting": VOTES,
    "approval": APPROVAL,
    "extension": {"months": 6},
    "conversion": VOTES,
    "cancellation": APPROVAL,
}
STAGE_FILES = {  # a file at each stage
    None: lambda: state_of([]),
    "applicant": lambda: file_until("talk"),
    "activist": lambda: file_until("review", 2),
    "development_target": lambda: file_until("volunteer_form"),
    "probationary": lambda: file_until("approval"),
    "full_member": lambda: file_until("conversion"),
}
PROBATION = {"probationary"}
RIGHT_STAGES = {
    "application": {None},
    "talk": {"applicant"},
    "activist": {"applicant"},
    "activist_filing": {"activist", "development_target", "probationary"},
    "contacts": {"activist", "development_target"},
    "review": {"activist", "development_target"},
    "development_target": {"activist"},
    "target_filing": {"development_target", "probationary"},
    "political_review": {"development_target"},
    "training": {"development_target"},
    "introducers": {"development_target"},
    "pre_review": {"development_target"},
    "volunteer_form": {"development_target"},
    "branch_meeting": {"development_target"},
    "approval": PROBATION,
    "oath": PROBATION,
    "extension": PROBATION,
    "conversion": PROBATION,
    "cancellation": PROBATION,
}
WRONG = [
    (kind, stage)
    for kind, stages in RIGHT_STAGES.items()
    for stage in STAGE_FILES
    if stage not in stages
]


@pytest.mark.parametrize("kind,stage", WRONG)
def test_each_kind_is_refused_at_the_wrong_stage_citing_its_rule(kind, stage):
    state = STAGE_FILES[stage]()
    errors = refusal(state, event(kind, D(2027, 7, 1), **DETAILS.get(kind, {})))
    assert fields_of(errors) == {"form"}
    assert articles_of(errors) == {citation(RULE_OF_KIND[kind])}
    assert kind not in allowed_kinds(state)


def test_what_may_be_recorded_next_at_each_stage():
    filing, target_filing = "activist_filing", "target_filing"
    assert allowed_kinds(state_of([])) == ["application"]
    assert allowed_kinds(state_of([], pool_status="watching")) == []
    assert allowed_kinds(file_until("application")) == ["talk"]
    assert allowed_kinds(file_until("talk")) == ["activist"]
    assert allowed_kinds(file_until("activist")) == [filing, "contacts", "review"]
    assert allowed_kinds(file_until("review", 2)) == [
        filing,
        "contacts",
        "review",
        "development_target",
    ]
    assert allowed_kinds(file_until("development_target")) == [
        filing,
        "contacts",
        "review",
        target_filing,
        "political_review",
        "training",
        "introducers",
    ]
    assert "pre_review" in allowed_kinds(file_until("training"))
    assert "branch_meeting" not in allowed_kinds(file_until("pre_review"))
    assert "branch_meeting" in allowed_kinds(file_until("volunteer_form"))
    assert allowed_kinds(file_until("branch_meeting")) == [filing, target_filing, "approval"]
    assert allowed_kinds(file_until("approval")) == [
        filing,
        target_filing,
        "oath",
        "extension",
        "conversion",
        "cancellation",
    ]
    assert allowed_kinds(file_until("conversion")) == []


def test_the_earliest_date_shown_on_a_form():
    assert earliest_date(file_until("review", 2), "development_target") == D(2025, 3, 1)
    assert earliest_date(file_until("approval"), "conversion") == D(2026, 6, 1)


# --- deleting the latest event ---------------------------------------------------------------


def test_only_the_latest_event_may_be_deleted():
    state = file_until("training")
    latest = state.events[-1]
    assert deletion_error(state, latest.id) is None
    assert deletion_error(state, state.events[-2].id) is not None


@pytest.mark.parametrize("kind", ["branch_meeting", "conversion"])
def test_events_that_changed_the_political_status_cannot_be_deleted(kind):
    state = file_until(kind)
    assert deletion_error(state, state.events[-1].id) is not None


def test_the_whole_story_is_a_valid_file():
    state = file_until("conversion")
    assert state.stage == "full_member" and len(state.events) == len(STORY)


# --- cancelling probationary membership (取消预备党员资格) --------------------------------------

CANCEL = {"decided_by": "学生第一党支部大会"}


def test_probation_is_cancelled_when_it_ends_not_the_day_before_and_the_file_closes():
    state = file_until("approval")  # probation ends 2026-06-01
    errors = refusal(state, event("cancellation", D(2026, 5, 31), **CANCEL))
    assert fields_of(errors) == {"happened_on"}
    assert articles_of(errors) == {citation("party.probation")}
    closed = accepted(state, event("cancellation", D(2026, 6, 1), **CANCEL))
    assert closed.stage == "cancelled"
    assert due_items(closed) == []
    assert allowed_kinds(closed) == []


def test_a_cancellation_needs_the_approval_and_the_deciding_body():
    errors = refusal(file_until("branch_meeting"), event("cancellation", D(2026, 6, 1), **CANCEL))
    assert articles_of(errors) == {citation("party.cancel_probation")}
    errors = refusal(file_until("approval"), event("cancellation", D(2026, 6, 1)))
    assert fields_of(errors) == {"decided_by"}


def test_a_cancellation_restores_the_status_before_the_branch_meeting():
    events = file_until("approval").events
    with_status = [
        Event(**{**e.__dict__, "status_before": "13"}) if e.kind == "branch_meeting" else e
        for e in events
    ]
    state = state_of([*with_status, event("cancellation", D(2026, 6, 1), **CANCEL)])
    assert political_status_after(state) == "13"
    assert political_status_after(file_until("approval")) == "02"


def test_a_cancellation_cannot_be_deleted_here():
    state = accepted(file_until("approval"), event("cancellation", D(2026, 6, 1), **CANCEL))
    assert deletion_error(state, state.events[-1].id) is not None


# --- the oath (入党宣誓) ------------------------------------------------------------------------


def test_the_oath_comes_after_the_approval_on_the_day_or_later_and_once():
    assert "oath" not in allowed_kinds(file_until("branch_meeting"))
    errors = refusal(file_until("branch_meeting"), event("oath", D(2025, 7, 1)))
    assert articles_of(errors) == {citation("party.oath")}
    state = file_until("approval")  # approved 2025-07-01
    errors = refusal(state, event("oath", D(2025, 6, 30)))
    assert fields_of(errors) == {"happened_on"}
    sworn = accepted(state, event("oath", D(2025, 7, 1)))
    assert sworn.oath_on == D(2025, 7, 1) and sworn.stage == "probationary"
    assert "oath" not in allowed_kinds(sworn)
    refusal(sworn, event("oath", D(2025, 7, 2)))


# --- the vote of a branch meeting: more than half present, more than half in favour ---------


@pytest.mark.parametrize(
    "entitled,present,in_favour,wrong",
    [
        (30, 15, 15, {"present", "in_favour"}),  # exactly half present: not more than half
        (30, 16, 15, {"in_favour"}),  # exactly half of those entitled in favour
        (30, 16, 16, set()),  # one more than half, both
        (31, 16, 16, set()),
        (31, 15, 15, {"present", "in_favour"}),
        (30, 30, 16, set()),
        (30, 25, 26, {"present"}),  # more in favour than present: numbers do not add up
        (30, 31, 20, {"present"}),
    ],
)
@pytest.mark.parametrize("kind", ["branch_meeting", "conversion"])
def test_a_meeting_decides_with_more_than_half_present_and_in_favour(
    kind, entitled, present, in_favour, wrong
):
    state = file_until("volunteer_form" if kind == "branch_meeting" else "approval")
    day = D(2025, 6, 1) if kind == "branch_meeting" else D(2026, 6, 1)
    votes = {"entitled": entitled, "present": present, "in_favour": in_favour}
    errors = check_event(state, event(kind, day, **votes), TODAY)
    assert fields_of(errors) == wrong
    if "in_favour" in wrong:
        assert citation("party.vote_in_favour") in articles_of(errors)


@pytest.mark.parametrize("kind", ["branch_meeting", "conversion"])
def test_a_meeting_without_its_vote_is_refused(kind):
    state = file_until("volunteer_form" if kind == "branch_meeting" else "approval")
    day = D(2025, 6, 1) if kind == "branch_meeting" else D(2026, 6, 1)
    errors = refusal(state, event(kind, day, entitled=30, present=20))
    assert fields_of(errors) == {"entitled"}
    assert articles_of(errors) == {citation("party.vote_present")}


# --- filing with the higher committee (报上级党委备案) -------------------------------------------


def test_an_activist_is_due_for_filing_from_the_decision_until_filed():
    state = file_until("activist")  # 2024-03-01
    assert Due("activist_filing", D(2024, 3, 1)) in due_items(state)
    errors = refusal(state, event("activist_filing", D(2024, 2, 29)))
    assert fields_of(errors) == {"happened_on"}
    filed = accepted(state, event("activist_filing", D(2024, 3, 1)))
    assert filed.activist_filed_on == D(2024, 3, 1)
    assert "activist_filing" not in [d.kind for d in due_items(filed)]
    errors = refusal(filed, event("activist_filing", D(2024, 3, 2)))
    assert articles_of(errors) == {citation("party.activist_filing")}


def test_a_development_target_is_due_for_filing_until_filed_even_after_admission():
    state = file_until("development_target")  # 2025-03-01
    assert Due("target_filing", D(2025, 3, 1)) in due_items(state)
    assert "target_filing" in [d.kind for d in due_items(file_until("approval"))]
    filed = accepted(state, event("target_filing", D(2025, 3, 2)))
    assert "target_filing" not in [d.kind for d in due_items(filed)]
    assert [d.kind for d in due_items(file_until("conversion"))] == []


# --- pre-review (预审) and the application form (入党志愿书) -----------------------------------


def test_the_pre_review_needs_the_political_review_and_the_training_and_is_dated_after():
    errors = refusal(file_until("political_review"), event("pre_review", D(2025, 4, 20)))
    assert fields_of(errors) == {"form"}
    assert articles_of(errors) == {citation("party.training_days")}
    state = file_until("introducers")  # training 2025-04-10
    refusal(state, event("pre_review", D(2025, 4, 9)))
    accepted(state, event("pre_review", D(2025, 4, 10)))


def test_the_application_form_comes_after_the_pre_review_and_before_the_meeting():
    errors = refusal(file_until("introducers"), event("volunteer_form", D(2025, 5, 15)))
    assert articles_of(errors) == {citation("party.pre_review")}
    state = file_until("pre_review")  # 2025-05-10
    errors = refusal(state, event("volunteer_form", D(2025, 5, 9)))
    assert fields_of(errors) == {"happened_on"}
    filled = accepted(state, event("volunteer_form", D(2025, 5, 10)))
    assert filled.volunteer_form_on == D(2025, 5, 10)
    assert "branch_meeting" in allowed_kinds(filled)


# --- recommendation channels in force ------------------------------------------------------


def test_an_activist_comes_through_a_channel_in_force():
    channels = ("党员推荐", "群团组织推优", "职工代表推荐")
    state = file_until("talk", channels=channels)
    fields = {"decided_by": "支部委员会"}
    accepted(state, event("activist", D(2024, 3, 1), recommended_by="职工代表推荐", **fields))
    errors = refusal(state, event("activist", D(2024, 3, 1), recommended_by="league", **fields))
    assert fields_of(errors) == {"recommended_by"}
    assert "职工代表推荐" in errors[0].message


# --- day counting: within N months ends on the same day N months later, inclusive ----------


@pytest.mark.parametrize(
    "kind,start_kind,months,fields",
    [
        ("development_target", "activist", 12, TARGET),  # at least a year as activist
        ("conversion", "branch_meeting", 12, VOTES),  # a year of probation
        ("extension", "branch_meeting", 12, {"months": 6}),
        ("cancellation", "branch_meeting", 12, CANCEL),
    ],
)
def test_at_least_n_months_is_met_on_the_day_not_the_day_before(kind, start_kind, months, fields):
    until = {"development_target": ("review", 2)}.get(kind, ("approval", 1))
    state = file_until(*until)
    start = next(e.happened_on for e in state.events if e.kind == start_kind)
    on = add_months(start, months)
    refusal(state, event(kind, on - datetime.timedelta(days=1), **fields))
    accepted(state, event(kind, on, **fields))
    accepted(state, event(kind, on + datetime.timedelta(days=1), **fields))


def test_within_n_months_ends_on_the_day_inclusive():
    state = file_until("application")  # 2024-01-15: the talk within one month
    assert not state.talk_late_on(D(2024, 2, 14))
    assert not state.talk_late_on(D(2024, 2, 15))
    assert state.talk_late_on(D(2024, 2, 16))
    meeting = file_until("branch_meeting")  # 2025-06-01
    for day, reason_needed in (
        (D(2025, 8, 31), False),
        (D(2025, 9, 1), False),
        (D(2025, 9, 2), True),
    ):
        errors = check_event(meeting, event("approval", day, **APPROVAL), TODAY)
        assert (fields_of(errors) == {"reason"}) is reason_needed
    for day, ok in ((D(2025, 11, 30), True), (D(2025, 12, 1), True), (D(2025, 12, 2), False)):
        assert (check_event(meeting, event("approval", day, **SPECIAL), TODAY) == []) is ok


def test_a_review_is_due_six_months_on_the_same_day_and_overdue_the_day_after():
    state = file_until("activist")  # 2024-03-01
    due = next(d for d in due_items(state) if d.kind == "review")
    assert due.due_on == D(2024, 9, 1)
    assert not due.overdue(D(2024, 8, 31)) and not due.overdue(D(2024, 9, 1))
    assert due.overdue(D(2024, 9, 2))


def test_a_college_may_set_stricter_numbers_for_a_file():
    numbers = {**default_numbers(), "party.review_every": 3}
    state = file_until("activist", numbers=numbers)
    assert state.next_review_on == D(2024, 6, 1)
