"""The talent pool's score: each part computed by hand for one kind of input, the weighted
total, the cohort rank, and the settings page that changes the weights and keeps the history."""

from __future__ import annotations

import pytest

from portal.tables import AuditEntry
from talent_pool.scoring import current_settings, default_settings, rank_factor_sql
from talent_pool.tables import ScoreSettings, StudentScore
from tests.support import Browser, make_student, run
from tests.talent_pool.support_a import (
    attend,
    award,
    evaluate,
    make_activities,
    make_flag,
    make_review,
    make_settings,
    rescore_all,
    score,
)

# --- each part, by hand ------------------------------------------------------------------------


def test_a_student_without_any_input_scores_zero_everywhere():
    student = make_student()
    assert rescore_all() == 1
    row = score(student)
    assert [row[k] for k in ("evaluation_part", "award_part", "attendance_part")] == [0, 0, 0]
    assert row["recommendation_part"] == 0 and row["total"] == 0
    assert row["cohort_rank"] == 1 and row["cohort_size"] == 1


def test_the_evaluation_part_averages_every_evaluation_over_its_five_dimensions():
    student = make_student()
    # (90+85+88+80+92)/5 = 87.0 and (80+80+80+80+81)/5 = 80.2 → 83.6
    evaluate(student, (90, 85, 88, 80, 92), (80, 80, 80, 80, 81))
    rescore_all()
    row = score(student)
    assert row["evaluation_part"] == pytest.approx(83.6)
    assert row["evaluation_count"] == 2
    # default weights 50 / 20 / 15 / 15: 50 × 83.6 / 100 = 41.8
    assert row["total"] == 41.8


def test_the_award_part_multiplies_level_points_by_the_rank_factor():
    student = make_student()
    award(student, "school", "")  # 15 × 1.0 = 15
    award(student, "school", "二等奖")  # 15 × 0.8 = 12
    award(student, "school", "铜奖")  # 15 × 0.6 = 9
    award(student, "school", "优秀奖")  # 15 × 0.4 = 6
    award(student, "municipal", "金奖")  # 25 × 1.0 = 25
    rescore_all()
    row = score(student)
    assert row["award_part"] == pytest.approx(67.0)
    assert row["award_count"] == 5
    assert row["total"] == 13.4  # 20 × 67 / 100


@pytest.mark.parametrize(
    "rank,points",
    [
        ("", 60),
        ("特等奖", 60),
        ("一等奖", 60),
        ("金奖", 60),
        ("第1名", 60),
        ("冠军", 60),
        ("二等奖", 48),
        ("银奖", 48),
        ("第2名", 48),
        ("亚军", 48),
        ("三等奖", 36),
        ("铜奖", 36),
        ("第3名", 36),
        ("季军", 36),
        ("优秀奖", 24),
        ("入围", 24),
        ("第10名", 24),
    ],
)
def test_each_rank_has_its_factor(rank, points):
    student = make_student()
    award(student, "national", rank)  # 60 points before the factor
    rescore_all()
    assert score(student)["award_part"] == pytest.approx(points)


def test_the_award_part_stops_at_100():
    student = make_student()
    award(student, "national", "一等奖")
    award(student, "national", "冠军")  # 60 + 60 = 120 → 100
    rescore_all()
    assert score(student)["award_part"] == 100
    assert score(student)["award_count"] == 2


def test_the_attendance_part_counts_activities_and_stops_at_100():
    few, many = make_student(), make_student()
    activities = make_activities(12)
    attend(few, activities[:3])  # 3 × 10 = 30
    attend(many, activities)  # 12 × 10 = 120 → 100
    rescore_all()
    assert score(few)["attendance_part"] == 30 and score(few)["attendance_count"] == 3
    assert score(few)["total"] == 4.5  # 15 × 30 / 100
    assert score(many)["attendance_part"] == 100 and score(many)["attendance_count"] == 12


def test_the_recommendation_part_counts_nominations_not_declined():
    student = make_student()
    make_flag(student)  # open: counts
    make_review(make_flag(student), "accept")  # accepted: counts
    make_review(make_flag(student), "decline")  # declined: does not count
    make_flag(student, source="threshold")  # not a nomination
    rescore_all()
    row = score(student)
    assert row["recommendation_count"] == 2
    assert row["recommendation_part"] == 100  # 2 × 50
    make_settings(recommendation_points=30)
    rescore_all()
    assert score(student)["recommendation_part"] == 60
    assert score(student)["total"] == 9.0  # 15 × 60 / 100


