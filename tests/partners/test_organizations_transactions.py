"""The transactions of joint organizations, called without HTTP: what they write, what they
audit, and what they refuse (with the message beside the field it concerns)."""

from __future__ import annotations

import datetime

import pytest

from partners.organizations.joint_organizations import (
    add_member,
    add_unit,
    assign_seats,
    check_agreement_upload,
    check_unit_change,
    create_organization,
    delete_organization,
    remove_member,
    remove_unit,
    save_agreement,
    unit_for,
    update_unit,
)
from partners.organizations.queries import (
    agreement_of,
    member_of,
    organization_parts,
    units_of,
    visible_organization,
)
from partners.organizations.tables import Agreement, CommitteeSeat, JointOrganization, MemberUnit
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import FORM, NotVisible, Refused
from portal.forms import FormState
from portal.tables import AuditEntry, Role
from tests.support import make_enterprise, make_member_unit, make_organization, run

ACTOR = Actor(None, "test")
PDF = b"%PDF-1.7\n%%EOF\n"


def viewer(role: Role, **links: int) -> Viewer:
    return Viewer(user_id=0, username="", role=role, name="", session_token="", **links)


def audited(table_name: str) -> list[str]:
    rows = run(
        AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.table_name == table_name)
        .order_by(AuditEntry.id)
    )
    return [row["action"] for row in rows]


def test_a_new_organization_starts_with_a_unit_of_each_side():
    enterprise = make_enterprise(name="海工装备", party_org_name="海工装备党支部")
    values = {
        "kind": "joint_branch",
        "name": "海工联合党支部",
        "founded_on": datetime.date(2026, 1, 1),
        "status": "active",
        "description": "",
        "college_unit_name": "教工第一党支部",
        "enterprise": enterprise,
    }
    organization_id = run(create_organization(ACTOR, values))
    units = run(units_of(organization_id))
    assert [(u.side, u.name, u.enterprise) for u in units] == [
        ("college", "教工第一党支部", None),
        ("enterprise", "海工装备党支部", enterprise),
    ]
    assert audited("partners_organization") == ["create"]
    assert audited("partners_member_unit") == ["create", "create"]


def test_an_organization_of_an_enterprise_deleted_meanwhile_is_refused_beside_the_enterprise():
    enterprise = make_enterprise()
    values = {
        "kind": "joint_branch",
        "name": "联合党支部",
        "founded_on": None,
        "status": "active",
        "description": "",
        "college_unit_name": "教工党支部",
        "enterprise": enterprise + 1000,
    }
    with pytest.raises(Refused) as refused:
        run(create_organization(ACTOR, values))
    assert [error.field for error in refused.value.errors] == ["enterprise"]
    assert run(JointOrganization.count()) == 0


def test_the_last_unit_of_a_side_is_refused_and_kept():
    organization_id = make_organization(make_enterprise())
    college, enterprise = run(units_of(organization_id))
    with pytest.raises(Refused) as refused:
        run(remove_unit(ACTOR, college))
    assert [error.field for error in refused.value.errors] == [FORM]
    assert len(run(units_of(organization_id))) == 2
    assert audited("partners_member_unit") == []


def test_a_unit_with_another_of_its_side_is_removed_with_its_members_and_audited():
    organization_id = make_organization(make_enterprise(), make_enterprise())
    _college, first, _second = run(units_of(organization_id))
    run(remove_unit(ACTOR, first))
    assert first.id not in [unit.id for unit in run(units_of(organization_id))]
    assert audited("partners_member_unit") == ["delete"]


def test_an_enterprise_unit_without_a_name_is_named_after_its_party_organization():
    organization_id = make_organization(make_enterprise())
    enterprise = make_enterprise(name="海洋装备", party_org_name="")
    values = {"side": "enterprise", "name": "", "enterprise": enterprise}
    values |= {"party_group_name": "", "party_group_leader": ""}
    assert run(add_unit(ACTOR, organization_id, values)) == "海洋装备"


def test_a_partner_reaches_only_its_own_enterprises_unit():
    own, other = make_enterprise(), make_enterprise()
    organization_id = make_organization(own, other)
    units = run(units_of(organization_id))
    college, mine, theirs = units
    partner = viewer(Role.partner, enterprise_id=own)
    assert unit_for(partner, units, mine.id) == mine
    for unit in (college, theirs):
        with pytest.raises(NotVisible):
            unit_for(partner, units, unit.id)
    assert unit_for(viewer(Role.coordinator), units, theirs.id) == theirs
    with pytest.raises(NotVisible):
        unit_for(viewer(Role.coordinator), units, 999_999)


def test_an_edited_unit_keeps_its_side_and_a_partner_changes_only_the_party_group():
    organization_id = make_organization(make_enterprise())
    units = run(units_of(organization_id))
    enterprise_unit = units[1]
    form = FormState(values={"side": "college", "name": "", "enterprise": ""})
    values = check_unit_change(form, enterprise_unit, units, [], whole_unit=True)
    assert "side" not in values and values["name"] == enterprise_unit.name
    form = FormState(values={"name": "改名", "party_group_name": "第一党小组"})
    values = check_unit_change(form, enterprise_unit, units, [], whole_unit=False)
    assert values == {"party_group_name": "第一党小组", "party_group_leader": ""}
    run(update_unit(ACTOR, enterprise_unit, values))
    changed = run(MemberUnit.select().where(MemberUnit.id == enterprise_unit.id).first())
    assert changed["name"] == enterprise_unit.name and changed["party_group_name"] == "第一党小组"


