"""The organization pages on the read layer: enterprise search through the n-gram index (one-
and two-character names, renamed enterprises, codes typed with spaces), cached figures that
follow every write, and whole pages served again without a query until something changes."""

from __future__ import annotations

import pytest

from partners.organizations.enterprises import credit_code_check_character
from partners.organizations.tables import Enterprise
from tests.support import Browser, count_queries, make_enterprise, make_member_unit, run

FIRST17 = "91350100MA2Y3K8Q7"
CODE = FIRST17 + credit_code_check_character(FIRST17)


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def listed(browser: Browser, query: str) -> list[str]:
    page = browser.get("/enterprises/", params={"q": query})
    return [row.name for row in page.context["page"].rows]


def test_a_search_finds_one_and_two_character_parts_of_a_name(coordinator, monkeypatch):
    make_enterprise(name="鑫达精密")
    make_enterprise(name="精工机床")
    queries = count_queries(monkeypatch)
    assert listed(coordinator, "鑫") == ["鑫达精密"]
    assert any("portal_search_term" in sql for sql in queries)  # the index, not a scan
    assert sorted(listed(coordinator, "精")) == ["精工机床", "鑫达精密"]
    assert listed(coordinator, "精密") == ["鑫达精密"]
    assert listed(coordinator, "鑫达精密") == ["鑫达精密"]
    assert listed(coordinator, "密鑫") == []


def test_a_renamed_enterprise_is_found_by_its_new_name_only(coordinator):
    enterprise_id = make_enterprise(name="甄选物流")
    assert listed(coordinator, "甄选") == ["甄选物流"]
    run(Enterprise.update({Enterprise.name: "澜沧物流"}).where(Enterprise.id == enterprise_id))
    assert listed(coordinator, "澜") == ["澜沧物流"]
    assert listed(coordinator, "澜沧") == ["澜沧物流"]
    assert listed(coordinator, "甄") == [] and listed(coordinator, "甄选") == []


def test_a_credit_code_typed_with_spaces_or_in_lower_case_is_found(coordinator):
    make_enterprise(name="闽江电子", credit_code=CODE)
    spaced = " ".join(CODE[start : start + 4] for start in range(0, 18, 4))
    assert listed(coordinator, spaced) == ["闽江电子"]
    assert listed(coordinator, CODE[-6:].lower()) == ["闽江电子"]
    assert listed(coordinator, "Y 3") == ["闽江电子"]  # a short part, spaces dropped
    assert listed(coordinator, "闽 江") == []  # a name is searched as typed


def test_the_enterprise_count_and_industries_change_right_after_a_write(coordinator):
    make_enterprise(industry="智能制造")
    before = coordinator.get("/enterprises/")
    assert before.context["industries"] == ["智能制造"]
    values = {"name": "深蓝海工", "credit_code": CODE, "industry": "海洋装备"}
    form = {**values, "party_org_kind": "none", "status": "active"}
    assert coordinator.post("/enterprises/new", form).status_code == 303
    after = coordinator.get("/enterprises/")
    assert after.context["page"].total == before.context["page"].total + 1
    assert after.context["industries"] == ["智能制造", "海洋装备"]


def test_a_repeated_organization_page_is_served_without_a_query(coordinator, people, monkeypatch):
    url = f"/organizations/{people.organization_a}"
    first = coordinator.get(url)
    queries = count_queries(monkeypatch)
    again = coordinator.get(url)
    assert again.status_code == 200 and queries == []
    assert again.text == first.text
    make_member_unit(people.organization_a, side="college", name="新增教工党支部")
    after = coordinator.get(url)
    assert "新增教工党支部" in after.text and "新增教工党支部" not in first.text