def test_the_total_is_the_weighted_average_of_the_four_parts():
    student = make_student()
    evaluate(student, (90, 85, 88, 80, 92), (80, 80, 80, 80, 81))  # 83.6
    award(student, "school", "")  # 15
    award(student, "municipal", "金奖")  # 25
    award(student, "school", "二等奖")  # 12
    award(student, "school", "铜奖")  # 9
    award(student, "school", "入围")  # 6 → 67
    attend(student, make_activities(3))  # 30
    make_flag(student)  # 50
    rescore_all()
    # (50 × 83.6 + 20 × 67 + 15 × 30 + 15 × 50) / 100 = 67.2
    assert score(student)["total"] == 67.2
    make_settings(evaluation_weight=2, award_weight=1, attendance_weight=1, recommendation_weight=1)
    rescore_all()
    # (2 × 83.6 + 67 + 30 + 50) / 5 = 62.84 → 62.8
    assert score(student)["total"] == 62.8
    make_settings(evaluation_weight=3, award_weight=0, attendance_weight=0, recommendation_weight=0)
    rescore_all()
    assert score(student)["total"] == 83.6


def test_the_score_remembers_the_settings_it_was_computed_with():
    student = make_student()
    rescore_all()
    assert score(student)["settings"] is None  # the defaults, never saved
    settings_id = make_settings(award_weight=40)
    rescore_all()
    assert score(student)["settings"] == settings_id


# --- ranking -----------------------------------------------------------------------------------


def test_students_are_ranked_within_their_cohort():
    first, tied_a, tied_b, last = (make_student(cohort_year=2024) for _ in range(4))
    other_cohort = make_student(cohort_year=2025)
    activities = make_activities(5)
    attend(first, activities)
    attend(tied_a, activities[:2])
    attend(tied_b, activities[:2])
    attend(other_cohort, activities[:1])
    rescore_all()
    ranks = {s: (score(s)["cohort_rank"], score(s)["cohort_size"]) for s in (first, tied_a, tied_b)}
    assert ranks == {first: (1, 4), tied_a: (2, 4), tied_b: (2, 4)}
    assert (score(last)["cohort_rank"], score(last)["cohort_size"]) == (4, 4)
    assert (score(other_cohort)["cohort_rank"], score(other_cohort)["cohort_size"]) == (1, 1)


def test_rescoring_one_cohort_leaves_the_others_alone():
    a, b = make_student(cohort_year=2024), make_student(cohort_year=2025)
    rescore_all()
    activities = make_activities(2)
    attend(a, activities)
    attend(b, activities)
    assert rescore_all(2024) == 1
    assert score(a)["attendance_count"] == 2
    assert score(b)["attendance_count"] == 0  # not re-scored yet
    assert run(StudentScore.count()) == 2


def ranked_pair() -> tuple[int, int]:
    """X: strong evaluations, no awards. Y: weak evaluations, two first prizes."""
    x, y = make_student(), make_student()
    evaluate(x, (90, 90, 90, 90, 90))
    evaluate(y, (60, 60, 60, 60, 60))
    award(y, "national", "一等奖")
    award(y, "provincial", "一等奖")  # 60 + 40 = 100
    return x, y


def test_a_heavier_award_weight_moves_the_award_winner_ahead():
    x, y = ranked_pair()
    make_settings(
        evaluation_weight=80, award_weight=10, attendance_weight=5, recommendation_weight=5
    )
    rescore_all()
    assert score(x)["total"] == 72.0 and score(y)["total"] == 58.0
    assert score(x)["cohort_rank"] == 1 and score(y)["cohort_rank"] == 2
    make_settings(
        evaluation_weight=10, award_weight=80, attendance_weight=5, recommendation_weight=5
    )
    rescore_all()
    assert score(x)["total"] == 9.0 and score(y)["total"] == 86.0
    assert score(y)["cohort_rank"] == 1 and score(x)["cohort_rank"] == 2


