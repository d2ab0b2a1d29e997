"""The rule book: every rule cited from its text, numbers a coordinator may set stricter
(never looser, always with a reason, every change kept), the active version of the party
rules, and the page that shows it all to coordinators only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.audit import Actor
from portal.domain_errors import Refused
from portal.rulebook import (
    PARTY_VERSION,
    RULES,
    SOURCES,
    citation,
    cited,
    current_numbers,
    current_settings,
    default_numbers,
    rule,
    set_number,
    set_party_version,
    settings_history,
)
from portal.tables import AuditEntry
from tests.support import Browser, run

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
OPERATOR = Actor(None, "operator")


@pytest.fixture(autouse=True)
def party_rules_2014():
    """Citations read the version last loaded; start every test from the database's (2014)."""
    run(current_settings())
    yield
    run(current_settings())


# --- citations -------------------------------------------------------------------------------


def test_a_verified_article_is_cited_with_the_text_and_version():
    assert citation("party.talk_within") == "《中国共产党发展党员工作细则》（2014）第七条"
    assert citation("party.extension_once") == "《中国共产党发展党员工作细则》（2014）第三十二条"
    assert citation("placement.min_age") == "《职业学校学生实习管理规定》（2021）第十六条"
    assert citation("rules.day_counting") == (
        "《中华人民共和国民法典》（2020）第二百零一条、第二百零二条"
    )


def test_an_unverified_article_is_not_guessed():
    assert rule("party.approval_within").article is None
    assert citation("party.approval_within") == "《中国共产党发展党员工作细则》（2014）"


def test_a_refusal_names_its_rule():
    message = cited("party.vote_present", "Not enough members present.")
    assert message.startswith("Not enough members present.")
    assert "第二十条" in message


def test_every_rule_has_a_known_source_and_a_sentence():
    for key, found in RULES.items():
        assert found.source in SOURCES, key
        assert found.sentence, key
        assert found.article is None or re.fullmatch(
            r"第[一二三四五六七八九十百零]+条.*", found.article
        )
        assert not found.adjustable or found.stricter in ("lower", "higher"), key


def test_the_texts_numbers():
    numbers = default_numbers()
    assert numbers["party.approval_within"] == 3
    assert numbers["party.approval_latest"] == 6
    assert (numbers["party.extension_min"], numbers["party.extension_max"]) == (6, 12)
    assert (numbers["placement.enterprise_share"], numbers["placement.post_share"]) == (10, 20)
    assert numbers["placement.pay_floor"] == 80
    assert numbers["placement.min_age"] == 16


# --- settings --------------------------------------------------------------------------------


def test_a_stricter_number_is_in_force_and_kept_in_the_history(people):
    actor = Actor(people.coordinator_user, "coord")
    run(set_number("placement.enterprise_share", 8, "省教育厅规定不超过8%", actor))

    assert run(current_numbers())["placement.enterprise_share"] == 8
    assert default_numbers()["placement.enterprise_share"] == 10  # the text's own is unchanged
    change = run(settings_history())[0]
    assert (change.rule_key, change.value, change.reason, change.changed_by) == (
        "placement.enterprise_share",
        8,
        "省教育厅规定不超过8%",
        "coord",
    )
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "portal_rule_setting"))
    assert len(audit) == 1 and audit[0]["username"] == "coord"


def test_the_newest_setting_wins_and_the_older_ones_stay():
    run(set_number("placement.post_share", 15, "first", OPERATOR))
    run(set_number("placement.post_share", 18, "second", OPERATOR))
    assert run(current_numbers())["placement.post_share"] == 18
    assert [change.value for change in run(settings_history())] == [18, 15]


@pytest.mark.parametrize(
    "key,looser",
    [("placement.enterprise_share", 11), ("party.review_every", 7), ("placement.pay_floor", 79)],
)
def test_a_looser_number_is_refused(key, looser):
    with pytest.raises(Refused) as refused:
        run(set_number(key, looser, "the enterprise asked", OPERATOR))
    assert refused.value.errors[0].field == "value"
    assert run(current_numbers())[key] == RULES[key].value
    assert run(settings_history()) == []


