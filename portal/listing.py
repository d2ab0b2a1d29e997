"""What a list page and its Excel export share: the rows the query string selects and their
order. Each list builds one `Listing` from the request, so the page and the export can never
filter or sort differently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.pagination import Sort


@dataclass(frozen=True)
class Listing:
    """The where-conditions (visibility scope and filters), the order (column, ascending) with
    a unique last key so pages never overlap, and the filters and sort as the page shows them."""

    conditions: list[Any]
    order: Sequence[tuple[Any, bool]]
    filters: dict[str, str]
    sort: Sort | None = None

    def apply(self, query: Any) -> Any:
        """A select (or count) narrowed to the listed rows, in the listed order."""
        query = query.where(*self.conditions)
        for column, ascending in self.order:
            query = query.order_by(column, ascending=ascending)
        return query

    @property
    def params(self) -> dict[str, str]:
        """The query-string parameters that reproduce this listing (for links and exports)."""
        if self.sort is None:
            return dict(self.filters)
        return {**self.filters, "sort": self.sort.param}
