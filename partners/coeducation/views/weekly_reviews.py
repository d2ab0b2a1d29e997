"""The college mentor's review of the weekly placement logs (实习周志): the review queue (oldest
week first, with bulk "mark as seen"), an entry's review page ("save and next"), and the
completion figures of the weekly logs per project, class and college mentor.

The pages parse the request, call partners.coeducation.weekly_reviews and render; an entry
outside the viewer's reach is a 404 like one that does not exist."""

from __future__ import annotations

import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.coeducation.weekly_logs import attachments_of
from partners.coeducation.weekly_reviews import (
    ReviewRow,
    completion,
    mark_seen,
    next_in_queue,
    queue_size,
    review,
    review_entry,
    review_queue,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.domain_errors import Refused
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import WEEKLY_LOG_GRADES, WEEKLY_LOG_STATUSES

REVIEWERS = (Role.coordinator, Role.mentor)


def now() -> datetime.datetime:
    return datetime.datetime.now().replace(microsecond=0)


async def queue_page(
    request: Request,
    errors: list[str] | None = None,
    checked: frozenset[int] = frozenset(),
    status_code: int = 200,
) -> Response:
    viewer = request.user
    rows = await review_queue(viewer)
    return render(
        request,
        "coeducation/weekly_review_queue.html",
        {
            "rows": rows,
            "total": await queue_size(viewer),
            "status_labels": labels(WEEKLY_LOG_STATUSES),
            "bulk_errors": errors or [],
            "checked": checked,
            "bulk_count": sum(1 for row in rows if row.seen_in_bulk),
        },
        status_code=status_code,
    )


@allow(*REVIEWERS)
async def weekly_review_queue(request: Request) -> Response:
    """The entries not yet reviewed, oldest week first."""
    return await queue_page(request)


@allow(*REVIEWERS)
async def weekly_review_seen(request: Request) -> Response:
    """Marks the checked entries seen: only those confirmed with no problem flagged; any other
    refuses the whole batch, the page shown again with why and the boxes still checked."""
    form = await read_form(request)
    ids: set[int] = set()
    for value in form.getlist("log"):
        if isinstance(value, str) and value.isdigit() and len(value) < 12:
            ids.add(int(value))
    try:
        marked = await mark_seen(actor_of(request), request.user, ids, now())
    except Refused as refusal:
        messages = [error.message for error in refusal.errors]
        return await queue_page(request, messages, frozenset(ids), 400)
    flash(request, _("%(count)s entries marked as seen.", count=marked))
    return RedirectResponse(request.url_for("weekly_review_queue"), 303)


async def entry_page(
    request: Request, entry: ReviewRow, form: FormState, status_code: int = 200
) -> Response:
    return render(
        request,
        "coeducation/weekly_review_entry.html",
        {
            **form.context(),
            "entry": entry,
            "attachments": (await attachments_of([entry.id])).get(entry.id, []),
            "status_labels": labels(WEEKLY_LOG_STATUSES),
            "grade_options": list(labels(WEEKLY_LOG_GRADES).items()),
        },
        status_code=status_code,
    )


@allow(*REVIEWERS)
async def weekly_review_entry(request: Request) -> Response:
    """An entry with the college mentor's comment and grade; "save and next" goes on to the
    next entry of the queue."""
    entry = await review_entry(request.user, request.path_params["review_log_id"])
    if request.method == "GET":
        values = {"comment": entry.college_comment, "grade": entry.grade}
        return await entry_page(request, entry, FormState(values=values))
    form = FormState.from_form(await read_form(request), ["comment", "grade", "next"])
    answer_refusals_with(
        request, form, lambda refused, status: entry_page(request, entry, refused, status)
    )
    values = form.values
    await review(
        actor_of(request), request.user, entry.id, values["comment"], values["grade"], now()
    )
    flash(request, _("Your comment on the week of %(name)s was saved.", name=entry.student_name))
    if values.get("next"):
        following = await next_in_queue(request.user, entry)
        if following is None:
            flash(request, _("The queue is empty: every entry is reviewed."))
            return RedirectResponse(request.url_for("weekly_review_queue"), 303)
        entry_id = following
    else:
        entry_id = entry.id
    return RedirectResponse(request.url_for("weekly_review_entry", review_log_id=entry_id), 303)


@allow(*REVIEWERS)
async def weekly_completion(request: Request) -> Response:
    """The weekly logs' completion per project, class and college mentor."""
    today = datetime.date.today()
    figures = await completion(request.user, today)
    return render(
        request, "coeducation/weekly_review_completion.html", {"weekly": figures, "today": today}
    )


routes = [
    Route("/weekly-reviews/", weekly_review_queue, name="weekly_review_queue"),
    Route("/weekly-reviews/seen", weekly_review_seen, methods=["POST"], name="weekly_review_seen"),
    Route("/weekly-reviews/completion", weekly_completion, name="weekly_completion"),
    Route(
        "/weekly-reviews/{review_log_id:int}",
        weekly_review_entry,
        methods=["GET", "POST"],
        name="weekly_review_entry",
    ),
]
