"""Enterprises (合作企业): coordinators manage them all, a partner sees and edits its own."""

from __future__ import annotations

import datetime
import json

import pytest

from partners.organizations.tables import (
    Enterprise,
    MemberUnit,
    PartnerAccount,
)
from portal.tables import AuditEntry, Role
from tests.support import (
    Browser,
    clear_mentorships,
    make_account,
    make_enterprise,
    make_member_unit,
    make_mentor,
    make_organization,
    run,
)

VALID = {
    "name": "福州智造科技有限公司",
    "credit_code": "91350100M000100Y43",
    "industry": "智能制造",
    "address": "福州市鼓楼区软件大道89号",
    "contact_person": "陈工",
    "contact_phone": "13912345678",
    "party_org_name": "福州智造科技有限公司党支部",
    "party_org_kind": "branch",
    "party_member_count": "12",
    "employee_count": "300",
    "partner_since": "2023-09-01",
    "status": "active",
}
OTHER_VALID_CODE = "91110000600037341L"


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def enterprise(enterprise_id: int) -> dict:
    return run(Enterprise.select().where(Enterprise.id == enterprise_id).first())


def audit_entries(action: str) -> list[dict]:
    return run(
        AuditEntry.select()
        .where(AuditEntry.table_name == "partners_enterprise", AuditEntry.action == action)
        .order_by(AuditEntry.id)
    )


def list_names(response) -> list[str]:
    return [a.get_text(strip=True) for a in Browser.soup(response).select("table.data tbody a")]


# --- creating --------------------------------------------------------------------------------


def test_creating_an_enterprise(coordinator):
    response = coordinator.post("/enterprises/new", VALID)
    assert response.status_code == 303
    row = run(Enterprise.select().where(Enterprise.credit_code == VALID["credit_code"]).first())
    assert row["name"] == VALID["name"]
    assert row["partner_since"] == datetime.date(2023, 9, 1)
    assert (row["party_member_count"], row["employee_count"]) == (12, 300)
    assert row["party_org_kind"] == "branch" and row["status"] == "active"
    [entry] = audit_entries("create")
    assert entry["row_id"] == row["id"]
    assert json.loads(entry["changes"])["credit_code"] == [None, VALID["credit_code"]]
    page = coordinator.get(response.headers["location"])
    facts = Browser.soup(page).select_one("#enterprise-facts").get_text()
    assert VALID["name"] in facts and "党支部" in facts and "合作中" in facts
    assert "2023-09-01" in facts


def test_a_lowercase_code_with_spaces_is_stored_normalized(coordinator):
    response = coordinator.post(
        "/enterprises/new", {**VALID, "credit_code": "9135 0100 m000 100y 43"}
    )
    assert response.status_code == 303
    assert run(Enterprise.exists().where(Enterprise.credit_code == VALID["credit_code"]))


def test_optional_fields_may_stay_empty(coordinator):
    minimal = {"name": "最小企业", "credit_code": OTHER_VALID_CODE}
    response = coordinator.post(
        "/enterprises/new", {**minimal, "party_org_kind": "none", "status": "paused"}
    )
    assert response.status_code == 303
    row = run(Enterprise.select().where(Enterprise.name == "最小企业").first())
    assert row["partner_since"] is None and row["employee_count"] == 0


TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "field,bad_value",
    [
        ("name", ""),
        ("name", "企" * 201),
        ("credit_code", ""),
        ("credit_code", "91350100M000100Y4"),
        ("credit_code", "91350100M000100YI3"),
        ("credit_code", "91350100M000100Y44"),
        ("contact_phone", "12345"),
        ("party_org_kind", "club"),
        ("party_member_count", "-1"),
        ("party_member_count", "100001"),
        ("party_member_count", "many"),
        ("party_member_count", "301"),  # more than the 300 employees
        ("employee_count", "10000001"),
        ("partner_since", "2023-02-30"),
        ("partner_since", TOMORROW),
        ("status", "closed"),
        ("address", "路" * 301),
    ],
)
def test_bad_input_is_explained_next_to_the_field(coordinator, field, bad_value):
    response = coordinator.post("/enterprises/new", {**VALID, field: bad_value})
    assert response.status_code == 400
    assert response.template.name == "organizations/enterprise_form.html"
    assert Browser.field_error(response, field)
    assert response.context["values"][field] == bad_value
    if field != "name":
        assert Browser.soup(response).select_one("input[name=name]")["value"] == VALID["name"]
    assert not run(Enterprise.exists().where(Enterprise.name == VALID["name"]))


def test_each_kind_of_wrong_code_has_its_own_message(coordinator):
    messages = {
        Browser.field_error(
            coordinator.post("/enterprises/new", {**VALID, "credit_code": code}), "credit_code"
        )
        for code in ("91350100M000100Y4", "91350100M000100YI3", "91350100M000100Y44")
    }
    assert len(messages) == 3
    assert any("校验" in message for message in messages)  # shown in Chinese by default


def test_credit_codes_are_unique(coordinator):
    make_enterprise(credit_code=VALID["credit_code"])
    response = coordinator.post("/enterprises/new", VALID)
    assert response.status_code == 400
    assert Browser.field_error(response, "credit_code")
    assert run(Enterprise.count().where(Enterprise.credit_code == VALID["credit_code"])) == 1


def test_a_duplicate_code_lost_in_a_race_is_the_same_field_error(coordinator, monkeypatch):
    """Two coordinators save the same code at once: both pass the check, the unique index
    refuses the second insert, and the user sees the same message as above."""
    make_enterprise(credit_code=VALID["credit_code"])

    async def nobody_has_it(code, enterprise_id):
        return False

    monkeypatch.setattr("partners.organizations.enterprises.credit_code_taken", nobody_has_it)
    response = coordinator.post("/enterprises/new", VALID)
    assert response.status_code == 400
    assert Browser.field_error(response, "credit_code")
    assert run(Enterprise.count().where(Enterprise.credit_code == VALID["credit_code"])) == 1
    assert audit_entries("create") == []


# --- editing ---------------------------------------------------------------------------------


def test_editing_keeps_its_own_code_and_audits_the_changes(coordinator):
    enterprise_id = make_enterprise(credit_code=VALID["credit_code"], name=VALID["name"])
    page = coordinator.get(f"/enterprises/{enterprise_id}/edit")
    assert page.status_code == 200
    assert page.context["values"]["credit_code"] == VALID["credit_code"]
    response = coordinator.post(f"/enterprises/{enterprise_id}/edit", {**VALID, "status": "paused"})
    assert response.status_code == 303
    assert enterprise(enterprise_id)["status"] == "paused"
    [entry] = audit_entries("update")
    changes = json.loads(entry["changes"])
    assert changes["status"] == ["active", "paused"]
    assert "name" not in changes and "credit_code" not in changes


def test_editing_to_another_enterprises_code_is_refused(coordinator):
    make_enterprise(credit_code=OTHER_VALID_CODE)
    enterprise_id = make_enterprise(credit_code=VALID["credit_code"])
    response = coordinator.post(
        f"/enterprises/{enterprise_id}/edit", {**VALID, "credit_code": OTHER_VALID_CODE}
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "credit_code")
    assert enterprise(enterprise_id)["credit_code"] == VALID["credit_code"]


# --- the list --------------------------------------------------------------------------------


