"""Weekly placement logs (实习周志), the rules and transactions without HTTP: one entry per
placement and week, only during an active post internship, no future weeks, the hours, edits
until confirmed, and the enterprise mentor's answer from the account or a signed link."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import Participation, WeeklyLog, WeeklyLogLink
from partners.coeducation.weekly_logs import (
    LogValues,
    Placement,
    answer_by_account,
    answer_by_link,
    check_hours,
    check_week,
    edit_log,
    hash_token,
    issue_link,
    link_problem,
    monday_of,
    open_link,
    weeks_of,
    write_log,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import NotVisible, Refused
from portal.i18n import _
from portal.tables import AuditEntry, Role
from tests.support import make_account, run

TODAY = datetime.date.today()
THIS_MONDAY = monday_of(TODAY)
LAST_MONDAY = THIS_MONDAY - datetime.timedelta(days=7)
NOW = datetime.datetime.now().replace(microsecond=0)
ACTOR = Actor(None, "test")


def placement(**fields) -> Placement:
    values = {
        "id": 1,
        "student": 1,
        "kind": "placement",
        "internship_kind": "",
        "status": "active",
        "starts_on": datetime.date(2026, 9, 2),  # a Wednesday
        "ends_on": datetime.date(2027, 1, 31),
        "project": 1,
        "project_name": "实训基地",
        **fields,
    }
    return Placement(**values)


def values(week: datetime.date = LAST_MONDAY, **fields) -> LogValues:
    return LogValues(
        **{
            "week_start": week,
            "work_done": "装配生产线调试",
            "hours": 38,
            "learned": "PLC 编程",
            "problems": "",
            **fields,
        }
    )


# --- pure rules ----------------------------------------------------------------------------------


def test_a_week_is_named_by_its_monday():
    assert monday_of(datetime.date(2026, 12, 3)) == datetime.date(2026, 11, 30)
    errors = check_week(datetime.date(2026, 12, 1), placement(), datetime.date(2026, 12, 20))
    assert [e.field for e in errors] == ["week_start"]


def test_a_week_that_has_not_begun_is_refused():
    today = datetime.date(2026, 11, 30)
    assert check_week(datetime.date(2026, 11, 30), placement(), today) == []
    errors = check_week(datetime.date(2026, 12, 7), placement(), today)
    assert errors[0].message == _("This week has not begun yet.")


def test_a_week_outside_the_placement_is_refused():
    today = datetime.date(2027, 3, 1)
    assert check_week(datetime.date(2026, 8, 31), placement(), today) == []  # overlaps 2 Sep
    assert check_week(datetime.date(2026, 8, 24), placement(), today)
    assert check_week(datetime.date(2027, 2, 1), placement(), today)


def test_the_weeks_of_a_placement_run_to_this_week():
    weeks = weeks_of(placement(), datetime.date(2026, 9, 20))
    assert weeks == [
        datetime.date(2026, 8, 31),
        datetime.date(2026, 9, 7),
        datetime.date(2026, 9, 14),
    ]
    assert weeks_of(placement(), datetime.date(2027, 6, 1))[-1] == datetime.date(2027, 1, 25)


def test_hours_above_the_national_working_week_are_refused_citing_the_rule():
    assert check_hours(40) == []
    assert check_hours(0) == []
    (error,) = check_hours(41)
    assert error.field == "hours" and "40" in error.message


def test_a_used_expired_or_ended_link_says_why():
    later = NOW + datetime.timedelta(days=1)
    active = placement(ends_on=None)
    assert link_problem(later, None, "submitted", active, NOW) == ""
    assert link_problem(later, NOW, "submitted", active, NOW) == _(
        "This link has already been used."
    )
    assert link_problem(later, None, "confirmed", active, NOW) == _(
        "This week has already been confirmed."
    )
    assert link_problem(NOW, None, "submitted", active, NOW) == _(
        "This link has expired. Ask the student for a new one."
    )
    assert link_problem(later, None, "submitted", placement(status="ended"), NOW) == _(
        "The placement has ended: this link can no longer be used."
    )


# --- transactions --------------------------------------------------------------------------------


@pytest.fixture
def placed(people):
    """student1's placement in enterprise_a's project, running around today."""
    run(
        Participation.update(
            starts_on=TODAY - datetime.timedelta(days=60),
            ends_on=TODAY + datetime.timedelta(days=60),
        ).where(Participation.id == people.mine.participation)
    )
    return people


def student_viewer(people) -> Viewer:
    return Viewer(
        people.student_user, "student1", Role.student, "", "t", student_id=people.student_id
    )


def mentor_viewer(people) -> Viewer:
    user = make_account("engineer_a", Role.mentor, mentor_id=people.mine.enterprise_mentor)
    return Viewer(user, "engineer_a", Role.mentor, "", "t", mentor_id=people.mine.enterprise_mentor)


def status_of(log_id: int) -> str:
    return run(WeeklyLog.select(WeeklyLog.status).where(WeeklyLog.id == log_id).first())["status"]


def test_one_entry_per_placement_and_week(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    assert status_of(log_id) == "submitted"
    with pytest.raises(Refused) as refused:
        run(write_log(ACTOR, placed.student_id, values(), TODAY))
    assert refused.value.errors[0].field == "week_start"
    assert run(WeeklyLog.count()) == 1


def test_only_an_active_post_placement_has_weekly_logs(placed):
    run(
        Participation.update(internship_kind="cognitive").where(
            Participation.id == placed.mine.participation
        )
    )
    with pytest.raises(Refused):
        run(write_log(ACTOR, placed.student_id, values(), TODAY))
    run(
        Participation.update(internship_kind="post", status="ended").where(
            Participation.id == placed.mine.participation
        )
    )
    with pytest.raises(Refused):
        run(write_log(ACTOR, placed.student_id, values(), TODAY))
    run(Participation.update(status="active").where(Participation.id == placed.mine.participation))
    assert run(write_log(ACTOR, placed.student_id, values(), TODAY))


def test_a_future_week_is_refused(placed):
    with pytest.raises(Refused) as refused:
        run(
            write_log(
                ACTOR, placed.student_id, values(THIS_MONDAY + datetime.timedelta(days=7)), TODAY
            )
        )
    assert refused.value.errors[0].field == "week_start"


def test_a_returned_week_waits_again_once_edited_and_a_confirmed_one_is_final(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    mentor = mentor_viewer(placed)
    run(answer_by_account(ACTOR, mentor, log_id, False, "请补充具体工时", NOW))
    assert status_of(log_id) == "returned"
    student = student_viewer(placed)
    run(edit_log(ACTOR, student, log_id, values(hours=36), TODAY))
    assert status_of(log_id) == "submitted"
    run(answer_by_account(ACTOR, mentor, log_id, True, "", NOW))
    row = run(WeeklyLog.select().where(WeeklyLog.id == log_id).first())
    assert (row["status"], row["confirmed_via"], row["hours"]) == ("confirmed", "account", 36)
    assert row["confirmed_by"] and row["confirmed_at"] is not None
    with pytest.raises(Refused):
        run(edit_log(ACTOR, student, log_id, values(hours=30), TODAY))


def test_sending_back_needs_a_comment_and_only_the_enterprise_mentor_answers(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    with pytest.raises(Refused) as refused:
        run(answer_by_account(ACTOR, mentor_viewer(placed), log_id, False, "", NOW))
    assert refused.value.errors[0].field == "comment"
    college = Viewer(
        placed.mentor_user, "mentor1", Role.mentor, "", "t", mentor_id=placed.mentor_id
    )
    with pytest.raises(NotVisible):
        run(answer_by_account(ACTOR, college, log_id, True, "", NOW))
    assert status_of(log_id) == "submitted"


def test_a_link_confirms_once_and_is_audited_under_the_mentors_name(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    token = run(issue_link(ACTOR, log_id, NOW))
    stored = run(WeeklyLogLink.select().first())
    assert stored["token_hash"] == hash_token(token) and token not in str(stored)
    assert stored["expires_at"] == NOW + datetime.timedelta(days=14)
    run(answer_by_link(token, True, "", NOW))
    row = run(WeeklyLog.select().where(WeeklyLog.id == log_id).first())
    assert (row["status"], row["confirmed_via"]) == ("confirmed", "link")
    name = run(
        AuditEntry.select(AuditEntry.username)
        .where(AuditEntry.table_name == "partners_weekly_log")
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )
    assert name["username"] == row["confirmed_by"] != ""
    with pytest.raises(Refused):
        run(answer_by_link(token, True, "", NOW))


def test_a_new_link_voids_the_old_one(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    old = run(issue_link(ACTOR, log_id, NOW))
    new = run(issue_link(ACTOR, log_id, NOW))
    with pytest.raises(NotVisible):
        run(open_link(old, NOW))
    assert run(open_link(new, NOW)).problem == ""


def test_an_expired_link_is_refused(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY))
    token = run(issue_link(ACTOR, log_id, NOW))
    with pytest.raises(Refused):
        run(answer_by_link(token, True, "", NOW + datetime.timedelta(days=14)))
    assert status_of(log_id) == "submitted"
