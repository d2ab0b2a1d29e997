"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.
"""

from __future__ import annotations

LOGIN = "login"

BATCH = "/records/batches/{batch_id}"

# Batch PDF exports are the college's: coordinators only; everyone else is told there is no
# such page. The batch is a finished one with its ZIP, so the download answers 200.
MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/records/batches/"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/records/batches/"): (LOGIN, 400, 404, 404, 404),
    ("GET", BATCH): (LOGIN, 200, 404, 404, 404),
    ("GET", BATCH + "/progress"): (LOGIN, 200, 404, 404, 404),
    ("GET", BATCH + "/download"): (LOGIN, 200, 404, 404, 404),
}


def objects(people) -> dict[str, int]:
    """A finished batch of the other student's class, with its (tiny) ZIP on disk."""
    from tests.portal.batch_support import make_finished_batch

    return {"batch_id": make_finished_batch(requested_by=people.coordinator_user)}
