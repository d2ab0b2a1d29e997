"""Flags of the talent pool: the automatic ones (threshold, top share) at their boundaries,
nominations by each role within what it may see, the coordinator's reviews and the pool
status they lead to, the kept history, and the scores kept current when inputs change."""

from __future__ import annotations

import datetime
import json

import pytest
from starlette.requests import Request

from college.app import create_app
from partners.organizations.tables import Activity
from portal.auth import Viewer
from portal.tables import AuditEntry, Role
from portal.templating import templates
from talent_pool.flags import flag_summaries, flags_context, status_after_review
from talent_pool.tables import Award, Flag, FlagReview, PoolEntry, PoolStatus
from tests.support import Browser, make_student, run
from tests.talent_pool.pool_factories import consent
from tests.talent_pool.support_a import (
    attend,
    evaluate,
    flag_all,
    flags_of_student,
    make_activities,
    make_flag,
    make_pool_entry,
    make_review,
    make_settings,
    pool_status,
    rescore_all,
    score,
)

REASON = "在订单班实训中技术突出，积极参加联学联建活动，群众基础好。"

# --- automatic flags -------------------------------------------------------------------------


def test_a_total_exactly_at_the_threshold_is_flagged_and_just_below_is_not():
    make_settings(threshold=45, top_share=0)
    at, below = make_student(), make_student()
    evaluate(at, (90, 90, 90, 90, 90))  # 90 × 50 / 100 = 45.0
    evaluate(below, (90, 90, 90, 90, 89))  # 89.8 × 50 / 100 = 44.9
    rescore_all()
    assert score(at)["total"] == 45.0 and score(below)["total"] == 44.9
    assert flag_all() == 1
    [flag] = flags_of_student(at)
    assert flag["source"] == "threshold" and flag["status"] == "open"
    assert flags_of_student(below) == []
    assert pool_status(at) == "flagged" and pool_status(below) is None
    parts = json.loads(flag["score_parts"])
    assert parts["total"] == 45.0 and parts["evaluation_part"] == 90.0
    assert parts["threshold"] == 45 and parts["settings_id"] is not None
    assert "45" in flag["reason"]


def cohort_of_twenty(points_per_activity: int = 5) -> list[int]:
    """20 students of one cohort; the i-th attended i activities (so student 20 ranks first)."""
    make_settings(attendance_points=points_per_activity, threshold=100, top_share=5)
    activities = make_activities(20)
    students = []
    for i in range(1, 21):
        student = make_student(cohort_year=2024)
        attend(student, activities[:i])
        students.append(student)
    rescore_all()
    return students


def test_a_top_share_of_5_percent_of_20_students_flags_exactly_the_first():
    students = cohort_of_twenty()
    assert score(students[-1])["cohort_rank"] == 1 and score(students[-2])["cohort_rank"] == 2
    assert flag_all() == 1
    [flag] = flags_of_student(students[-1])
    assert flag["source"] == "top_share"
    parts = json.loads(flag["score_parts"])
    assert (parts["cohort_rank"], parts["cohort_size"], parts["top_share"]) == (1, 20, 5)
    assert flags_of_student(students[-2]) == []


def test_a_top_share_of_10_percent_of_20_students_flags_the_first_two():
    students = cohort_of_twenty()
    make_settings(attendance_points=5, threshold=100, top_share=10)
    assert flag_all() == 2
    flagged = {f["student"] for f in run(Flag.select(Flag.student))}
    assert flagged == {students[-1], students[-2]}


def test_party_members_are_not_flagged_for_recruitment():
    make_settings(threshold=45, top_share=0)
    member, probationary, league = (
        make_student(political_status=code) for code in ("01", "02", "03")
    )
    for student in (member, probationary, league):
        evaluate(student, (90, 90, 90, 90, 90))
    rescore_all()
    assert flag_all() == 1
    assert [f["student"] for f in run(Flag.select(Flag.student))] == [league]


def test_a_total_of_zero_is_never_flagged():
    make_settings(threshold=0, top_share=50)
    for _ in range(4):
        make_student()
    rescore_all()
    assert flag_all() == 0
    assert run(Flag.count()) == 0 and run(PoolEntry.count()) == 0


