"""Enterprises (合作企业): the unified social credit code, the rules their fields follow, and
the transactions that create, change and delete them (taking the Actor who writes)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from partners.organizations.queries import EnterpriseRow
from partners.organizations.tables import Enterprise, PartnerAccount
from portal.audit import Actor, audited_write
from portal.domain_errors import FORM, ForeignKeyViolation, Refused, UniqueViolation
from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.vocabulary import ENTERPRISE_STATUSES, PARTY_ORG_KINDS

# GB 32100-2015: the code alphabet (no I, O, Z, S, V) in value order, and the weights of the
# first 17 characters. The 18th character is the check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

MAX_PARTY_MEMBERS = 100_000
MAX_EMPLOYEES = 10_000_000

# What a partner may change of its own enterprise: its contact details and party organization.
PARTNER_FIELDS = [
    "contact_person",
    "contact_phone",
    "address",
    "party_org_name",
    "party_org_kind",
    "party_member_count",
    "employee_count",
]
# The rest is the college's record of the partnership: only coordinators change it.
COORDINATOR_ONLY_FIELDS = ["name", "credit_code", "industry", "partner_since", "status"]
ENTERPRISE_FIELDS = [
    "name",
    "credit_code",
    "industry",
    "address",
    "contact_person",
    "contact_phone",
    "party_org_name",
    "party_org_kind",
    "party_member_count",
    "employee_count",
    "partner_since",
    "status",
]
TEXT_LIMITS = {
    "name": 200,
    "industry": 100,
    "address": 300,
    "contact_person": 50,
    "party_org_name": 200,
}


class CreditCodeError(ValueError):
    """A credit code is wrong; `kind` says how (length, character, check).

    A value that does not parse, not a refusal: the enterprise form and the import put its
    message beside their own field."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def normalize_credit_code(raw: str) -> str:
    """People copy codes from licences with spaces and in lower case: both are harmless."""
    return "".join(raw.split()).upper()