def test_search_filter_and_sort(coordinator):
    make_enterprise(name="甲软件排序公司", industry="软件", status="active", credit_code="A" * 18)
    make_enterprise(name="乙制造排序公司", industry="制造", status="paused", credit_code="B" * 18)
    make_enterprise(name="丙制造排序公司", industry="制造", status="ended", credit_code="C" * 18)
    assert list_names(coordinator.get("/enterprises/?q=软件")) == ["甲软件排序公司"]
    assert list_names(coordinator.get("/enterprises/?q=bbbb")) == ["乙制造排序公司"]
    assert sorted(list_names(coordinator.get("/enterprises/?industry=制造"))) == [
        "丙制造排序公司",
        "乙制造排序公司",
    ]
    assert list_names(coordinator.get("/enterprises/?status=ended")) == ["丙制造排序公司"]
    by_status = list_names(coordinator.get("/enterprises/?sort=status&q=排序"))
    assert by_status == [
        "甲软件排序公司",
        "丙制造排序公司",
        "乙制造排序公司",
    ]  # active, ended, paused
    descending = list_names(coordinator.get("/enterprises/?sort=-industry&q=排序"))
    assert descending[0] == "甲软件排序公司"


def test_sorting_by_partner_since(coordinator):
    make_enterprise(name="早", partner_since=datetime.date(2019, 1, 1))
    make_enterprise(name="晚", partner_since=datetime.date(2024, 1, 1))
    assert list_names(coordinator.get("/enterprises/?sort=partner_since&q=早"))[0] == "早"
    names = list_names(coordinator.get("/enterprises/?sort=-partner_since&size=100"))
    assert names.index("晚") < names.index("早")


def test_pagination(coordinator):
    for n in range(25):
        make_enterprise(name=f"分页企业{n:02d}")
    first = coordinator.get("/enterprises/?q=分页")
    second = coordinator.get("/enterprises/?q=分页&page=2")
    assert len(list_names(first)) == 20 and len(list_names(second)) == 5
    assert first.context["page"].total == 25
    assert Browser.soup(first).select_one("a[rel=next]")


def test_empty_states(coordinator, browser):
    filtered = Browser.soup(coordinator.get("/enterprises/?q=不存在的企业"))
    assert filtered.select_one("p.empty a")["href"].endswith("/enterprises/")
    assert not filtered.select("table.data")
    make_account("solo", Role.coordinator)  # a database without any enterprise
    run(PartnerAccount.delete(force=True))
    browser.sign_in("solo")
    run(MemberUnit.delete(force=True))
    clear_mentorships()
    run(Enterprise.delete(force=True))
    empty = Browser.soup(browser.get("/enterprises/"))
    assert empty.select_one("p.empty a")["href"].endswith("/enterprises/new")


def test_the_list_runs_the_same_queries_whatever_the_row_count(coordinator, monkeypatch):
    from tests.portal.test_students import count_queries

    queries = count_queries(monkeypatch)
    coordinator.get("/enterprises/")
    few = len(queries)
    for n in range(30):
        make_enterprise(industry=f"行业{n}")
    queries.clear()
    coordinator.get("/enterprises/?page=2")
    assert len(queries) == few


# --- the detail page -------------------------------------------------------------------------


def test_the_detail_page_shows_what_is_linked(coordinator, people):
    make_account("partner_a2", Role.partner, enterprise_id=people.enterprise_a, display_name="王")
    make_mentor(side="enterprise", name="赵工程师", enterprise=people.enterprise_a, position="主管")
    page = coordinator.get(f"/enterprises/{people.enterprise_a}")
    soup = Browser.soup(page)
    accounts = soup.select_one("#partner-accounts").get_text()
    assert "partner_a" in accounts and "partner_a2" in accounts and "王" in accounts
    add = soup.select_one("#partner-accounts a.button")["href"]
    assert add.endswith(f"/accounts/new?role=partner&enterprise={people.enterprise_a}")
    units = soup.select_one("#member-units").get_text()
    organization = run(
        MemberUnit.select(MemberUnit.organization.name)
        .where(MemberUnit.enterprise == people.enterprise_a)
        .first()
    )
    assert organization["organization.name"] in units
    link = soup.select_one("#member-units a")["href"]
    assert link.endswith(f"/organizations/{people.organization_a}")
    mentors = soup.select_one("#mentors").get_text()
    assert "赵工程师" in mentors and "主管" in mentors
    other = run(Enterprise.select(Enterprise.name).where(Enterprise.id == people.enterprise_b))
    assert other[0]["name"] not in page.text


