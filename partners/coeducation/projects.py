"""Co-education projects (协同育人项目): who sees which, the project form, saving and
deleting a project.

A project is an order class (订单班), a training base (实训基地), a research cooperation or a
workstation of one enterprise, with a capacity counted over its live (pending or active)
members. A project that students have joined, or that has dual-mentor assignments, is not
deleted (close it instead). Its members — enrollments and placements — follow the rules of
partners.coeducation.participations. A coordinator sees every project, a partner its own
enterprise's; the pages in partners.coeducation.views.projects parse, call and render.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import (
    MentorAssignment,
    Participation,
    ParticipationStatus,
    Project,
    ProjectKind,
)
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.domain_errors import FORM, ForeignKeyViolation, NotVisible, Refused
from portal.forms import FormState
from portal.i18n import _
from portal.students import is_valid_phone
from portal.tables import Role
from portal.vocabulary import PROJECT_STATUSES, WORKSTATION_KINDS

LIVE_STATUSES = (ParticipationStatus.pending.value, ParticipationStatus.active.value)

COMMON_FIELDS = [
    "name",
    "enterprise",
    "organization",
    "majors",
    "starts_on",
    "ends_on",
    "capacity",
    "status",
    "description",
]
KIND_FIELDS: dict[str, list[str]] = {
    "order_class": ["cohort_year", "agreement_no", "employment_promised"],
    "training_base": ["address", "positions", "safety_contact", "safety_phone"],
    "research": ["research_topic"],
    "workstation": ["workstation_kind"],
}
ALL_KIND_FIELDS = [name for names in KIND_FIELDS.values() for name in names]
# What a kind-specific column holds when the project is of another kind.
KIND_FIELD_BLANKS: dict[str, Any] = {
    "cohort_year": None,
    "agreement_no": "",
    "employment_promised": False,
    "address": "",
    "positions": "",
    "safety_contact": "",
    "safety_phone": "",
    "research_topic": "",
    "workstation_kind": "",
}
TEXT_LIMITS = {
    "name": 200,
    "majors": 300,
    "description": 5000,
    "agreement_no": 50,
    "address": 300,
    "positions": 3000,
    "safety_contact": 50,
    "research_topic": 300,
}
MAX_CAPACITY = 2000
# --- who sees which project ------------------------------------------------------------------


def project_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on Project: a coordinator sees every project, a partner its own
    enterprise's (as partners.coeducation.queries.projects_visible_sql)."""
    if viewer.role is Role.coordinator:
        return []
    return [Project.enterprise == viewer.enterprise_id]


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """Every column of a project with its enterprise's and organization's names and the
    enterprise's headcount: what its forms read."""

    id: int
    kind: str
    name: str
    enterprise: int
    organization: int | None
    majors: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    capacity: int
    status: str
    description: str
    cohort_year: int | None
    agreement_no: str
    employment_promised: bool
    address: str
    positions: str
    safety_contact: str
    safety_phone: str
    research_topic: str
    workstation_kind: str
    created_at: datetime.datetime
    enterprise_name: str
    employee_count: int | None
    organization_name: str | None

    @property
    def position_list(self) -> list[str]:
        """The positions a training base offers, one a line."""
        return [line for line in self.positions.splitlines() if line.strip()]


async def visible_project(viewer: Viewer, project_id: int) -> ProjectRecord:
    """The project, if the viewer may see it; NotVisible otherwise (a 404, as for none)."""
    row = await (
        Project.select(
            *Project.all_columns(),
            Project.enterprise.name.as_alias("enterprise_name"),
            Project.enterprise.employee_count.as_alias("employee_count"),
            Project.organization.name.as_alias("organization_name"),
        )
        .where(Project.id == project_id, *project_scope(viewer))
        .first()
    )
    if row is None:
        raise NotVisible
    return ProjectRecord(**row)


# --- the project form ------------------------------------------------------------------------


def project_form_fields(kind: str) -> list[str]:
    return [*COMMON_FIELDS, *KIND_FIELDS.get(kind, ALL_KIND_FIELDS)]


def check_period(starts_on: datetime.date | None, ends_on: datetime.date | None) -> str | None:
    """The message when a period ends before it starts (an open end is fine)."""
    if starts_on and ends_on and ends_on < starts_on:
        return _("The end date cannot be before the start date.")
    return None


