"""A student's consent to share talent-pool details (score, flags, pipeline stage) with a
partner enterprise they are placed with, one enterprise at a time (PIPL Art. 23, separate
consent naming the recipient): the rule, without HTTP (the state per enterprise, earlier
decisions naming no enterprise, the newest decision winning, who may decide for which
enterprise); then as users over HTTP — enterprise A's partner sees the details only after the
student agrees for A, enterprise B's partner still not; the lists follow the same rule; the
card on /me tells what PIPL asks and decides per enterprise (audited); nobody else decides."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest

from college.dashboard_queries import pool_by_status_and_stage
from partners.coeducation.tables import Participation, Project
from partners.organizations.tables import Enterprise
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.tables import AuditEntry, Role, Student
from talent_pool.consent import (
    consent_enterprises,
    consent_history,
    consent_state,
    give_consent,
    may_see_talent_details,
    partner_may_see_talent_details,
    viewer_may_see_talent_details,
    withdraw_consent,
)
from talent_pool.queries import due_summary
from talent_pool.tables import DueItem, SharingConsent
from tests.support import (
    Browser,
    make_account,
    make_assignment,
    make_enterprise,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)
from tests.talent_pool.pipeline_support import viewer_of
from tests.talent_pool.pool_factories import in_pool, make_flag, page_ids

TODAY = datetime.date.today()

# --- the rule, pure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "allowed"), [(None, False), ("withdrawn", False), ("given", True)]
)
def test_a_partner_may_see_talent_details_only_with_consent_in_force(state, allowed):
    assert partner_may_see_talent_details(state) is allowed
    partner = Viewer(1, "x", Role.partner, "", "token", enterprise_id=7)
    assert viewer_may_see_talent_details(partner, state) is allowed


def test_a_partner_account_without_an_enterprise_never_sees_them():
    partner = Viewer(1, "x", Role.partner, "", "token")
    assert not viewer_may_see_talent_details(partner, "given")
    assert not run(may_see_talent_details(partner, 1))


@pytest.mark.parametrize("role", [Role.coordinator, Role.mentor, Role.student])
def test_other_roles_see_as_before_whatever_the_consent(role):
    viewer = Viewer(1, "x", role, "", "token")
    assert viewer_may_see_talent_details(viewer, None)
    assert viewer_may_see_talent_details(viewer, "withdrawn")


# --- helpers -------------------------------------------------------------------------------


def decisions(student_id: int) -> list[tuple[int | None, str]]:
    """The student's decisions in order: (enterprise, decision)."""
    rows = (
        SharingConsent.select(SharingConsent.enterprise, SharingConsent.decision)
        .where(SharingConsent.student == student_id)
        .order_by(SharingConsent.id)
    )
    return [(row["enterprise"], row["decision"]) for row in run(rows)]


def legacy(student_id: int, decision: str) -> None:
    """A decision made before decisions named an enterprise (it stands for every one)."""
    run(SharingConsent.insert(SharingConsent(student=student_id, decision=decision)))


def consent_audits() -> list[dict]:
    return run(
        AuditEntry.select()
        .where(AuditEntry.table_name == SharingConsent._meta.tablename)
        .order_by(AuditEntry.id)
    )


def changes_of(audit: dict) -> dict:
    changes = audit["changes"]
    return json.loads(changes) if isinstance(changes, str) else changes


def project_name(project_id: int) -> str:
    return run(Project.select(Project.name).where(Project.id == project_id).first())["name"]


def enterprise_name(enterprise_id: int) -> str:
    row = run(Enterprise.select(Enterprise.name).where(Enterprise.id == enterprise_id).first())
    return row["name"]


def state(student_id: int, enterprise_id: int) -> str | None:
    return run(consent_state(student_id, enterprise_id))


def partner_viewer(people, enterprise_id: int) -> Viewer:
    return Viewer(people.partner_user, "p", Role.partner, "", "token", enterprise_id=enterprise_id)


@pytest.fixture
def placed(people):
    """student1 placed with enterprise A (people.mine) and, in an order class, with
    enterprise B too (which also places other_student); a partner account of B; and a third
    enterprise C student1 was never placed with. ``student`` is student1's Viewer."""
    order_class = make_project(people.enterprise_b, kind="order_class", name="B订单班")
    make_participation(order_class, people.student_id, kind="enrollment")
    return SimpleNamespace(
        a=people.enterprise_a,
        b=people.enterprise_b,
        c=make_enterprise(),
        order_class=order_class,
        partner_b=make_account("partner_b", Role.partner, enterprise_id=people.enterprise_b),
        student=Viewer(
            people.student_user, "student1", Role.student, "", "token", student_id=people.student_id
        ),
    )