def test_members_are_added_to_their_unit_and_removing_one_vacates_their_seat():
    organization_id = make_organization()
    parts = run(organization_parts(organization_id))
    [unit] = parts.units
    secretary = parts.committee["secretary"]
    values = {"name": "李明", "position": "书记", "party_member": True, "phone": ""}
    run(add_member(ACTOR, unit, values))
    members = run(organization_parts(organization_id)).members_by_unit[unit.id]
    assert members[-1].name == "李明" and members[-1].member_unit == unit.id
    run(remove_member(ACTOR, run(member_of(organization_id, secretary))))
    assert run(organization_parts(organization_id)).committee == {}
    assert audited("partners_organization_member") == ["create", "delete"]


def test_a_member_of_another_organization_is_not_found():
    mine, theirs = make_organization(), make_organization()
    other_member = run(organization_parts(theirs)).committee["secretary"]
    with pytest.raises(NotVisible):
        run(member_of(mine, other_member))


def test_seats_take_members_of_the_organization_only_one_seat_each():
    organization_id = make_organization()
    other = make_organization()
    secretary = run(organization_parts(organization_id)).committee["secretary"]
    outsider = run(organization_parts(other)).committee["secretary"]
    with pytest.raises(Refused) as refused:
        run(assign_seats(ACTOR, organization_id, {"secretary": str(outsider)}))
    assert [error.field for error in refused.value.errors] == ["secretary"]
    with pytest.raises(Refused) as refused:
        chosen = {"secretary": str(secretary), "publicity": str(secretary)}
        run(assign_seats(ACTOR, organization_id, chosen))
    assert [error.field for error in refused.value.errors] == ["publicity"]
    assert run(organization_parts(organization_id)).committee == {"secretary": secretary}
    assert audited("partners_committee_seat") == []


def test_saving_the_committee_writes_and_audits_only_the_seats_that_change():
    organization_id = make_organization()
    secretary = run(organization_parts(organization_id)).committee["secretary"]
    unit = run(units_of(organization_id))[0]
    make_member_unit(organization_id, side="college", name="教工第二党支部")
    deputy = [
        member.id
        for member in run(organization_parts(organization_id)).members.values()
        if member.member_unit != unit.id
    ][0]
    run(assign_seats(ACTOR, organization_id, {"secretary": str(deputy)}))
    run(assign_seats(ACTOR, organization_id, {"secretary": str(deputy), "publicity": ""}))
    assert run(organization_parts(organization_id)).committee == {"secretary": deputy}
    assert audited("partners_committee_seat") == ["update"]
    run(assign_seats(ACTOR, organization_id, {"publicity": str(secretary)}))
    assert run(organization_parts(organization_id)).committee == {"publicity": secretary}
    assert audited("partners_committee_seat") == ["update", "delete", "create"]
    assert run(CommitteeSeat.count().where(CommitteeSeat.organization == organization_id)) == 1


def test_the_agreement_is_recorded_once_then_changed_and_its_bytes_stay_out_of_the_audit():
    organization_id = make_organization()
    organization = run(visible_organization(viewer(Role.coordinator), organization_id))
    dates = {"signed_on": "2026-01-01", "expires_on": "2029-12-31", "text": "共建协议"}
    form = FormState(values=dates)
    values = check_agreement_upload(form, ("../协议.pdf", PDF))
    assert form.valid and values["content_type"] == "application/pdf"
    run(save_agreement(ACTOR, organization, values))
    form = FormState(values={**dates, "remove_document": "1"})
    run(save_agreement(ACTOR, organization, check_agreement_upload(form, None)))
    assert run(Agreement.count().where(Agreement.organization == organization_id)) == 1
    agreement = run(agreement_of(organization_id))
    assert agreement is not None and agreement.file_name == "" and agreement.file_size == 0
    changes = run(
        AuditEntry.select(AuditEntry.changes).where(AuditEntry.table_name == "partners_agreement")
    )
    assert len(changes) == 2 and all("file_data" not in row["changes"] for row in changes)


@pytest.mark.parametrize(
    "upload,signed_on,expires_on,field",
    [
        (("scan.exe", b"MZ\x90\x00"), "2026-01-01", "2027-01-01", "document"),
        (("empty.pdf", b""), "2026-01-01", "2027-01-01", "document"),
        (None, "2026-01-01", "2026-01-01", "expires_on"),
        (None, "", "2027-01-01", "signed_on"),
    ],
)
def test_agreement_forms_are_refused_beside_the_field_concerned(
    upload, signed_on, expires_on, field
):
    form = FormState(values={"signed_on": signed_on, "expires_on": expires_on})
    check_agreement_upload(form, upload)
    assert list(form.errors) == [field]


def test_deleting_an_organization_takes_its_parts_with_it():
    organization_id = make_organization(make_enterprise())
    organization = run(visible_organization(viewer(Role.coordinator), organization_id))
    run(delete_organization(ACTOR, organization))
    assert not run(JointOrganization.exists().where(JointOrganization.id == organization_id))
    assert not run(MemberUnit.exists().where(MemberUnit.organization == organization_id))
    assert audited("partners_organization") == ["delete"]


def test_a_partner_does_not_see_an_organization_its_enterprise_is_not_in():
    own, other = make_enterprise(), make_enterprise()
    mine, theirs = make_organization(own), make_organization(other)
    partner = viewer(Role.partner, enterprise_id=own)
    assert run(visible_organization(partner, mine)).id == mine
    with pytest.raises(NotVisible):
        run(visible_organization(partner, theirs))
