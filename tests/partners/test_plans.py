"""Work plans of joint organizations: period rules, completion rate and overdue items, the
pages, and a partner kept to the organizations its enterprise is a member unit of."""

from __future__ import annotations

import datetime

import pytest

from partners.dashboard_queries import overdue_items
from partners.organizations.plans import (
    check_item_form,
    check_plan_form,
    completion_rate,
    is_overdue,
)
from partners.organizations.tables import (
    WorkPlan,
    WorkPlanItem,
)
from portal.auth import Viewer
from portal.forms import FormState
from portal.tables import AuditEntry, Role
from tests.support import Browser, count_queries, run

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


# --- rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "done,total,rate",
    [(0, 0, None), (0, 4, 0), (1, 3, 33), (2, 3, 66), (199, 200, 99), (3, 3, 100)],
)
def test_completion_rate(done, total, rate):
    assert completion_rate(done, total) == rate


def test_overdue_means_not_done_and_due_before_today():
    day = datetime.date(2026, 5, 10)
    assert is_overdue(datetime.date(2026, 5, 9), False, day)
    assert not is_overdue(datetime.date(2026, 5, 10), False, day)
    assert not is_overdue(datetime.date(2026, 5, 9), True, day)


@pytest.mark.parametrize(
    "values,error_field",
    [
        ({"period": "quarterly", "year": "2026", "period_number": ""}, "period_number"),
        ({"period": "quarterly", "year": "2026", "period_number": "5"}, "period_number"),
        ({"period": "quarterly", "year": "2026", "period_number": "0"}, "period_number"),
        ({"period": "monthly", "year": "2026", "period_number": "13"}, "period_number"),
        ({"period": "monthly", "year": "2026", "period_number": "第三"}, "period_number"),
        ({"period": "annual", "year": "2026", "period_number": "3"}, "period_number"),
        ({"period": "annual", "year": "1999"}, "year"),
        ({"period": "annual", "year": "2101"}, "year"),
        ({"period": "weekly", "year": "2026"}, "period"),
        ({"period": "annual", "year": "2026", "title": "长" * 201}, "title"),
    ],
)
def test_plan_period_rules(values, error_field):
    form = FormState(values=values)
    check_plan_form(form)
    assert error_field in form.errors


def test_plan_period_numbers_in_range_pass():
    for period, number in (("quarterly", "4"), ("monthly", "12"), ("monthly", "1")):
        form = FormState(values={"period": period, "year": "2026", "period_number": number})
        values = check_plan_form(form)
        assert form.valid and values["period_number"] == int(number) and values["title"]
    form = FormState(values={"period": "annual", "year": "2026", "title": "年度计划"})
    assert check_plan_form(form) == {
        "period": "annual",
        "year": 2026,
        "period_number": None,
        "title": "年度计划",
    }


def test_item_rules():
    form = FormState(values={"content": "", "owner": "", "due_on": "2026-02-30"})
    check_item_form(form)
    assert set(form.errors) == {"content", "owner", "due_on"}


def make_plan(organization_id: int, **fields) -> int:
    values = {
        "organization": organization_id,
        "period": "quarterly",
        "year": 2026,
        "period_number": 2,
        "title": "第二季度计划",
        **fields,
    }
    return run(WorkPlan.insert(WorkPlan(**values)).returning(WorkPlan.id))[0]["id"]


def make_item(plan_id: int, due_on: datetime.date, done: bool = False, **fields) -> int:
    values = {"plan": plan_id, "content": "事项", "owner": "李委员", "due_on": due_on, "done": done}
    return run(
        WorkPlanItem.insert(WorkPlanItem(**{**values, **fields})).returning(WorkPlanItem.id)
    )[0]["id"]


def viewer(role: Role, **links) -> Viewer:
    return Viewer(user_id=0, username="", role=role, name="", session_token="", **links)


