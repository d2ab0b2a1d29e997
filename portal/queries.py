"""The read layer of the student pages: the student list (its page, count and export) and the
choices of its filters, as SQL compiled once per shape, read into typed rows.

The list's filters and sort come from the query string (``StudentFilters``); each combination
of filters present and sort order is one statement shape, built and compiled the first time
it is asked for. The search uses the n-gram index (portal.search): no scan, whatever the name.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from portal import reads
from portal.pagination import Sort
from portal.search import STUDENTS, Match
from portal.sql import Shapes, Statement, in_list
from portal.vocabulary import POLITICAL_STATUSES

SORT_KEYS = ("student_no", "name", "department", "major", "cohort_year", "political_status")
FILTERS = ("department", "major", "cohort_year", "political_status")
FILTER_LENGTH = 100


@dataclass(frozen=True, slots=True)
class StudentListRow:
    """A student as the list (and its export) shows them."""

    id: int
    student_no: str
    name: str
    gender: str
    department: str
    major: str
    class_name: str
    cohort_year: int
    political_status: str
    birth_date: datetime.date | None
    phone: str


LIST_COLUMNS = (
    "id, student_no, name, gender, department, major, class_name, cohort_year, "
    "political_status, birth_date, phone"
)


@dataclass(frozen=True)
class StudentFilters:
    """The list's filters as the query string gives them (unknown values are dropped)."""

    q: str = ""
    department: str = ""
    major: str = ""
    cohort_year: str = ""
    political_status: str = ""

    @classmethod
    def from_query(cls, query: QueryParams) -> StudentFilters:
        cohort = query.get("cohort_year", "").strip()
        status = query.get("political_status", "")
        return cls(
            q=query.get("q", "").strip()[:FILTER_LENGTH],
            department=query.get("department", "")[:FILTER_LENGTH],
            major=query.get("major", "")[:FILTER_LENGTH],
            cohort_year=cohort if cohort.isdigit() and len(cohort) == 4 else "",
            political_status=status if status in POLITICAL_STATUSES else "",
        )

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (for links that keep them)."""
        return {
            "q": self.q,
            "department": self.department,
            "major": self.major,
            "cohort_year": self.cohort_year,
            "political_status": self.political_status,
        }

    @property
    def search(self) -> Match | None:
        return Match.of(STUDENTS.kind, self.q) if self.q else None

    def where(self) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The WHERE clause, its parameters, and the shape of its text."""
        parts: list[str] = []
        params: dict[str, Any] = {}
        search = self.search
        if search is not None:
            parts.append(search.sql("id", ("name", "student_no")))
            params |= search.params()
        for name in ("department", "major", "political_status"):
            if value := getattr(self, name):
                parts.append(f"{name} = :{name}")
                params[name] = value
        if self.cohort_year:
            parts.append("cohort_year = :cohort_year")
            params["cohort_year"] = int(self.cohort_year)
        shape = (search.shape if search else None, tuple(sorted(params)))
        return (" WHERE " + " AND ".join(parts)) if parts else "", params, shape


_shapes = Shapes()


def _list_statement(filters: StudentFilters, sort: Sort) -> tuple[Statement, dict[str, Any]]:
    where, params, shape = filters.where()
    direction = sort.direction
    return _shapes.get(
        ("list", shape, sort.key, direction),
        lambda: (
            f"SELECT {LIST_COLUMNS} FROM portal_student{where} "
            f"ORDER BY {sort.key} {direction}, id ASC LIMIT :limit OFFSET :offset"
        ),
    ), params


async def student_rows(
    filters: StudentFilters, sort: Sort, limit: int, offset: int = 0
) -> list[StudentListRow]:
    """One page of the listed students (or, with a large limit, all of them for an export)."""
    statement, params = _list_statement(filters, sort)
    return await reads.rows(StudentListRow, statement, **params, limit=limit, offset=offset)


async def selected_student_rows(ids: Sequence[int], sort: Sort) -> list[StudentListRow]:
    """The students ticked on the list (their ids), in the list's order: an export of the
    selected rows. One statement shape per number of ids."""
    placeholders, params = in_list("id", ids)
    direction = sort.direction
    statement = _shapes.get(
        ("selected", len(params), sort.key, direction),
        lambda: (
            f"SELECT {LIST_COLUMNS} FROM portal_student WHERE id IN ({placeholders}) "
            f"ORDER BY {sort.key} {direction}, id ASC"
        ),
    )
    return await reads.rows(StudentListRow, statement, **params)


async def student_count(filters: StudentFilters) -> int:
    where, params, shape = filters.where()
    search = filters.search
    if search is not None and len(params) == len(search.params()) and search.pattern is None:
        # Only a short search: the number of its term's entries, read off the index.
        statement = _shapes.get(
            ("count-term",),
            lambda: (
                "SELECT COUNT(*) FROM portal_search_term "
                f"WHERE kind = '{STUDENTS.kind}' AND term = :q_term_0"
            ),
        )
        return int(await reads.value(statement, **params))
    return await reads.count(_shapes, ("count", shape), "portal_student", where, **params)


def _distinct(column: str) -> str:
    """A loose index scan: hops from one distinct value to the next through the column's
    index, so the cost grows with the number of distinct values, not of students."""
    return (
        f"{column}(v) AS (SELECT MIN({column}) FROM portal_student UNION ALL "
        f"SELECT (SELECT MIN({column}) FROM portal_student WHERE {column} > {column}.v) "
        f"FROM {column} WHERE {column}.v IS NOT NULL)"
    )


FILTER_CHOICES = Statement(
    "WITH RECURSIVE "
    + ", ".join(_distinct(name) for name in ("department", "major", "cohort_year"))
    + " SELECT 'department', v FROM department WHERE v IS NOT NULL"
    " UNION ALL SELECT 'major', v FROM major WHERE v IS NOT NULL"
    " UNION ALL SELECT 'cohort_year', CAST(v AS VARCHAR(10)) FROM cohort_year"
    " WHERE v IS NOT NULL"
)


async def filter_choices() -> dict[str, list[Any]]:
    """Choices for the list filters (departments, majors, cohorts), in one query that stays
    fast at any number of students."""
    choices: dict[str, list[Any]] = {"department": [], "major": [], "cohort_year": []}
    for kind, value in await reads.fetch(FILTER_CHOICES):
        choices[kind].append(value)
    choices["cohort_year"] = sorted((int(v) for v in choices["cohort_year"]), reverse=True)
    return choices
