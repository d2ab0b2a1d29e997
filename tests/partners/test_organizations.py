"""Joint party organizations: their rules (without HTTP), then coordinators and partners using
the pages — structure, committee, agreement upload, and a partner's isolation."""

from __future__ import annotations

import datetime
import json

import pytest

from partners.dashboard_queries import agreements_to_renew
from partners.organizations.joint_organizations import (
    MAX_DOCUMENT_BYTES,
    agreement_warning,
    check_agreement_form,
    check_committee,
    check_document,
    committee_changes,
    unit_conflicts,
    unit_removal_error,
)
from partners.organizations.queries import UnitRow
from partners.organizations.tables import (
    Agreement,
    CommitteeSeat,
    JointOrganization,
    MemberUnit,
    OrganizationMember,
)
from portal.auth import Viewer
from portal.forms import FormState
from portal.tables import AuditEntry, Role
from tests.support import Browser, make_enterprise, make_member_unit, make_organization, run

TODAY = datetime.date(2026, 11, 22)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


# --- Rules ---------------------------------------------------------------------------------


def unit(unit_id: int, side: str = "enterprise", enterprise: int | None = None) -> UnitRow:
    """A member unit as the rules read it."""
    return UnitRow(unit_id, 1, side, f"支部{unit_id}", enterprise, None, "", "")


def test_the_last_unit_of_a_side_cannot_be_removed():
    units = [unit(1, "college"), unit(2), unit(3)]
    college_refusal = unit_removal_error(units, 1)
    enterprise_refusal = unit_removal_error(units[:2], 2)
    assert college_refusal and enterprise_refusal and college_refusal != enterprise_refusal
    assert unit_removal_error(units, 2) is None
    assert unit_removal_error(units, 99) is None


def test_an_enterprise_is_a_member_unit_once_and_only_on_its_side():
    units = [unit(1, "college"), unit(2, enterprise=7)]
    assert "enterprise" in unit_conflicts("enterprise", 7, units)
    assert unit_conflicts("enterprise", 7, units, unit_id=2) == {}
    assert unit_conflicts("enterprise", 8, units) == {}
    assert "enterprise" in unit_conflicts("enterprise", None, units)
    assert "enterprise" in unit_conflicts("college", 8, units)


def test_committee_rules():
    committee, errors = check_committee({"secretary": "1", "publicity": "2"}, [1, 2, 3])
    assert errors == {}
    assert committee == {
        "secretary": 1,
        "deputy_secretary": None,
        "organization": None,
        "publicity": 2,
        "discipline": None,
    }
    _, errors = check_committee({"secretary": "1", "deputy_secretary": "1"}, [1, 2])
    assert list(errors) == ["deputy_secretary"]
    _, errors = check_committee({"secretary": "99", "publicity": "x"}, [1, 2])
    assert set(errors) == {"secretary", "publicity"}


def test_committee_changes_replace_the_holder_of_a_taken_seat():
    added, changed, vacated = committee_changes(
        {"secretary": 1, "publicity": 2},
        {"secretary": 3, "publicity": None, "discipline": 2},
    )
    assert added == {"discipline": 2}
    assert changed == {"secretary": 3}
    assert vacated == ["publicity"]


@pytest.mark.parametrize("data,content_type", [(PDF, "application/pdf"), (PNG, "image/png")])
def test_documents_are_recognised_by_their_first_bytes(data, content_type):
    document, problem = check_document("../../协议.pdf", data)
    assert problem is None
    assert document["content_type"] == content_type
    assert "/" not in document["file_name"]
    assert document["file_size"] == len(data)


def test_a_jpeg_named_like_a_pdf_is_stored_as_a_jpeg():
    document, problem = check_document("scan.pdf", JPEG)
    assert problem is None
    assert document["content_type"] == "image/jpeg"
    assert document["file_name"].endswith(".jpg")


@pytest.mark.parametrize(
    "data",
    [b"not a pdf at all", b"", b"MZ\x90\x00", b"%PDF-" + b"x" * MAX_DOCUMENT_BYTES],
)
def test_other_documents_are_refused(data):
    document, problem = check_document("agreement.pdf", data)
    assert document is None and problem


def test_agreement_warning():
    assert agreement_warning(None, TODAY) is None
    assert agreement_warning(TODAY - datetime.timedelta(days=1), TODAY) == "expired"
    assert agreement_warning(TODAY, TODAY) == "expiring"
    assert agreement_warning(TODAY + datetime.timedelta(days=60), TODAY) == "expiring"
    assert agreement_warning(TODAY + datetime.timedelta(days=61), TODAY) is None


