"""The inbox (站内信) and each person's notification settings: every role has both, and sees
only their own notices."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of
from portal.auth import ALL_ROLES, allow
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.notifications import (
    email_configured,
    inbox,
    mark_all_read,
    preferences_of,
    save_preferences,
    unread_count,
)
from portal.notify_rules import DeliveryMode
from portal.templating import render

FIELDS = ["email", "wecom_webhook", "mode", "digest_hour", "quiet_start", "quiet_end"]


@allow(*ALL_ROLES)
async def inbox_page(request: Request) -> Response:
    items = await inbox(request.user.user_id)
    return render(
        request,
        "portal/inbox.html",
        {"items": items, "unread": sum(1 for item in items if item.unread)},
    )


@allow(*ALL_ROLES)
async def inbox_read_all(request: Request) -> Response:
    marked = await mark_all_read(actor_of(request))
    if marked:
        flash(request, _("All notices are marked read."))
    return RedirectResponse(request.url_for("inbox"), status_code=303)


@allow(*ALL_ROLES)
async def inbox_count(request: Request) -> Response:
    """The unread count beside "Inbox" in the menu (loaded by htmx after the page)."""
    count = await unread_count(request.user.user_id)
    text = _("%(count)s unread", count=count) if count else ""
    return HTMLResponse(f'<span class="badge">{text}</span>' if count else "")


def hour_options() -> list[tuple[str, str]]:
    return [(str(hour), f"{hour:02d}:00") for hour in range(24)]


def settings_page(
    request: Request, form: FormState, channels: list[str], status: int = 200
) -> Response:
    return render(
        request,
        "portal/notification_settings.html",
        {
            **form.context(),
            "channels": channels,
            "hours": hour_options(),
            "modes": [
                (DeliveryMode.immediate.value, _("At once")),
                (DeliveryMode.digest.value, _("Once a day, as a digest")),
            ],
            "email_configured": email_configured(),
        },
        status_code=status,
    )


@allow(*ALL_ROLES)
async def notification_settings(request: Request) -> Response:
    if request.method == "GET":
        saved = await preferences_of(request.user.user_id)
        form = FormState(
            values={
                "email": saved.email,
                "wecom_webhook": saved.wecom_webhook,
                "mode": saved.mode.value,
                "digest_hour": str(saved.digest_hour),
                "quiet_start": str(saved.quiet_start),
                "quiet_end": str(saved.quiet_end),
            }
        )
        return settings_page(request, form, [channel.value for channel in saved.channels])
    submitted = await read_form(request)
    form = FormState.from_form(submitted, FIELDS)
    channels = [str(value) for value in submitted.getlist("channels")]
    hours = {
        name: form.integer(name, minimum=0, maximum=23)
        for name in ("digest_hour", "quiet_start", "quiet_end")
    }
    form.max_length("email", 254)
    form.max_length("wecom_webhook", 300)
    if not form.valid:
        return settings_page(request, form, channels, 400)
    answer_refusals_with(
        request, form, lambda state, status: settings_page(request, state, channels, status)
    )
    await save_preferences(
        actor_of(request),
        channels,
        form.values["email"],
        form.values["wecom_webhook"],
        form.values["mode"],
        hours["digest_hour"],
        hours["quiet_start"],
        hours["quiet_end"],
    )
    flash(request, _("Your notification settings were saved."))
    return RedirectResponse(request.url_for("notification_settings"), status_code=303)



routes = [
    Route("/inbox", inbox_page, name="inbox"),
    Route("/inbox/read-all", inbox_read_all, methods=["POST"], name="inbox_read_all"),
    Route("/inbox/count", inbox_count, name="inbox_count"),
    Route(
        "/account/notifications",
        notification_settings,
        methods=["GET", "POST"],
        name="notification_settings",
    ),
]