def test_no_second_automatic_flag_for_a_student_already_in_the_pool():
    make_settings(threshold=40, top_share=0)
    new, declined = make_student(), make_student()
    evaluate(new, (90, 90, 90, 90, 90))
    evaluate(declined, (90, 90, 90, 90, 90))
    make_pool_entry(declined, "declined")
    rescore_all()
    assert flag_all() == 1
    assert flag_all() == 0  # the flagged student has a PoolEntry now
    assert len(flags_of_student(new)) == 1
    assert flags_of_student(declined) == [] and pool_status(declined) == "declined"


def test_automatic_flags_are_audited_in_one_row():
    make_settings(threshold=10, top_share=0)
    for _ in range(5):
        evaluate(make_student(), (80, 80, 80, 80, 80))
    rescore_all()
    assert flag_all() == 5
    rows = run(AuditEntry.select().where(AuditEntry.action == "flag"))
    assert len(rows) == 1


def test_flagging_one_cohort_leaves_the_others_alone():
    make_settings(threshold=10, top_share=0)
    a, b = make_student(cohort_year=2024), make_student(cohort_year=2025)
    evaluate(a, (80, 80, 80, 80, 80))
    evaluate(b, (80, 80, 80, 80, 80))
    rescore_all()
    assert flag_all(2025) == 1
    assert pool_status(b) == "flagged" and pool_status(a) is None


# --- nominations -------------------------------------------------------------------------------


def nominate(browser: Browser, student_id: int, reason: str = REASON):
    return browser.post(f"/talent-pool/{student_id}/nominate", {"reason": reason})


def test_a_partner_nominates_a_student_placed_with_its_enterprise(signed_in, people):
    consent(people.student_id)  # so the partner may open the student's pool page afterwards
    partner = signed_in("partner")
    form = partner.get(f"/talent-pool/{people.student_id}/nominate")
    assert form.status_code == 200 and form.template.name == "talent_pool/nominate.html"
    response = nominate(partner, people.student_id)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/talent-pool/{people.student_id}")
    [flag] = flags_of_student(people.student_id)
    assert flag["source"] == "nomination" and flag["status"] == "open"
    assert flag["reason"] == REASON
    assert flag["nominated_by"] == people.partner_user
    assert flag["nominator_role"] == "partner" and flag["enterprise"] == people.enterprise_a
    assert json.loads(flag["score_parts"])["total"] == 0.0  # not scored before
    assert pool_status(people.student_id) == "flagged"
    # the cohort was re-scored with the nomination in it
    assert score(people.student_id)["recommendation_count"] == 1
    created = run(AuditEntry.select().where(AuditEntry.action == "create"))
    assert {"talent_pool_flag", "talent_pool_entry"} <= {row["table_name"] for row in created}


def test_a_partner_cannot_nominate_a_student_placed_elsewhere(signed_in, people):
    partner = signed_in("partner")
    path = f"/talent-pool/{people.other_student_id}/nominate"
    assert partner.get(path).status_code == 404
    assert nominate(partner, people.other_student_id).status_code == 404
    assert run(Flag.count()) == 0


def test_a_mentor_nominates_only_own_mentees(signed_in, people):
    mentor = signed_in("mentor")
    assert nominate(mentor, people.other_student_id).status_code == 404
    response = nominate(mentor, people.student_id)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/talent-pool/{people.student_id}")
    [flag] = flags_of_student(people.student_id)
    assert flag["nominator_role"] == "mentor" and flag["enterprise"] is None


def test_a_student_cannot_nominate_anyone(signed_in, people):
    student = signed_in("student")
    assert student.get(f"/talent-pool/{people.student_id}/nominate").status_code == 404
    assert nominate(student, people.student_id).status_code == 404
    assert nominate(student, people.other_student_id).status_code == 404
    assert run(Flag.count()) == 0


def test_a_coordinator_nominates_any_student(signed_in, people):
    coordinator = signed_in("coordinator")
    assert nominate(coordinator, people.other_student_id).status_code == 303
    assert flags_of_student(people.other_student_id)[0]["nominator_role"] == "coordinator"


