"""Access matrix entries for the weekly placement logs (实习周志, merged into
tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. {weekly_log_id} is other_student's entry (enterprise_b's placement), so
partner_a, student1 and mentor1 (a college mentor of student1) get 404 there; their own entries
are tested in tests/partners/test_weekly_logs.py. {token} is a link that does not exist: a 404
for everyone, signed in or not (the page itself needs no account). {attachment_id} is an
attachment of that entry: the coordinator downloads it, only its own student removes it (tested
with the attachments, tests/partners/test_weekly_log_attachments.py).
"""

from __future__ import annotations

import datetime

from partners.coeducation.tables import Participation, WeeklyLog, WeeklyLogAttachment
from tests.support import insert_id, run

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)
LOG = "/weekly-logs/{weekly_log_id}"
ATTACHMENT = LOG + "/attachments/{attachment_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/me/weekly-logs"): (LOGIN, 404, 404, 200, 404),
    ("GET", "/me/weekly-logs/new"): (LOGIN, 404, 404, 200, 404),
    ("POST", "/me/weekly-logs/new"): (LOGIN, 404, 404, 400, 404),
    ("GET", "/weekly-logs/queue"): (LOGIN, 404, 404, 404, 200),
    ("GET", "/weekly-logs/confirm/{token}"): (404, 404, 404, 404, 404),
    ("POST", "/weekly-logs/confirm/{token}"): (404, 404, 404, 404, 404),
    ("GET", "/weekly-logs/confirm/{token}/attachments/{attachment_id}"): (404, 404, 404, 404, 404),
    ("GET", LOG): (LOGIN, 200, 404, 404, 404),
    ("GET", LOG + "/edit"): (LOGIN, 404, 404, 404, 404),
    ("POST", LOG + "/edit"): (LOGIN, 404, 404, 404, 404),
    ("POST", LOG + "/link"): (LOGIN, 200, 404, 404, 404),
    ("POST", LOG + "/confirm"): (LOGIN, 404, 404, 404, 404),
    ("POST", LOG + "/return"): (LOGIN, 404, 404, 404, 404),
    ("GET", ATTACHMENT): (LOGIN, 200, 404, 404, 404),
    ("GET", ATTACHMENT + "/remove"): (LOGIN, 404, 404, 404, 404),
    ("POST", ATTACHMENT + "/remove"): (LOGIN, 404, 404, 404, 404),
}


def objects(people) -> dict[str, object]:
    """other_student's entry of last week (their placement kept running past today, so a
    coordinator may issue its link) with an attachment, and a token nobody was given."""
    today = datetime.date.today()
    run(
        Participation.update(ends_on=today + datetime.timedelta(days=60)).where(
            Participation.id == people.theirs.participation,
            Participation.ends_on < today + datetime.timedelta(days=60),
        )
    )
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    log_id = insert_id(
        WeeklyLog,
        participation=people.theirs.participation,
        student=people.other_student_id,
        week_start=monday,
        work_done="设备点检",
        hours=40,
    )
    attachment_id = insert_id(
        WeeklyLogAttachment,
        weekly_log=log_id,
        file_name="周报.pdf",
        content_type="application/pdf",
        file_size=9,
        file_data=b"%PDF-1.7\n",
    )
    return {"weekly_log_id": log_id, "token": "no-such-token", "attachment_id": attachment_id}
