"""Joint party organizations (联合党组织): the rules of their structure and agreement.

Plain functions, tested without HTTP; the handlers in partners/organizations/views/organizations.py call them
and turn what they return into field errors or refusals.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any

from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.vocabulary import ORGANIZATION_KINDS, ORGANIZATION_STATUSES, SEATS, UNIT_SIDES

ORGANIZATION_FIELDS = ["kind", "name", "founded_on", "status", "description"]
CREATE_FIELDS = [*ORGANIZATION_FIELDS, "college_unit_name", "enterprise"]
UNIT_FIELDS = ["side", "name", "enterprise", "party_group_name", "party_group_leader"]
PARTY_GROUP_FIELDS = ["party_group_name", "party_group_leader"]
MEMBER_FIELDS = ["name", "position", "party_member", "phone"]
AGREEMENT_FIELDS = ["signed_on", "expires_on", "text", "remove_document"]

WARNING_DAYS = 60
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# What a document's first bytes must be: the type is sniffed, never taken from the name.
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def label(choices: Mapping[str, str], code: str) -> str:
    return _(choices[code]) if code in choices else code


def kind_label(code: str) -> str:
    return label(ORGANIZATION_KINDS, code)


def status_label(code: str) -> str:
    return label(ORGANIZATION_STATUSES, code)


def side_label(code: str) -> str:
    return label(UNIT_SIDES, code)


def seat_label(code: str) -> str:
    return label(SEATS, code)


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


def enterprise_unit_name(enterprise: Mapping[str, Any]) -> str:
    """The default name of an enterprise's unit: its party organization, else the enterprise."""
    return enterprise.get("party_org_name") or enterprise["name"]


# --- Member units --------------------------------------------------------------------------


def unit_conflicts(
    side: str,
    enterprise_id: int | None,
    units: Iterable[Mapping[str, Any]],
    unit_id: int | None = None,
) -> dict[str, str]:
    """Errors of a unit against the organization's other units: the enterprise side needs an
    enterprise, the college side must not have one, and an enterprise appears once."""
    if side == "college":
        return {"enterprise": _("A college branch has no enterprise.")} if enterprise_id else {}
    if enterprise_id is None:
        return {"enterprise": _("Choose the enterprise of this branch.")}
    for unit in units:
        if unit["id"] != unit_id and unit["enterprise"] == enterprise_id:
            return {"enterprise": _("This enterprise is already a member unit.")}
    return {}


def check_unit_form(
    form: FormState,
    units: Iterable[Mapping[str, Any]],
    enterprise_ids: Iterable[int],
    unit: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Validates a member unit form (a new unit, or the coordinator editing one: the side of an
    existing unit never changes, so neither side can be emptied by an edit)."""
    side = unit["side"] if unit else form.choice("side", UNIT_SIDES)
    enterprise = chosen_id(form, "enterprise", enterprise_ids)
    if side != "enterprise":
        form.required("name")
    form.max_length("name", 200)
    if side in UNIT_SIDES:
        unit_id = unit["id"] if unit else None
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


def unit_removal_error(units: Iterable[Mapping[str, Any]], unit_id: int) -> str | None:
    """Why a unit may not be removed: an organization keeps at least one unit of each side."""
    units = list(units)
    unit = next((u for u in units if u["id"] == unit_id), None)
    if unit is None:
        return None
    if not any(u["side"] == unit["side"] and u["id"] != unit_id for u in units):
        if unit["side"] == "college":
            return _("An organization needs at least one college branch: add another first.")
        return _("An organization needs at least one enterprise branch: add another first.")
    return None


# --- Members ---------------------------------------------------------------------------------


def check_member_form(form: FormState) -> dict[str, Any]:
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
                seat=seat_label(holders[member]),
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


# --- Agreement -----------------------------------------------------------------------------


def check_agreement_form(form: FormState) -> dict[str, Any]:
    signed_on = form.date("signed_on")
    expires_on = form.date("expires_on")
    if signed_on and expires_on and expires_on <= signed_on:
        form.add_error("expires_on", _("The agreement must expire after the day it was signed."))
    form.max_length("text", 20000)
    return {"signed_on": signed_on, "expires_on": expires_on, "text": form.values.get("text", "")}


def sniff_content_type(head: bytes) -> str | None:
    """The document's type from its first bytes (PDF, PNG or JPEG), None for anything else."""
    for signature, content_type, _extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def clean_file_name(name: str, content_type: str) -> str:
    """The uploaded name without any path, short enough, with an extension that fits."""
    base = os.path.basename(name.replace("\\", "/")).strip().replace('"', "")
    extension = next(ext for _sig, ctype, ext in DOCUMENT_SIGNATURES if ctype == content_type)
    stem, current = os.path.splitext(base)
    if current.lower() not in (extension, ".jpeg" if extension == ".jpg" else extension):
        stem, current = base, extension
    return (stem or "agreement")[:150] + current.lower()


def check_document(name: str, data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """An uploaded document's stored fields, or why it is refused. `data` may be cut after
    MAX_DOCUMENT_BYTES + 1 bytes: that is enough to know it is too large."""
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, _("The document is larger than 5 MB.")
    if not data:
        return None, _("The document is empty.")
    content_type = sniff_content_type(data[:8])
    if content_type is None:
        return None, _("Upload a PDF, PNG or JPEG file.")
    return {
        "file_name": clean_file_name(name, content_type),
        "content_type": content_type,
        "file_size": len(data),
        "file_data": data,
    }, None


def agreement_warning(expires_on: datetime.date | None, today: datetime.date) -> str | None:
    """ "expired" once the expiry day has passed, "expiring" within 60 days of it, else None."""
    if expires_on is None:
        return None
    if expires_on < today:
        return "expired"
    if expires_on <= today + datetime.timedelta(days=WARNING_DAYS):
        return "expiring"
    return None
