"""Bulk actions on the students ticked on the student list (coordinators only): enroll or
place them in a co-education project, pair them with a college and an enterprise mentor.

The list sends the ticked ids as repeated ``?student=`` parameters to these pages (GET), which
show who is concerned and the form; the form posts the ids back with its fields. The pages
parse the request, call partners.coeducation.bulk (the single forms' rules and transactions,
one transaction per student) and render who was done and who was refused and why. A form
that is wrong as a whole comes back with its messages beside the fields (400)."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.coeducation.bulk import (
    PAIRING_FIELDS,
    BulkResult,
    ChosenStudent,
    check_bulk_member_form,
    check_pairing,
    check_selection,
    chosen_students,
    enroll_students,
    pair_students,
    read_pairing_form,
)
from partners.coeducation.mentors import MentorLoad, suggested_mentors
from partners.coeducation.mentorships import project_choice
from partners.coeducation.participations import (
    MEMBER_FORM_FIELDS,
    PARTY_FIELDS,
    PLACEMENT_RULE_KEYS,
    participation_kind_for,
)
from partners.coeducation.projects import ProjectRecord, visible_project
from partners.coeducation.queries import open_project_options
from partners.coeducation.tables import ParticipationKind
from portal.audit import actor_of
from portal.auth import allow
from portal.domain_errors import FORM, NotVisible
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.rulebook import citation, default_numbers, rule
from portal.selection import MAX_SELECTED, selected_ids
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import (
    AGREEMENT_PARTIES,
    INTERNSHIP_KINDS,
    PARTICIPATION_STATUSES,
    WORK_TYPES,
)


async def ticked(raw: list[Any]) -> list[ChosenStudent]:
    return await chosen_students(selected_ids(raw))


def over_limit(raw: list[Any]) -> bool:
    """More students were ticked than one bulk action takes (the first MAX_SELECTED are)."""
    return len(set(raw)) > MAX_SELECTED


def back_to_list(request: Request, students: list[ChosenStudent]) -> str:
    """The student list with these students ticked again (to change the selection)."""
    query = "&".join(f"student={student.id}" for student in students)
    return str(request.url_for("student_list")) + (f"?{query}" if query else "")


async def open_project(request: Request, raw: str) -> ProjectRecord | None:
    """The project a form names, if it exists, is not closed and the viewer sees it."""
    if not raw.isdigit():
        return None
    try:
        project = await visible_project(request.user, int(raw))
    except NotVisible:
        return None
    return project if project.status != "closed" else None


# --- enroll or place ----------------------------------------------------------------------------


async def enrol_page(
    request: Request,
    form: FormState,
    students: list[ChosenStudent],
    project: ProjectRecord | None,
    status_code: int = 200,
    too_many: bool = False,
) -> Response:
    is_placement = bool(
        project and participation_kind_for(project.kind) == ParticipationKind.placement.value
    )
    return render(
        request,
        "coeducation/bulk_enrol.html",
        {
            **form.context(),
            "students": students,
            "too_many": too_many,
            "max_selected": MAX_SELECTED,
            "back_url": back_to_list(request, students),
            "project": project,
            "project_options": await open_project_options(),
            "participation": None,
            "is_placement": is_placement,
            "positions": project.position_list if project else [],
            "internship_kind_options": list(labels(INTERNSHIP_KINDS).items()),
            "work_type_options": list(labels(WORK_TYPES).items()),
            "agreement_party_options": [
                (PARTY_FIELDS[code], text) for code, text in labels(AGREEMENT_PARTIES).items()
            ],
            "is_order_class": bool(project and project.kind == "order_class"),
            "post_share_percent": default_numbers()["placement.post_share"],
            "placement_rules": [
                (str(rule(key).sentence), citation(key)) for key in PLACEMENT_RULE_KEYS
            ],
        },
        status_code=status_code,
    )


def result_page(
    request: Request,
    result: BulkResult,
    heading: str,
    done_heading: str,
    project: ProjectRecord | None = None,
) -> Response:
    return render(
        request,
        "coeducation/bulk_result.html",
        {
            "result": result,
            "heading": heading,
            "done_heading": done_heading,
            "project": project,
            "back_url": str(request.url_for("student_list")),
            "status_labels": labels(PARTICIPATION_STATUSES),
        },
    )


@allow(Role.coordinator)
async def bulk_enrol(request: Request) -> Response:
    if request.method == "GET":
        raw = request.query_params.getlist("student")
        students = await ticked(raw)
        raw_project = request.query_params.get("project", "")
        form = FormState(values={"project": raw_project})
        project = await open_project(request, raw_project)
        if raw_project and project is None:
            form.add_error("project", _("Choose one of the listed options."))
        return await enrol_page(request, form, students, project, too_many=over_limit(raw))
    data = await read_form(request)
    students = await ticked(data.getlist("student"))
    form = FormState.from_form(data, ["project", *MEMBER_FORM_FIELDS])
    project = await open_project(request, form.values["project"])
    if not students:
        form.add_error(FORM, _("Tick at least one student on the student list first."))
    if project is None:
        form.add_error("project", _("Choose one of the listed options."))
        return await enrol_page(request, form, students, None, status_code=400)
    values = check_bulk_member_form(form, project.kind)
    if not form.valid:
        return await enrol_page(request, form, students, project, status_code=400)
    result = await enroll_students(
        actor_of(request), project.id, students, values, datetime.date.today()
    )
    return result_page(
        request,
        result,
        _("Enrolled in %(project)s", project=project.name),
        _("Added to the project (%(num)s)", num=len(result.done)),
        project,
    )


# --- pair with dual mentors -----------------------------------------------------------------------


def mentor_option(mentor: MentorLoad) -> tuple[int, str]:
    """A mentor as the pairing form offers them: name, party membership, free places."""
    party = _("party member") if mentor.party_member else ""
    free = _("%(free)s of %(max)s places free", free=mentor.free, max=mentor.max_mentees)
    return mentor.id, " · ".join(part for part in (mentor.name, party, free) if part)


async def pair_page(
    request: Request,
    form: FormState,
    students: list[ChosenStudent],
    status_code: int = 200,
    too_many: bool = False,
) -> Response:
    project = await project_choice(form.values.get("project", ""))
    college = await suggested_mentors("college")
    enterprise = await suggested_mentors("enterprise", project.enterprise if project else None)
    return render(
        request,
        "coeducation/bulk_pair.html",
        {
            **form.context(),
            "students": students,
            "too_many": too_many,
            "max_selected": MAX_SELECTED,
            "back_url": back_to_list(request, students),
            "project": project,
            "project_options": await open_project_options(),
            "college_options": [mentor_option(m) for m in college],
            "enterprise_options": [mentor_option(m) for m in enterprise],
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def bulk_pair(request: Request) -> Response:
    if request.method == "GET":
        raw = request.query_params.getlist("student")
        students = await ticked(raw)
        values = {"starts_on": datetime.date.today().isoformat()}
        if (project := request.query_params.get("project", "")).isdigit():
            values["project"] = project
        return await pair_page(
            request, FormState(values=values), students, too_many=over_limit(raw)
        )
    data = await read_form(request)
    students = await ticked(data.getlist("student"))
    form = FormState.from_form(data, PAIRING_FIELDS)
    answer_refusals_with(
        request, form, lambda refused, status: pair_page(request, refused, students, status)
    )
    draft = read_pairing_form(form)
    if not form.valid:
        return await pair_page(request, form, students, status_code=400)
    check_selection(students)
    await check_pairing(draft)
    result = await pair_students(actor_of(request), students, draft)
    return result_page(
        request, result, _("Paired with dual mentors"), _("Paired (%(num)s)", num=len(result.done))
    )


routes = [
    Route("/students/bulk/enrol", bulk_enrol, methods=["GET", "POST"], name="bulk_enrol"),
    Route("/students/bulk/pair", bulk_pair, methods=["GET", "POST"], name="bulk_pair"),
]