@pytest.mark.parametrize("expires_on", ["2026-01-01", "2025-12-01"])
def test_an_agreement_expires_after_it_is_signed(expires_on):
    form = FormState(values={"signed_on": "2026-01-01", "expires_on": expires_on})
    check_agreement_form(form)
    assert "expires_on" in form.errors


def add_agreement(organization_id: int, expires_on: datetime.date, **fields) -> None:
    values = {
        "organization": organization_id,
        "signed_on": expires_on - datetime.timedelta(days=3 * 365),
        "expires_on": expires_on,
        **fields,
    }
    run(Agreement.insert(Agreement(**values)))


def test_expiring_agreements(people):
    today = datetime.date.today()
    add_agreement(people.organization_a, today + datetime.timedelta(days=30))
    add_agreement(people.organization_b, today - datetime.timedelta(days=2))
    later = make_organization(make_enterprise())
    add_agreement(later, today + datetime.timedelta(days=200))
    college = Viewer(user_id=0, username="", role=Role.coordinator, name="", session_token="")
    renew = run(agreements_to_renew(college, today))
    assert [(r.organization_id, r.warning) for r in renew.rows] == [
        (people.organization_b, "expired"),
        (people.organization_a, "expiring"),
    ]
    assert (renew.expired, renew.expiring) == (1, 1)
    partner = Viewer(
        user_id=0,
        username="",
        role=Role.partner,
        name="",
        session_token="",
        enterprise_id=people.enterprise_a,
    )
    mine = run(agreements_to_renew(partner, today))
    assert [r.organization_id for r in mine.rows] == [people.organization_a]


# --- Coordinators --------------------------------------------------------------------------


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def units_of(organization_id: int) -> list[dict]:
    return run(
        MemberUnit.select()
        .where(MemberUnit.organization == organization_id)
        .order_by(MemberUnit.id)
    )


def audit_count(table: str) -> int:
    return run(AuditEntry.count().where(AuditEntry.table_name == table))


def test_creating_an_organization_creates_a_unit_of_each_side(coordinator, people):
    response = coordinator.post(
        "/organizations/new",
        {
            "kind": "alliance",
            "name": "智能制造党建联盟",
            "founded_on": "2025-07-01",
            "status": "active",
            "college_unit_name": "智能制造学院教工第一党支部",
            "enterprise": str(people.enterprise_b),
        },
    )
    assert response.status_code == 303, response.text
    org = run(
        JointOrganization.select().where(JointOrganization.name == "智能制造党建联盟").first()
    )
    assert org["kind"] == "alliance" and org["founded_on"] == datetime.date(2025, 7, 1)
    units = units_of(org["id"])
    assert [(u["side"], u["enterprise"]) for u in units] == [
        ("college", None),
        ("enterprise", people.enterprise_b),
    ]
    assert units[0]["name"] == "智能制造学院教工第一党支部"
    assert audit_count("partners_organization") == 1
    assert audit_count("partners_member_unit") == 2
    page = coordinator.get(response.headers["location"])
    assert "党建联盟" in page.text and "智能制造学院教工第一党支部" in page.text


@pytest.mark.parametrize(
    "field,bad_value",
    [
        ("name", ""),
        ("kind", "committee"),
        ("founded_on", "2025-02-30"),
        ("college_unit_name", ""),
        ("enterprise", ""),
        ("enterprise", "999999"),
    ],
)
def test_bad_organization_input_is_explained(coordinator, people, field, bad_value):
    values = {
        "kind": "joint_branch",
        "name": "新联合党支部",
        "status": "active",
        "college_unit_name": "教工党支部",
        "enterprise": str(people.enterprise_a),
        field: bad_value,
    }
    response = coordinator.post("/organizations/new", values)
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    assert response.context["values"][field] == bad_value
    assert run(JointOrganization.count()) == 2


def test_units_keep_one_of_each_side(coordinator, people):
    org = people.organization_b
    college, enterprise = units_of(org)
    response = coordinator.post(f"/organizations/{org}/units/{college['id']}/delete")
    assert response.status_code == 303
    assert len(units_of(org)) == 2
    page = coordinator.get(f"/organizations/{org}/units/{enterprise['id']}/delete")
    refusal = page.context["deletion"].refusal
    assert "enterprise" in refusal or "企业" in refusal
    assert not Browser.soup(page).select("form button.danger")

    response = coordinator.post(
        f"/organizations/{org}/units/new", {"side": "college", "name": "教工第二党支部"}
    )
    assert response.status_code == 303
    response = coordinator.post(f"/organizations/{org}/units/{college['id']}/delete")
    assert response.status_code == 303
    assert [u["name"] for u in units_of(org) if u["side"] == "college"] == ["教工第二党支部"]
    assert audit_count("partners_member_unit") == 2  # one created, one deleted