def credit_code_check_character(first17: str) -> str:
    """The check character (18th) of a credit code whose first 17 characters are given."""
    if len(first17) != 17 or any(ch not in CREDIT_CODE_ALPHABET for ch in first17):
        raise ValueError(f"expected 17 characters from {CREDIT_CODE_ALPHABET!r}: {first17!r}")
    total = sum(
        CREDIT_CODE_ALPHABET.index(character) * weight
        for character, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    check = 31 - total % 31
    return CREDIT_CODE_ALPHABET[0 if check == 31 else check]


def check_credit_code(raw: str) -> str:
    """The normalized unified social credit code (GB 32100-2015), or CreditCodeError saying
    what is wrong: its length, a character outside the code alphabet, or the check character."""
    code = normalize_credit_code(raw)
    if len(code) != CREDIT_CODE_LENGTH:
        raise CreditCodeError(
            "length",
            _(
                "A unified social credit code has 18 characters; this one has %(count)s.",
                count=len(code),
            ),
        )
    wrong = [character for character in code if character not in CREDIT_CODE_ALPHABET]
    if wrong:
        raise CreditCodeError(
            "character",
            _(
                "“%(character)s” cannot appear in a credit code: only digits and capital "
                "letters other than I, O, Z, S and V.",
                character=wrong[0],
            ),
        )
    if code[-1] != credit_code_check_character(code[:-1]):
        raise CreditCodeError(
            "check",
            _("The check character (the last one) does not match: check the code for typos."),
        )
    return code


def is_valid_credit_code(raw: str) -> bool:
    try:
        check_credit_code(raw)
    except CreditCodeError:
        return False
    return True


def check_enterprise_form(
    form: FormState, today: datetime.date, fields: list[str] = ENTERPRISE_FIELDS
) -> dict[str, Any]:
    """Validates the given fields of an enterprise form in place (errors go on `form`) and
    returns their cleaned values. A partner's form passes PARTNER_FIELDS only, so nothing else
    it sends is ever read."""
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in fields:
            form.max_length(name, limit)
            values[name] = form.values.get(name, "")
    if "name" in fields:
        form.required("name")
    if "credit_code" in fields:
        values["credit_code"] = check_credit_code_field(form)
    if "contact_phone" in fields:
        values["contact_phone"] = check_phone_field(form)
    if "party_org_kind" in fields:
        values["party_org_kind"] = form.choice("party_org_kind", PARTY_ORG_KINDS)
    if "party_member_count" in fields:
        values["party_member_count"] = count_field(form, "party_member_count", MAX_PARTY_MEMBERS)
    if "employee_count" in fields:
        values["employee_count"] = count_field(form, "employee_count", MAX_EMPLOYEES)
        check_members_within_employees(form, values)
    if "partner_since" in fields:
        values["partner_since"] = form.date("partner_since", required=False)
        if values["partner_since"] is not None and values["partner_since"] > today:
            form.add_error("partner_since", _("The partnership cannot start in the future."))
    if "status" in fields:
        values["status"] = form.choice("status", ENTERPRISE_STATUSES)
    return values


def check_credit_code_field(form: FormState) -> str:
    raw = form.required("credit_code")
    if not raw:
        return ""
    try:
        return check_credit_code(raw)
    except CreditCodeError as error:
        form.add_error("credit_code", error.message)
        return normalize_credit_code(raw)


def check_phone_field(form: FormState) -> str:
    phone = form.values.get("contact_phone", "").replace(" ", "")
    if phone and not is_valid_phone(phone):
        form.add_error(
            "contact_phone",
            _("Enter an 11-digit mobile number (e.g. 13812345678) or a landline."),
        )
    return phone


def count_field(form: FormState, name: str, maximum: int) -> int:
    """A head count: empty means 0 (not known yet)."""
    number = form.integer(name, minimum=0, maximum=maximum, required=False)
    return number or 0


def check_members_within_employees(form: FormState, values: dict[str, Any]) -> None:
    """Party members are employees: more members than employees is a typo (0 = not known)."""
    members = values.get("party_member_count") or 0
    employees = values["employee_count"]
    if employees and members > employees:
        form.add_error(
            "party_member_count",
            _(
                "More party members than employees (%(employees)s): check both numbers.",
                employees=employees,
            ),
        )


# --- transactions ----------------------------------------------------------------------------


def duplicate_credit_code() -> Refused:
    return Refused.at("credit_code", _("Another enterprise already has this credit code."))


async def credit_code_taken(code: str, enterprise_id: int | None) -> bool:
    """Whether another enterprise than ``enterprise_id`` already has the code."""
    clash = Enterprise.exists().where(Enterprise.credit_code == code)
    if enterprise_id is not None:
        clash = clash.where(Enterprise.id != enterprise_id)
    return await clash


async def save_enterprise(
    actor: Actor, values: Mapping[str, Any], enterprise: EnterpriseRow | None
) -> int:
    """Creates an enterprise (``enterprise`` None) or changes one, in one audited transaction;
    returns its id. Only the keys of ``values`` are written, so a partner's save never touches
    the other columns. Refused when another enterprise has the credit code — also when one
    took it meanwhile and the unique index says so."""
    try:
        async with audited_write(actor) as audit:
            if "credit_code" in values and await credit_code_taken(
                values["credit_code"], enterprise.id if enterprise else None
            ):
                raise duplicate_credit_code()
            if enterprise is None:
                row = (await Enterprise.insert(Enterprise(**values)).returning(Enterprise.id))[0]
                await audit.created(Enterprise, row["id"], values, values["name"])
                return int(row["id"])
            await Enterprise.update(**values).where(Enterprise.id == enterprise.id)
            before = {name: getattr(enterprise, name) for name in values}
            name = values.get("name", enterprise.name)
            await audit.updated(Enterprise, enterprise.id, before, values, name)
            return enterprise.id
    except UniqueViolation as clash:
        raise duplicate_credit_code() from clash


async def delete_enterprise(actor: Actor, enterprise: EnterpriseRow) -> None:
    """Deletes an enterprise nothing refers to any more. Refused while partner accounts
    belong to it (they would go with it) or while member units, mentors or projects refer to
    it (their foreign keys restrict the delete)."""
    try:
        async with audited_write(actor) as audit:
            if await PartnerAccount.exists().where(PartnerAccount.enterprise == enterprise.id):
                raise Refused.at(
                    FORM,
                    _(
                        "This enterprise still has partner accounts and cannot be deleted. To "
                        "end the partnership, set its status to Ended."
                    ),
                )
            await Enterprise.delete().where(Enterprise.id == enterprise.id)
            before = {name: getattr(enterprise, name) for name in ENTERPRISE_FIELDS}
            await audit.deleted(Enterprise, enterprise.id, before, enterprise.name)
    except ForeignKeyViolation as linked:
        raise Refused.at(
            FORM,
            _(
                "This enterprise is still linked to member units, mentors or projects and "
                "cannot be deleted. To end the partnership, set its status to Ended."
            ),
        ) from linked
