"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.
"""

LOGIN = "login"

MATRIX: dict[tuple[str, str], tuple] = {
    # score settings, re-scoring, nominations and reviews
    ("GET", "/talent-pool/settings"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/talent-pool/settings"): (LOGIN, 400, 404, 404, 404),
    ("POST", "/talent-pool/rescore"): (LOGIN, 303, 404, 404, 404),
    ("POST", "/talent-pool/settings/channels"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/talent-pool/{student_id}/nominate"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/talent-pool/{student_id}/nominate"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/talent-pool/{student_id}/flags/{flag_id}/review"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/talent-pool/{student_id}/flags/{flag_id}/review"): (LOGIN, 400, 404, 404, 404),
    # a student's consent to share talent-pool details with partner enterprises (on /me)
    ("POST", "/me/consent"): (LOGIN, 404, 404, 400, 404),
    # the pool list, a student's pool page, the roster as xlsx and PDF
    ("GET", "/talent-pool/"): (LOGIN, 200, 200, 404, 200),
    ("GET", "/talent-pool/{student_id}"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/talent-pool/export.xlsx"): (LOGIN, 200, 200, 404, 200),
    ("GET", "/talent-pool/roster.pdf"): (LOGIN, 200, 200, 404, 200),
}


def objects(people) -> dict[str, int]:
    """{flag_id}: an open nomination of the other student."""
    from tests.talent_pool.support_a import make_flag

    return {"flag_id": make_flag(people.other_student_id)}
