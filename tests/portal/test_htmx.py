"""htmx is vendored (a pinned release with its licence), loaded deferred on every page after
the menu script and followed by its settings, under the unchanged Content-Security-Policy;
a POST sent the way htmx sends it (the token in the X-CSRFToken header, read from the
cookie) passes CSRF."""

from __future__ import annotations

from pathlib import Path

from tests.support import Browser

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "portal" / "static" / "vendor" / "htmx"
HTMX = "/static/vendor/htmx/htmx-2.0.11.min.js"


def scripts(response) -> list[tuple[str, bool]]:
    return [
        (tag["src"].removeprefix("http://testserver"), tag.has_attr("defer"))
        for tag in Browser.soup(response).select("script[src]")
    ]


def test_htmx_is_vendored_with_its_licence_and_source():
    assert (VENDOR / "htmx-2.0.11.min.js").stat().st_size > 40_000
    assert "Zero-Clause BSD" in (VENDOR / "LICENSE").read_text()
    note = (VENDOR / "VERSION").read_text()
    assert "htmx.org@2.0.11" in note and "sha256" in note


def test_every_page_loads_htmx_then_its_settings_deferred(signed_in, client):
    page = signed_in("coordinator").get("/mentorships/new")
    loaded = scripts(page)
    names = [src for src, _ in loaded]
    assert HTMX in names and "/static/htmx-config.js" in names
    assert names.index(HTMX) + 1 == names.index("/static/htmx-config.js")
    assert all(deferred for _, deferred in loaded)
    assert client.get(HTMX).status_code == 200
    assert client.get("/static/htmx-config.js").status_code == 200


def test_the_content_security_policy_still_forbids_inline_code_and_eval(signed_in):
    policy = signed_in("coordinator").get("/").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy
    settings = (ROOT / "portal" / "static" / "htmx-config.js").read_text()
    for line in ("includeIndicatorStyles = false", "allowEval = false", '"X-CSRFToken"'):
        assert line in settings


def test_an_htmx_post_with_the_csrf_header_passes(signed_in, people):
    coordinator = signed_in("coordinator")
    token = coordinator.client.cookies["csrftoken"]
    url = f"/organizations/{people.organization_a}/activities/"
    activity = coordinator.get(url).context["page"].rows[0].id
    attendance = f"{url}{activity}/attendance"
    sent = coordinator.client.post(
        attendance,
        data={"action": "search"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert sent.status_code == 200
    refused = coordinator.client.post(
        attendance, data={"action": "search"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 403
