"""Joint party organizations (联合党组织): the rules of their structure and agreement, and the
transactions that change them.

The rules are plain functions, tested without HTTP; the transactions take the Actor who writes
and raise Refused (portal.domain_errors) when a rule says no. The pages in
partners/organizations/views/ (organizations, units, members, seats, agreements) call them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from partners.organizations.queries import (
    AgreementRow,
    MemberRow,
    OrganizationRow,
    UnitRow,
    agreement_of,
    units_of,
)
from partners.organizations.tables import (
    Agreement,
    CommitteeSeat,
    Enterprise,
    JointOrganization,
    MemberUnit,
    OrganizationMember,
)
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.documents import MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES  # re-exported
from portal.documents import check_document as check_uploaded_document
from portal.domain_errors import FORM, FieldError, ForeignKeyViolation, NotVisible, Refused
from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.tables import Role
from portal.vocabulary import ORGANIZATION_KINDS, ORGANIZATION_STATUSES, SEATS, UNIT_SIDES, label

ORGANIZATION_FIELDS = ["kind", "name", "founded_on", "status", "description"]
CREATE_FIELDS = [*ORGANIZATION_FIELDS, "college_unit_name", "enterprise"]
UNIT_FIELDS = ["side", "name", "enterprise", "party_group_name", "party_group_leader"]
PARTY_GROUP_FIELDS = ["party_group_name", "party_group_leader"]
MEMBER_FIELDS = ["name", "position", "party_member", "phone"]
AGREEMENT_FIELDS = ["signed_on", "expires_on", "text", "remove_document"]

WARNING_DAYS = 60


# --- The organization --------------------------------------------------------------------


def check_organization_form(form: FormState, today: datetime.date) -> dict[str, Any]:
    """Validates the organization's own facts in place; returns the cleaned values."""
    form.choice("kind", ORGANIZATION_KINDS)
    form.required("name")
    form.max_length("name", 200)
    founded_on = form.date("founded_on", required=False)
    if founded_on is not None and founded_on > today:
        form.add_error("founded_on", _("The founding date cannot be in the future."))
    form.choice("status", ORGANIZATION_STATUSES)
    form.max_length("description", 4000)
    return {
        "kind": form.values.get("kind", ""),
        "name": form.values.get("name", ""),
        "founded_on": founded_on,
        "status": form.values.get("status", ""),
        "description": form.values.get("description", ""),
    }


def chosen_id(form: FormState, name: str, allowed: Iterable[int]) -> int | None:
    """An id picked from a select: must be one of the listed ones (else a field error)."""
    raw = form.values.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in set(allowed):
        form.add_error(name, _("Choose one of the listed options."))
        return None
    return int(raw)


def check_create_form(
    form: FormState, today: datetime.date, enterprise_ids: Iterable[int]
) -> dict[str, Any]:
    """A new organization needs its first college branch and its first enterprise, so that it
    has a member unit of each side from the start."""
    values = check_organization_form(form, today)
    form.required("college_unit_name")
    form.max_length("college_unit_name", 200)
    enterprise = chosen_id(form, "enterprise", enterprise_ids)
    if enterprise is None:
        form.required("enterprise")
    return {
        **values,
        "college_unit_name": form.values.get("college_unit_name", ""),
        "enterprise": enterprise,
    }


def enterprise_unit_name(name: str, party_org_name: str) -> str:
    """The default name of an enterprise's unit: its party organization, else the enterprise."""
    return party_org_name or name


def organization_values(organization: OrganizationRow) -> dict[str, Any]:
    """The organization's own facts, as its form and its audit record name them."""
    return {name: getattr(organization, name) for name in ORGANIZATION_FIELDS}


