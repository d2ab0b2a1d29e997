"""axe-core in the browser tests: `assert_accessible(page)` runs axe on the page Chromium shows
and fails on any serious or critical violation, naming the rule, its impact and the elements;
at a phone's width it also fails when the page is wider than the screen.

axe-core comes from the PyPI package axe-playwright-python (pinned in pyproject.toml's `test`
extra, so `scripts/install --tests` installs it on a fresh clone): it ships axe-core's
axe.min.js (MPL-2.0, by Deque Systems) inside the wheel; nothing is fetched at run time.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("serious", "critical")
PHONE_WIDTH = 390

# The WCAG 2.x A and AA rules plus axe's best practices (landmarks, headings, regions).
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

_axe = Axe()


def axe_violations(page) -> list[dict[str, Any]]:
    """Every violation axe finds on the page as it is now, whatever its impact."""
    return list(_axe.run(page, options=OPTIONS).response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per rule and one per element (at most five): enough to find and fix it."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}  {node.get('html', '')[:160]}")
    return "\n".join(lines)


def overflow(page) -> dict[str, Any]:
    """How much wider the document is than the window, and the first elements sticking out
    (outside the tables that scroll sideways in their own region by design)."""
    return page.evaluate(
        """() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          wide: [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-scroll'))
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => `${e.tagName} ${e.getAttribute('class') || ''} ${e.id}`),
        })"""
    )


def assert_accessible(page, seen: list[dict[str, Any]] | None = None) -> None:
    """No serious or critical axe violation on the page; at 390 px, no sideways scrolling.
    `seen` collects every violation (any impact) with the page's path, for a summary."""
    violations = axe_violations(page)
    path = page.url.split("//", 1)[-1].partition("/")[2]
    if seen is not None:
        seen.extend({**violation, "path": "/" + path} for violation in violations)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    width = page.viewport_size["width"] if page.viewport_size else None
    assert not failing, f"/{path} at {width}px:\n{describe(failing)}"
    if width is not None and width <= PHONE_WIDTH:
        sizes = overflow(page)
        assert sizes["scrollWidth"] <= sizes["innerWidth"], f"/{path} at {width}px: {sizes}"
