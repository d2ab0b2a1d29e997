"""Pagination and sorting shared by every list page (part of the base's lists)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.datastructures import QueryParams

PAGE_SIZES = (20, 50, 100)
RowT = TypeVar("RowT")


@dataclass(frozen=True)
class PageRequest:
    """The page number and size the query string asks for (?page=, ?size=), made safe."""

    number: int
    size: int
    default_size: int = 20

    @classmethod
    def from_query(cls, query: QueryParams, default_size: int = 20) -> PageRequest:
        try:
            number = max(1, int(query.get("page", "1")))
        except ValueError:
            number = 1
        try:
            size = int(query.get("size", default_size))
        except ValueError:
            size = default_size
        return cls(
            number=min(number, 1_000_000),
            size=size if size in PAGE_SIZES else default_size,
            default_size=default_size,
        )

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[RowT]):
    """One page of a list: its rows (typed rows or dicts), and where it sits in the whole."""

    rows: Sequence[RowT]
    request: PageRequest
    total: int

    @property
    def number(self) -> int:
        return self.request.number

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def size_param(self) -> int | str:
        """The ?size= its links keep: none for the list's default size."""
        return "" if self.request.size == self.request.default_size else self.request.size

    @property
    def sizes(self) -> tuple[int, ...]:
        """The page sizes a list offers (?size=), when its own size is one of them."""
        return PAGE_SIZES if self.request.size in PAGE_SIZES else ()

    @property
    def first_index(self) -> int:
        return self.request.offset + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.request.offset + len(self.rows)

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers to show, with None for a gap: 1 … 4 5 [6] 7 8 … 40."""
        pages = {1, self.page_count, *range(self.number - radius, self.number + radius + 1)}
        shown = sorted(p for p in pages if 1 <= p <= self.page_count)
        result: list[int | None] = []
        for previous, current in zip([0, *shown], shown, strict=False):
            if current - previous > 1 and previous:
                result.append(None)
            result.append(current)
        return result


@dataclass(frozen=True)
class Sort:
    """A whitelisted sort key from ?sort=name or ?sort=-name."""

    key: str
    descending: bool

    @classmethod
    def from_query(cls, query: QueryParams, allowed: tuple[str, ...], default: str) -> Sort:
        raw = query.get("sort", default)
        key = raw.removeprefix("-")
        if key not in allowed:
            raw, key = default, default.removeprefix("-")
        return cls(key=key, descending=raw.startswith("-"))

    @property
    def direction(self) -> str:
        """The sort's direction as SQL writes it."""
        return "DESC" if self.descending else "ASC"

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.key

    def toggled(self, key: str) -> str:
        """The ?sort= value a column header links to."""
        return "-" + key if key == self.key and not self.descending else key