async def default_unit_name(enterprise_id: int) -> str:
    """The name an enterprise's unit gets when none is typed (see enterprise_unit_name)."""
    enterprise = (
        await Enterprise.select(Enterprise.name, Enterprise.party_org_name)
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if enterprise is None:  # deleted since the form listed it
        raise Refused.at("enterprise", _("Choose one of the listed options."))
    return enterprise_unit_name(enterprise["name"], enterprise["party_org_name"])


async def create_organization(actor: Actor, values: Mapping[str, Any]) -> int:
    """The organization and its first unit of each side, in one audited transaction; returns
    its id."""
    own = {name: values[name] for name in ORGANIZATION_FIELDS}
    async with audited_write(actor) as audit:
        enterprise_unit = await default_unit_name(values["enterprise"])
        row = (
            await JointOrganization.insert(JointOrganization(**own)).returning(JointOrganization.id)
        )[0]
        await audit.created(JointOrganization, row["id"], own, own["name"])
        for unit in (
            {"side": "college", "name": values["college_unit_name"], "enterprise": None},
            {"side": "enterprise", "name": enterprise_unit, "enterprise": values["enterprise"]},
        ):
            unit = {**unit, "organization": row["id"]}
            created = (await MemberUnit.insert(MemberUnit(**unit)).returning(MemberUnit.id))[0]
            await audit.created(MemberUnit, created["id"], unit, unit["name"])
        return int(row["id"])


async def update_organization(
    actor: Actor, organization: OrganizationRow, values: Mapping[str, Any]
) -> None:
    """Changes the organization's own facts, audited."""
    async with audited_write(actor) as audit:
        await JointOrganization.update(**values).where(JointOrganization.id == organization.id)
        before = organization_values(organization)
        await audit.updated(JointOrganization, organization.id, before, values, values["name"])


async def delete_organization(actor: Actor, organization: OrganizationRow) -> None:
    """Deletes the organization with its units, members, committee, agreement, activities and
    plans (their foreign keys cascade). Refused while other records still refer to it."""
    try:
        async with audited_write(actor) as audit:
            await JointOrganization.delete().where(JointOrganization.id == organization.id)
            before = organization_values(organization)
            await audit.deleted(JointOrganization, organization.id, before, organization.name)
    except ForeignKeyViolation as linked:
        raise Refused.at(
            FORM, _("This organization still has linked records and cannot be deleted.")
        ) from linked


# --- Member units --------------------------------------------------------------------------


def unit_for(viewer: Viewer, units: Iterable[UnitRow], unit_id: int) -> UnitRow:
    """The unit of this organization; a partner reaches only its own enterprise's unit
    (NotVisible otherwise, as for a unit that does not exist)."""
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None:
        raise NotVisible(f"member unit {unit_id}")
    if viewer.role is not Role.coordinator and unit.enterprise != viewer.enterprise_id:
        raise NotVisible(f"member unit {unit_id}")
    return unit


def unit_conflicts(
    side: str,
    enterprise_id: int | None,
    units: Iterable[UnitRow],
    unit_id: int | None = None,
) -> dict[str, str]:
    """Errors of a unit against the organization's other units: the enterprise side needs an
    enterprise, the college side must not have one, and an enterprise appears once."""
    if side == "college":
        return {"enterprise": _("A college branch has no enterprise.")} if enterprise_id else {}
    if enterprise_id is None:
        return {"enterprise": _("Choose the enterprise of this branch.")}
    for unit in units:
        if unit.id != unit_id and unit.enterprise == enterprise_id:
            return {"enterprise": _("This enterprise is already a member unit.")}
    return {}


def check_unit_form(
    form: FormState,
    units: Iterable[UnitRow],
    enterprise_ids: Iterable[int],
    unit: UnitRow | None = None,
) -> dict[str, Any]:
    """Validates a member unit form (a new unit, or the coordinator editing one: the side of an
    existing unit never changes, so neither side can be emptied by an edit)."""
    side = unit.side if unit else form.choice("side", UNIT_SIDES)
    enterprise = chosen_id(form, "enterprise", enterprise_ids)
    if side != "enterprise":
        form.required("name")
    form.max_length("name", 200)
    if side in UNIT_SIDES:
        unit_id = unit.id if unit else None
        for name, message in unit_conflicts(side, enterprise, units, unit_id).items():
            form.add_error(name, message)
    return {
        "side": side,
        "name": form.values.get("name", ""),
        "enterprise": enterprise if side == "enterprise" else None,
        **check_party_group_form(form),
    }


def check_party_group_form(form: FormState) -> dict[str, str]:
    """The party group (党小组) fields, the part of a unit its own enterprise may edit."""
    form.max_length("party_group_name", 100)
    form.max_length("party_group_leader", 50)
    return {name: form.values.get(name, "") for name in PARTY_GROUP_FIELDS}


def check_unit_change(
    form: FormState,
    unit: UnitRow,
    units: Iterable[UnitRow],
    enterprise_ids: Iterable[int],
    *,
    whole_unit: bool,
) -> dict[str, Any]:
    """Validates the edit of a unit: the whole unit for a coordinator (its side stays; an
    enterprise unit left without a name keeps its name), its party group for its own
    enterprise. Returns the values to write."""
    if not whole_unit:
        return check_party_group_form(form)
    values = check_unit_form(form, units, enterprise_ids, unit)
    values.pop("side")
    if unit.side == "enterprise" and not values["name"]:
        values["name"] = unit.name
    return values


def unit_removal_error(units: Iterable[UnitRow], unit_id: int) -> str | None:
    """Why a unit may not be removed: an organization keeps at least one unit of each side."""
    units = list(units)
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None:
        return None
    if not any(u.side == unit.side and u.id != unit_id for u in units):
        if unit.side == "college":
            return _("An organization needs at least one college branch: add another first.")
        return _("An organization needs at least one enterprise branch: add another first.")
    return None


def unit_values(unit: UnitRow) -> dict[str, Any]:
    """The unit's own facts, as its form and its audit record name them."""
    return {name: getattr(unit, name) for name in UNIT_FIELDS}


async def add_unit(actor: Actor, organization_id: int, values: Mapping[str, Any]) -> str:
    """Adds a checked member unit to the organization, audited; returns its name (an
    enterprise unit without one is named after the enterprise's party organization)."""
    async with audited_write(actor) as audit:
        unit = {**values, "organization": organization_id}
        if unit["side"] == "enterprise" and not unit["name"]:
            unit["name"] = await default_unit_name(unit["enterprise"])
        row = (await MemberUnit.insert(MemberUnit(**unit)).returning(MemberUnit.id))[0]
        await audit.created(MemberUnit, row["id"], unit, unit["name"])
        return str(unit["name"])


async def update_unit(actor: Actor, unit: UnitRow, values: Mapping[str, Any]) -> None:
    """Writes the checked fields of a unit (only those), audited."""
    async with audited_write(actor) as audit:
        await MemberUnit.update(**values).where(MemberUnit.id == unit.id)
        before = {name: getattr(unit, name) for name in values}
        await audit.updated(MemberUnit, unit.id, before, values, unit.name)


async def remove_unit(actor: Actor, unit: UnitRow) -> None:
    """Removes a unit with its members (and the seats they hold). Refused when it is the
    organization's last unit of its side, as the units stand in the transaction."""
    async with audited_write(actor) as audit:
        refusal = unit_removal_error(await units_of(unit.organization), unit.id)
        if refusal:
            raise Refused.at(FORM, refusal)
        await MemberUnit.delete().where(MemberUnit.id == unit.id)
        await audit.deleted(MemberUnit, unit.id, unit_values(unit), unit.name)


# --- Members ---------------------------------------------------------------------------------


def check_member_form(form: FormState) -> dict[str, Any]:
    """Validates a member form in place; returns the cleaned values."""
    form.required("name")
    form.max_length("name", 50)
    form.max_length("position", 100)
    phone = form.values.get("phone", "").replace(" ", "")
    if phone and not is_valid_phone(phone):
        form.add_error(
            "phone", _("Enter an 11-digit mobile number (e.g. 13812345678) or a landline.")
        )
    return {
        "name": form.values.get("name", ""),
        "position": form.values.get("position", ""),
        "party_member": form.values.get("party_member", "") in ("1", "on", "true"),
        "phone": phone,
    }


async def add_member(actor: Actor, unit: UnitRow, values: Mapping[str, Any]) -> None:
    """Adds a checked member to a unit of the organization, audited."""
    member = {**values, "organization": unit.organization, "member_unit": unit.id}
    async with audited_write(actor) as audit:
        row = (
            await OrganizationMember.insert(OrganizationMember(**member)).returning(
                OrganizationMember.id
            )
        )[0]
        await audit.created(OrganizationMember, row["id"], member, member["name"])


async def remove_member(actor: Actor, member: MemberRow) -> None:
    """Removes a member (a seat they hold becomes vacant: it cascades), audited."""
    async with audited_write(actor) as audit:
        await OrganizationMember.delete().where(OrganizationMember.id == member.id)
        before = {name: getattr(member, name) for name in MEMBER_FIELDS}
        await audit.deleted(OrganizationMember, member.id, before, member.name)


# --- Committee -----------------------------------------------------------------------------


def check_committee(
    chosen: Mapping[str, str], member_ids: Iterable[int]
) -> tuple[dict[str, int | None], dict[str, str]]:
    """The committee as submitted: {seat: member id or None (vacant)} and {seat: error}.

    The form always sends the whole committee, so choosing someone for a taken seat replaces
    its holder. The person must be a member of this organization, and hold one seat only."""
    allowed = set(member_ids)
    committee: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    holders: dict[int, str] = {}
    for seat in SEATS:
        raw = str(chosen.get(seat, "")).strip()
        if not raw:
            committee[seat] = None
            continue
        if not raw.isdigit() or int(raw) not in allowed:
            errors[seat] = _("Choose a member of this organization's units.")
            continue
        member = int(raw)
        if member in holders:
            errors[seat] = _(
                "This person already holds the seat %(seat)s: one seat per person.",
                seat=label(SEATS, holders[member]),
            )
            continue
        holders[member] = seat
        committee[seat] = member
    return committee, errors


def committee_changes(
    current: Mapping[str, int], wanted: Mapping[str, int | None]
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """What to write: seats to fill, seats whose holder changes, and seats to vacate."""
    added = {s: m for s, m in wanted.items() if m is not None and s not in current}
    changed = {
        s: m for s, m in wanted.items() if m is not None and s in current and current[s] != m
    }
    vacated = [s for s in current if wanted.get(s) is None]
    return added, changed, vacated


async def assign_seats(actor: Actor, organization_id: int, chosen: Mapping[str, str]) -> None:
    """Saves the committee as the form sends it (see check_committee), writing only the seats
    that change, each audited. Refused, seat by seat, when a choice breaks a rule."""
    async with audited_write(actor) as audit:
        members = await OrganizationMember.select(OrganizationMember.id).where(
            OrganizationMember.organization == organization_id
        )
        committee, errors = check_committee(chosen, [row["id"] for row in members])
        if errors:
            raise Refused(FieldError(seat, message) for seat, message in errors.items())
        rows = await CommitteeSeat.select(
            CommitteeSeat.id, CommitteeSeat.seat, CommitteeSeat.member
        ).where(CommitteeSeat.organization == organization_id)
        current = {row["seat"]: row["member"] for row in rows}
        ids = {row["seat"]: row["id"] for row in rows}
        added, changed, vacated = committee_changes(current, committee)
        for seat in vacated:
            await CommitteeSeat.delete().where(CommitteeSeat.id == ids[seat])
            await audit.deleted(CommitteeSeat, ids[seat], {"member": current[seat]}, seat)
        for seat, member in changed.items():
            await CommitteeSeat.update({CommitteeSeat.member: member}).where(
                CommitteeSeat.id == ids[seat]
            )
            before, after = {"member": current[seat]}, {"member": member}
            await audit.updated(CommitteeSeat, ids[seat], before, after, seat)
        for seat, member in added.items():
            values: dict[str, Any] = {
                "organization": organization_id,
                "seat": seat,
                "member": member,
            }
            row = (await CommitteeSeat.insert(CommitteeSeat(**values)).returning(CommitteeSeat.id))[
                0
            ]
            await audit.created(CommitteeSeat, row["id"], values, seat)


# --- Agreement -----------------------------------------------------------------------------


def check_agreement_form(form: FormState) -> dict[str, Any]:
    """Validates the agreement's dates and text in place; returns the cleaned values."""
    signed_on = form.date("signed_on")
    expires_on = form.date("expires_on")
    if signed_on and expires_on and expires_on <= signed_on:
        form.add_error("expires_on", _("The agreement must expire after the day it was signed."))
    form.max_length("text", 20000)
    return {"signed_on": signed_on, "expires_on": expires_on, "text": form.values.get("text", "")}


def check_document(name: str, data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """An uploaded agreement document's stored fields, or why it is refused (the portal's
    document rules, portal.documents; a name with nothing left becomes "agreement")."""
    return check_uploaded_document(name, data, fallback="agreement")


def check_agreement_upload(form: FormState, upload: tuple[str, bytes] | None) -> dict[str, Any]:
    """Validates an agreement form with its uploaded file (name and bytes, None without one)
    in place; returns the values to write: the dates and text, and the new document — or no
    document when the form asks to remove the current one."""
    values = check_agreement_form(form)
    if upload is not None:
        document, problem = check_document(*upload)
        if document is None:
            form.add_error("document", problem or "")
        else:
            values.update(document)
    elif form.values.get("remove_document"):
        values.update(file_name="", content_type="", file_size=0, file_data=None)
    return values


async def save_agreement(
    actor: Actor, organization: OrganizationRow, values: Mapping[str, Any]
) -> None:
    """Records the organization's one agreement, or changes it, audited: the audit records
    the facts, not the document's bytes."""
    shown = {name: value for name, value in values.items() if name != "file_data"}
    async with audited_write(actor) as audit:
        agreement: AgreementRow | None = await agreement_of(organization.id)
        if agreement is None:
            row = {**values, "organization": organization.id}
            created = (await Agreement.insert(Agreement(**row)).returning(Agreement.id))[0]
            await audit.created(Agreement, created["id"], shown, organization.name)
            return
        changed = {**values, "updated_at": datetime.datetime.now()}
        await Agreement.update(**changed).where(Agreement.id == agreement.id)
        before = {name: getattr(agreement, name, None) for name in shown}
        await audit.updated(Agreement, agreement.id, before, shown, organization.name)


def agreement_warning(expires_on: datetime.date | None, today: datetime.date) -> str | None:
    """ "expired" once the expiry day has passed, "expiring" within 60 days of it, else None."""
    if expires_on is None:
        return None
    if expires_on < today:
        return "expired"
    if expires_on <= today + datetime.timedelta(days=WARNING_DAYS):
        return "expiring"
    return None
