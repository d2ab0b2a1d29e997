"""A student's consent to share talent-pool details (score, flags, pipeline stage) with the
partner enterprises they are placed with: the rule, the partner's view with and without it,
giving and withdrawing it on /me over HTTP (audited), and nobody else deciding for them."""

from __future__ import annotations

import json

import pytest

from partners.coeducation.tables import Project
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.tables import AuditEntry, Role
from talent_pool.consent import (
    consent_state,
    give_consent,
    partner_may_see_talent_details,
    viewer_may_see_talent_details,
    withdraw_consent,
)
from talent_pool.tables import SharingConsent
from tests.support import Browser, run
from tests.talent_pool.pool_factories import in_pool, make_flag, page_ids

# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "allowed"), [(None, False), ("withdrawn", False), ("given", True)]
)
def test_a_partner_may_see_talent_details_only_with_consent_in_force(state, allowed):
    assert partner_may_see_talent_details(state) is allowed


@pytest.mark.parametrize("role", [Role.coordinator, Role.mentor, Role.student])
def test_other_roles_see_as_before_whatever_the_consent(role):
    viewer = Viewer(1, "x", role, "", "token")
    assert viewer_may_see_talent_details(viewer, None)
    assert viewer_may_see_talent_details(viewer, "withdrawn")


# --- helpers -------------------------------------------------------------------------------


def decisions(student_id: int) -> list[str]:
    rows = (
        SharingConsent.select(SharingConsent.decision)
        .where(SharingConsent.student == student_id)
        .order_by(SharingConsent.id)
    )
    return [row["decision"] for row in run(rows)]


def consent_audits() -> list[dict]:
    return run(
        AuditEntry.select()
        .where(AuditEntry.table_name == SharingConsent._meta.tablename)
        .order_by(AuditEntry.id)
    )


def project_name(project_id: int) -> str:
    return run(Project.select(Project.name).where(Project.id == project_id).first())["name"]


def consent_form(browser: Browser) -> tuple[str, object]:
    """The action the /me consent card offers and the card itself."""
    soup = browser.soup(browser.get("/me"))
    card = soup.select_one("section.consent-card")
    assert card is not None
    action = card.select_one('form[action$="/me/consent"] input[name="action"]')
    return action["value"], card


@pytest.fixture
def pooled(people):
    """The partner's placed student in the pool with a score, a flag and a stage."""
    in_pool(people.student_id, 88.5, stage="activist")
    make_flag(people.student_id, reason="成绩优异")
    return people.student_id


# --- the partner's view --------------------------------------------------------------------


def test_without_consent_a_partner_sees_only_the_placement(signed_in, people, pooled):
    partner = signed_in("partner")
    record = partner.get(f"/students/{pooled}/record")
    assert record.status_code == 200
    assert project_name(people.mine.project) in record.text  # the placement itself
    soup = partner.soup(record)
    assert soup.select_one(".score-card") is None and soup.select_one("section.flags") is None
    assert soup.select_one("#pipeline") is None
    assert partner.get(f"/talent-pool/{pooled}").status_code == 404  # score, flags, stage
    assert partner.get(f"/talent-pool/{pooled}/pipeline.pdf").status_code == 404
    assert pooled not in page_ids(partner)
    assert "88.5" not in partner.get("/talent-pool/").text


def test_with_consent_a_partner_sees_score_flags_and_stage(signed_in, people, pooled):
    student = signed_in("student")
    assert student.post("/me/consent", {"action": "give"}).status_code == 303
    partner = signed_in("partner")
    page = partner.get(f"/talent-pool/{pooled}")
    assert page.status_code == 200
    soup = partner.soup(page)
    assert "88.5" in soup.select_one(".score-card").get_text()
    assert "成绩优异" in soup.select_one("section.flags").get_text()
    assert soup.select_one("#pipeline") is not None
    assert page_ids(partner) == [pooled]
    assert partner.get(f"/talent-pool/{pooled}/pipeline.pdf").status_code == 200
    # withdrawn: back to the placement only (the browsers share one client: sign in again)
    student = signed_in("student")
    assert student.post("/me/consent", {"action": "withdraw"}).status_code == 303
    partner = signed_in("partner")
    assert partner.get(f"/talent-pool/{pooled}").status_code == 404
    assert page_ids(partner) == []
    assert partner.get(f"/students/{pooled}/record").status_code == 200