@pytest.fixture
def pooled(people):
    """student1 in the pool with a score, a flag and a stage."""
    in_pool(people.student_id, 88.5, stage="activist")
    make_flag(people.student_id, reason="成绩优异")
    return people.student_id


# --- the rule, with the database -------------------------------------------------------------


def test_consent_is_per_enterprise(people, placed):
    student_id = people.student_id
    assert state(student_id, placed.a) is None and state(student_id, placed.b) is None
    assert run(give_consent(placed.student, placed.a)).changed
    assert state(student_id, placed.a) == "given"
    assert state(student_id, placed.b) is None
    assert run(may_see_talent_details(partner_viewer(people, placed.a), student_id))
    assert not run(may_see_talent_details(partner_viewer(people, placed.b), student_id))
    assert decisions(student_id) == [(placed.a, "given")]


def test_an_earlier_decision_naming_no_enterprise_applies_to_every_enterprise(people, placed):
    student_id = people.student_id
    legacy(student_id, "given")
    assert state(student_id, placed.a) == state(student_id, placed.b) == "given"
    assert state(student_id, placed.c) == "given"  # the rule; C's partner cannot see the record
    rows = run(consent_enterprises(student_id))
    assert {row.enterprise_id for row in rows} == {placed.a, placed.b}
    assert all(row.given and row.for_every_enterprise for row in rows)
    # withdrawing for A leaves the earlier decision standing for B
    assert run(withdraw_consent(placed.student, placed.a)).changed
    assert state(student_id, placed.a) == "withdrawn"
    assert state(student_id, placed.b) == "given"
    rows = {row.enterprise_id: row for row in run(consent_enterprises(student_id))}
    assert not rows[placed.a].given and not rows[placed.a].for_every_enterprise
    assert rows[placed.b].given and rows[placed.b].for_every_enterprise


def test_the_newest_decision_wins(people, placed):
    student_id = people.student_id
    run(give_consent(placed.student, placed.a))
    legacy(student_id, "withdrawn")  # newer, and for every enterprise
    assert state(student_id, placed.a) == "withdrawn"
    run(give_consent(placed.student, placed.b))
    assert state(student_id, placed.b) == "given"
    assert state(student_id, placed.a) == "withdrawn"
    run(give_consent(placed.student, placed.a))
    run(withdraw_consent(placed.student, placed.a))
    assert state(student_id, placed.a) == "withdrawn"
    assert [change.decision for change in run(consent_history(student_id))] == [
        "withdrawn",
        "given",
        "given",
        "withdrawn",
        "given",
    ]


def test_a_decision_already_in_force_writes_nothing(people, placed):
    assert not run(withdraw_consent(placed.student, placed.a)).changed  # never given
    assert run(give_consent(placed.student, placed.a)).changed
    assert not run(give_consent(placed.student, placed.a)).changed
    legacy(people.student_id, "given")
    assert not run(give_consent(placed.student, placed.b)).changed  # already given for all
    assert decisions(people.student_id)[:1] == [(placed.a, "given")]
    assert len(consent_audits()) == 1


def test_deciding_for_an_enterprise_the_student_was_never_placed_with_is_refused(people, placed):
    for enterprise_id in (placed.c, 999_999):
        with pytest.raises(NotVisible):
            run(give_consent(placed.student, enterprise_id))
        with pytest.raises(NotVisible):
            run(withdraw_consent(placed.student, enterprise_id))
    assert decisions(people.student_id) == [] and consent_audits() == []


def test_past_placements_and_mentor_assignments_count_as_placed(people, placed):
    ended = make_enterprise()
    project = make_project(ended, status="closed")
    make_participation(project, people.student_id, status="ended")
    mentored = make_enterprise()
    enterprise_mentor = make_mentor(side="enterprise", enterprise=mentored, department="")
    make_assignment(
        people.student_id, people.mentor_id, enterprise_mentor, project=make_project(mentored)
    )
    rows = run(consent_enterprises(people.student_id))
    assert {row.enterprise_id for row in rows} == {placed.a, placed.b, ended, mentored}
    assert [row.name for row in rows] == sorted(row.name for row in rows)
    for enterprise_id in (ended, mentored):
        assert run(give_consent(placed.student, enterprise_id)).changed


