"""Events: how one area lets another react to its writes without calling into it.

The partners area records attendance and evaluations; the talent pool re-scores the students
concerned. Partners sits below the talent pool and may not import it, so it announces
`StudentsChanged` after its write commits, and the talent pool subscribes to it when loaded.
Handlers run in the order they subscribed, after the write has committed: a handler keeps
its own failures from the announcer (the talent pool logs a failed re-score, which the next
re-score repairs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from portal.audit import Actor

Event = TypeVar("Event")
Handler = Callable[[Any], Awaitable[None]]
_handlers: defaultdict[type, list[Handler]] = defaultdict(list)


@dataclass(frozen=True)
class StudentsChanged:
    """What a student's score is made of changed for these students (an evaluation, an award,
    attendance at an activity, a nomination), by this actor; announced after the commit."""

    student_ids: frozenset[int]
    actor: Actor

    @classmethod
    def of(cls, student_ids: Iterable[int], actor: Actor) -> StudentsChanged:
        return cls(frozenset(int(student_id) for student_id in student_ids), actor)


def subscribe(event_type: type[Event], handler: Callable[[Event], Awaitable[None]]) -> None:
    """Calls `handler` with every event of `event_type` announced from now on (once, however
    often the same handler subscribes)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


async def announce(event: object) -> None:
    """Runs every handler of the event's type, in the order they subscribed."""
    for handler in _handlers[type(event)]:
        await handler(event)