@pytest.mark.parametrize("reason", ["", "太短了", "很" * 1001])
def test_a_nomination_needs_a_reason_of_10_to_1000_characters(signed_in, people, reason):
    partner = signed_in("partner")
    response = nominate(partner, people.student_id, reason)
    assert response.status_code == 400
    assert partner.field_error(response, "reason")
    assert Browser.soup(response).select_one("#f-reason").get_text() == reason
    assert run(Flag.count()) == 0


def test_a_reason_of_exactly_10_characters_is_enough(signed_in, people):
    assert (
        nominate(signed_in("partner"), people.student_id, "一二三四五六七八九十").status_code == 303
    )


def test_a_second_open_nomination_by_the_same_user_is_refused(signed_in, people):
    partner = signed_in("partner")
    assert nominate(partner, people.student_id).status_code == 303
    again = nominate(partner, people.student_id, "再次推荐：" + REASON)
    assert again.status_code == 400
    assert Browser.soup(again).select_one(".flash-error").get_text(strip=True)
    assert Browser.soup(again).select_one("#f-reason").get_text().startswith("再次推荐")
    assert len(flags_of_student(people.student_id)) == 1
    # someone else may still nominate, and so may the partner once the flag is reviewed
    assert nominate(signed_in("mentor"), people.student_id).status_code == 303
    make_review(flags_of_student(people.student_id)[0]["id"], "watch")
    assert nominate(signed_in("partner"), people.student_id).status_code == 303
    assert len(flags_of_student(people.student_id)) == 3


@pytest.mark.parametrize(
    "before,after",
    [
        ("watching", "flagged"),
        ("declined", "flagged"),
        ("pooled", "pooled"),
        ("flagged", "flagged"),
    ],
)
def test_a_nomination_flags_a_watched_or_declined_student_again(signed_in, people, before, after):
    make_pool_entry(people.student_id, before)
    assert nominate(signed_in("partner"), people.student_id).status_code == 303
    assert pool_status(people.student_id) == after
    if before != after:
        entry = run(PoolEntry.select().where(PoolEntry.student == people.student_id).first())
        assert entry["status_since"] == datetime.date.today()


# --- reviews -----------------------------------------------------------------------------------


def review_path(student_id: int, flag_id: int) -> str:
    return f"/talent-pool/{student_id}/flags/{flag_id}/review"


def decide(
    browser: Browser, student_id: int, flag_id: int, decision: str, reason: str = "依据充分"
):
    return browser.post(review_path(student_id, flag_id), {"decision": decision, "reason": reason})


@pytest.mark.parametrize(
    "decision,status", [("accept", "pooled"), ("watch", "watching"), ("decline", "declined")]
)
def test_a_review_decides_the_pool_status(signed_in, people, decision, status):
    coordinator = signed_in("coordinator")
    flag = make_flag(people.student_id)
    make_pool_entry(people.student_id, "flagged")
    page = coordinator.get(review_path(people.student_id, flag))
    assert page.status_code == 200 and page.template.name == "talent_pool/review.html"
    assert Browser.soup(page).select_one("#review-form")
    response = decide(coordinator, people.student_id, flag, decision)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/talent-pool/{people.student_id}")
    assert pool_status(people.student_id) == status
    [review] = run(FlagReview.select().where(FlagReview.flag == flag))
    assert review["decision"] == decision and review["reason"] == "依据充分"
    assert review["reviewed_by"] == people.coordinator_user
    assert flags_of_student(people.student_id)[0]["status"] == "reviewed"
    tables = {row["table_name"] for row in run(AuditEntry.select(AuditEntry.table_name))}
    assert {"talent_pool_flag_review", "talent_pool_flag", "talent_pool_entry"} <= tables


def test_while_another_flag_is_open_only_an_accept_changes_the_status(signed_in, people):
    coordinator = signed_in("coordinator")
    first, second, third = (make_flag(people.student_id) for _ in range(3))
    make_pool_entry(people.student_id, "flagged")
    decide(coordinator, people.student_id, first, "decline")
    assert pool_status(people.student_id) == "flagged"
    decide(coordinator, people.student_id, second, "accept")
    assert pool_status(people.student_id) == "pooled"
    decide(coordinator, people.student_id, third, "watch")  # the last open one
    assert pool_status(people.student_id) == "watching"


