"""Weekly placement log pages (实习周志): the student's weeks and the form to write one (with
an optional attachment), an entry's page, its attachments' downloads and removal, the
enterprise mentor's queue with confirm / send back, and the public page of a signed
confirmation link (no account needed), whose attachments download under the link's token.

The pages parse the request, call partners.coeducation.weekly_logs and render; an entry outside
the viewer's reach is a 404 like one that does not exist, and so is an unknown link."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.coeducation.weekly_logs import (
    ATTACHMENT_FIELD,
    LOG_FIELDS,
    MAX_ATTACHMENTS,
    AttachmentRow,
    LogRow,
    LogValues,
    NewAttachment,
    answer_by_account,
    answer_by_link,
    attachment_by_link,
    attachment_for_viewer,
    attachments_of,
    check_attachment_form,
    check_comment,
    check_log_form,
    current_placement,
    edit_log,
    find_log,
    is_enterprise_mentor,
    issue_link,
    logs_of_student,
    monday_of,
    open_link,
    own_attachment,
    remove_attachment,
    waiting_for,
    weeks_of,
    write_log,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.documents import document_response, read_upload
from portal.domain_errors import FORM, NotVisible, Refused
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.rulebook import current_numbers
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import WEEKLY_LOG_STATUSES


def now() -> datetime.datetime:
    return datetime.datetime.now().replace(microsecond=0)


def link_url(request: Request, token: str) -> str:
    return str(request.url_for("weekly_log_by_link", token=token))


# --- the student's weeks ----------------------------------------------------------------------


@allow(Role.student)
async def weekly_log_mine(request: Request) -> Response:
    """The student's weeks of their active placement, newest first: written, confirmed, sent
    back (with the comment) or still to write; and their earlier entries."""
    today = datetime.date.today()
    student_id = request.user.student_id
    if student_id is None:
        raise NotVisible
    placement = await current_placement(student_id, today)
    logs = await logs_of_student(student_id)
    attached = await attachments_of(log.id for log in logs)
    weeks: list[dict[str, Any]] = []
    if placement is not None:
        by_week = {log.week_start: log for log in logs if log.participation == placement.id}
        weeks = [
            {
                "week_start": week,
                "week_end": week + datetime.timedelta(days=6),
                "log": by_week.get(week),
            }
            for week in reversed(weeks_of(placement, today))
        ]
    earlier = [log for log in logs if placement is None or log.participation != placement.id]
    return render(
        request,
        "coeducation/weekly_log_mine.html",
        {
            "placement": placement,
            "weeks": weeks,
            "missing": sum(1 for week in weeks if week["log"] is None),
            "earlier": earlier,
            "status_labels": labels(WEEKLY_LOG_STATUSES),
            "attachment_counts": {log_id: len(rows) for log_id, rows in attached.items()},
        },
    )


def form_page(
    request: Request,
    form: FormState,
    log: LogRow | None,
    status_code: int = 200,
    attachments: list[AttachmentRow] | None = None,
) -> Response:
    """The week's form: its fields, the attachments it has (editing) and a file field while
    it may have one more."""
    attachments = attachments or []
    return render(
        request,
        "coeducation/weekly_log_form.html",
        {
            **form.context(),
            "log": log,
            "attachments": attachments,
            "can_attach": len(attachments) < MAX_ATTACHMENTS
            and (log is None or log.status != "confirmed"),
            "max_attachments": MAX_ATTACHMENTS,
        },
        status_code=status_code,
    )


def link_page(request: Request, log_id: int, token: str, saved: bool) -> Response:
    """The entry's confirmation link, shown once."""
    return render(
        request,
        "coeducation/weekly_log_link.html",
        {"log_id": log_id, "url": link_url(request, token), "saved": saved},
    )


