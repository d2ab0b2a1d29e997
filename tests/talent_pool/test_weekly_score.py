"""The weekly placement log (实习周志) as a weighted part of the talent score: the part's rule
as a pure function, the same in SQL, its weight in the settings, its row in the breakdown, and
a confirmed, graded week changing the score once the writer announces StudentsChanged."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import WeeklyLog
from portal.audit import Actor
from portal.events import StudentsChanged, announce
from talent_pool.scoring import weekly_part
from tests.support import Browser, insert_id, run
from tests.talent_pool.support_a import evaluate, make_settings, rescore_all, score

MONDAY = datetime.date(2026, 9, 7)

# --- the rule ------------------------------------------------------------------------------


def test_no_weekly_log_gives_zero():
    assert weekly_part(0, 0, []) == 0.0


def test_without_grades_the_part_is_the_confirmed_share():
    assert weekly_part(4, 3, ["", "", "", ""]) == 75.0
    assert weekly_part(2, 0, []) == 0.0


def test_with_grades_the_share_and_the_grade_average_are_averaged():
    # 4 weeks, all confirmed (100); grades A and C → (100 + 70) / 2 = 85 → (100 + 85) / 2
    assert weekly_part(4, 4, ["A", "C", "", ""]) == 92.5
    # 2 weeks, 1 confirmed (50); grades B, D → 67.5 → (50 + 67.5) / 2
    assert weekly_part(2, 1, ["B", "D"]) == 58.75


def test_an_unknown_grade_counts_as_not_graded():
    assert weekly_part(1, 1, ["X"]) == 100.0


# --- in the database -----------------------------------------------------------------------


def write_week(mentorship, week: int, status: str = "submitted", grade: str = "") -> int:
    return insert_id(
        WeeklyLog,
        participation=mentorship.participation,
        student=mentorship_student(mentorship),
        week_start=MONDAY + datetime.timedelta(weeks=week),
        work_done="装配线调试",
        hours=40,
        status=status,
        grade=grade,
    )


def mentorship_student(mentorship) -> int:
    from partners.coeducation.tables import Participation

    row = run(
        Participation.select(Participation.student)
        .where(Participation.id == mentorship.participation)
        .first()
    )
    return row["student"]


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        ([("confirmed", "A"), ("confirmed", "C"), ("submitted", ""), ("returned", "")], 67.5),
        ([("confirmed", ""), ("submitted", "")], 50.0),
        ([("confirmed", "B")], 92.5),
    ],
)
def test_the_sql_computes_the_rule(people, weeks, expected):
    for number, (status, grade) in enumerate(weeks):
        write_week(people.mine, number, status, grade)
    rescore_all()
    row = score(people.student_id)
    statuses = [status for status, _grade in weeks]
    grades = [grade for _status, grade in weeks]
    assert row["weekly_part"] == pytest.approx(
        weekly_part(len(weeks), statuses.count("confirmed"), grades)
    )
    assert row["weekly_part"] == pytest.approx(expected)
    assert row["weekly_count"] == len(weeks)


def test_with_the_default_weight_0_the_weekly_log_leaves_the_total_as_it_was(people):
    evaluate(people.student_id, (90, 80, 70, 60, 100))  # evaluation part 80
    rescore_all()
    before = score(people.student_id)["total"]
    write_week(people.mine, 0, "confirmed", "A")
    rescore_all()
    after = score(people.student_id)
    assert after["weekly_part"] == 100.0 and after["total"] == before


def test_a_confirmed_graded_week_changes_the_score_when_announced(people):
    make_settings(
        evaluation_weight=0,
        award_weight=0,
        attendance_weight=0,
        recommendation_weight=0,
        weekly_weight=10,
    )
    rescore_all()
    assert score(people.student_id)["total"] == 0
    write_week(people.mine, 0, "confirmed", "B")
    # what the weekly-log writers announce after their write commits
    run(announce(StudentsChanged.of([people.student_id], Actor(None, "test"))))
    row = score(people.student_id)
    assert row["weekly_part"] == pytest.approx(92.5) and row["total"] == pytest.approx(92.5)


def test_the_weight_is_set_on_the_settings_page_and_the_breakdown_shows_the_part(signed_in, people):
    from tests.talent_pool.test_scoring import VALID

    write_week(people.mine, 0, "confirmed", "A")
    write_week(people.mine, 1, "submitted")
    coordinator = signed_in("coordinator")
    settings = coordinator.soup(coordinator.get("/talent-pool/settings"))
    assert settings.select_one('input[name="weekly_weight"]') is not None
    weights = {**VALID, "evaluation_weight": "0", "award_weight": "0", "attendance_weight": "0"}
    weights |= {"recommendation_weight": "0", "weekly_weight": "20"}
    assert coordinator.post("/talent-pool/settings", weights).status_code == 303
    row = score(people.student_id)
    assert row["weekly_part"] == pytest.approx(75.0)  # (50 + 100) / 2
    assert row["total"] == pytest.approx(75.0)
    page = coordinator.get(f"/talent-pool/{people.student_id}")
    weekly = Browser.soup(page).select_one("table.score-parts tr.part-weekly_part")
    cells = [td.get_text(strip=True) for td in weekly.select("td")]
    assert cells[:3] == ["2", "75.0", "20"]
    formula = Browser.soup(page).select_one(".score-formula-line").get_text(" ", strip=True)
    assert "20 × 75.0" in formula


def test_grading_a_week_through_the_review_rescores_by_itself(people):
    from partners.coeducation.weekly_reviews import review
    from portal.auth import Viewer
    from portal.tables import Role

    make_settings(
        evaluation_weight=0,
        award_weight=0,
        attendance_weight=0,
        recommendation_weight=0,
        weekly_weight=10,
    )
    log_id = write_week(people.mine, 0, "confirmed")
    rescore_all()
    assert score(people.student_id)["weekly_part"] == pytest.approx(100.0)
    coordinator = Viewer(
        user_id=people.coordinator_user,
        username="coord",
        role=Role.coordinator,
        name="管理员",
        session_token="",
        student_id=None,
        enterprise_id=None,
        mentor_id=None,
    )
    now = datetime.datetime(2026, 9, 15, 9, 0)
    run(review(Actor(people.coordinator_user, "coord"), coordinator, log_id, "认真", "D", now))
    # no rescore_all and no announce here: review() announces StudentsChanged itself
    assert score(people.student_id)["weekly_part"] == pytest.approx(75.0)  # (100 + 50) / 2
