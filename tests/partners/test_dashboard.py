"""The dashboards' partner side: what a coordinator and a partner see, and only that."""

from __future__ import annotations

import datetime

import pytest

from partners.dashboard import term_bounds
from partners.organizations.tables import (
    Activity,
    Agreement,
    WorkPlan,
    WorkPlanItem,
)
from tests.support import make_organization, run

TODAY = datetime.date.today()


def add_agreement(organization_id: int, days_left: int) -> None:
    agreement = Agreement(
        organization=organization_id,
        signed_on=TODAY - datetime.timedelta(days=700),
        expires_on=TODAY + datetime.timedelta(days=days_left),
    )
    run(Agreement.insert(agreement))


def add_item(organization_id: int, content: str, due_in_days: int, done: bool = False) -> None:
    plan = WorkPlan(organization=organization_id, period="annual", year=TODAY.year, title="计划")
    plan_id = run(WorkPlan.insert(plan).returning(WorkPlan.id))[0]["id"]
    due_on = TODAY + datetime.timedelta(days=due_in_days)
    run(
        WorkPlanItem.insert(
            WorkPlanItem(plan=plan_id, content=content, owner="王", due_on=due_on, done=done)
        )
    )


@pytest.mark.parametrize(
    "day,start,end",
    [
        (datetime.date(2026, 11, 23), datetime.date(2026, 9, 1), datetime.date(2027, 3, 1)),
        (datetime.date(2027, 2, 28), datetime.date(2026, 9, 1), datetime.date(2027, 3, 1)),
        (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1), datetime.date(2027, 9, 1)),
        (datetime.date(2027, 8, 31), datetime.date(2027, 3, 1), datetime.date(2027, 9, 1)),
    ],
)
def test_a_term_runs_from_september_or_march(day, start, end):
    assert term_bounds(day) == (start, end)


def test_a_coordinator_sees_agreements_expiring_within_60_days(signed_in, people):
    add_agreement(people.organization_a, 30)
    add_agreement(people.organization_b, 90)
    page = signed_in("coordinator").get("/")
    names = [row.organization_name for row in page.context["expiring_agreements"]]
    assert len(names) == 1 and names[0].startswith("测试联合党支部")
    assert page.context["expiring_agreements"][0].organization_id == people.organization_a


def test_an_expired_agreement_is_listed_as_expired(signed_in, people):
    add_agreement(people.organization_a, -3)
    rows = signed_in("coordinator").get("/").context["expiring_agreements"]
    assert [(row.warning, row.days_left) for row in rows] == [("expired", -3)]


def test_a_partner_sees_only_its_own_organizations_figures(signed_in, people):
    add_agreement(people.organization_a, 10)
    add_agreement(people.organization_b, 10)
    add_item(people.organization_a, "我方逾期事项", -5)
    add_item(people.organization_b, "他方逾期事项", -5)
    page = signed_in("partner").get("/")
    assert page.status_code == 200
    assert [r.organization_id for r in page.context["expiring_agreements"]] == [
        people.organization_a
    ]
    assert page.context["organization_count"] == 1
    assert "我方逾期事项" in page.text and "他方逾期事项" not in page.text
    assert page.context["enterprises_by_status"] == {"active": 1}


def test_overdue_items_are_those_not_done_and_past_due(signed_in, people):
    org = make_organization(people.enterprise_a)
    run(WorkPlanItem.delete(force=True))
    add_item(org, "逾期未完成", -1)
    add_item(org, "逾期已完成", -1, done=True)
    add_item(org, "今天到期", 0)
    page = signed_in("coordinator").get("/")
    assert page.context["overdue_item_count"] == 1
    assert [item.content for item in page.context["overdue_items"]] == ["逾期未完成"]


def test_activities_this_term_are_counted(signed_in, people):
    run(Activity.delete(force=True))
    start, _ = term_bounds(TODAY)
    for held_on in (start, TODAY, start - datetime.timedelta(days=1)):
        run(
            Activity.insert(
                Activity(
                    organization=people.organization_b,
                    kind="lecture",
                    title="讲座",
                    held_on=held_on,
                )
            )
        )
    assert signed_in("coordinator").get("/").context["activities_this_term"] == 2
    assert signed_in("partner").get("/").context["activities_this_term"] == 0


def test_students_without_a_log_for_30_days_need_attention(signed_in, people):
    from partners.coeducation.tables import MentorAssignment, MentoringLog

    run(MentoringLog.delete(force=True))
    long_ago = TODAY - datetime.timedelta(days=60)
    run(MentorAssignment.update({MentorAssignment.starts_on: long_ago}, force=True))
    make_log_recent = MentoringLog(
        assignment=people.theirs.assignment,
        mentor=people.theirs.enterprise_mentor,
        held_on=TODAY - datetime.timedelta(days=3),
        mode="online",
        topic="近期指导",
        hours=1,
    )
    run(MentoringLog.insert(make_log_recent))
    coordinator = signed_in("coordinator").get("/").context["needing_attention"]
    assert [row.id for row in coordinator] == [people.mine.assignment]


def test_a_mentor_sees_only_their_own_mentees_needing_attention(signed_in, people):
    from partners.coeducation.tables import MentorAssignment, MentoringLog

    run(MentoringLog.delete(force=True))
    long_ago = TODAY - datetime.timedelta(days=60)
    run(MentorAssignment.update({MentorAssignment.starts_on: long_ago}, force=True))
    page = signed_in("mentor").get("/")
    assert [row.id for row in page.context["needing_attention"]] == [people.mine.assignment]
    assert page.context["mentor"] is not None
    partner = signed_in("partner").get("/").context["needing_attention"]
    assert [row.id for row in partner] == [people.mine.assignment]