async def link_after_save(request: Request, log_id: int) -> Response:
    """After a week is sent: its link for the enterprise mentor, or the entry's page with why
    there is none (no enterprise mentor yet)."""
    try:
        token = await issue_link(actor_of(request), log_id, now())
    except Refused as refusal:
        flash(request, _("The week was saved."))
        for error in refusal.errors:
            flash(request, error.message, "error")
        return RedirectResponse(request.url_for("weekly_log_detail", weekly_log_id=log_id), 303)
    return link_page(request, log_id, token, saved=True)


async def read_values(request: Request, form: FormState) -> LogValues | None:
    return check_log_form(form, await current_numbers(request))


async def read_attachment(submitted: Any, form: FormState, count: int) -> NewAttachment | None:
    """The file chosen in the form, checked in place (a message beside the file field)."""
    return check_attachment_form(form, await read_upload(submitted.get(ATTACHMENT_FIELD)), count)


@allow(Role.student)
async def weekly_log_create(request: Request) -> Response:
    today = datetime.date.today()
    if request.method == "GET":
        week = request.query_params.get("week", "")
        try:
            week_start = monday_of(datetime.date.fromisoformat(week))
        except ValueError:
            week_start = monday_of(today)
        return form_page(request, FormState(values={"week_start": week_start.isoformat()}), None)
    submitted = await read_form(request)
    form = FormState.from_form(submitted, LOG_FIELDS)
    answer_refusals_with(
        request, form, lambda refused, status: form_page(request, refused, None, status)
    )
    values = await read_values(request, form)
    attachment = await read_attachment(submitted, form, 0)
    if values is None or not form.valid or request.user.student_id is None:
        return form_page(request, form, None, 400)
    log_id = await write_log(actor_of(request), request.user.student_id, values, today, attachment)
    return await link_after_save(request, log_id)


async def log_of(request: Request) -> LogRow:
    log = await find_log(request.user, request.path_params["weekly_log_id"])
    if log is None:
        raise NotVisible
    return log


@allow(Role.student)
async def weekly_log_edit(request: Request) -> Response:
    log = await log_of(request)
    if log.student != request.user.student_id:
        raise NotVisible
    attachments = (await attachments_of([log.id])).get(log.id, [])
    if request.method == "GET":
        typed = {name: str(getattr(log, name)) for name in LOG_FIELDS}
        typed["week_start"] = log.week_start.isoformat()
        form = FormState(values=typed)
        if log.status == "confirmed":
            form.add_error(
                FORM,
                _("This week was confirmed by the enterprise mentor and can no longer be changed."),
            )
        return form_page(request, form, log, attachments=attachments)
    submitted = await read_form(request)
    form = FormState.from_form(submitted, LOG_FIELDS)
    answer_refusals_with(
        request,
        form,
        lambda refused, status: form_page(request, refused, log, status, attachments),
    )
    values = await read_values(request, form)
    attachment = await read_attachment(submitted, form, len(attachments))
    if values is None or not form.valid:
        return form_page(request, form, log, 400, attachments)
    await edit_log(
        actor_of(request), request.user, log.id, values, datetime.date.today(), attachment
    )
    if log.status == "returned":
        return await link_after_save(request, log.id)
    flash(request, _("The week was saved."))
    return RedirectResponse(request.url_for("weekly_log_detail", weekly_log_id=log.id), 303)


# --- an entry's page --------------------------------------------------------------------------


async def detail_page(
    request: Request, log: LogRow, form: FormState | None = None, status_code: int = 200
) -> Response:
    viewer = request.user
    own = viewer.role is Role.student and log.student == viewer.student_id
    waiting = log.status == "submitted"
    attachments = (await attachments_of([log.id])).get(log.id, [])
    return render(
        request,
        "coeducation/weekly_log_detail.html",
        {
            **(form or FormState()).context(),
            "log": log,
            "attachments": attachments,
            "can_change_attachments": own and log.status != "confirmed",
            "max_attachments": MAX_ATTACHMENTS,
            "status_labels": labels(WEEKLY_LOG_STATUSES),
            "can_edit": own and log.status != "confirmed",
            "can_issue_link": waiting and (own or viewer.role is Role.coordinator),
            "can_answer": waiting and await is_enterprise_mentor(viewer, log),
        },
        status_code=status_code,
    )