def test_an_enterprise_is_a_member_unit_once(coordinator, people):
    org = people.organization_b
    response = coordinator.post(
        f"/organizations/{org}/units/new",
        {"side": "enterprise", "enterprise": str(people.enterprise_b)},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "enterprise")
    response = coordinator.post(
        f"/organizations/{org}/units/new",
        {"side": "college", "name": "教工党支部", "enterprise": str(people.enterprise_a)},
    )
    assert response.status_code == 400
    assert len(units_of(org)) == 2
    response = coordinator.post(
        f"/organizations/{org}/units/new",
        {"side": "enterprise", "enterprise": str(people.enterprise_a)},
    )
    assert response.status_code == 303
    assert units_of(org)[-1]["enterprise"] == people.enterprise_a


def members_of(organization_id: int) -> list[dict]:
    return run(
        OrganizationMember.select()
        .where(OrganizationMember.organization == organization_id)
        .order_by(OrganizationMember.id)
    )


def seats_of(organization_id: int) -> dict[str, int]:
    rows = run(CommitteeSeat.select().where(CommitteeSeat.organization == organization_id))
    return {row["seat"]: row["member"] for row in rows}


def test_assigning_seats(coordinator, people):
    org = people.organization_b
    college, enterprise = members_of(org)
    assert seats_of(org) == {"secretary": college["id"]}
    # Choosing someone else for a taken seat replaces its holder.
    response = coordinator.post(
        f"/organizations/{org}/seats",
        {"secretary": str(enterprise["id"]), "deputy_secretary": str(college["id"])},
    )
    assert response.status_code == 303
    assert seats_of(org) == {"secretary": enterprise["id"], "deputy_secretary": college["id"]}
    changes = [
        json.loads(row["changes"])
        for row in run(
            AuditEntry.select().where(AuditEntry.table_name == "partners_committee_seat")
        )
    ]
    assert {"member": [college["id"], enterprise["id"]]} in changes
    page = coordinator.get(f"/organizations/{org}")
    committee = Browser.soup(page).select_one("#committee").get_text()
    assert enterprise["name"] in committee and college["name"] in committee


def test_seats_refuse_outsiders_and_double_seats(coordinator, people):
    org = people.organization_b
    outsider = members_of(people.organization_a)[0]
    member = members_of(org)[1]
    response = coordinator.post(f"/organizations/{org}/seats", {"secretary": str(outsider["id"])})
    assert response.status_code == 400
    assert Browser.field_error(response, "secretary")
    response = coordinator.post(
        f"/organizations/{org}/seats",
        {"secretary": str(member["id"]), "publicity": str(member["id"])},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "publicity")
    assert response.context["values"]["publicity"] == str(member["id"])
    assert seats_of(org) == {"secretary": members_of(org)[0]["id"]}


def test_removing_a_member_vacates_their_seat(coordinator, people):
    org = people.organization_b
    secretary = members_of(org)[0]
    page = coordinator.get(f"/organizations/{org}/members/{secretary['id']}/delete")
    assert page.context["seat"] == "secretary"
    response = coordinator.post(f"/organizations/{org}/members/{secretary['id']}/delete")
    assert response.status_code == 303
    assert secretary["id"] not in [m["id"] for m in members_of(org)]
    assert seats_of(org) == {}
    assert audit_count("partners_organization_member") == 1


def test_deleting_an_organization(coordinator, people):
    org = people.organization_b
    assert coordinator.get(f"/organizations/{org}/delete").status_code == 200
    response = coordinator.post(f"/organizations/{org}/delete")
    assert response.status_code == 303
    assert not run(JointOrganization.exists().where(JointOrganization.id == org))
    assert not run(MemberUnit.exists().where(MemberUnit.organization == org))
    assert audit_count("partners_organization") == 1


# --- Agreement -----------------------------------------------------------------------------


def upload(browser: Browser, org: int, data: bytes, name: str = "协议.pdf", **fields):
    values = {"signed_on": "2025-09-01", "expires_on": "2028-08-31", "text": "共建协议", **fields}
    return browser.post(
        f"/organizations/{org}/agreement",
        values,
        files={"document": (name, data, "application/octet-stream")},
    )


