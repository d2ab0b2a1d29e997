"""The talent pool (人才库) as a list: the filters and sort orders of the pool page, read from the
query string, and the labels the page and its exports (xlsx and PDF roster) show.

The SQL behind the page, its count, its filter choices and both exports is in
talent_pool.queries: one statement per shape, so all three always show the same students in
the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from starlette.datastructures import QueryParams

from portal.auth import Viewer
from portal.i18n import _, labels
from portal.pagination import Sort
from portal.tables import Role
from portal.vocabulary import (
    FLAG_SOURCES,
    GENDERS,
    POLITICAL_STATUSES,
    POOL_STATUSES,
    STAGES,
    label,
)
from talent_pool.tables import PoolStatus

# The pool shows these unless the viewer filters for another status (declined).
DEFAULT_STATUSES = (PoolStatus.flagged.value, PoolStatus.watching.value, PoolStatus.pooled.value)
NO_STAGE = "none"  # stage filter: pool students who have not applied yet
SORT_KEYS = ("score", "name", "cohort_year", "status", "stage")
DEFAULT_SORT = "-score"
FILTER_LENGTH = 100


@dataclass(frozen=True, slots=True)
class PoolLabels:
    """Every code the pool list and its exports show, with its label in one language: looked
    up in a dict per row instead of a gettext call per cell."""

    pool_status: Mapping[str, str]
    stage: Mapping[str, str]
    political_status: Mapping[str, str]
    gender: Mapping[str, str]
    flag_source: Mapping[str, str]


@functools.cache
def pool_labels(locale: str) -> PoolLabels:
    """The labels in a locale, translated once per process."""
    return PoolLabels(
        pool_status=labels(POOL_STATUSES, locale),
        stage=labels(STAGES, locale),
        political_status=labels(POLITICAL_STATUSES, locale),
        gender=labels(GENDERS, locale),
        flag_source=labels(FLAG_SOURCES, locale),
    )


# --- filters --------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class PoolFilters:
    """The filters of the pool page, read from the query string; unknown values are ignored
    (a hand-edited URL shows the unfiltered pool rather than an error)."""

    q: str = ""
    status: str = ""
    cohort_year: int | None = None
    department: str = ""
    major: str = ""
    project: int | None = None
    enterprise: int | None = None  # coordinators only: partners are confined to their own
    stage: str = ""
    political_status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams | dict[str, str], viewer: Viewer) -> PoolFilters:
        status = query.get("status", "")
        stage = query.get("stage", "")
        political = query.get("political_status", "")
        enterprise = _int_or_none(query.get("enterprise"))
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            status=status if status in POOL_STATUSES else "",
            cohort_year=_int_or_none(query.get("cohort_year")),
            department=query.get("department", "")[:FILTER_LENGTH],
            major=query.get("major", "")[:FILTER_LENGTH],
            project=_int_or_none(query.get("project")),
            enterprise=enterprise if viewer.role is Role.coordinator else None,
            stage=stage if stage in STAGES or stage == NO_STAGE else "",
            political_status=political if political in POLITICAL_STATUSES else "",
        )

    def params(self) -> dict[str, str]:
        """The filters as query-string values (for links that keep them)."""
        return {name: "" if value is None else str(value) for name, value in asdict(self).items()}

    @property
    def active(self) -> bool:
        return any(self.params().values())


@dataclass(frozen=True)
class PoolQuery:
    """The pool as one viewer asked for it: scope, filters and sort."""

    viewer: Viewer
    filters: PoolFilters
    sort: Sort

    @classmethod
    def from_query(cls, query: QueryParams | dict[str, str], viewer: Viewer) -> PoolQuery:
        return cls(
            viewer=viewer,
            filters=PoolFilters.from_query(query, viewer),
            sort=Sort.from_query(QueryParams(query), SORT_KEYS, DEFAULT_SORT),
        )

    def params(self) -> dict[str, str]:
        """Filters and sort as query-string values."""
        return {**self.filters.params(), "sort": self.sort.param}


def applied_filters(
    filters: PoolFilters, choices: Mapping[str, list[Any]]
) -> list[tuple[str, str]]:
    """The filters in force as (label, value) pairs a reader understands (the PDF's title)."""
    names = {
        "project": {choice.id: choice.name for choice in choices.get("project", [])},
        "enterprise": {choice.id: choice.name for choice in choices.get("enterprise", [])},
    }
    shown: list[tuple[str, str]] = []
    if filters.q:
        shown.append((_("Search"), filters.q))
    if filters.status:
        shown.append((_("Status"), label(POOL_STATUSES, filters.status)))
    else:
        statuses = " / ".join(label(POOL_STATUSES, code) for code in DEFAULT_STATUSES)
        shown.append((_("Status"), statuses))
    if filters.cohort_year is not None:
        shown.append((_("Cohort"), str(filters.cohort_year)))
    if filters.department:
        shown.append((_("Department"), filters.department))
    if filters.major:
        shown.append((_("Major"), filters.major))
    if filters.project is not None:
        shown.append((_("Project"), names["project"].get(filters.project, f"#{filters.project}")))
    if filters.enterprise is not None:
        name = names["enterprise"].get(filters.enterprise, f"#{filters.enterprise}")
        shown.append((_("Enterprise"), name))
    if filters.stage == NO_STAGE:
        shown.append((_("Stage"), _("Not applied yet")))
    elif filters.stage:
        shown.append((_("Stage"), label(STAGES, filters.stage)))
    if filters.political_status:
        shown.append((_("Political status"), label(POLITICAL_STATUSES, filters.political_status)))
    return shown
