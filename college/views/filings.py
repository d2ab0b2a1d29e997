"""Filing export pages (报送导出), in the top layer: the export profiles (list, edit, copy,
delete after a confirmation page) and
the export of a term's placements or a year's party statistics through a profile. Coordinators
only. They parse the request, call college.filings and render."""

from __future__ import annotations

import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from college.filings import (
    CODED,
    DEFAULT_GROUPING,
    GROUPINGS,
    KINDS,
    SOURCES,
    Profile,
    check_grouping,
    check_period,
    check_profile_form,
    copy_profile,
    create_profile,
    default_columns,
    default_period,
    delete_profile,
    editor_rows,
    ensure_defaults,
    export_rows,
    form_fields,
    last_of_its_kind,
    profile,
    profile_deletion,
    profiles,
    rearranged,
    rows_of_form,
    update_profile,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.exports import excel_export
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.tables import ExportProfileKind, Role
from portal.templating import render
from portal.vocabulary import label
from portal.xlsx import Column

MAX_ROWS_FIELD = 60


@allow(Role.coordinator)
async def filing_list(request: Request) -> Response:
    await ensure_defaults(actor_of(request))
    shown = await profiles()
    present = {p.kind for p in shown}
    return render(
        request,
        "college/filing_list.html",
        {
            "profiles": shown,
            "kind_label": lambda kind: label(KINDS, kind),
            "grouping_label": lambda group_by: label(GROUPINGS, group_by),
            "empty_kinds": [kind for kind in KINDS if kind not in present],
        },
    )


def editor_page(
    request: Request,
    kind: str,
    form: FormState,
    rows: list[dict[str, str]],
    shown: Profile | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "college/filing_edit.html",
        {
            **form.context(),
            "kind": kind,
            "kind_label": label(KINDS, kind),
            "rows": rows,
            "sources": {key: label(SOURCES[kind], key) for key in SOURCES[kind]},
            "coded": {source: list(codes) for source, codes in CODED.items()},
            "groupings": (
                {key: label(GROUPINGS, key) for key in GROUPINGS}
                if kind == ExportProfileKind.party_statistics.value
                else {}
            ),
            "profile": shown,
        },
        status_code=status_code,
    )


def _count(raw: str) -> int:
    return min(int(raw), MAX_ROWS_FIELD) if raw.isdigit() else 0


async def _edit(request: Request, kind: str, shown: Profile | None) -> Response:
    if request.method == "GET":
        columns = shown.columns if shown else default_columns(kind)
        form = FormState(
            values={
                "name": shown.name if shown else "",
                "group_by": shown.group_by if shown else DEFAULT_GROUPING,
            }
        )
        return editor_page(request, kind, form, editor_rows(columns), shown)
    data = await read_form(request)
    count = _count(str(data.get("rows", "")))
    form = FormState.from_form(data, form_fields(count))
    rows = rows_of_form(form, count)
    moved = rearranged(rows, str(data.get("action", "save")), kind)
    if moved is not None:  # an editing step: shown again, nothing saved, nothing lost
        kept = FormState(values={key: form.values[key] for key in ("name", "group_by")})
        return editor_page(request, kind, kept, moved, shown)
    name, columns = check_profile_form(form, kind, count)
    group_by = check_grouping(form, kind, columns)
    if not form.valid:
        return editor_page(request, kind, form, rows, shown, status_code=400)
    actor = actor_of(request)
    if shown is None:
        profile_id = await create_profile(actor, kind, name, columns, group_by=group_by)
        flash(request, _("The export profile %(name)s was created.", name=name))
    else:
        profile_id = shown.id
        await update_profile(actor, profile_id, name, columns, group_by)
        flash(request, _("The export profile %(name)s was saved.", name=name))
    return RedirectResponse(request.url_for("filing_edit", profile_id=profile_id), 303)


@allow(Role.coordinator)
async def filing_new(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    if kind not in KINDS:
        kind = next(iter(KINDS))
    return await _edit(request, kind, None)


@allow(Role.coordinator)
async def filing_edit(request: Request) -> Response:
    shown = await profile(request.path_params["profile_id"])
    return await _edit(request, shown.kind, shown)


@allow(Role.coordinator)
async def filing_copy(request: Request) -> Response:
    new_id = await copy_profile(actor_of(request), request.path_params["profile_id"])
    flash(request, _("The profile was copied: edit the copy below."))
    return RedirectResponse(request.url_for("filing_edit", profile_id=new_id), 303)


@allow(Role.coordinator)
async def filing_delete(request: Request) -> Response:
    """删除方案: a confirmation page first, then the delete (audited) and back to the list."""
    if request.method == "GET":
        shown = await profile(request.path_params["profile_id"])
        return render(
            request,
            "college/filing_delete.html",
            {
                "profile": shown,
                "kind_label": label(KINDS, shown.kind),
                "impact": await profile_deletion(shown),
                "last_of_kind": await last_of_its_kind(shown),
            },
        )
    gone = await delete_profile(actor_of(request), request.path_params["profile_id"])
    flash(request, _("The export profile %(name)s was deleted.", name=gone.name))
    return RedirectResponse(request.url_for("filing_list"), 303)


def export_page(
    request: Request, shown: Profile, form: FormState, status_code: int = 200
) -> Response:
    return render(
        request,
        "college/filing_export.html",
        {
            **form.context(),
            "profile": shown,
            "kind_label": label(KINDS, shown.kind),
            "grouping_label": label(GROUPINGS, shown.group_by),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def filing_export(request: Request) -> Response:
    shown = await profile(request.path_params["profile_id"])
    if request.method == "GET":
        first, last = default_period(shown.kind, datetime.date.today())
        form = FormState(values={"starts_on": first.isoformat(), "ends_on": last.isoformat()})
        return export_page(request, shown, form)
    form = FormState.from_form(await read_form(request), ["starts_on", "ends_on"])
    starts, ends = check_period(form)
    if not form.valid or starts is None or ends is None:
        return export_page(request, shown, form, status_code=400)
    rows = await export_rows(shown, starts, ends)
    columns = [
        Column(str(column["header"]), f"c{index}", width=min(40, len(column["header"]) * 2 + 6))
        for index, column in enumerate(shown.columns)
    ]
    return await excel_export(
        stem=f"{shown.name}-{starts.isoformat()}-{ends.isoformat()}",
        ascii_stem=f"filing-{shown.kind}-{starts.isoformat()}-{ends.isoformat()}",
        title=shown.name,
        columns=columns,
        rows=rows,
    )


routes = [
    Route("/filings/", filing_list, name="filing_list"),
    Route("/filings/new", filing_new, methods=["GET", "POST"], name="filing_new"),
    Route("/filings/{profile_id:int}", filing_edit, methods=["GET", "POST"], name="filing_edit"),
    Route("/filings/{profile_id:int}/copy", filing_copy, methods=["POST"], name="filing_copy"),
    Route(
        "/filings/{profile_id:int}/delete",
        filing_delete,
        methods=["GET", "POST"],
        name="filing_delete",
    ),
    Route(
        "/filings/{profile_id:int}/export",
        filing_export,
        methods=["GET", "POST"],
        name="filing_export",
    ),
]