def test_overdue_items_are_counted_in_one_query(people, monkeypatch):
    run(WorkPlanItem.delete(force=True))
    plan_a, plan_b = make_plan(people.organization_a), make_plan(people.organization_b)
    make_item(plan_a, YESTERDAY)
    make_item(plan_a, YESTERDAY, done=True)
    make_item(plan_a, TOMORROW)
    make_item(plan_b, YESTERDAY)
    make_item(plan_b, YESTERDAY)

    queries = count_queries(monkeypatch)
    partner_a = viewer(Role.partner, enterprise_id=people.enterprise_a)
    assert run(overdue_items(partner_a, TODAY)).total == 1
    assert len(queries) == 1
    partner_b = viewer(Role.partner, enterprise_id=people.enterprise_b)
    assert run(overdue_items(partner_b, TODAY)).total == 2
    college = viewer(Role.coordinator)
    assert run(overdue_items(college, TODAY)).total == 3
    assert run(overdue_items(college, YESTERDAY)).total == 0


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def test_a_blank_title_is_made_from_the_period(partner, people):
    org = people.organization_a
    form = partner.get(f"/organizations/{org}/plans/new")
    assert Browser.soup(form).select_one("h1").get_text(strip=True) == "新建计划"
    response = partner.post(
        f"/organizations/{org}/plans/new",
        {"period": "quarterly", "year": "2026", "period_number": "3", "title": ""},
    )
    assert response.status_code == 303
    plan = run(WorkPlan.select().where(WorkPlan.period == "quarterly").first())
    assert plan["title"] == "2026年第3季度工作计划"
    assert plan["organization"] == org and plan["period_number"] == 3
    assert run(AuditEntry.exists().where(AuditEntry.table_name == "partners_work_plan"))


def test_a_bad_plan_form_keeps_the_values(partner, people):
    response = partner.post(
        f"/organizations/{people.organization_a}/plans/new",
        {"period": "monthly", "year": "2026", "period_number": "13", "title": "月计划"},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "period_number")
    assert Browser.soup(response).select_one("input[name=title]")["value"] == "月计划"


def test_the_plan_list_shows_completion_and_overdue(coordinator, people):
    org = people.organization_a
    run(WorkPlan.delete().where(WorkPlan.organization == org))
    plan = make_plan(org)
    make_item(plan, YESTERDAY)
    make_item(plan, YESTERDAY, done=True, done_on=YESTERDAY)
    make_item(plan, TOMORROW, done=True)
    empty = make_plan(org, period="annual", period_number=None, year=2025, title="2025年度计划")
    page = coordinator.get(f"/organizations/{org}/plans/")
    stats = {row.id: row for row in page.context["page"].rows}
    counted = stats[plan]
    assert (counted.total, counted.done, counted.overdue, counted.rate) == (3, 2, 1, 66)
    assert stats[empty].rate is None
    assert [year for year, _ in page.context["years_groups"]] == [2026, 2025]
    text = Browser.soup(page).get_text()
    assert "66%" in text and "1 项逾期" in text
    assert Browser.soup(page).select_one("progress")["value"] == "66"
    only_2025 = coordinator.get(f"/organizations/{org}/plans/?year=2025&period=annual")
    assert [r.id for r in only_2025.context["page"].rows] == [empty]


def test_the_plan_list_runs_the_same_queries_whatever_the_row_count(
    coordinator, people, monkeypatch
):
    from tests.portal.test_students import count_queries

    org = people.organization_a
    queries = count_queries(monkeypatch)
    coordinator.get(f"/organizations/{org}/plans/")
    few = len(queries)
    for month in range(1, 13):
        plan = make_plan(org, period="monthly", period_number=month)
        make_item(plan, YESTERDAY)
    queries.clear()
    coordinator.get(f"/organizations/{org}/plans/")
    assert len(queries) == few


def test_plan_detail_sorts_by_due_date_and_marks_overdue(partner, people):
    org = people.organization_a
    plan = make_plan(org)
    make_item(plan, TOMORROW, content="后做")
    late = make_item(plan, YESTERDAY, content="已逾期事项")
    page = partner.get(f"/organizations/{org}/plans/{plan}")
    assert [item.content for item in page.context["items"]] == ["已逾期事项", "后做"]
    assert [item.overdue for item in page.context["items"]] == [True, False]
    row = Browser.soup(page).select_one(f"#item-{late}")
    assert "逾期" in row.get_text()
    # One ⚠, drawn by the stylesheet's .overdue-mark::before: none in the text as well.
    assert row.select_one(".overdue-mark") and "⚠" not in row.get_text()
    assert page.context["rate"] == 0


