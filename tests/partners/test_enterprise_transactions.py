"""The enterprise transactions, called without HTTP: a credit code belongs to one enterprise,
and an enterprise is deleted only once nothing refers to it any more."""

from __future__ import annotations

import pytest

from partners.organizations.deletions import enterprise_deletion
from partners.organizations.enterprises import delete_enterprise, save_enterprise
from partners.organizations.queries import visible_enterprise
from partners.organizations.tables import Enterprise
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import FORM, NotVisible, Refused
from portal.tables import AuditEntry, Role
from tests.support import (
    make_account,
    make_enterprise,
    make_member_unit,
    make_mentor,
    make_organization,
    make_project,
    run,
)

ACTOR = Actor(None, "test")
CODE = "91350100M000100Y43"
COORDINATOR = Viewer(user_id=0, username="", role=Role.coordinator, name="", session_token="")


def values(**changes: object) -> dict[str, object]:
    return {"name": "福州智造科技有限公司", "credit_code": CODE, "status": "active", **changes}


def audited(action: str) -> int:
    return run(
        AuditEntry.count().where(
            AuditEntry.table_name == "partners_enterprise", AuditEntry.action == action
        )
    )


def refused_fields(refused: pytest.ExceptionInfo[Refused]) -> list[str]:
    return [error.field for error in refused.value.errors]


def test_an_enterprise_is_created_and_changed_with_its_audit():
    enterprise_id = run(save_enterprise(ACTOR, values(), None))
    enterprise = run(visible_enterprise(COORDINATOR, enterprise_id))
    assert enterprise.credit_code == CODE
    run(save_enterprise(ACTOR, {"contact_person": "陈工"}, enterprise))
    changed = run(visible_enterprise(COORDINATOR, enterprise_id))
    assert changed.contact_person == "陈工" and changed.name == enterprise.name
    assert (audited("create"), audited("update")) == (1, 1)


def test_a_credit_code_of_another_enterprise_is_refused_beside_the_code():
    make_enterprise(credit_code=CODE)
    with pytest.raises(Refused) as refused:
        run(save_enterprise(ACTOR, values(), None))
    assert refused_fields(refused) == ["credit_code"]
    other = run(visible_enterprise(COORDINATOR, make_enterprise()))
    with pytest.raises(Refused) as refused:
        run(save_enterprise(ACTOR, {"credit_code": CODE}, other))
    assert refused_fields(refused) == ["credit_code"]
    assert run(Enterprise.count().where(Enterprise.credit_code == CODE)) == 1
    assert audited("create") == audited("update") == 0


def test_an_enterprise_keeps_its_own_code():
    enterprise = run(visible_enterprise(COORDINATOR, make_enterprise(credit_code=CODE)))
    run(save_enterprise(ACTOR, {"credit_code": CODE, "name": "新名称"}, enterprise))
    assert run(visible_enterprise(COORDINATOR, enterprise.id)).name == "新名称"


def test_a_code_taken_meanwhile_is_refused_by_the_unique_index(monkeypatch):
    make_enterprise(credit_code=CODE)

    async def nobody_has_it(code: str, enterprise_id: int | None) -> bool:
        return False

    monkeypatch.setattr("partners.organizations.enterprises.credit_code_taken", nobody_has_it)
    with pytest.raises(Refused) as refused:
        run(save_enterprise(ACTOR, values(), None))
    assert refused_fields(refused) == ["credit_code"]
    assert audited("create") == 0


def test_an_enterprise_nothing_refers_to_is_deleted():
    enterprise = run(visible_enterprise(COORDINATOR, make_enterprise()))
    assert run(enterprise_deletion(COORDINATOR, enterprise)).impact.blocking == ()
    run(delete_enterprise(ACTOR, enterprise))
    assert not run(Enterprise.exists().where(Enterprise.id == enterprise.id))
    assert audited("delete") == 1


def test_an_enterprise_with_partner_accounts_is_refused_and_keeps_them():
    enterprise_id = make_enterprise()
    make_account("partner_x", Role.partner, enterprise_id=enterprise_id)
    enterprise = run(visible_enterprise(COORDINATOR, enterprise_id))
    blocking = run(enterprise_deletion(COORDINATOR, enterprise)).impact.blocking
    assert [(row.table, row.count) for row in blocking] == [("partners_partner_account", 1)]
    with pytest.raises(Refused) as refused:
        run(delete_enterprise(ACTOR, enterprise))
    assert refused_fields(refused) == [FORM]
    assert "合作企业账号" in refused.value.errors[0].message
    assert run(Enterprise.exists().where(Enterprise.id == enterprise_id))
    assert audited("delete") == 0


@pytest.mark.parametrize("link", ["member_unit", "mentor", "project"])
def test_an_enterprise_still_referred_to_is_refused_by_its_foreign_keys(link):
    enterprise_id = make_enterprise()
    if link == "mentor":
        make_mentor(side="enterprise", name="张工", enterprise=enterprise_id)
    elif link == "project":
        make_project(enterprise_id)
    else:
        make_member_unit(make_organization(), side="enterprise", enterprise=enterprise_id)
    enterprise = run(visible_enterprise(COORDINATOR, enterprise_id))
    with pytest.raises(Refused) as refused:
        run(delete_enterprise(ACTOR, enterprise))
    assert refused_fields(refused) == [FORM]
    assert run(Enterprise.exists().where(Enterprise.id == enterprise_id))
    assert audited("delete") == 0


def test_a_partner_sees_its_own_enterprise_only():
    own, other = make_enterprise(), make_enterprise()
    partner = Viewer(
        user_id=0, username="", role=Role.partner, name="", session_token="", enterprise_id=own
    )
    assert run(visible_enterprise(partner, own)).id == own
    with pytest.raises(NotVisible):
        run(visible_enterprise(partner, other))
