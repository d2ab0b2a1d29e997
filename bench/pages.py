"""The pages the benchmark measures, and the walk of distinct URLs each is measured over.

Each page is fetched signed in as the bench coordinator, against a database seeded by
``bench.seed`` (20,000 students by default), in two modes:

- rotating (the default, and the figure that counts): every request takes the next path of
  the page's walk — many distinct objects, page numbers and search words — so a cache helps
  only as much as it would for real users;
- repeat (for information): ``Page.path``, one URL again and again.

A walk is built from what the seeded database holds (ids that exist, through ``Catalog``) and
from what the page itself says (its number of pages, read from its pagination links).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlencode

from bench.seed import GIVEN_CHARACTERS, INDUSTRIES, SURNAMES, spread

# A surname common enough in the seeded data that a search finds many students (王, ~7%).
COMMON_SURNAME = "王"
STUDENT_RECORDS = 1_000  # half with projects, mentors and logs, half without
PAIRED_SURNAMES = 12  # the commonest surnames, each searched with every given-name character


class Catalog(Protocol):
    """What a walk may ask about the seeded database and the running portal."""

    def ids(self, sql: str) -> list[int]:
        """The first column of a SELECT's rows (ids that exist)."""
        ...

    def every_page(self, path: str, params: dict[str, str] | None = None) -> list[str]:
        """The path of each page of a list (with ``params`` as its filters), page 1 first."""
        ...


Walk = Callable[[Catalog], list[str]]


@dataclass(frozen=True)
class Page:
    """One measured page: a short name for the report, its repeat path, and its walk."""

    name: str
    path: str
    walk: Walk


def shuffled(paths: Iterable[str]) -> list[str]:
    """The paths in a fixed pseudo-random order: consecutive requests land far apart (in
    the tables and in any cache), as real users' do, and every run walks the same order."""
    result = list(dict.fromkeys(paths))
    random.Random(2026).shuffle(result)
    return result


def with_query(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}"


def each_page_of(path: str, variants: list[dict[str, str]]) -> Walk:
    """Every page of the list unfiltered and of each filter in ``variants``."""
    return lambda catalog: shuffled(
        page for params in [{}, *variants] for page in catalog.every_page(path, params)
    )


def each_object(path_of: Callable[[int], str], sql: str) -> Walk:
    return lambda catalog: shuffled(path_of(i) for i in catalog.ids(sql))


def student_records(catalog: Catalog) -> list[str]:
    """1,000 student pages (record included): half of students with projects, mentors, logs
    and evaluations, half of the others, each half spread over the ids."""
    mentored = catalog.ids(
        "SELECT DISTINCT student FROM partners_mentor_assignment ORDER BY student"
    )
    others = catalog.ids(
        "SELECT id FROM portal_student WHERE id NOT IN "
        "(SELECT student FROM partners_mentor_assignment) ORDER BY id"
    )
    half = STUDENT_RECORDS // 2
    chosen = spread(mentored, half) + spread(others, STUDENT_RECORDS - min(half, len(mentored)))
    return shuffled(f"/students/{i}" for i in chosen)


def student_searches(catalog: Catalog) -> list[str]:
    """Searches by 1- and 2-character names as the seed makes them: every surname alone (欧阳
    and 司马 are two characters), every given-name character alone, and the commonest
    surnames with each given-name character (王芳, 李伟 …)."""
    surnames = [name for name, _weight in SURNAMES]
    common = [name for name, _weight in sorted(SURNAMES, key=lambda s: -s[1])[:PAIRED_SURNAMES]]
    words = [
        *surnames,
        *GIVEN_CHARACTERS,
        *(surname + given for surname in common for given in GIVEN_CHARACTERS),
    ]
    return shuffled(with_query("/students/", q=word) for word in words)


def enterprise_searches(catalog: Catalog) -> list[str]:
    """Every enterprise by a fragment of its name (企业0042: one hit), prefixes shared by ten
    (企业004), and its credit code's serial digits."""
    count = len(catalog.ids("SELECT id FROM partners_enterprise"))
    words = [f"企业{i:04d}" for i in range(count)]
    words += [f"企业{i:03d}" for i in range(-(-count // 10))]
    words += [f"{i:09d}"[-6:] for i in range(count)]  # digits 12–17 of the credit code
    return shuffled(with_query("/enterprises/", q=word) for word in words)


def activity_pages(catalog: Catalog) -> list[str]:
    organizations = catalog.ids("SELECT id FROM partners_organization ORDER BY id")
    return shuffled(
        page
        for organization in organizations
        for page in catalog.every_page(f"/organizations/{organization}/activities/")
    )


PAGES: list[Page] = [
    Page("students", "/students/", each_page_of("/students/", [])),
    Page("students search", f"/students/?q={quote(COMMON_SURNAME)}", student_searches),
    Page("dashboard", "/", lambda catalog: ["/"]),
    Page(
        "enterprises",
        "/enterprises/",
        each_page_of(
            "/enterprises/",
            [{"status": s} for s in ("active", "paused", "ended")]
            + [{"industry": i} for i in INDUSTRIES]
            + [{"sort": "-name"}],
        ),
    ),
    Page("enterprises search", f"/enterprises/?q={quote('基准企业01')}", enterprise_searches),
    Page(
        "enterprise detail",
        "/enterprises/1",
        each_object(lambda i: f"/enterprises/{i}", "SELECT id FROM partners_enterprise"),
    ),
    Page(
        "organizations",
        "/organizations/",
        each_page_of(
            "/organizations/",
            [{"kind": k} for k in ("joint_branch", "alliance", "pairing")] + [{"sort": "-name"}],
        ),
    ),
    Page(
        "organization detail",
        "/organizations/1",
        each_object(lambda i: f"/organizations/{i}", "SELECT id FROM partners_organization"),
    ),
    Page("activities", "/organizations/1/activities/", activity_pages),
    Page(
        "plans",
        "/organizations/1/plans/",
        each_object(lambda i: f"/organizations/{i}/plans/", "SELECT id FROM partners_organization"),
    ),
    Page(
        "projects",
        "/projects/",
        each_page_of(
            "/projects/",
            [{"kind": k} for k in ("order_class", "training_base", "research", "workstation")]
            + [{"status": s} for s in ("planning", "active", "closed")],
        ),
    ),
    Page(
        "project detail",
        "/projects/1",
        each_object(lambda i: f"/projects/{i}", "SELECT id FROM partners_project"),
    ),
    Page(
        "mentorships",
        "/mentorships/",
        each_page_of("/mentorships/", [{"sort": "student"}]),
    ),
    Page("student record", "/students/1", student_records),
    Page("talent pool", "/talent-pool/", each_page_of("/talent-pool/", [{"sort": "name"}])),
]

# The floor: bench/floor_app.py, served the same way, against the same database.
FLOOR = Page("floor", "/", lambda catalog: ["/"])
