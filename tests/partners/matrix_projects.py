"""Access matrix entries for the projects pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py: they
name the OTHER side's objects (people.theirs: enterprise_b's project, other_student's
assignment, log, evaluation and award), so partner_a, student1 and mentor1 get 404 there.

The coordinator's empty POSTs: forms answer 400; the delete answers 303 (refused with a
message because other_student has joined the project); the withdraw answers 303.
"""

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)
MEMBER = "/projects/{project_id}/members/{participation_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/projects/"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/projects/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/projects/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/projects/{project_id}"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/projects/{project_id}/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/projects/{project_id}/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/projects/{project_id}/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/projects/{project_id}/delete"): (LOGIN, 303, 404, 404, 404),
    ("GET", "/projects/{project_id}/members/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/projects/{project_id}/members/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", MEMBER + "/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", MEMBER + "/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", MEMBER + "/withdraw"): (LOGIN, 200, 404, 404, 404),
    ("POST", MEMBER + "/withdraw"): (LOGIN, 303, 404, 404, 404),
}
