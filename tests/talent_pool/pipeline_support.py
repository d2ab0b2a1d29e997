"""Factories for the recruitment pipeline's tests: students in the pool, files built up to any
event through the real rules and writes (talent_pool.pipeline.store.record_event), and the
article a refusal's message cites."""

from __future__ import annotations

import datetime
from typing import Any

from portal.audit import Actor
from portal.dates import add_months
from portal.rulebook import RULES, citation, cited
from talent_pool.pipeline.state import Event, Person
from talent_pool.pipeline.store import record_event
from talent_pool.tables import DueItem, PipelineEvent, PoolEntry
from tests.support import insert_id, run

TEST_ACTOR = Actor(None, "pipeline-test")
CONTACTS = (Person("王建国", True), Person("李红梅", True))
DECIDED = {"decided_by": "学生第一党支部委员会"}
FILED = {"decided_by": "学院党委组织部"}
VOTES = {"entitled": 30, "present": 25, "in_favour": 24}
# A whole file: (kind, months after the start, days after that, details). The start is the
# first of a month, so no date is clamped at a month's end.
STORY: list[tuple[str, int, int, dict[str, Any]]] = [
    ("application", 0, 0, {}),
    ("talk", 0, 17, {}),
    ("activist", 1, 15, {"recommended_by": "league", **DECIDED}),
    ("activist_filing", 1, 16, FILED),
    ("contacts", 1, 20, {"people": CONTACTS}),
    ("review", 7, 15, {}),
    ("review", 13, 15, {}),
    ("development_target", 13, 15, DECIDED),
    ("target_filing", 13, 16, FILED),
    ("political_review", 14, 15, {}),
    ("training", 14, 25, {"days": 5}),
    ("introducers", 15, 15, {"people": CONTACTS}),
    ("pre_review", 15, 25, {"decided_by": "学院党委"}),
    ("volunteer_form", 16, 1, {}),
    ("branch_meeting", 16, 15, VOTES),
    ("approval", 17, 15, {"decided_by": "学院党委"}),
    ("conversion", 28, 15, VOTES),
]


def story_start(today: datetime.date) -> datetime.date:
    """The first of the month three years ago: the whole story fits before today."""
    return add_months(today.replace(day=1), -36)


def story_date(start: datetime.date, months: int, days: int) -> datetime.date:
    return add_months(start, months) + datetime.timedelta(days=days)


def pool(student_id: int, status: str = "pooled") -> int:
    """Puts the student in the talent pool (as a coordinator's accepted flag would)."""
    return insert_id(
        PoolEntry, student=student_id, status=status, status_since=datetime.date.today()
    )


def record(student_id: int, kind: str, day: datetime.date, **details: Any) -> int:
    """Records one event through the rules; fails the test (Refused) if they refuse it."""
    event = Event(kind=kind, happened_on=day, **details)
    return run(record_event(TEST_ACTOR, student_id, event, today())).event_id


def cited_article(message: str) -> str:
    """The rule book's citation (《…》（version）article) a refusal's message ends with, as the
    user reads it in the current language; "" when it cites none (a plain data check)."""
    for key in RULES:
        before, after = cited(key, "\0").split("\0")
        if message.startswith(before) and message.endswith(after):
            return citation(key)
    return ""


def today() -> datetime.date:
    return datetime.date.today()


def file_until(
    student_id: int, last_kind: str, occurrence: int = 1, start: datetime.date | None = None
) -> list[int]:
    """Pools the student (unless pooled) and records the story up to the given event."""
    if not run(PoolEntry.exists().where(PoolEntry.student == student_id)):
        pool(student_id)
    start = start or story_start(today())
    ids, seen = [], 0
    for kind, months, days, details in STORY:
        ids.append(record(student_id, kind, story_date(start, months, days), **details))
        if kind == last_kind:
            seen += 1
            if seen == occurrence:
                break
    return ids


def stage_of(student_id: int) -> str | None:
    row = run(PoolEntry.select(PoolEntry.stage).where(PoolEntry.student == student_id).first())
    return row["stage"] if row else None


def due_of(student_id: int) -> list[tuple[str, datetime.date]]:
    rows = run(
        DueItem.select(DueItem.kind, DueItem.due_on)
        .where(DueItem.student == student_id)
        .order_by(DueItem.due_on)
    )
    return [(row["kind"], row["due_on"]) for row in rows]


def events_of(student_id: int) -> list[str]:
    rows = run(
        PipelineEvent.select(PipelineEvent.kind)
        .where(PipelineEvent.student == student_id)
        .order_by(PipelineEvent.happened_on)
        .order_by(PipelineEvent.id)
    )
    return [row["kind"] for row in rows]


def viewer_of(browser: Any) -> Any:
    """The Viewer of a signed-in test browser, as the app sees it."""
    from portal.auth import SESSION_COOKIE, load_viewer

    return run(load_viewer(browser.client.cookies[SESSION_COOKIE], 8))


def render_template(name: str, **context: Any) -> str:
    """Renders a partial template as a page would include it (url_for works)."""
    from starlette.requests import Request

    from college.app import create_app
    from portal.templating import templates

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "query_string": b"",
        "headers": [],
        "router": create_app().router,
    }
    return templates.env.get_template(name).render(request=Request(scope), **context)