def test_uploading_and_downloading_the_agreement(coordinator, signed_in, people):
    org = people.organization_a
    response = upload(coordinator, org, PDF)
    assert response.status_code == 303, response.text
    stored = run(Agreement.select().where(Agreement.organization == org).first())
    assert stored["content_type"] == "application/pdf"
    assert bytes(stored["file_data"]) == PDF and stored["file_size"] == len(PDF)
    assert stored["expires_on"] == datetime.date(2028, 8, 31)
    assert audit_count("partners_agreement") == 1

    download = coordinator.get(f"/organizations/{org}/agreement/document")
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "%E5%8D%8F%E8%AE%AE.pdf" in download.headers["content-disposition"]
    # The partner of a member enterprise may download it too (the client signs in anew).
    download = signed_in("partner").get(f"/organizations/{org}/agreement/document")
    assert download.status_code == 200 and download.content == PDF


def test_saving_without_a_file_keeps_the_document(coordinator, people):
    org = people.organization_a
    assert upload(coordinator, org, PNG, "seal.png").status_code == 303
    dates = {"signed_on": "2025-09-01", "expires_on": "2029-08-31"}
    assert coordinator.post(f"/organizations/{org}/agreement", dates).status_code == 303
    stored = run(Agreement.select(Agreement.file_size, Agreement.expires_on).first())
    assert stored == {"file_size": len(PNG), "expires_on": datetime.date(2029, 8, 31)}
    download = coordinator.get(f"/organizations/{org}/agreement/document")
    assert download.headers["content-type"] == "image/png"
    response = coordinator.post(
        f"/organizations/{org}/agreement", {**dates, "remove_document": "1"}
    )
    assert response.status_code == 303
    assert coordinator.get(f"/organizations/{org}/agreement/document").status_code == 404
    assert audit_count("partners_agreement") == 3


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<html>not a pdf</html>", "协议.pdf"),
        (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "big.pdf"),
    ],
)
def test_bad_documents_are_explained_next_to_the_file_field(coordinator, people, data, name):
    org = people.organization_a
    response = upload(coordinator, org, data, name)
    assert response.status_code == 400
    assert Browser.field_error(response, "document")
    page = Browser.soup(response)
    assert page.select_one("input[name=signed_on]")["value"] == "2025-09-01"
    assert page.select_one("input[name=expires_on]")["value"] == "2028-08-31"
    assert run(Agreement.count()) == 0


def test_agreement_dates_are_checked(coordinator, people):
    response = upload(coordinator, people.organization_a, PNG, expires_on="2025-08-31")
    assert response.status_code == 400
    assert Browser.field_error(response, "expires_on")
    assert run(Agreement.count()) == 0


def test_expiring_agreements_are_flagged(coordinator, people):
    today = datetime.date.today()
    add_agreement(people.organization_a, today + datetime.timedelta(days=20))
    add_agreement(people.organization_b, today - datetime.timedelta(days=1))
    page = coordinator.get(f"/organizations/{people.organization_a}")
    assert page.context["warning"] == "expiring"
    assert Browser.soup(page).select_one("#agreement-warning")
    page = coordinator.get(f"/organizations/{people.organization_b}")
    assert "warning-expired" in Browser.soup(page).select_one("#agreement-warning")["class"]
    listing = Browser.soup(coordinator.get("/organizations/"))
    assert len(listing.select("#organizations .warning-expiring")) == 1
    assert len(listing.select("#organizations .warning-expired")) == 1


def test_the_list_searches_filters_and_counts_units(coordinator, people):
    make_member_unit(people.organization_a, side="college", name="教工第二党支部")
    run(
        JointOrganization.update({JointOrganization.status: "dissolved"}).where(
            JointOrganization.id == people.organization_b
        )
    )
    page = coordinator.get("/organizations/")
    counts = {row.id: row.unit_count for row in page.context["page"].rows}
    assert counts == {people.organization_a: 3, people.organization_b: 2}
    page = coordinator.get("/organizations/?status=dissolved")
    assert [row.id for row in page.context["page"].rows] == [people.organization_b]
    page = coordinator.get("/organizations/?q=nothing-like-this")
    assert Browser.soup(page).select_one("p.empty")


