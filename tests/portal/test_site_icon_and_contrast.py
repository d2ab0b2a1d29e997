"""Small things found in issue 13: the site icon is served, and the agreement warning's
colours (portal.css) keep a WCAG contrast of at least 4.5:1 on every background it sits on."""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "portal" / "static" / "portal.css").read_text()


def test_the_site_icon_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_colour(pattern: str) -> str:
    found = re.search(pattern + r"\s*(#[0-9a-fA-F]{6})", CSS)
    assert found, pattern
    return found.group(1)


def test_the_agreement_warning_is_readable():
    warning = css_colour(r"--warn:")
    backgrounds = ["#ffffff", css_colour(r"\.flash-error \{ background:"), css_colour(r"--bg:")]
    assert all(contrast(warning, background) >= 4.5 for background in backgrounds)
