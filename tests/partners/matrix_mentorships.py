"""Access matrix entries for the mentors and mentorships pages (merged into
tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py: they
name the OTHER side's objects (people.theirs: enterprise_b's project, other_student's
assignment, log, evaluation and award), so partner_a, student1 and mentor1 get 404 there;
their own objects are tested in tests/partners/test_mentors.py and test_mentorships.py.
Only the assignment's own student may acknowledge a log: everyone else gets 404.
"""

LOGIN = "login"
MENTOR = "/mentors/{mentor_id}"
ASSIGNMENT = "/mentorships/{assignment_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/mentors/"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/mentors/new"): (LOGIN, 200, 200, 404, 404),
    ("POST", "/mentors/new"): (LOGIN, 400, 400, 404, 404),
    ("GET", MENTOR): (LOGIN, 200, 404, 404, 404),
    ("GET", MENTOR + "/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", MENTOR + "/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/mentorships/"): (LOGIN, 200, 200, 404, 200),
    ("GET", "/mentorships/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/mentorships/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/mentorships/new/mentors"): (LOGIN, 200, 404, 404, 404),
    ("GET", ASSIGNMENT): (LOGIN, 200, 404, 404, 404),
    ("GET", ASSIGNMENT + "/end"): (LOGIN, 200, 404, 404, 404),
    ("POST", ASSIGNMENT + "/end"): (LOGIN, 303, 404, 404, 404),
    ("GET", ASSIGNMENT + "/logs/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", ASSIGNMENT + "/logs/new"): (LOGIN, 400, 404, 404, 404),
    ("POST", ASSIGNMENT + "/logs/{log_id}/acknowledge"): (LOGIN, 404, 404, 404, 404),
    ("GET", ASSIGNMENT + "/evaluations/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", ASSIGNMENT + "/evaluations/new"): (LOGIN, 400, 404, 404, 404),
}