def test_a_student_in_the_pipeline_stays_pooled_whatever_the_decision(signed_in, people):
    coordinator = signed_in("coordinator")
    flag = make_flag(people.student_id)
    make_pool_entry(people.student_id, "pooled", stage="activist")
    decide(coordinator, people.student_id, flag, "decline")
    assert pool_status(people.student_id) == "pooled"


@pytest.mark.parametrize(
    "decision,stage,other_open,status",
    [
        ("accept", None, False, PoolStatus.pooled),
        ("accept", None, True, PoolStatus.pooled),
        ("watch", None, False, PoolStatus.watching),
        ("watch", None, True, PoolStatus.flagged),
        ("decline", None, False, PoolStatus.declined),
        ("decline", None, True, PoolStatus.flagged),
        ("decline", "applicant", False, PoolStatus.pooled),
        ("watch", "probationary", True, PoolStatus.pooled),
    ],
)
def test_the_status_after_a_review_rule(decision, stage, other_open, status):
    assert status_after_review(decision, stage, other_open) is status


def test_a_review_needs_a_decision_and_a_reason(signed_in, people):
    coordinator = signed_in("coordinator")
    flag = make_flag(people.student_id)
    response = coordinator.post(
        review_path(people.student_id, flag), {"decision": "promote", "reason": ""}
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "decision")
    assert coordinator.field_error(response, "reason")
    typed = coordinator.post(review_path(people.student_id, flag), {"reason": "还需观察一段时间"})
    assert typed.status_code == 400
    assert Browser.soup(typed).select_one("#f-reason").get_text() == "还需观察一段时间"
    assert flags_of_student(people.student_id)[0]["status"] == "open"
    assert run(FlagReview.count()) == 0


def test_a_reviewed_flag_cannot_be_reviewed_again(signed_in, people):
    coordinator = signed_in("coordinator")
    flag = make_flag(people.student_id)
    make_pool_entry(people.student_id, "flagged")
    assert decide(coordinator, people.student_id, flag, "watch").status_code == 303
    page = coordinator.get(review_path(people.student_id, flag))
    assert page.status_code == 200
    soup = Browser.soup(page)
    assert soup.select_one(".already-reviewed") and not soup.select_one("#review-form")
    again = decide(coordinator, people.student_id, flag, "accept")
    assert again.status_code == 409
    assert Browser.soup(again).select_one(".already-reviewed")
    assert run(FlagReview.count()) == 1 and pool_status(people.student_id) == "watching"


def test_a_flag_reviewed_by_someone_else_meanwhile_shows_their_review(
    signed_in, people, monkeypatch
):
    """Two coordinators send a review of the same open flag: the second is told it was
    reviewed meanwhile (409) and sees the first one's decision; nothing of theirs is saved."""
    from talent_pool import flags
    from talent_pool.views import flags as flag_pages

    coordinator = signed_in("coordinator")
    flag = make_flag(people.student_id)
    make_pool_entry(people.student_id, "flagged")

    async def reviewed_first_by_a_colleague(student, flag_id, decision, reason, actor, **names):
        await flags.review(student, flag_id, "watch", "同事先审核了", actor)
        return await flags.review(student, flag_id, decision, reason, actor, **names)

    monkeypatch.setattr(flag_pages, "review", reviewed_first_by_a_colleague)
    response = decide(coordinator, people.student_id, flag, "accept")
    assert response.status_code == 409
    message = response.context["errors"]["form"]
    assert message and response.context["values"]["decision"] == "accept"
    shown = Browser.soup(response).select_one(".already-reviewed").get_text(strip=True)
    assert shown == message
    assert [r.get_text() for r in Browser.soup(response).select(".reviews li strong")]
    assert "同事先审核了" in response.text  # the colleague's review
    assert run(FlagReview.count()) == 1 and pool_status(people.student_id) == "watching"


def test_the_same_flag_cannot_be_reviewed_twice_by_the_rules(people):
    from partners.students import record_student
    from portal.audit import Actor
    from talent_pool.flags import AlreadyReviewed, review

    flag = make_flag(people.student_id)
    make_pool_entry(people.student_id, "flagged")
    coordinator = viewer(people, Role.coordinator)
    student = run(record_student(coordinator, people.student_id))
    actor = Actor(people.coordinator_user, "coord")
    assert run(review(student, flag, "watch", "再观察", actor)) is PoolStatus.watching
    with pytest.raises(AlreadyReviewed):
        run(review(student, flag, "accept", "接受", actor))
    assert run(FlagReview.count()) == 1