def check_kind_fields(form: FormState, kind: str) -> dict[str, Any]:
    values: dict[str, Any] = dict(KIND_FIELD_BLANKS)
    if kind == ProjectKind.order_class.value:
        values["cohort_year"] = form.integer("cohort_year", minimum=2000, maximum=2100)
        values["agreement_no"] = form.values.get("agreement_no", "")
        values["employment_promised"] = form.values.get("employment_promised") in ("on", "1")
    elif kind == ProjectKind.training_base.value:
        values["address"] = form.required("address")
        values["positions"] = "\n".join(
            line.strip() for line in form.values.get("positions", "").splitlines() if line.strip()
        )
        values["safety_contact"] = form.required("safety_contact")
        values["safety_phone"] = phone = form.values.get("safety_phone", "")
        if phone and not is_valid_phone(phone):
            form.add_error("safety_phone", _("Enter a mobile number (11 digits) or a landline."))
    elif kind == ProjectKind.research.value:
        values["research_topic"] = form.required("research_topic")
    elif kind == ProjectKind.workstation.value:
        values["workstation_kind"] = form.choice("workstation_kind", WORKSTATION_KINDS)
    return values


def check_project_form(
    form: FormState,
    kind: str,
    enterprise_ids: Iterable[int],
    organization_ids: Iterable[int],
) -> dict[str, Any]:
    """Validates a project form of the given kind in place (errors go on `form`) and returns
    the cleaned values, with the other kinds' columns blanked."""
    values: dict[str, Any] = {"name": form.required("name")}
    for name, limit in TEXT_LIMITS.items():
        form.max_length(name, limit)
    values["enterprise"] = choose_id(form, "enterprise", enterprise_ids, required=True)
    values["organization"] = choose_id(form, "organization", organization_ids, required=False)
    values["majors"] = form.values.get("majors", "")
    values["starts_on"] = form.date("starts_on")
    values["ends_on"] = form.date("ends_on", required=False)
    if message := check_period(values["starts_on"], values["ends_on"]):
        form.add_error("ends_on", message)
    values["capacity"] = form.integer("capacity", minimum=1, maximum=MAX_CAPACITY)
    values["status"] = form.choice("status", PROJECT_STATUSES)
    values["description"] = form.values.get("description", "")
    values.update(check_kind_fields(form, kind))
    return values


def choose_id(form: FormState, name: str, allowed: Iterable[int], *, required: bool) -> int | None:
    raw = form.values.get(name, "")
    if not raw:
        if required:
            form.add_error(name, _("This field is required."))
        return None
    if not raw.isdigit() or int(raw) not in set(allowed):
        form.add_error(name, _("Choose one of the listed options."))
        return None
    return int(raw)


# --- saving and deleting a project -------------------------------------------------------------


async def save_project(actor: Actor, values: dict[str, Any], project: ProjectRecord | None) -> int:
    """Creates a project (`project` None) or saves the changes to one, in one audited
    transaction; returns its id."""
    async with audited_write(actor) as audit:
        if project is None:
            row = (await Project.insert(Project(**values)).returning(Project.id))[0]
            await audit.created(Project, row["id"], values, values["name"])
            return int(row["id"])
        await Project.update(**values).where(Project.id == project.id)
        before = {name: getattr(project, name) for name in values}
        await audit.updated(Project, project.id, before, values, values["name"])
        return project.id


def members_block_deletion() -> Refused:
    return Refused.at(
        FORM,
        _(
            "Students have joined this project, so it cannot be deleted. To end it, set "
            "its status to Closed."
        ),
    )


def assignments_block_deletion() -> Refused:
    return Refused.at(
        FORM, _("This project still has dual-mentor assignments and cannot be deleted.")
    )


def check_deletable(has_members: bool, has_assignments: bool) -> None:
    """A project that students joined, or that has dual-mentor assignments, stays for their
    records: it is closed, not deleted."""
    if has_members:
        raise members_block_deletion()
    if has_assignments:
        raise assignments_block_deletion()


async def delete_project(actor: Actor, project: ProjectRecord) -> None:
    """Deletes a project nobody has joined, in one audited transaction. Raises Refused."""
    try:
        async with audited_write(actor) as audit:
            check_deletable(
                await Participation.exists().where(Participation.project == project.id),
                await MentorAssignment.exists().where(MentorAssignment.project == project.id),
            )
            await Project.delete().where(Project.id == project.id)
            before = {name: getattr(project, name) for name in [*COMMON_FIELDS, "kind"]}
            await audit.deleted(Project, project.id, before, project.name)
    except ForeignKeyViolation as error:  # an assignment made in it meanwhile
        raise assignments_block_deletion() from error