def test_the_detail_page_runs_a_bounded_number_of_queries(coordinator, people, monkeypatch):
    from tests.portal.test_students import count_queries

    queries = count_queries(monkeypatch)
    coordinator.get(f"/enterprises/{people.enterprise_a}")
    few = len(queries)
    for n in range(5):
        make_account(f"more_partner{n}", Role.partner, enterprise_id=people.enterprise_a)
        make_mentor(side="enterprise", name=f"工程师{n}", enterprise=people.enterprise_a)
        make_organization(people.enterprise_a)
    queries.clear()
    page = coordinator.get(f"/enterprises/{people.enterprise_a}")
    assert "工程师4" in page.text
    assert len(queries) == few


def test_the_add_account_link_prefills_role_and_enterprise(coordinator, people):
    page = coordinator.get(f"/accounts/new?role=partner&enterprise={people.enterprise_a}")
    soup = Browser.soup(page)
    assert soup.select_one("#f-role option[selected]")["value"] == "partner"
    assert soup.select_one("#f-enterprise option[selected]")["value"] == str(people.enterprise_a)
    plain = Browser.soup(coordinator.get("/accounts/new?role=nonsense&enterprise=x"))
    assert plain.select_one("#f-role option[selected]")["value"] == "coordinator"
    assert plain.select_one("#f-enterprise option[selected]") is None


# --- deleting --------------------------------------------------------------------------------


def test_deleting_an_unlinked_enterprise(coordinator):
    enterprise_id = make_enterprise(name="待删除企业")
    confirm = coordinator.get(f"/enterprises/{enterprise_id}/delete")
    assert confirm.template.name == "organizations/enterprise_delete.html"
    assert Browser.soup(confirm).select_one("form button.danger")
    response = coordinator.post(f"/enterprises/{enterprise_id}/delete")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/enterprises/")
    assert enterprise(enterprise_id) is None
    [entry] = audit_entries("delete")
    assert entry["row_id"] == enterprise_id and "待删除企业" in entry["summary"]


def test_an_enterprise_with_partner_accounts_is_not_deleted(coordinator):
    enterprise_id = make_enterprise()
    make_account("lonely_partner", Role.partner, enterprise_id=enterprise_id)
    confirm = coordinator.get(f"/enterprises/{enterprise_id}/delete")
    assert Browser.soup(confirm).select_one("#delete-blocked")
    response = coordinator.post(f"/enterprises/{enterprise_id}/delete")
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/enterprises/{enterprise_id}")
    assert enterprise(enterprise_id) is not None
    assert run(PartnerAccount.count().where(PartnerAccount.enterprise == enterprise_id)) == 1
    page = coordinator.get(response.headers["location"])
    assert "合作企业账号" in Browser.soup(page).select_one(".flash-error").get_text()
    assert audit_entries("delete") == []


@pytest.mark.parametrize("link", ["member_unit", "mentor"])
def test_an_enterprise_with_linked_records_is_not_deleted(coordinator, link):
    enterprise_id = make_enterprise()
    if link == "mentor":
        make_mentor(side="enterprise", name="张工", enterprise=enterprise_id)
    else:
        organization_id = make_organization()
        make_member_unit(organization_id, side="enterprise", enterprise=enterprise_id)
    response = coordinator.post(f"/enterprises/{enterprise_id}/delete")
    assert response.status_code == 303
    assert enterprise(enterprise_id) is not None
    page = coordinator.get(response.headers["location"])
    assert Browser.soup(page).select_one(".flash-error")
    assert audit_entries("delete") == []


# --- a partner and its own enterprise --------------------------------------------------------