def test_list_and_detail_run_a_bounded_number_of_queries(coordinator, people, monkeypatch):
    """More organizations, units and members must not add queries (batched, grouped)."""
    from tests.portal.test_students import count_queries

    queries = count_queries(monkeypatch)
    coordinator.get("/organizations/")
    listing = len(queries)
    queries.clear()
    coordinator.get(f"/organizations/{people.organization_a}")
    detail = len(queries)
    for n in range(5):
        make_member_unit(people.organization_a, side="college", name=f"支部{n}")
        make_organization(make_enterprise())
    queries.clear()
    coordinator.get("/organizations/")
    assert len(queries) == listing
    queries.clear()
    coordinator.get(f"/organizations/{people.organization_a}")
    assert len(queries) == detail <= 12


# --- A partner's isolation -----------------------------------------------------------------


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def org_b_urls(people) -> list[str]:
    org = people.organization_b
    unit = units_of(org)[0]["id"]
    member = members_of(org)[0]["id"]
    base = f"/organizations/{org}"
    return [
        base,
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/units/new",
        f"{base}/units/{unit}/edit",
        f"{base}/units/{unit}/delete",
        f"{base}/units/{unit}/members/new",
        f"{base}/members/{member}/delete",
        f"{base}/seats",
        f"{base}/agreement",
        f"{base}/agreement/document",
    ]


def test_a_partner_sees_only_its_own_organizations(partner, people):
    add_agreement(
        people.organization_b, datetime.date(2030, 1, 1), file_data=PDF, file_name="x.pdf"
    )
    org_b = run(JointOrganization.select().where(JointOrganization.id == people.organization_b))
    name_b = org_b[0]["name"]
    listing = partner.get("/organizations/")
    assert [row.id for row in listing.context["page"].rows] == [people.organization_a]
    assert name_b not in listing.text
    search = partner.get("/organizations/", params={"q": name_b})
    assert search.context["page"].rows == []
    assert not Browser.soup(search).select("#organizations")
    for url in org_b_urls(people):
        assert partner.get(url).status_code == 404, url
        if not url.endswith(("/document", f"/{people.organization_b}")):
            assert partner.post(url, {"name": "x"}).status_code == 404, url
    detail = partner.get(f"/organizations/{people.organization_a}")
    assert detail.status_code == 200
    assert not Browser.soup(detail).select(
        f"a[href$='/organizations/{people.organization_a}/edit']"
    )


def test_a_partner_cannot_change_the_structure_of_its_organization(partner, people):
    org = people.organization_a
    college, own = units_of(org)
    college_member = members_of(org)[0]
    base = f"/organizations/{org}"
    for url in (
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/units/new",
        f"{base}/units/{own['id']}/delete",
        f"{base}/units/{college['id']}/edit",
        f"{base}/units/{college['id']}/members/new",
        f"{base}/members/{college_member['id']}/delete",
        f"{base}/seats",
        f"{base}/agreement",
    ):
        assert partner.get(url).status_code == 404, url
        assert partner.post(url, {"name": "x", "secretary": ""}).status_code == 404, url
    assert len(units_of(org)) == 2 and len(members_of(org)) == 2
    assert seats_of(org) == {"secretary": college_member["id"]}
    assert run(JointOrganization.count().where(JointOrganization.id == org)) == 1


def test_a_partner_keeps_its_own_units_party_group_and_members(partner, people):
    org = people.organization_a
    own = units_of(org)[1]
    base = f"/organizations/{org}/units/{own['id']}"
    form = partner.get(f"{base}/edit")
    assert form.status_code == 200
    assert not Browser.soup(form).select("input[name=name], select[name=enterprise]")
    response = partner.post(
        f"{base}/edit",
        {"party_group_name": "第二党小组", "party_group_leader": "王工", "name": "改名"},
    )
    assert response.status_code == 303
    unit = units_of(org)[1]
    assert (unit["party_group_name"], unit["party_group_leader"]) == ("第二党小组", "王工")
    assert unit["name"] == own["name"]  # the structure stays the coordinator's

    response = partner.post(f"{base}/members/new", {"name": "赵工程师", "phone": "123"})
    assert response.status_code == 400 and Browser.field_error(response, "phone")
    response = partner.post(
        f"{base}/members/new", {"name": "赵工程师", "position": "高级工程师", "party_member": "1"}
    )
    assert response.status_code == 303
    added = members_of(org)[-1]
    assert (added["name"], added["member_unit"], added["party_member"]) == (
        "赵工程师",
        own["id"],
        True,
    )
    assert partner.post(f"/organizations/{org}/members/{added['id']}/delete").status_code == 303
    assert added["id"] not in [m["id"] for m in members_of(org)]
    assert audit_count("partners_organization_member") == 2