def test_a_flag_of_another_student_is_not_found(signed_in, people):
    coordinator = signed_in("coordinator")
    flag = make_flag(people.other_student_id)
    assert coordinator.get(review_path(people.student_id, flag)).status_code == 404
    assert decide(coordinator, people.student_id, flag, "accept").status_code == 404
    assert coordinator.get(review_path(people.student_id, 999999)).status_code == 404
    assert flags_of_student(people.other_student_id)[0]["status"] == "open"


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_only_coordinators_review(signed_in, people, role):
    browser = signed_in(role)
    flag = make_flag(people.student_id)  # a student every one of them may see
    assert browser.get(review_path(people.student_id, flag)).status_code == 404
    assert decide(browser, people.student_id, flag, "accept").status_code == 404
    assert run(FlagReview.count()) == 0


def test_declining_a_nomination_takes_it_out_of_the_score(signed_in, people):
    nominate(signed_in("partner"), people.student_id)
    assert score(people.student_id)["recommendation_count"] == 1
    [flag] = flags_of_student(people.student_id)
    decide(signed_in("coordinator"), people.student_id, flag["id"], "decline")
    assert score(people.student_id)["recommendation_count"] == 0


def viewer(people, role: Role) -> Viewer:
    ids = {
        Role.coordinator: {"user_id": people.coordinator_user},
        Role.partner: {"user_id": people.partner_user, "enterprise_id": people.enterprise_a},
        Role.mentor: {"user_id": people.mentor_user, "mentor_id": people.mentor_id},
        Role.student: {"user_id": people.student_user, "student_id": people.student_id},
    }[role]
    return Viewer(username=role.value, role=role, name=role.value, session_token="", **ids)


def test_the_history_of_flags_and_reviews_is_kept(signed_in, people):
    # (the browsers share one client: each sign-in replaces the previous one)
    nominate(signed_in("partner"), people.student_id)
    first = flags_of_student(people.student_id)[0]["id"]
    decide(signed_in("coordinator"), people.student_id, first, "watch", "再观察一学期")
    nominate(signed_in("partner"), people.student_id, "第二次推荐：" + REASON)
    second = flags_of_student(people.student_id)[1]["id"]
    decide(signed_in("coordinator"), people.student_id, second, "accept", "表现持续优秀")
    context = run(flags_context(people.student_id, viewer(people, Role.coordinator)))
    flags = context["flags"]
    assert [f["id"] for f in flags] == [second, first]  # newest first
    assert [r["reason"] for f in flags for r in f["reviews"]] == ["表现持续优秀", "再观察一学期"]
    assert all(f["status"] == "reviewed" for f in flags)
    assert flags[1]["parts"]["recommendation_count"] == 0  # the score when first nominated
    assert flags[0]["parts"]["recommendation_count"] == 1  # the first one (watched) counts
    assert context["pool_entry"]["status"] == "pooled"
    assert run(Flag.count()) == 2 and run(FlagReview.count()) == 2


# --- the flags partial -------------------------------------------------------------------------


def render_flags(people, role: Role) -> Browser:
    app = create_app()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "headers": [],
        "query_string": b"",
        "router": app.router,
    }
    context = run(flags_context(people.student_id, viewer(people, role)))
    html = templates.get_template("talent_pool/_flags.html").render(
        {**context, "request": Request(scope)}
    )
    return Browser.soup(type("Response", (), {"text": html}))


def test_the_flags_partial_shows_review_links_to_coordinators_only(people):
    make_settings(threshold=10, top_share=0)
    rescore_all()
    flag_all()  # people's student scores 87 × 50 / 100 + … > 10
    nomination = make_flag(
        people.student_id,
        nominator_name="张工",
        nominator_role="partner",
        enterprise=people.enterprise_a,
    )
    coordinator = render_flags(people, Role.coordinator)
    articles = coordinator.select("article.flag")
    assert len(articles) == 2
    links = [a["href"] for a in coordinator.select("a.review-link")]
    assert any(link.endswith(f"/flags/{nomination}/review") for link in links) and len(links) == 2
    assert coordinator.select_one("a.button")["href"].endswith(
        f"/talent-pool/{people.student_id}/nominate"
    )
    assert "张工" in articles[0].get_text()
    assert articles[1].select("table.flag-parts tbody tr")
    partner = render_flags(people, Role.partner)
    assert not partner.select("a.review-link")
    assert partner.select_one("a.button")  # a partner may nominate
    student = render_flags(people, Role.student)
    assert not student.select("a.review-link") and not student.select("a.button")