def test_a_rescore_is_audited_once_whatever_the_number_of_students():
    for _ in range(30):
        make_student()
    rescore_all()
    rows = run(AuditEntry.select().where(AuditEntry.action == "rescore"))
    assert len(rows) == 1
    assert rows[0]["table_name"] == "talent_pool_student_score"


def test_the_rank_factor_is_a_sql_case_on_the_rank_text():
    sql = rank_factor_sql()
    assert sql.startswith("CASE") and "LIKE '%一等%'" in sql and "ELSE 0.4" in sql


def test_the_settings_in_force_are_the_newest_version_or_the_defaults():
    assert run(current_settings()) == default_settings()
    assert default_settings()["evaluation_weight"] == 50
    make_settings(threshold=70)
    newest = make_settings(threshold=75)
    settings = run(current_settings())
    assert settings["id"] == newest and settings["threshold"] == 75


# --- the settings page -------------------------------------------------------------------------

VALID = {
    "evaluation_weight": "50",
    "award_weight": "20",
    "attendance_weight": "15",
    "recommendation_weight": "15",
    "weekly_weight": "0",
    "national_points": "60",
    "provincial_points": "40",
    "municipal_points": "25",
    "school_points": "15",
    "attendance_points": "10",
    "recommendation_points": "50",
    "threshold": "80",
    "top_share": "5",
    "note": "",
}


@pytest.fixture
def coordinator(signed_in) -> Browser:
    return signed_in("coordinator")


def test_the_settings_page_shows_the_settings_in_force_and_the_formula(coordinator):
    page = coordinator.get("/talent-pool/settings")
    assert page.status_code == 200
    assert page.template.name == "talent_pool/settings.html"
    soup = Browser.soup(page)
    assert soup.select_one("#f-evaluation_weight")["value"] == "50"
    assert soup.select_one("#f-top_share")["value"] == "5"
    factors = [td.get_text(strip=True) for td in soup.select("table.rank-factors td")]
    assert factors == ["1.0", "1.0", "0.8", "0.6", "0.4"]
    assert soup.select_one("#rescore-form")["action"].endswith("/talent-pool/rescore")
    assert soup.select_one("p.empty")  # no history yet


@pytest.mark.parametrize(
    "field,bad_value",
    [
        ("evaluation_weight", "-1"),
        ("award_weight", "101"),
        ("attendance_weight", "abc"),
        ("recommendation_weight", ""),
        ("national_points", "1.5"),
        ("school_points", "101"),
        ("attendance_points", ""),
        ("recommendation_points", "200"),
        ("threshold", "101"),
        ("top_share", "51"),
        ("top_share", "-5"),
        ("note", "说" * 301),
    ],
)
def test_bad_settings_are_explained_next_to_the_field(coordinator, field, bad_value):
    response = coordinator.post("/talent-pool/settings", {**VALID, field: bad_value})
    assert response.status_code == 400
    assert coordinator.field_error(response, field)
    soup = Browser.soup(response)
    typed = soup.select_one(f"#f-{field}")["value"]
    assert typed == bad_value
    assert run(ScoreSettings.count()) == 0


def test_at_least_one_weight_must_count(coordinator):
    zero = {name: "0" for name in VALID if name.endswith("_weight")}
    response = coordinator.post("/talent-pool/settings", {**VALID, **zero})
    assert response.status_code == 400
    assert coordinator.field_error(response, "weights")
    assert run(ScoreSettings.count()) == 0
    ok = coordinator.post("/talent-pool/settings", {**VALID, **zero, "award_weight": "1"})
    assert ok.status_code == 303


def test_saving_adds_a_version_rescores_and_shows_the_history(coordinator, people):
    response = coordinator.post("/talent-pool/settings", {**VALID, "note": "提高奖项权重"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/talent-pool/settings")
    coordinator.post("/talent-pool/settings", {**VALID, "award_weight": "40", "note": "第二版"})
    versions = run(ScoreSettings.select().order_by(ScoreSettings.id))
    assert [v["award_weight"] for v in versions] == [20, 40]
    assert versions[1]["changed_by"] == people.coordinator_user
    assert run(StudentScore.count()) == 2  # both students of `people` scored
    assert score(people.student_id)["settings"] == versions[1]["id"]
    page = coordinator.get("/talent-pool/settings")
    assert "flash-success" in page.text
    rows = Browser.soup(page).select("table.settings-history tbody tr")
    assert [row.th.get_text(" ", strip=True).split()[0] for row in rows] == [
        str(versions[1]["id"]),
        str(versions[0]["id"]),
    ]
    assert "第二版" in rows[0].get_text() and "coord" in rows[0].get_text()
    assert Browser.soup(page).select_one("#f-award_weight")["value"] == "40"
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "talent_pool_score_settings"))
    assert len(audit) == 2 and {a["action"] for a in audit} == {"create"}


