"""Error pages (part of the base's web layer): one template for every status, rendered in the
user's language, and the one place domain errors (portal.domain_errors) become responses —
registered by the application (college.app) for every area."""

from __future__ import annotations

import inspect
import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.domain_errors import NotVisible, Refused
from portal.forms import refusal_form
from portal.i18n import _
from portal.limits import ShownHTTPException
from portal.templating import render

logger = logging.getLogger("portal")


def error_messages() -> dict[int, tuple[str, str]]:
    """The title and the explanation of each status, in the request's language."""
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Forbidden"), _("You may not do this.")),
        404: (_("Page not found"), _("There is no such page, or you may not see it.")),
        405: (_("Method not allowed"), _("This page does not accept that kind of request.")),
        409: (
            _("Changed meanwhile"),
            _("The data changed while you were working on it. Please reload and try again."),
        ),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (_("Something went wrong"), _("The error was logged. Please try again later.")),
    }


def error_page(request: Request, status_code: int, details: list[str] | None = None) -> Response:
    """error.html for a status, with the messages of a refusal (`details`) if any, and the
    request's id on a 500 (the logs carry it: a user can quote it)."""
    title, message = error_messages().get(status_code, (str(status_code), ""))
    return render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": title,
            "message": message,
            "details": details,
            "request_id": request.scope.get("request_id") if status_code >= 500 else None,
        },
        status_code=status_code,
    )


async def domain_error(request: Request, exc: Exception) -> Response:
    """A rule's refusal re-renders the form it concerns (declared with
    portal.forms.answer_refusals_with) or, without one, shows its messages; an object the
    viewer may not see is a 404; a clash with the data a 409."""
    if isinstance(exc, Refused):
        declared = refusal_form(request)
        if declared is not None:
            form, page = declared
            form.refuse(exc)
            response = page(form, 400)
            return await response if inspect.isawaitable(response) else response
        return error_page(request, 400, [error.message for error in exc.errors])
    if isinstance(exc, NotVisible):
        return error_page(request, 404)
    logger.info("Conflict on %s %s: %s", request.method, request.url.path, exc)
    return error_page(request, 409)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Our own messages (a cap of portal.limits) are shown; Starlette's phrases are not.
    details = [exc.detail] if isinstance(exc, ShownHTTPException) else None
    return error_page(request, exc.status_code, details)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return error_page(request, 500)
    except Exception:  # the error page itself failed: answer plainly rather than not at all
        return PlainTextResponse("500 Internal Server Error", status_code=500)
