"""Talent pool pages: the score settings (weights, points, threshold, top share) with their
history, and re-scoring everyone on demand. Coordinators only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.pagination import Page, PageRequest
from portal.tables import Role
from portal.templating import render
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


async def settings_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    page_request = PageRequest.from_query(request.query_params, default_size=HISTORY_PAGE_SIZE)
    rows, total = await settings_history(page_request.size, page_request.offset)
    settings = await current_settings()
    return render(
        request,
        "talent_pool/settings.html",
        {
            **form.context(),
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


routes = [
    Route("/talent-pool/settings", score_settings, methods=["GET", "POST"], name="score_settings"),
    Route("/talent-pool/rescore", rescore_now, methods=["POST"], name="rescore_now"),
]
