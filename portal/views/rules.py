"""The rule book page (规则库): every rule the portal enforces, grouped by the text it comes
from, with its article or "unverified"; coordinators set stricter numbers for adjustable
rules and the active version of the party rules, each change kept with its reason."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.rulebook import (
    PARTY_VERSION,
    PARTY_VERSIONS,
    RULES,
    SOURCES,
    UNITS,
    book,
    current_settings,
    set_number,
    set_party_version,
    settings_history,
)
from portal.tables import Role
from portal.templating import render


async def rule_book_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    settings = await current_settings(request)
    return render(
        request,
        "portal/rule_book.html",
        {
            **form.context(),
            "groups": book(settings),
            "party_version": settings.party_version,
            "versions": [
                (str(year), SOURCES[key].title + f"（{year}）")
                for year, key in PARTY_VERSIONS.items()
            ],
            "units": UNITS,
            "history": await settings_history(),
            "rules": RULES,
            "party_version_key": PARTY_VERSION,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def rule_book(request: Request) -> Response:
    settings = await current_settings(request)
    return await rule_book_page(request, FormState(values={"version": str(settings.party_version)}))


@allow(Role.coordinator)
async def rule_number(request: Request) -> Response:
    """Sets a stricter number for one adjustable rule (the form beside it)."""
    form = FormState.from_form(await read_form(request), ["rule", "value", "reason"])
    value = form.integer("value", minimum=0, maximum=1_000_000)
    if value is None:
        return await rule_book_page(request, form, status_code=400)
    answer_refusals_with(
        request, form, lambda state, status: rule_book_page(request, state, status)
    )
    await set_number(form.values["rule"], value, form.values["reason"], actor_of(request))
    flash(request, _("The rule's number was saved."))
    return RedirectResponse(request.url_for("rule_book"), 303)


@allow(Role.coordinator)
async def rule_version(request: Request) -> Response:
    """Makes a version of the party rules the one in force."""
    form = FormState.from_form(await read_form(request), ["version", "reason"])
    version = form.values["version"]
    answer_refusals_with(
        request, form, lambda state, status: rule_book_page(request, state, status)
    )
    await set_party_version(
        int(version) if version.isdigit() else 0, form.values["reason"], actor_of(request)
    )
    flash(request, _("The version of the party rules in force was saved."))
    return RedirectResponse(request.url_for("rule_book"), 303)


routes = [
    Route("/rules", rule_book, methods=["GET"], name="rule_book"),
    Route("/rules/number", rule_number, methods=["POST"], name="rule_number"),
    Route("/rules/version", rule_version, methods=["POST"], name="rule_version"),
]