def test_a_decision_goes_with_its_enterprise_never_becoming_one_for_all(people, placed):
    gone = make_enterprise()
    project = make_project(gone)
    participation = make_participation(project, people.student_id)
    run(give_consent(placed.student, gone))
    run(Participation.delete().where(Participation.id == participation))
    run(Project.delete().where(Project.id == project))
    run(Enterprise.delete().where(Enterprise.id == gone))
    assert decisions(people.student_id) == []  # not (None, "given"): that would reach everyone
    assert state(people.student_id, placed.a) is None


@pytest.mark.parametrize("role", [Role.coordinator, Role.partner, Role.mentor])
def test_the_transaction_refuses_anyone_but_a_student(people, placed, role):
    viewer = Viewer(1, "x", role, "", "token", student_id=people.student_id)
    with pytest.raises(NotVisible):
        run(give_consent(viewer, placed.a))
    with pytest.raises(NotVisible):
        run(withdraw_consent(viewer, placed.a))
    assert decisions(people.student_id) == []


# --- the partners' view over HTTP ------------------------------------------------------------


def sign_in(client, username: str) -> Browser:
    browser = Browser(client)
    assert browser.sign_in(username).status_code == 303
    return browser


def sees_details(browser: Browser, student_id: int) -> bool:
    """Whether the partner reaches the student's score, flags and stage (pool page, PDF)."""
    page = browser.get(f"/talent-pool/{student_id}")
    pdf = browser.get(f"/talent-pool/{student_id}/pipeline.pdf")
    assert page.status_code == pdf.status_code and page.status_code in (200, 404)
    if page.status_code == 404:
        return False
    soup = browser.soup(page)
    assert "88.5" in soup.select_one(".score-card").get_text()
    assert "成绩优异" in soup.select_one("section.flags").get_text()
    assert soup.select_one("#pipeline") is not None
    return True


def test_without_consent_a_partner_sees_only_the_placement(client, people, placed, pooled):
    for username, project in (
        ("partner_a", people.mine.project),
        ("partner_b", placed.order_class),
    ):
        partner = sign_in(client, username)
        record = partner.get(f"/students/{pooled}/record")
        assert record.status_code == 200
        assert project_name(project) in record.text  # the placement itself
        soup = partner.soup(record)
        assert soup.select_one(".score-card") is None and soup.select_one("section.flags") is None
        assert soup.select_one("#pipeline") is None
        assert not sees_details(partner, pooled)
        assert pooled not in page_ids(partner)
        assert "88.5" not in partner.get("/talent-pool/").text


def test_consent_for_a_lets_only_a_see_and_withdrawing_hides_again(client, people, placed, pooled):
    student = sign_in(client, "student1")
    response = student.post("/me/consent", {"action": "give", "enterprise": str(placed.a)})
    assert response.status_code == 303
    partner_a = sign_in(client, "partner_a")
    assert sees_details(partner_a, pooled)
    assert page_ids(partner_a) == [pooled]
    partner_b = sign_in(client, "partner_b")
    assert partner_b.get(f"/students/{pooled}/record").status_code == 200  # placed with B too
    assert not sees_details(partner_b, pooled)
    assert pooled not in page_ids(partner_b)
    # withdrawn for A: back to the placement only (the browsers share one client)
    student = sign_in(client, "student1")
    student.post("/me/consent", {"action": "withdraw", "enterprise": str(placed.a)})
    partner_a = sign_in(client, "partner_a")
    assert not sees_details(partner_a, pooled)
    assert page_ids(partner_a) == []
    assert partner_a.get(f"/students/{pooled}/record").status_code == 200


def test_an_earlier_decision_for_every_enterprise_still_lets_each_see(
    client, people, placed, pooled
):
    legacy(pooled, "given")
    assert sees_details(sign_in(client, "partner_a"), pooled)
    assert sees_details(sign_in(client, "partner_b"), pooled)
    run(withdraw_consent(placed.student, placed.b))
    assert sees_details(sign_in(client, "partner_a"), pooled)
    assert not sees_details(sign_in(client, "partner_b"), pooled)