def test_items_are_added_edited_toggled_and_deleted(partner, people):
    org = people.organization_a
    plan = make_plan(org)
    base = f"/organizations/{org}/plans/{plan}"
    bad = partner.post(base + "/items/new", {"content": "学习", "owner": "", "due_on": ""})
    assert bad.status_code == 400 and Browser.field_error(bad, "owner")
    added = partner.post(
        base + "/items/new", {"content": "组织联学", "owner": "王委员", "due_on": "2026-09-30"}
    )
    assert added.status_code == 303 and added.headers["location"].endswith(base)
    item = run(WorkPlanItem.select().where(WorkPlanItem.plan == plan).first())
    assert item["due_on"] == datetime.date(2026, 9, 30) and not item["done"]
    edited = partner.post(
        f"{base}/items/{item['id']}/edit",
        {"content": "组织联学联建", "owner": "王委员", "due_on": "2026-10-31"},
    )
    assert edited.status_code == 303
    toggled = partner.post(f"{base}/items/{item['id']}/toggle")
    assert toggled.status_code == 303 and toggled.headers["location"].endswith(base)
    row = run(WorkPlanItem.select().where(WorkPlanItem.id == item["id"]).first())
    assert row["done"] and row["done_on"] == TODAY and row["content"] == "组织联学联建"
    assert "已完成" in partner.get(base).text
    partner.post(f"{base}/items/{item['id']}/toggle")
    row = run(WorkPlanItem.select().where(WorkPlanItem.id == item["id"]).first())
    assert not row["done"] and row["done_on"] is None
    assert "组织联学联建" in partner.get(f"{base}/items/{item['id']}/delete").text
    assert partner.post(f"{base}/items/{item['id']}/delete").status_code == 303
    assert not run(WorkPlanItem.exists().where(WorkPlanItem.id == item["id"]))
    actions = run(
        AuditEntry.select(AuditEntry.action).where(
            AuditEntry.table_name == "partners_work_plan_item"
        )
    )
    assert [a["action"] for a in actions] == ["create", "update", "update", "update", "delete"]


def test_editing_and_deleting_a_plan(partner, people):
    org = people.organization_a
    plan = make_plan(org)
    make_item(plan, TOMORROW)
    base = f"/organizations/{org}/plans/{plan}"
    assert (
        Browser.soup(partner.get(base + "/edit")).select_one("input[name=period_number]")["value"]
        == "2"
    )
    response = partner.post(
        base + "/edit", {"period": "annual", "year": "2027", "period_number": "", "title": "新"}
    )
    assert response.status_code == 303
    assert run(
        WorkPlan.select(WorkPlan.period, WorkPlan.year).where(WorkPlan.id == plan).first()
    ) == {
        "period": "annual",
        "year": 2027,
    }
    assert partner.get(base + "/delete").status_code == 200
    assert partner.post(base + "/delete").status_code == 303
    assert not run(WorkPlan.exists().where(WorkPlan.id == plan))
    assert not run(WorkPlanItem.exists().where(WorkPlanItem.plan == plan))


def test_an_empty_plan_list_says_so(coordinator, people):
    run(WorkPlan.delete().where(WorkPlan.organization == people.organization_a))
    page = coordinator.get(f"/organizations/{people.organization_a}/plans/")
    assert Browser.soup(page).select_one("p.empty")


# --- a partner never reaches another organization's plans --------------------------------------


def test_a_partner_gets_404_on_everything_of_another_organization(partner, people):
    org_b = people.organization_b
    plan_b = run(WorkPlan.select(WorkPlan.id).where(WorkPlan.organization == org_b).first())["id"]
    item_b = run(WorkPlanItem.select(WorkPlanItem.id).where(WorkPlanItem.plan == plan_b).first())[
        "id"
    ]
    base = f"/organizations/{org_b}/plans"
    item = f"{base}/{plan_b}/items/{item_b}"
    for path in (
        base + "/",
        base + "/new",
        f"{base}/{plan_b}",
        f"{base}/{plan_b}/edit",
        f"{base}/{plan_b}/delete",
        f"{base}/{plan_b}/items/new",
        item + "/edit",
        item + "/delete",
    ):
        assert partner.get(path).status_code == 404, path
    for path in (
        base + "/new",
        f"{base}/{plan_b}/edit",
        f"{base}/{plan_b}/delete",
        f"{base}/{plan_b}/items/new",
        item + "/edit",
        item + "/toggle",
        item + "/delete",
    ):
        assert partner.post(path, {}).status_code == 404, path
    assert not run(WorkPlanItem.select(WorkPlanItem.done).where(WorkPlanItem.id == item_b).first())[
        "done"
    ]
    assert run(WorkPlan.exists().where(WorkPlan.id == plan_b))
    # organization_b's plan under organization_a's address, or its item under another plan
    own = f"/organizations/{people.organization_a}/plans"
    assert partner.get(f"{own}/{plan_b}").status_code == 404
    own_plan = make_plan(people.organization_a)
    assert partner.post(f"{own}/{own_plan}/items/{item_b}/toggle").status_code == 404
    listed = partner.get(own + "/")
    assert plan_b not in [row.id for row in listed.context["page"].rows]
