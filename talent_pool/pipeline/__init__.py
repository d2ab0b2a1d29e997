"""The party recruitment pipeline (发展党员) of the talent pool, per 《中国共产党发展党员工作细则》.

A student's file is a list of dated events; everything else is derived from it:

- `labels`: the article each kind of event comes from and the rule shown above its form;
- `state`: the events replayed into the file's state (`build_state`) and what is due by when;
- `rules`: pure checks — what is wrong with recording or deleting an event, what may come next;
- `store`: loading a file, recording and deleting events in audited transactions;
- `view`: what the pages show (`pipeline_context`), the event form, the due list.

The names other areas use (the record page, the demo) are re-exported here.
"""

from talent_pool.pipeline.rules import check_event
from talent_pool.pipeline.state import PARTY_STATUSES, Event, Person, build_state
from talent_pool.pipeline.store import record_event, record_event_in
from talent_pool.pipeline.view import pipeline_context

__all__ = [
    "PARTY_STATUSES",
    "Event",
    "Person",
    "build_state",
    "check_event",
    "pipeline_context",
    "record_event",
    "record_event_in",
]