def test_the_lists_follow_the_rule_per_enterprise(client, people, placed, pooled):
    """The pool list, the pipeline's due list and the partner's dashboard (funnel and due
    widget) show the student to A's partner once the student agrees for A, never to B's."""
    run(DueItem.insert(DueItem(student=pooled, kind="review", due_on=TODAY)))

    def lists(username: str) -> tuple[bool, bool, bool, bool]:
        partner = sign_in(client, username)
        due = partner.soup(partner.get("/talent-pool/due"))
        due_ids = [int(tr["data-student"]) for tr in due.select("#due-table tbody tr")]
        viewer = viewer_of(partner)
        funnel = run(pool_by_status_and_stage(viewer))
        summary = run(due_summary(viewer, TODAY))
        home = partner.get("/")
        assert home.status_code == 200
        return (
            pooled in page_ids(partner),
            pooled in due_ids,
            funnel == {("pooled", "activist"): 1},
            [row.student_id for row in summary.rows] == [pooled],
        )

    assert lists("partner_a") == lists("partner_b") == (False, False, False, False)
    run(give_consent(placed.student, placed.a))
    assert lists("partner_a") == (True, True, True, True)
    assert lists("partner_b") == (False, False, False, False)
    run(withdraw_consent(placed.student, placed.a))
    assert lists("partner_a") == (False, False, False, False)


def test_coordinators_and_mentors_see_the_details_without_consent(signed_in, people, pooled):
    assert decisions(pooled) == []
    for role in ("coordinator", "mentor"):
        page = signed_in(role).get(f"/talent-pool/{pooled}")
        assert page.status_code == 200
        assert Browser.soup(page).select_one(".score-card") is not None


def test_a_partner_nominating_without_consent_returns_to_the_record(signed_in, people):
    partner = signed_in("partner")
    url = f"/talent-pool/{people.student_id}/nominate"
    response = partner.post(url, {"reason": "装配线上表现突出，主动承担质检工作"})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/students/{people.student_id}/record")
    assert partner.get(response.headers["location"]).status_code == 200


# --- the card on /me and deciding over HTTP -------------------------------------------------------


def consent_card(browser: Browser):
    card = browser.soup(browser.get("/me")).select_one("section.consent-card")
    assert card is not None
    return card


def enterprise_row(card, enterprise_id: int):
    row = card.select_one(f"li#consent-{enterprise_id}")
    assert row is not None
    return row


def offered(card, enterprise_id: int) -> str:
    """The action the row of the enterprise offers ("give" or "withdraw")."""
    form = enterprise_row(card, enterprise_id).select_one('form[action$="/me/consent"]')
    assert form.select_one(f'input[name="enterprise"][value="{enterprise_id}"]') is not None
    assert form.select_one('input[name="csrftoken"]') is not None
    return form.select_one('input[name="action"]')["value"]


def test_the_card_tells_each_enterprise_what_pipl_asks(signed_in, people, placed):
    run(
        Enterprise.update(
            {Enterprise.contact_person: "王工", Enterprise.contact_phone: "0512-1234"}
        ).where(Enterprise.id == placed.a)
    )
    card = consent_card(signed_in("student"))
    rows = card.select("li.consent-enterprise")
    assert {row["id"] for row in rows} == {f"consent-{placed.a}", f"consent-{placed.b}"}
    row = enterprise_row(card, placed.a)
    assert row.select_one("h3").get_text(strip=True) == enterprise_name(placed.a)
    notice = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in row.select("dl.consent-notice dt")
    }
    assert notice["接收方"] == enterprise_name(placed.a)
    assert "王工" in notice["联系方式"] and "0512-1234" in notice["联系方式"]
    assert "订单班培养与招聘" in notice["处理目的"]
    assert notice["个人信息种类"] == "人才库评分、标记、发展阶段"
    assert "本平台" in notice["处理方式"]
    b_notice = enterprise_row(card, placed.b).get_text(" ", strip=True)
    assert "未登记" in b_notice  # no contact recorded for B
    hint = row.select_one("form .hint").get_text(strip=True)
    assert "撤回" in hint and enterprise_name(placed.a) in hint
    # each button's accessible name names its enterprise
    for enterprise_id in (placed.a, placed.b):
        button = enterprise_row(card, enterprise_id).select_one("button")
        assert enterprise_name(enterprise_id) in button.get_text(" ", strip=True)
        assert enterprise_name(enterprise_id) in button.select_one(".visually-hidden").get_text()
    assert offered(card, placed.a) == offered(card, placed.b) == "give"
    assert card.select(".consent-history li") == [] and card.select_one(".consent-empty") is None


