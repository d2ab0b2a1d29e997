"""The demo pipeline: students at every stage, some items overdue, and not one event the rules
would refuse."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from college.demo.pipeline import seed_pipeline
from college.demo.seed import seed_demo
from portal.tables import Student
from talent_pool.pipeline.rules import check_event
from talent_pool.pipeline.state import Event, build_state, due_items
from talent_pool.tables import (
    DueItem,
    Flag,
    FlagReview,
    PipelineEvent,
    PoolEntry,
    Stage,
)
from tests.support import run

TODAY = datetime.date.today()


@pytest.fixture
def demo():
    run(seed_demo(student_count=120))
    run(seed_pipeline(TODAY))


def files() -> dict[int, list[Event]]:
    rows = run(PipelineEvent.select().order_by(PipelineEvent.id))
    by_student: dict[int, list[Event]] = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(Event.from_row(row))
    return by_student


def test_the_demo_has_a_pool_with_students_at_every_stage(demo):
    entries = run(
        PoolEntry.select(PoolEntry.status, PoolEntry.stage).where(PoolEntry.status == "pooled")
    )
    assert 25 <= len(entries) <= 30
    # The demo's scores flag further students, waiting for a coordinator's review.
    assert run(PoolEntry.count().where(PoolEntry.status == "flagged")) > 0
    stages = Counter(e["stage"] for e in entries)
    assert set(stages) == {None, *[s.value for s in Stage]}
    assert stages["probationary"] >= 3 and stages["full_member"] >= 2
    # Every pooled student came in through an accepted flag with a reason in Chinese.
    reviews = run(FlagReview.select(FlagReview.decision, FlagReview.reason))
    assert len(reviews) == len(entries)
    assert {r["decision"] for r in reviews} == {"accept"}
    assert all(r["reason"] for r in reviews)
    assert all(f["reason"] for f in run(Flag.select(Flag.reason)))
    assert run(Flag.count().where(Flag.source == "nomination")) == len(entries)


def test_no_demo_event_breaks_a_rule(demo):
    """Each file replayed in the order it was recorded: every event passes the rules against
    the file before it."""
    students = {
        row["id"]: row
        for row in run(Student.select(Student.id, Student.birth_date, Student.political_status))
    }
    assert files()
    for student_id, events in files().items():
        before: list[Event] = []
        for event in events:
            state = build_state(before, "pooled", students[student_id]["birth_date"], "03")
            assert check_event(state, event, TODAY) == [], (student_id, event)
            before.append(event)


def test_some_items_are_overdue_of_every_kind_the_demo_promises(demo):
    overdue = {
        row["kind"] for row in run(DueItem.select(DueItem.kind).where(DueItem.due_on < TODAY))
    }
    assert {"talk", "review", "development_target_eligible", "approval", "probation_end"} <= (
        overdue
    )
    due_later = run(DueItem.count().where(DueItem.due_on >= TODAY))
    assert due_later > 0


def test_the_demo_due_items_are_those_the_events_imply(demo):
    stored: dict[int, list[tuple[str, datetime.date]]] = {}
    for row in run(DueItem.select(DueItem.student, DueItem.kind, DueItem.due_on)):
        stored.setdefault(row["student"], []).append((row["kind"], row["due_on"]))
    for student_id, events in files().items():
        expected = [(d.kind, d.due_on) for d in due_items(build_state(events))]
        assert sorted(stored.get(student_id, [])) == sorted(expected)


def test_political_status_follows_the_demo_files(demo):
    rows = run(
        PoolEntry.select(PoolEntry.stage, PoolEntry.student.political_status.as_alias("status"))
    )
    for row in rows:
        if row["stage"] == "probationary":
            assert row["status"] == "02"
        elif row["stage"] == "full_member":
            assert row["status"] == "01"
        else:
            assert row["status"] not in ("01", "02")


def test_the_demo_shows_a_late_talk_a_missing_training_and_an_extension(demo):
    states = [build_state(events) for events in files().values()]
    assert any(state.late_talks for state in states)
    assert any(
        state.stage == "development_target" and state.training_on is None for state in states
    )
    assert any(state.extension_months for state in states)


def test_seeding_twice_adds_nothing(demo):
    counts = (run(PipelineEvent.count()), run(PoolEntry.count()), run(Flag.count()))
    run(seed_pipeline(TODAY))
    assert (run(PipelineEvent.count()), run(PoolEntry.count()), run(Flag.count())) == counts


def test_the_demo_shows_a_month_four_approval_a_cancelled_probation_and_an_oath(demo):
    states = [build_state(events) for events in files().values()]
    late = [
        state
        for state in states
        if state.approval_on and state.approval_due_on and state.approval_on > state.approval_due_on
    ]
    assert late and all(
        next(e for e in state.events if e.kind == "approval").reason for state in late
    )
    assert any(state.stage == "cancelled" for state in states)
    assert any(state.oath_on and state.stage == "probationary" for state in states)
    cancelled = run(
        PoolEntry.select(
            PoolEntry.student, PoolEntry.student.political_status.as_alias("status")
        ).where(PoolEntry.stage == "cancelled")
    )
    assert cancelled
    for row in cancelled:
        meeting = next(e for e in files()[row["student"]] if e.kind == "branch_meeting")
        assert meeting.status_before and row["status"] == meeting.status_before
    unfiled = run(DueItem.count().where(DueItem.kind.is_in(["activist_filing", "target_filing"])))
    assert unfiled > 0