@allow(Role.coordinator, Role.partner, Role.student, Role.mentor)
async def weekly_log_detail(request: Request) -> Response:
    return await detail_page(request, await log_of(request))


@allow(Role.student, Role.coordinator)
async def weekly_log_link(request: Request) -> Response:
    """A new confirmation link for the entry (the old one stops working), shown once."""
    log = await log_of(request)
    try:
        token = await issue_link(actor_of(request), log.id, now())
    except Refused as refusal:
        for error in refusal.errors:
            flash(request, error.message, "error")
        return RedirectResponse(request.url_for("weekly_log_detail", weekly_log_id=log.id), 303)
    return link_page(request, log.id, token, saved=False)


# --- attachments ------------------------------------------------------------------------------


def attachment_response(attachment: AttachmentRow, data: bytes) -> Response:
    return document_response(data, attachment.content_type, attachment.file_name, "attachment")


@allow(Role.coordinator, Role.partner, Role.student, Role.mentor)
async def weekly_log_attachment(request: Request) -> Response:
    """An attachment's download, for whoever may see its entry."""
    attachment, data = await attachment_for_viewer(
        request.user, request.path_params["weekly_log_id"], request.path_params["attachment_id"]
    )
    return attachment_response(attachment, data)


def remove_page(
    request: Request,
    log: LogRow,
    attachment: AttachmentRow,
    problem: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "coeducation/weekly_log_attachment_remove.html",
        {"log": log, "attachment": attachment, "problem": problem},
        status_code=status_code,
    )


@allow(Role.student)
async def weekly_log_attachment_remove(request: Request) -> Response:
    """The student's confirmation before an attachment of their entry is removed, and the
    removal; refused (on this page) once the week was confirmed."""
    log, attachment = await own_attachment(
        request.user, request.path_params["weekly_log_id"], request.path_params["attachment_id"]
    )
    if request.method == "GET":
        return remove_page(request, log, attachment)
    try:
        await remove_attachment(
            actor_of(request), request.user, log.id, attachment.id, datetime.date.today()
        )
    except Refused as refusal:
        problem = " ".join(error.message for error in refusal.errors)
        return remove_page(request, log, attachment, problem, 400)
    flash(request, _("The attachment %(name)s was removed.", name=attachment.file_name))
    return RedirectResponse(request.url_for("weekly_log_detail", weekly_log_id=log.id), 303)


# --- the enterprise mentor's answer -----------------------------------------------------------


@allow(Role.mentor)
async def weekly_log_queue(request: Request) -> Response:
    """Entries waiting for this enterprise mentor, oldest week first."""
    mentor_id = request.user.mentor_id
    rows = await waiting_for(mentor_id) if mentor_id is not None else []
    return render(request, "coeducation/weekly_log_queue.html", {"rows": rows})


async def answer(request: Request, confirm: bool) -> Response:
    log = await log_of(request)
    raw = await read_form(request)
    form = FormState.from_form(raw, ["comment", "next"])
    answer_refusals_with(
        request, form, lambda refused, status: detail_page(request, log, refused, status)
    )
    if not form.valid:
        return await detail_page(request, log, form, 400)
    await answer_by_account(
        actor_of(request), request.user, log.id, confirm, form.values["comment"], now()
    )
    if confirm:
        flash(request, _("You confirmed the week of %(name)s.", name=log.student_name))
    else:
        flash(request, _("You sent the week of %(name)s back.", name=log.student_name))
    if form.values.get("next") == "queue":
        return RedirectResponse(request.url_for("weekly_log_queue"), 303)
    return RedirectResponse(request.url_for("weekly_log_detail", weekly_log_id=log.id), 303)


