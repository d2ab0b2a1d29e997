"""A file's writes, each in its own audited transaction: a refused event or deletion writes
nothing and says why beside the field concerned, the event names who recorded it, and a talk
recorded late says when it was due."""

from __future__ import annotations

import datetime

import pytest

from portal.audit import Actor
from portal.domain_errors import NotVisible, Refused
from portal.rulebook import citation
from portal.tables import AuditEntry
from talent_pool.pipeline.state import Event
from talent_pool.pipeline.store import delete_event, file_state, record_event
from talent_pool.tables import PipelineEvent
from tests.support import run
from tests.talent_pool.pipeline_support import (
    TEST_ACTOR,
    cited_article,
    due_of,
    events_of,
    file_until,
    pool,
    record,
    stage_of,
)

TODAY = datetime.date.today()


def audit_rows(table_name: str) -> int:
    return run(AuditEntry.count().where(AuditEntry.table_name == table_name))


def test_a_refused_event_is_refused_beside_its_fields_and_writes_nothing(people):
    student = people.student_id
    file_until(student, "talk")
    audited = audit_rows("talent_pool_pipeline_event")
    with pytest.raises(Refused) as refused:
        run(record_event(TEST_ACTOR, student, Event("activist", TODAY), TODAY))
    errors = refused.value.errors
    assert {error.field for error in errors} == {"recommended_by", "decided_by"}
    assert {cited_article(error.message) for error in errors} == {
        citation("party.activist_channels")
    }
    assert events_of(student) == ["application", "talk"]
    assert stage_of(student) == "applicant"
    assert audit_rows("talent_pool_pipeline_event") == audited


def test_an_event_names_the_coordinator_who_recorded_it(people):
    pool(people.student_id)
    coordinator = Actor(people.coordinator_user, "coord")
    application = Event("application", TODAY - datetime.timedelta(days=2))
    recorded = run(record_event(coordinator, people.student_id, application, TODAY))
    row = run(
        PipelineEvent.select(PipelineEvent.recorded_by)
        .where(PipelineEvent.id == recorded.event_id)
        .first()
    )
    assert row["recorded_by"] == people.coordinator_user
    assert recorded.late_talk_due_on is None


def test_a_late_talk_says_when_it_was_due(people):
    student = people.student_id
    pool(student)
    applied = TODAY - datetime.timedelta(days=70)
    record(student, "application", applied)
    due = run(file_state(student)).talk_due_on
    recorded = run(record_event(TEST_ACTOR, student, Event("talk", TODAY), TODAY))
    assert due is not None and recorded.late_talk_due_on == due
    on_time = people.other_student_id
    pool(on_time)
    record(on_time, "application", TODAY - datetime.timedelta(days=3))
    in_time = run(record_event(TEST_ACTOR, on_time, Event("talk", TODAY), TODAY))
    assert in_time.late_talk_due_on is None


def test_deleting_an_earlier_event_is_refused_and_deletes_nothing(people):
    student = people.student_id
    ids = file_until(student, "activist")
    due = due_of(student)
    with pytest.raises(Refused) as refused:
        run(delete_event(TEST_ACTOR, student, ids[0]))
    assert [error.field for error in refused.value.errors] == ["form"]
    assert events_of(student) == ["application", "talk", "activist"]
    assert due_of(student) == due
    assert audit_rows("talent_pool_pipeline_event") == len(ids)  # one per event recorded


def test_deleting_the_latest_event_returns_it_and_works_the_file_out_again(people):
    student = people.student_id
    ids = file_until(student, "activist")
    deleted = run(delete_event(TEST_ACTOR, student, ids[-1]))
    assert (deleted.id, deleted.kind) == (ids[-1], "activist")
    assert stage_of(student) == "applicant" and due_of(student) == []


def test_the_file_of_a_student_who_does_not_exist_is_not_visible():
    with pytest.raises(NotVisible):
        run(file_state(10**9))
