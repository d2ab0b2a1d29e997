"""Talent pool pages: the score settings (weights, points, threshold, top share) with their
history, re-scoring everyone on demand, and the recommendation channels of the recruitment
pipeline (推荐渠道) with their history. Coordinators only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.pagination import Page, PageRequest
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import RECOMMENDATIONS
from talent_pool.pipeline.labels import channel_label
from talent_pool.pipeline.store import channels_history, current_channels, save_channels
from talent_pool.scoring import (
    LEVEL_FIELDS,
    PARTS,
    SETTINGS_FIELDS,
    SETTINGS_LABELS,
    SETTINGS_RANGES,
    WEIGHT_FIELDS,
    check_settings_form,
    current_settings,
    rank_factor_rows,
    rescore_everyone,
    save_settings,
    settings_form_values,
    settings_history,
)

HISTORY_PAGE_SIZE = 20


async def settings_page(
    request: Request,
    form: FormState,
    status_code: int = 200,
    channels_form: FormState | None = None,
) -> Response:
    page_request = PageRequest.from_query(request.query_params, default_size=HISTORY_PAGE_SIZE)
    rows, total = await settings_history(page_request.size, page_request.offset)
    settings = await current_settings()
    if channels_form is None:
        lines = [channel_label(channel) for channel in await current_channels()]
        channels_form = FormState(values={"channels": "\n".join(lines), "note": ""})
    return render(
        request,
        "talent_pool/settings.html",
        {
            **form.context(),
            "channels_values": channels_form.values,
            "channels_errors": channels_form.errors,
            "channels_history": [
                (version, [channel_label(c) for c in version.channels])
                for version in await channels_history()
            ],
            "settings": settings,
            "history": Page(rows=rows, request=page_request, total=total),
            "labels": {name: _(text) for name, text in SETTINGS_LABELS.items()},
            "ranges": SETTINGS_RANGES,
            "weight_fields": WEIGHT_FIELDS,
            "level_fields": list(LEVEL_FIELDS.values()),
            "history_fields": [name for name in SETTINGS_RANGES],
            "parts": [(key, _(name), weight) for key, name, weight, _count in PARTS],
            "rank_factors": rank_factor_rows(),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def score_settings(request: Request) -> Response:
    if request.method == "GET":
        form = FormState(values=settings_form_values(await current_settings()))
        return await settings_page(request, form)
    form = FormState.from_form(await read_form(request), SETTINGS_FIELDS)
    values = check_settings_form(form)
    if not form.valid:
        return await settings_page(request, form, status_code=400)
    await save_settings(values, actor_of(request))
    rescored = await rescore_everyone(actor_of(request))
    flash(
        request,
        _(
            "The settings were saved: %(scored)s students scored, %(flagged)s newly flagged.",
            scored=rescored.scored,
            flagged=rescored.flagged,
        ),
    )
    return RedirectResponse(request.url_for("score_settings"), 303)


@allow(Role.coordinator)
async def rescore_now(request: Request) -> Response:
    rescored = await rescore_everyone(actor_of(request))
    flash(
        request,
        _(
            "%(scored)s students scored and %(flagged)s newly flagged in %(seconds)s s.",
            scored=rescored.scored,
            flagged=rescored.flagged,
            seconds=f"{rescored.seconds:.2f}",
        ),
    )
    return RedirectResponse(request.url_for("score_settings"), 303)


def channel_code(line: str) -> str:
    """A channel as stored: the code of a built-in channel typed as its label, else the line."""
    return next((code for code in RECOMMENDATIONS if channel_label(code) == line), line)


@allow(Role.coordinator)
async def recommendation_channels(request: Request) -> Response:
    """Saves a new version of the recommendation channels (one a line)."""
    form = FormState.from_form(await read_form(request), ["channels", "note"])
    form.max_length("note", 300)

    async def page(channels_form: FormState, status_code: int) -> Response:
        settings_form = FormState(values=settings_form_values(current))
        return await settings_page(request, settings_form, status_code, channels_form)

    current = await current_settings()
    lines = [line.strip() for line in form.values["channels"].splitlines() if line.strip()]
    if not form.valid:
        return await page(form, 400)
    answer_refusals_with(request, form, page)
    await save_channels(
        actor_of(request), [channel_code(line) for line in lines], form.values["note"]
    )
    flash(request, _("The recommendation channels were saved."))
    return RedirectResponse(request.url_for("score_settings"), 303)


routes = [
    Route("/talent-pool/settings", score_settings, methods=["GET", "POST"], name="score_settings"),
    Route("/talent-pool/rescore", rescore_now, methods=["POST"], name="rescore_now"),
    Route(
        "/talent-pool/settings/channels",
        recommendation_channels,
        methods=["POST"],
        name="recommendation_channels",
    ),
]
