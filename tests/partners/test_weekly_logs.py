"""Weekly placement logs (实习周志) as each role sees them: the student writes a week on
their phone, the enterprise mentor confirms it from their account or from a signed link (once,
for that entry only, while it is valid), partners read their placed students' weeks."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest

from partners.coeducation.tables import Participation, WeeklyLog, WeeklyLogLink
from partners.coeducation.weekly_logs import monday_of
from portal.tables import Role, Student
from tests.support import Browser, insert_id, make_account, run

TODAY = datetime.date.today()
THIS_MONDAY = monday_of(TODAY)
LAST_MONDAY = THIS_MONDAY - datetime.timedelta(days=7)


@pytest.fixture
def placed(people):
    return place_around_today(people)


def place_around_today(people):
    """student1's placement in enterprise_a's project runs around today; its enterprise
    mentor has an account (engineer_a)."""
    for participation in (people.mine.participation, people.theirs.participation):
        run(
            Participation.update(
                starts_on=TODAY - datetime.timedelta(days=30),
                ends_on=TODAY + datetime.timedelta(days=60),
            ).where(Participation.id == participation)
        )
    make_account("engineer_a", Role.mentor, mentor_id=people.mine.enterprise_mentor)
    return people


def signed_in_as(client, username: str) -> Browser:
    client.cookies.clear()
    browser = Browser(client)
    assert browser.sign_in(username).status_code == 303
    return browser


def week_form(week: datetime.date = LAST_MONDAY, **fields) -> dict[str, str]:
    return {
        "week_start": week.isoformat(),
        "work_done": "调试装配线伺服电机",
        "hours": "38",
        "learned": "伺服参数整定",
        "problems": "",
        **fields,
    }


def write_week(client, **fields):
    return signed_in_as(client, "student1").post("/me/weekly-logs/new", week_form(**fields))


def link_path(response) -> str:
    url = Browser.soup(response).select_one("#weekly-link-url")["value"]
    return urlsplit(url).path


def only_log() -> dict:
    return run(WeeklyLog.select().first())


def test_a_student_writes_a_week_and_gets_the_link_for_the_enterprise_mentor(client, placed):
    student = signed_in_as(client, "student1")
    form = student.get("/me/weekly-logs/new")
    assert Browser.soup(form).select_one("#f-week_start")["value"] == THIS_MONDAY.isoformat()
    response = student.post("/me/weekly-logs/new", week_form())
    assert response.status_code == 200
    assert link_path(response).startswith("/weekly-logs/confirm/")
    mine = Browser.soup(student.get("/me/weekly-logs"))
    weeks = mine.select("#weeks li")
    assert len(weeks) >= 5  # the placement began 30 days ago
    written = [li for li in weeks if LAST_MONDAY.isoformat() in li.get_text()]
    assert "weekly-submitted" in written[0]["class"]
    assert mine.select("#weeks li.weekly-missing")


def test_bad_input_comes_back_beside_its_field_with_the_text_kept(client, placed):
    response = write_week(client, hours="45", work_done="巡检")
    assert response.status_code == 400
    assert "40" in Browser.field_error(response, "hours")
    assert Browser.soup(response).select_one("#f-work_done").get_text() == "巡检"
    response = write_week(client, work_done="")
    assert Browser.field_error(response, "work_done")
    future = THIS_MONDAY + datetime.timedelta(days=7)
    response = write_week(client, week=future)
    assert response.status_code == 400 and Browser.field_error(response, "week_start")
    assert run(WeeklyLog.count()) == 0


def test_a_second_entry_for_the_same_week_is_refused_at_the_week(client, placed):
    write_week(client)
    response = write_week(client, work_done="另一次")
    assert response.status_code == 400
    assert Browser.field_error(response, "week_start")
    assert Browser.soup(response).select_one("#f-work_done").get_text() == "另一次"


def test_the_enterprise_mentor_confirms_from_the_queue(client, placed):
    write_week(client, week=LAST_MONDAY - datetime.timedelta(days=7), work_done="较早的一周")
    write_week(client)
    engineer = signed_in_as(client, "engineer_a")
    queue = Browser.soup(engineer.get("/weekly-logs/queue")).select("#queue li")
    assert [li.select_one(".weekly-summary").get_text() for li in queue][0] == "较早的一周"
    form_token = queue[0].select_one("input[name=csrftoken]")["value"]
    assert form_token and form_token == engineer.csrf_token()  # the form itself can be sent
    oldest = int(queue[0]["id"].removeprefix("week-"))
    response = engineer.post(f"/weekly-logs/{oldest}/confirm", {"next": "queue"})
    assert response.headers["location"].endswith("/weekly-logs/queue")
    row = run(WeeklyLog.select().where(WeeklyLog.id == oldest).first())
    assert (row["status"], row["confirmed_via"]) == ("confirmed", "account")
    assert len(Browser.soup(engineer.get("/weekly-logs/queue")).select("#queue li")) == 1


def test_sending_back_needs_a_comment_and_the_student_sees_it(client, placed):
    write_week(client)
    log_id = only_log()["id"]
    engineer = signed_in_as(client, "engineer_a")
    response = engineer.post(f"/weekly-logs/{log_id}/return", {"comment": ""})
    assert response.status_code == 400 and Browser.field_error(response, "comment")
    engineer.post(f"/weekly-logs/{log_id}/return", {"comment": "请写清楚调试了哪台设备"})
    assert only_log()["status"] == "returned"
    student = signed_in_as(client, "student1")
    assert "请写清楚调试了哪台设备" in student.get("/me/weekly-logs").text
    response = student.post(f"/weekly-logs/{log_id}/edit", week_form(work_done="调试3号线伺服电机"))
    assert response.status_code == 200 and link_path(response)  # a new link for the mentor
    assert only_log()["status"] == "submitted"


def test_a_confirmed_week_can_no_longer_be_edited(client, placed):
    write_week(client)
    log_id = only_log()["id"]
    signed_in_as(client, "engineer_a").post(f"/weekly-logs/{log_id}/confirm")
    student = signed_in_as(client, "student1")
    page = Browser.soup(student.get(f"/weekly-logs/{log_id}"))
    assert not page.select(f'a[href="/weekly-logs/{log_id}/edit"]')
    response = student.post(f"/weekly-logs/{log_id}/edit", week_form(hours="10"))
    assert response.status_code == 400
    assert only_log()["hours"] == 38


def test_who_sees_a_week(client, placed):
    write_week(client)
    log_id = only_log()["id"]
    theirs = insert_id(
        WeeklyLog,
        participation=placed.theirs.participation,
        student=placed.other_student_id,
        week_start=LAST_MONDAY,
        work_done="别人的周志",
        hours=40,
    )
    partner = signed_in_as(client, "partner_a")
    page = partner.get(f"/weekly-logs/{log_id}")
    assert page.status_code == 200 and not Browser.soup(page).select("#answer")
    assert partner.get(f"/weekly-logs/{theirs}").status_code == 404
    college = signed_in_as(client, "mentor1")
    assert not Browser.soup(college.get(f"/weekly-logs/{log_id}")).select("#answer")
    assert college.post(f"/weekly-logs/{log_id}/confirm").status_code == 404
    assert not Browser.soup(college.get("/weekly-logs/queue")).select("#queue li")
    student = signed_in_as(client, "student1")
    assert student.get(f"/weekly-logs/{theirs}").status_code == 404
    engineer = signed_in_as(client, "engineer_a")
    assert engineer.get(f"/weekly-logs/{theirs}").status_code == 404
    assert Browser.soup(engineer.get(f"/weekly-logs/{log_id}")).select("#answer")


# --- the signed link ------------------------------------------------------------------------------


def test_a_link_confirms_its_week_once_without_an_account(client, placed):
    path = link_path(write_week(client))
    client.cookies.clear()
    anonymous = Browser(client)
    page = anonymous.get(path)
    assert page.status_code == 200
    text = Browser.soup(page).get_text()
    name = run(Student.select(Student.name).where(Student.id == placed.student_id).first())["name"]
    assert "调试装配线伺服电机" in text and name in text  # the entry and the student's name
    done = anonymous.post(path, {"action": "confirm"})
    assert done.status_code == 200 and Browser.soup(done).select_one("#link-done")
    row = only_log()
    assert (row["status"], row["confirmed_via"]) == ("confirmed", "link")
    assert run(WeeklyLogLink.select(WeeklyLogLink.used_at).first())["used_at"] is not None
    again = anonymous.get(path)
    assert again.status_code == 410 and Browser.soup(again).select_one("#link-problem")
    assert anonymous.post(path, {"action": "return", "comment": "改"}).status_code == 400
    assert only_log()["status"] == "confirmed"


def test_a_link_sends_its_week_back_with_a_comment(client, placed):
    path = link_path(write_week(client))
    client.cookies.clear()
    anonymous = Browser(client)
    response = anonymous.post(path, {"action": "return", "comment": ""})
    assert response.status_code == 400 and Browser.field_error(response, "comment")
    anonymous.post(path, {"action": "return", "comment": "工时与考勤不符"})
    row = only_log()
    assert (row["status"], row["enterprise_comment"]) == ("returned", "工时与考勤不符")


def test_a_link_acts_on_its_own_week_only(client, placed):
    first = link_path(write_week(client))
    write_week(client, week=LAST_MONDAY - datetime.timedelta(days=7), work_done="另一周")
    client.cookies.clear()
    anonymous = Browser(client)
    assert "另一周" not in anonymous.get(first).text
    anonymous.post(first, {"action": "confirm"})
    statuses = {row["work_done"]: row["status"] for row in run(WeeklyLog.select())}
    assert statuses == {"调试装配线伺服电机": "confirmed", "另一周": "submitted"}


def test_an_expired_link_is_refused(client, placed):
    path = link_path(write_week(client))
    run(
        WeeklyLogLink.update(
            expires_at=datetime.datetime.now() - datetime.timedelta(minutes=1)
        ).where(WeeklyLogLink.id > 0)
    )
    client.cookies.clear()
    anonymous = Browser(client)
    assert anonymous.get(path).status_code == 410
    assert anonymous.post(path, {"action": "confirm"}).status_code == 400
    assert only_log()["status"] == "submitted"


def test_a_link_is_refused_once_the_placement_has_ended(client, placed):
    path = link_path(write_week(client))
    run(Participation.update(status="ended").where(Participation.id == placed.mine.participation))
    client.cookies.clear()
    anonymous = Browser(client)
    page = anonymous.get(path)
    assert page.status_code == 410 and Browser.soup(page).select_one("#link-problem")
    assert anonymous.post(path, {"action": "confirm"}).status_code == 400
    assert only_log()["status"] == "submitted"


def test_an_unknown_or_replaced_link_is_a_404(client, placed):
    old = link_path(write_week(client))
    client.cookies.clear()
    anonymous = Browser(client)
    assert anonymous.get("/weekly-logs/confirm/" + "x" * 43).status_code == 404
    student = signed_in_as(client, "student1")
    new = link_path(student.post(f"/weekly-logs/{only_log()['id']}/link"))
    assert new != old
    client.cookies.clear()
    assert Browser(client).get(old).status_code == 404
    assert Browser(client).get(new).status_code == 200
