"""The pages the benchmark measures. Later issues append their pages to ``PAGES``.

Each page is fetched signed in as the bench coordinator, against a database seeded by
``bench.seed`` (20,000 students by default), and must answer 200 before it is measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

# A surname common enough in the seeded data that a search finds many students (王, ~7%).
COMMON_SURNAME = "王"


@dataclass(frozen=True)
class Page:
    """One measured page: a short name for the report and its path (with query string)."""

    name: str
    path: str


PAGES: list[Page] = [
    Page("students p1", "/students/"),
    Page("students p500", "/students/?page=500"),
    Page("students search", f"/students/?q={quote(COMMON_SURNAME)}"),
    Page("dashboard", "/"),
    Page("enterprises p1", "/enterprises/"),
    Page("enterprises search", f"/enterprises/?q={quote('基准企业01')}"),
    Page("enterprise detail", "/enterprises/1"),
    Page("organizations p1", "/organizations/"),
    Page("organization detail", "/organizations/1"),
    Page("activities", "/organizations/1/activities/"),
    Page("plans", "/organizations/1/plans/"),
    Page("projects p1", "/projects/"),
    Page("project detail", "/projects/1"),
    Page("mentorships p1", "/mentorships/"),
    Page("student record", "/students/1"),
    Page("talent pool p1", "/talent-pool/"),
]

# The floor: bench/floor_app.py, served the same way, against the same database.
FLOOR = Page("floor", "/")
