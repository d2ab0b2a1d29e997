"""Rows ticked on a list for a bulk action: the repeated ``?student=1&student=2`` (or posted
``student`` fields) a list's checkboxes send, made safe — whole numbers only, each once, in
the order given, at most `MAX_SELECTED`."""

from __future__ import annotations

from collections.abc import Iterable

# The ticks travel in the query string (GET to the action pages and the export): 200 ids of
# up to 7 digits stay well under the 4 KB a query string may carry (portal.limits).
MAX_SELECTED = 200


def selected_ids(raw: Iterable[object]) -> list[int]:
    """The ids of the ticked rows; anything that is not a positive whole number is dropped."""
    ids: list[int] = []
    seen: set[int] = set()
    for value in raw:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 12:
            continue
        number = int(text)
        if number and number not in seen:
            seen.add(number)
            ids.append(number)
        if len(ids) >= MAX_SELECTED:
            break
    return ids
