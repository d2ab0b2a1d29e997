"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.

The recruitment pipeline: coordinators record and delete events; partners and mentors read
the files (PDF, due list) of the students they may see — the other side's student is not one
of them; students get 404 everywhere under /talent-pool/.
"""

from __future__ import annotations

import datetime

LOGIN = "login"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/talent-pool/due"): (LOGIN, 200, 200, 404, 200),
    # Without ?kind= the page lists what may be recorded; an empty POST names no kind: 400.
    ("GET", "/talent-pool/{student_id}/events/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/talent-pool/{student_id}/events/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/talent-pool/{student_id}/events/{event_id}/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/talent-pool/{student_id}/events/{event_id}/delete"): (LOGIN, 303, 404, 404, 404),
    ("GET", "/talent-pool/{student_id}/pipeline.pdf"): (LOGIN, 200, 404, 404, 404),
}


def objects(people) -> dict[str, int]:
    """The other side's student in the pool with an application in their file ({event_id})."""
    from talent_pool.tables import PipelineEvent, PoolEntry
    from tests.support import insert_id, run

    today = datetime.date.today()
    student = people.other_student_id
    if not run(PoolEntry.exists().where(PoolEntry.student == student)):
        insert_id(PoolEntry, student=student, status="pooled", status_since=today)
    run(
        PoolEntry.update({PoolEntry.stage: "applicant", PoolEntry.stage_since: today}).where(
            PoolEntry.student == student
        )
    )
    event_id = insert_id(PipelineEvent, student=student, kind="application", happened_on=today)
    return {"event_id": event_id}