def test_a_long_history_is_paginated(coordinator):
    for n in range(25):
        make_settings(threshold=50 + n)
    page = coordinator.get("/talent-pool/settings")
    assert len(Browser.soup(page).select("table.settings-history tbody tr")) == 20
    second = coordinator.get("/talent-pool/settings?page=2")
    assert len(Browser.soup(second).select("table.settings-history tbody tr")) == 5


def test_changing_a_weight_on_the_page_reranks_the_students(coordinator, people):
    x, y = ranked_pair()
    heavy_evaluations = {
        **VALID,
        "evaluation_weight": "80",
        "award_weight": "10",
        "attendance_weight": "5",
        "recommendation_weight": "5",
    }
    coordinator.post("/talent-pool/settings", heavy_evaluations)
    assert score(x)["cohort_rank"] < score(y)["cohort_rank"]
    heavy_awards = {**heavy_evaluations, "evaluation_weight": "10", "award_weight": "80"}
    coordinator.post("/talent-pool/settings", heavy_awards)
    assert score(y)["cohort_rank"] < score(x)["cohort_rank"]


def test_the_coordinator_rescores_everyone_on_demand(coordinator, people):
    response = coordinator.post("/talent-pool/rescore", {})
    assert response.status_code == 303
    assert run(StudentScore.count()) == 2
    assert run(AuditEntry.count().where(AuditEntry.action == "rescore")) == 1
    page = coordinator.get(response.headers["location"])
    assert "flash-success" in page.text


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_only_coordinators_change_settings(signed_in, role):
    browser = signed_in(role)
    assert browser.get("/talent-pool/settings").status_code == 404
    assert browser.post("/talent-pool/settings", VALID).status_code == 404
    assert browser.post("/talent-pool/rescore", {}).status_code == 404
    assert run(ScoreSettings.count()) == 0


# --- the score partial, through the review page that includes it ------------------------------


def test_the_score_partial_shows_parts_counts_weights_and_rank(coordinator, people):
    coordinator.post("/talent-pool/rescore", {})
    flag = make_flag(people.student_id)
    page = coordinator.get(f"/talent-pool/{people.student_id}/flags/{flag}/review")
    soup = Browser.soup(page)
    rows = soup.select("table.score-parts tbody tr")
    assert [row["class"][0] for row in rows] == [
        "part-evaluation_part",
        "part-award_part",
        "part-attendance_part",
        "part-recommendation_part",
        "part-weekly_part",
    ]
    evaluation = [td.get_text(strip=True) for td in rows[0].select("td")]
    # people's student has one evaluation (90, 85, 88, 80, 92) → 87.0, weight 50
    assert evaluation[0] == "1" and evaluation[1] == "87.0" and evaluation[2] == "50"
    assert soup.select("table.score-parts meter")
    assert soup.select_one("table.score-parts tfoot").get_text()
    assert not soup.select("[style]")  # the CSP forbids inline styles


# --- re-scoring after another area's change ----------------------------------------------------


def test_a_database_failure_while_rescoring_after_a_change_is_logged_not_raised(
    monkeypatch, caplog
):
    """The change that asked for the re-score is committed already; the next re-score
    repairs the scores, so the user is not shown an error for it."""
    import sqlite3

    from talent_pool import scoring

    async def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    student = make_student()
    monkeypatch.setattr(scoring, "rescore", locked)
    with caplog.at_level("ERROR", logger="portal"):
        run(scoring.rescore_students([student]))
    assert any("Re-scoring students" in record.getMessage() for record in caplog.records)


def test_a_bug_while_rescoring_is_not_swallowed(monkeypatch):
    from talent_pool import scoring

    async def broken(*_args, **_kwargs):
        raise TypeError("a bug")

    student = make_student()
    monkeypatch.setattr(scoring, "rescore", broken)
    with pytest.raises(TypeError):
        run(scoring.rescore_students([student]))
