"""Access matrix entries for the bulk actions on ticked students (merged into
tests/portal/test_access.py): coordinators only, a 404 for everyone else signed in.

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. The coordinator's empty POSTs are refused forms (400: no project, no mentors).
"""

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/students/bulk/enrol"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/bulk/enrol"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/students/bulk/pair"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/bulk/pair"): (LOGIN, 400, 404, 404, 404),
}