def test_a_student_placed_nowhere_sees_the_empty_state(client):
    student_no = run(Student.select(Student.student_no).where(Student.id == make_student()).first())
    make_account("lonely", Role.student, student_no=student_no["student_no"])
    card = consent_card(sign_in(client, "lonely"))
    assert card.select_one(".consent-empty") is not None
    assert card.select("form") == [] and card.select("li.consent-enterprise") == []


def test_the_student_gives_and_withdraws_per_enterprise_on_me(signed_in, people, placed):
    student = signed_in("student")
    response = student.post("/me/consent", {"action": "give", "enterprise": str(placed.a)})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/me#consent-{placed.a}")
    card = consent_card(student)
    assert offered(card, placed.a) == "withdraw" and offered(card, placed.b) == "give"
    history = [li.get_text(" ", strip=True) for li in card.select(".consent-history li")]
    assert len(history) == 1 and enterprise_name(placed.a) in history[0]
    student.post("/me/consent", {"action": "withdraw", "enterprise": str(placed.a)})
    student.post("/me/consent", {"action": "give", "enterprise": str(placed.b)})
    card = consent_card(student)
    assert offered(card, placed.a) == "give" and offered(card, placed.b) == "withdraw"
    history = [li.get_text(" ", strip=True) for li in card.select(".consent-history li")]
    assert enterprise_name(placed.b) in history[0] and enterprise_name(placed.a) in history[1]
    assert decisions(people.student_id) == [
        (placed.a, "given"),
        (placed.a, "withdrawn"),
        (placed.b, "given"),
    ]
    audits = consent_audits()
    assert [a["username"] for a in audits] == ["student1"] * 3
    assert all(a["action"] == "consent" for a in audits)
    changes = [changes_of(a) for a in audits]
    assert [c["decision"] for c in changes] == [
        [None, "given"],
        ["given", "withdrawn"],
        [None, "given"],
    ]
    assert [c["enterprise"][1] for c in changes] == [placed.a, placed.a, placed.b]
    assert all(c["student"] == [None, people.student_id] for c in changes)
    assert enterprise_name(placed.a) in audits[0]["summary"]
    assert enterprise_name(placed.b) in audits[2]["summary"]


def test_the_card_shows_an_earlier_decision_for_every_enterprise(signed_in, people, placed):
    legacy(people.student_id, "given")
    card = consent_card(signed_in("student"))
    assert offered(card, placed.a) == offered(card, placed.b) == "withdraw"
    history = card.select(".consent-history li")
    assert len(history) == 1 and "所有合作企业" in history[0].get_text()


@pytest.mark.parametrize("enterprise", ["", "abc", "-1", "9999999999999999999999", "１"])
def test_a_missing_or_garbled_enterprise_is_not_found(signed_in, people, placed, enterprise):
    response = signed_in("student").post(
        "/me/consent", {"action": "give", "enterprise": enterprise}
    )
    assert response.status_code == 404
    assert decisions(people.student_id) == []


def test_an_enterprise_the_student_is_not_placed_with_is_not_found(signed_in, people, placed):
    student = signed_in("student")
    for enterprise_id in (placed.c, 999_999):
        response = student.post("/me/consent", {"action": "give", "enterprise": str(enterprise_id)})
        assert response.status_code == 404
    assert decisions(people.student_id) == [] and consent_audits() == []


def test_an_unknown_action_is_refused(signed_in, people, placed):
    response = signed_in("student").post("/me/consent", {"action": "sell", "enterprise": placed.a})
    assert response.status_code == 400
    assert decisions(people.student_id) == []


def test_a_post_without_the_csrf_token_is_refused(signed_in, people, placed):
    student = signed_in("student")
    response = student.client.post(
        "/me/consent", data={"action": "give", "enterprise": str(placed.a)}
    )
    assert response.status_code == 403
    assert decisions(people.student_id) == []


@pytest.mark.parametrize("role", ["coordinator", "partner", "mentor"])
def test_nobody_else_changes_a_students_consent(signed_in, people, placed, role):
    response = signed_in(role).post("/me/consent", {"action": "give", "enterprise": placed.a})
    assert response.status_code == 404
    assert decisions(people.student_id) == [] and decisions(people.other_student_id) == []