def test_coordinators_and_mentors_see_the_details_without_consent(signed_in, pooled):
    assert consent_state_of(pooled) is None
    for role in ("coordinator", "mentor"):
        page = signed_in(role).get(f"/talent-pool/{pooled}")
        assert page.status_code == 200
        assert Browser.soup(page).select_one(".score-card") is not None


def consent_state_of(student_id: int) -> str | None:
    return run(consent_state(student_id))


# --- giving and withdrawing on /me ---------------------------------------------------------


def test_the_student_gives_and_withdraws_consent_on_me(signed_in, people):
    student = signed_in("student")
    action, card = consent_form(student)
    assert action == "give" and card.select(".consent-history li") == []
    assert card.select_one('input[name="csrftoken"]') is not None
    response = student.post("/me/consent", {"action": "give"})
    assert response.status_code == 303 and response.headers["location"].endswith("/me#consent-h")
    action, card = consent_form(student)
    assert action == "withdraw" and len(card.select(".consent-history li")) == 1
    student.post("/me/consent", {"action": "withdraw"})
    action, card = consent_form(student)
    assert action == "give" and len(card.select(".consent-history li")) == 2
    assert decisions(people.student_id) == ["given", "withdrawn"]
    audits = consent_audits()
    assert [a["username"] for a in audits] == ["student1", "student1"]
    changes = [
        json.loads(a["changes"]) if isinstance(a["changes"], str) else a["changes"] for a in audits
    ]
    assert [c["decision"] for c in changes] == [[None, "given"], ["given", "withdrawn"]]
    assert all(c["student"] == [None, people.student_id] for c in changes)
    assert all(a["action"] == "consent" for a in audits)


def test_a_decision_already_in_force_writes_nothing(signed_in, people):
    student = signed_in("student")
    student.post("/me/consent", {"action": "withdraw"})  # never given: nothing to withdraw
    student.post("/me/consent", {"action": "give"})
    student.post("/me/consent", {"action": "give"})
    assert decisions(people.student_id) == ["given"]
    assert len(consent_audits()) == 1


def test_an_unknown_action_is_refused(signed_in, people):
    assert signed_in("student").post("/me/consent", {"action": "sell"}).status_code == 400
    assert decisions(people.student_id) == []


def test_a_post_without_the_csrf_token_is_refused(client, signed_in, people):
    student = signed_in("student")
    response = student.client.post("/me/consent", data={"action": "give"})
    assert response.status_code == 403
    assert decisions(people.student_id) == []


@pytest.mark.parametrize("role", ["coordinator", "partner", "mentor"])
def test_nobody_else_changes_a_students_consent(signed_in, people, role):
    response = signed_in(role).post("/me/consent", {"action": "give"})
    assert response.status_code == 404
    assert decisions(people.student_id) == [] and decisions(people.other_student_id) == []


@pytest.mark.parametrize("role", [Role.coordinator, Role.partner, Role.mentor])
def test_the_transaction_refuses_anyone_but_a_student(people, role):
    viewer = Viewer(1, "x", role, "", "token", student_id=people.student_id)
    with pytest.raises(NotVisible):
        run(give_consent(viewer))
    with pytest.raises(NotVisible):
        run(withdraw_consent(viewer))
    assert decisions(people.student_id) == []


def test_the_partners_recruitment_funnel_counts_only_consenting_students(signed_in, pooled):
    from college.dashboard_queries import pool_by_status_and_stage
    from tests.talent_pool.pipeline_support import viewer_of

    partner = viewer_of(signed_in("partner"))
    assert run(pool_by_status_and_stage(partner)) == {}
    run(SharingConsent.insert(SharingConsent(student=pooled, decision="given")))
    assert run(pool_by_status_and_stage(partner)) == {("pooled", "activist"): 1}
    coordinator = viewer_of(signed_in("coordinator"))
    assert run(pool_by_status_and_stage(coordinator))[("pooled", "activist")] == 1


def test_a_partner_nominating_without_consent_returns_to_the_record(signed_in, people):
    partner = signed_in("partner")
    url = f"/talent-pool/{people.student_id}/nominate"
    response = partner.post(url, {"reason": "装配线上表现突出，主动承担质检工作"})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/students/{people.student_id}/record")
    assert partner.get(response.headers["location"]).status_code == 200
