"""The week a student on a 岗位实习 should write next, shown at the top of their record with
one button to write it: last week on Monday if it is missing, else this week; nothing once
every begun week is written or without an active placement."""

from __future__ import annotations

import datetime

from partners.coeducation.tables import Participation, WeeklyLog
from partners.coeducation.weekly_logs import monday_of, week_to_write
from tests.support import Browser, insert_id, run

MONDAY = datetime.date(2026, 11, 30)
WEEKS = [MONDAY - datetime.timedelta(days=7 * n) for n in (3, 2, 1, 0)]


def test_the_newest_ended_week_comes_first_then_this_week():
    found = week_to_write(WEEKS, set(), MONDAY)
    assert found is not None and (found.week_start, found.missing) == (WEEKS[2], 4)
    assert found.week_end == datetime.date(2026, 11, 29)
    found = week_to_write(WEEKS, {WEEKS[2]}, MONDAY + datetime.timedelta(days=4))
    assert found is not None and (found.week_start, found.missing) == (WEEKS[1], 3)
    found = week_to_write(WEEKS, set(WEEKS[:3]), MONDAY)
    assert found is not None and (found.week_start, found.missing) == (MONDAY, 1)
    assert week_to_write(WEEKS, set(WEEKS), MONDAY) is None
    assert week_to_write([], set(), MONDAY) is None


def test_the_student_sees_the_week_to_write_on_their_record(client, people):
    today = datetime.date.today()
    run(
        Participation.update(
            starts_on=today - datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ).where(Participation.id == people.mine.participation)
    )
    browser = Browser(client)
    browser.sign_in("student1")
    page = Browser.soup(browser.get("/me"))
    button = page.select_one("#write-week")
    assert button is not None
    week = button["href"].split("week=")[1]
    assert datetime.date.fromisoformat(week) == monday_of(today) - datetime.timedelta(days=7)

    last_week = datetime.date.fromisoformat(week)
    for start in {monday_of(today - datetime.timedelta(days=d)) for d in range(0, 21)}:
        if start + datetime.timedelta(days=6) >= today - datetime.timedelta(days=20):
            insert_id(
                WeeklyLog,
                participation=people.mine.participation,
                student=people.student_id,
                week_start=start,
                work_done="装配",
                hours=40,
            )
    assert last_week in {row["week_start"] for row in run(WeeklyLog.select(WeeklyLog.week_start))}
    assert Browser.soup(browser.get("/me")).select_one("#write-week") is None

    run(Participation.update(status="ended").where(Participation.id == people.mine.participation))
    run(WeeklyLog.delete(force=True))
    assert Browser.soup(browser.get("/me")).select_one("#write-week") is None