@allow(Role.mentor)
async def weekly_log_confirm(request: Request) -> Response:
    return await answer(request, confirm=True)


@allow(Role.mentor)
async def weekly_log_return(request: Request) -> Response:
    return await answer(request, confirm=False)


# --- the signed link (public) -----------------------------------------------------------------


async def by_link_page(
    request: Request, view: Any, form: FormState, status_code: int = 200, done: str = ""
) -> Response:
    """The link's page: the entry, its attachments (downloadable while the link can be
    used) and the answer."""
    usable = not view.problem and not done
    return render(
        request,
        "coeducation/weekly_log_by_link.html",
        {
            **form.context(),
            "view": view,
            "done": done,
            "attachments": (await attachments_of([view.log.id])).get(view.log.id, []),
            "link_token": request.path_params["token"] if usable else "",
        },
        status_code=status_code,
    )


async def weekly_log_by_link(request: Request) -> Response:
    """The one entry a signed link is for, with confirm and send back: no account needed. An
    unknown token is a 404; a used, expired or ended one says so."""
    token = request.path_params["token"]
    view = await open_link(token, now())
    if request.method == "GET":
        return await by_link_page(request, view, FormState(), 410 if view.problem else 200)
    form = FormState.from_form(await read_form(request), ["action", "comment"])
    action = form.values.get("action", "")
    if action not in ("confirm", "return"):
        form.add_error(FORM, _("Choose confirm or send back."))
    if action == "return":
        for error in check_comment(form.values.get("comment", "")):
            form.add_error(error.field, error.message)
    if not form.valid:
        return await by_link_page(request, view, form, 400)
    answer_refusals_with(
        request, form, lambda refused, status: by_link_page(request, view, refused, status)
    )
    done = await answer_by_link(token, action == "confirm", form.values["comment"], now())
    return await by_link_page(request, done, FormState(), done=action)


async def weekly_log_by_link_attachment(request: Request) -> Response:
    """An attachment of the link's entry, for the link's holder while the link can still be
    used; downloading does not use the link. Otherwise a 404."""
    attachment, data = await attachment_by_link(
        request.path_params["token"], request.path_params["attachment_id"], now()
    )
    return attachment_response(attachment, data)


LOG = "/weekly-logs/{weekly_log_id:int}"
routes = [
    Route("/me/weekly-logs", weekly_log_mine, name="weekly_log_mine"),
    Route(
        "/me/weekly-logs/new", weekly_log_create, methods=["GET", "POST"], name="weekly_log_create"
    ),
    Route("/weekly-logs/queue", weekly_log_queue, name="weekly_log_queue"),
    Route(
        "/weekly-logs/confirm/{token}",
        weekly_log_by_link,
        methods=["GET", "POST"],
        name="weekly_log_by_link",
    ),
    Route(
        "/weekly-logs/confirm/{token}/attachments/{attachment_id:int}",
        weekly_log_by_link_attachment,
        name="weekly_log_by_link_attachment",
    ),
    Route(LOG, weekly_log_detail, name="weekly_log_detail"),
    Route(LOG + "/edit", weekly_log_edit, methods=["GET", "POST"], name="weekly_log_edit"),
    Route(LOG + "/link", weekly_log_link, methods=["POST"], name="weekly_log_link"),
    Route(LOG + "/confirm", weekly_log_confirm, methods=["POST"], name="weekly_log_confirm"),
    Route(LOG + "/return", weekly_log_return, methods=["POST"], name="weekly_log_return"),
    Route(
        LOG + "/attachments/{attachment_id:int}",
        weekly_log_attachment,
        name="weekly_log_attachment",
    ),
    Route(
        LOG + "/attachments/{attachment_id:int}/remove",
        weekly_log_attachment_remove,
        methods=["GET", "POST"],
        name="weekly_log_attachment_remove",
    ),
]