def test_a_partner_sees_only_its_own_enterprise_in_the_list(partner, people):
    own, other = enterprise(people.enterprise_a), enterprise(people.enterprise_b)
    response = partner.get("/enterprises/")
    assert response.status_code == 200
    assert list_names(response) == [own["name"]]
    assert other["name"] not in response.text
    assert not Browser.soup(response).select_one("a[href$='/enterprises/new']")
    for query in (other["name"], other["credit_code"], "测试企业"):
        found = Browser.soup(partner.get("/enterprises/", params={"q": query}))
        found.select_one("input#q").decompose()  # the search box echoes the query
        assert other["name"] not in found.get_text()
        assert other["credit_code"] not in found.get_text()
    assert list_names(partner.get("/enterprises/", params={"q": own["credit_code"]})) == [
        own["name"]
    ]


def test_a_partner_opens_its_own_enterprise(partner, people):
    page = partner.get(f"/enterprises/{people.enterprise_a}")
    assert page.status_code == 200
    soup = Browser.soup(page)
    assert soup.select_one("#partner-accounts")
    assert not soup.select_one("#partner-accounts a.button")  # only coordinators add accounts
    assert not soup.select_one(f"a[href$='/enterprises/{people.enterprise_a}/delete']")


def test_a_partner_edits_the_allowed_fields(partner, people):
    form_page = partner.get(f"/enterprises/{people.enterprise_a}/edit")
    assert form_page.status_code == 200
    soup = Browser.soup(form_page)
    for name in ("name", "credit_code", "industry", "partner_since", "status"):
        assert soup.select_one(f"[name={name}]") is None
    assert soup.select_one("#read-only-fields")
    before = enterprise(people.enterprise_a)
    response = partner.post(
        f"/enterprises/{people.enterprise_a}/edit",
        {
            **VALID,
            "contact_person": "李书记",
            "contact_phone": "0591-87654321",
            "party_member_count": "8",
            "employee_count": "120",
            "party_org_kind": "general_branch",
        },
    )
    assert response.status_code == 303
    after = enterprise(people.enterprise_a)
    assert after["contact_person"] == "李书记" and after["contact_phone"] == "0591-87654321"
    assert (after["party_member_count"], after["employee_count"]) == (8, 120)
    assert after["party_org_kind"] == "general_branch"
    for name in ("name", "credit_code", "industry", "partner_since", "status"):
        assert after[name] == before[name], name
    [entry] = audit_entries("update")
    assert "credit_code" not in json.loads(entry["changes"])


def test_a_partners_bad_input_keeps_the_read_only_fields_shown(partner, people):
    response = partner.post(
        f"/enterprises/{people.enterprise_a}/edit",
        {"contact_phone": "123", "party_org_kind": "branch", "credit_code": "X"},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "contact_phone")
    assert "credit_code" not in response.context["errors"]
    own = enterprise(people.enterprise_a)
    assert own["name"] in Browser.soup(response).select_one("#read-only-fields").get_text()


@pytest.mark.parametrize("suffix", ["", "/edit", "/delete"])
def test_a_partner_gets_404_for_another_enterprise(partner, people, suffix):
    other = enterprise(people.enterprise_b)
    response = partner.get(f"/enterprises/{people.enterprise_b}{suffix}")
    assert response.status_code == 404
    assert other["name"] not in response.text
    if suffix:
        posted = partner.post(
            f"/enterprises/{people.enterprise_b}{suffix}", {"contact_person": "x"}
        )
        assert posted.status_code == 404
    assert enterprise(people.enterprise_b) == other


def test_a_partner_cannot_delete_its_own_enterprise(partner, people):
    assert partner.get(f"/enterprises/{people.enterprise_a}/delete").status_code == 404
    assert partner.post(f"/enterprises/{people.enterprise_a}/delete").status_code == 404
    assert enterprise(people.enterprise_a) is not None