def test_flag_summaries_are_batched_per_student(people, monkeypatch):
    from tests.portal.test_students import count_queries

    make_flag(people.student_id, reason="企业推荐")
    make_flag(people.student_id, source="threshold", reason="总分达到阈值")
    make_flag(people.other_student_id)
    lonely = make_student()
    queries = count_queries(monkeypatch)
    summaries = run(flag_summaries([people.student_id, people.other_student_id, lonely]))
    assert len(queries) == 1
    assert [s["source"] for s in summaries[people.student_id]] == ["threshold", "nomination"]
    assert summaries[people.student_id][1]["reason"] == "企业推荐"
    assert len(summaries[people.other_student_id]) == 1 and summaries[lonely] == []
    assert run(flag_summaries([])) == {}


# --- scores follow their inputs ----------------------------------------------------------------


def test_saving_an_evaluation_rescores_the_cohort(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        f"/mentorships/{people.mine.assignment}/evaluations/new",
        {
            "mentor": str(people.mine.enterprise_mentor),
            "term": "2026-2027-1",
            "political": "70",
            "professional": "70",
            "practical": "70",
            "innovation": "70",
            "craftsmanship": "70",
            "comment": "",
        },
    )
    assert response.status_code == 303, response.text
    row = score(people.student_id)
    assert row["evaluation_count"] == 2
    assert row["evaluation_part"] == pytest.approx((87.0 + 70.0) / 2)
    assert score(people.other_student_id)["cohort_size"] == 2  # same cohort, re-scored


def test_adding_and_deleting_an_award_rescores(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        f"/students/{people.student_id}/awards/new",
        {
            "kind": "competition",
            "name": "全国职业院校技能大赛",
            "level": "national",
            "rank": "二等奖",
            "awarded_on": "2026-06-10",
        },
    )
    assert response.status_code == 303
    # people's own award: provincial 一等奖 = 40; the new one national 二等奖 = 48
    assert score(people.student_id)["award_part"] == pytest.approx(88.0)
    award_id = run(Award.select(Award.id).where(Award.level == "national").first())["id"]
    deleted = coordinator.post(f"/students/{people.student_id}/awards/{award_id}/delete", {})
    assert deleted.status_code == 303
    assert score(people.student_id)["award_part"] == pytest.approx(40.0)
    assert score(people.student_id)["award_count"] == 1


def test_saving_attendance_rescores(signed_in, people):
    coordinator = signed_in("coordinator")
    activity = run(
        Activity.select(Activity.id).where(Activity.organization == people.organization_a).first()
    )["id"]
    path = f"/organizations/{people.organization_a}/activities/{activity}/attendance"
    response = coordinator.post(path, {"student": [str(people.student_id)]})
    assert response.status_code == 303
    assert score(people.student_id)["attendance_count"] == 1
    coordinator.post(path, {})
    assert score(people.student_id)["attendance_count"] == 0


def test_a_score_reaching_the_threshold_after_an_input_flags_the_student(signed_in, people):
    make_settings(threshold=60, top_share=0)
    rescore_all()
    flag_all()
    assert pool_status(people.student_id) is None  # 87 × 0.5 + 40 × 0.2 = 51.5
    attend(people.student_id, make_activities(9))  # 9 × 10 = 90 → 65.0, not yet scored
    activity = run(
        Activity.select(Activity.id).where(Activity.organization == people.organization_a).first()
    )["id"]
    path = f"/organizations/{people.organization_a}/activities/{activity}/attendance"
    signed_in("coordinator").post(path, {"student": [str(people.student_id)]})
    assert score(people.student_id)["total"] == 66.5  # 51.5 + 15 × 100 / 100
    assert pool_status(people.student_id) == "flagged"
    assert flags_of_student(people.student_id)[0]["source"] == "threshold"
