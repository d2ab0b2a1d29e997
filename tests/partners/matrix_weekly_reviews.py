"""Access matrix entries for the college mentor's review of the weekly logs (merged into
tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. {review_log_id} is other_student's entry (enterprise_b's placement, another
college mentor), so mentor1 gets 404 there like partner_a and student1; a mentor's own mentees'
entries are tested in tests/partners/test_weekly_reviews.py. An empty POST is refused (400):
no comment, no entry chosen.
"""

from __future__ import annotations

import datetime

from partners.coeducation.tables import WeeklyLog
from tests.support import insert_id

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)
ENTRY = "/weekly-reviews/{review_log_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/weekly-reviews/"): (LOGIN, 200, 404, 404, 200),
    ("POST", "/weekly-reviews/seen"): (LOGIN, 400, 404, 404, 400),
    ("GET", "/weekly-reviews/completion"): (LOGIN, 200, 404, 404, 200),
    ("GET", ENTRY): (LOGIN, 200, 404, 404, 404),
    ("POST", ENTRY): (LOGIN, 400, 404, 404, 404),
}


def objects(people) -> dict[str, object]:
    """other_student's entry of the week before last."""
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday() + 14)
    log_id = insert_id(
        WeeklyLog,
        participation=people.theirs.participation,
        student=people.other_student_id,
        week_start=monday,
        work_done="设备巡检",
        hours=40,
    )
    return {"review_log_id": log_id}