def test_the_texts_own_number_and_a_stricter_one_on_the_boundary_are_accepted():
    run(set_number("placement.pay_floor", 80, "the text's", OPERATOR))
    run(set_number("placement.pay_floor", 81, "stricter", OPERATOR))
    assert run(current_numbers())["placement.pay_floor"] == 81


def test_a_reason_is_required():
    with pytest.raises(Refused) as refused:
        run(set_number("placement.enterprise_share", 8, "   ", OPERATOR))
    assert [error.field for error in refused.value.errors] == ["reason"]


def test_a_rule_without_an_adjustable_number_cannot_be_set():
    with pytest.raises(Refused) as refused:
        run(set_number("party.extension_max", 6, "shorter", OPERATOR))
    assert refused.value.errors[0].field == "rule"


def test_the_active_version_changes_the_citations():
    run(set_party_version(2026, "新修订的细则施行", OPERATOR))
    settings = run(current_settings())
    assert settings.party_version == 2026
    # The 2026 articles are unverified: the version is cited, no article.
    assert citation("party.talk_within") == "《中国共产党发展党员工作细则》（2026）"
    assert citation("placement.min_age") == "《职业学校学生实习管理规定》（2021）第十六条"
    assert run(settings_history())[0].rule_key == PARTY_VERSION

    run(set_party_version(2014, "back", OPERATOR))
    run(current_settings())
    assert citation("party.talk_within").endswith("（2014）第七条")


def test_an_unknown_version_is_refused():
    with pytest.raises(Refused):
        run(set_party_version(2019, "no such text", OPERATOR))


def test_numbers_are_read_once_per_write(monkeypatch):
    from tests.support import count_queries

    run(current_numbers())
    seen = count_queries(monkeypatch)
    run(current_numbers())
    run(current_numbers())
    assert not [sql for sql in seen if "portal_rule_setting" in sql]


# --- docs/rules.md ---------------------------------------------------------------------------


def test_every_rule_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [key for key in RULES if f"`{key}`" not in text]
    assert not missing, f"not in docs/rules.md: {missing}"


# --- the page --------------------------------------------------------------------------------


def test_the_rule_book_shows_every_rule_to_a_coordinator(signed_in):
    response = signed_in("coordinator").get("/rules")
    assert response.status_code == 200
    assert response.template.name == "portal/rule_book.html"
    soup = Browser.soup(response)
    shown = {row["id"].removeprefix("rule-") for row in soup.select("tr[id^=rule-]")}
    assert shown == set(RULES)
    assert "第七条" in soup.select_one("#rule-party\\.talk_within").get_text()
    assert soup.select("form.rule-number-form")  # adjustable rules have a form


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_other_roles_do_not_see_the_rule_book(signed_in, role):
    assert signed_in(role).get("/rules").status_code == 404


def test_a_coordinator_sets_a_stricter_number_on_the_page(signed_in):
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        "/rules/number",
        {"rule": "placement.enterprise_share", "value": "8", "reason": "省规定"},
    )
    assert response.status_code == 303
    page = coordinator.get("/rules")
    assert "省规定" in Browser.soup(page).select_one("table.rule-history").get_text()


def test_a_looser_number_shows_the_form_again_with_the_message(signed_in):
    response = signed_in("coordinator").post(
        "/rules/number",
        {"rule": "placement.enterprise_share", "value": "12", "reason": "企业要求"},
    )
    assert response.status_code == 400
    assert response.template.name == "portal/rule_book.html"
    assert "10" in Browser.field_error(response, "value")
    assert run(settings_history()) == []


def test_the_version_form_requires_a_reason(signed_in):
    response = signed_in("coordinator").post("/rules/version", {"version": "2026", "reason": ""})
    assert response.status_code == 400
    assert Browser.field_error(response, "reason")
