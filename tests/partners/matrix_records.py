"""Access matrix entries for the records pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py: they
name the OTHER side's objects (people.theirs: enterprise_b's project, other_student's
assignment, log, evaluation and award), so partner_a, student1 and mentor1 get 404 there.
"""

LOGIN = "login"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/me"): (LOGIN, 404, 404, 200, 404),
    ("GET", "/me/record.pdf"): (LOGIN, 404, 404, 200, 404),
    ("GET", "/students/{student_id}/record"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/students/{student_id}/record.pdf"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/students/{student_id}/awards/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/{student_id}/awards/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/students/{student_id}/awards/{award_id}/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/{student_id}/awards/{award_id}/delete"): (LOGIN, 303, 404, 404, 404),
}
