"""Access matrix entries for the activities pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Paths use {enterprise_a}/{enterprise_b} (the partner's own enterprise and
another one), {organization_a}/{organization_b} (an organization with enterprise_a as a member
unit, and one without it), and the ids defined in tests/portal/test_access.py concrete().

The organization is the other enterprise's, so the partner gets 404 on every page; its own
organization's pages are tested in tests/partners/test_activities.py. An empty attendance
form is a valid "nobody attended" (303).
"""

LOGIN = "login"
ORG = "/organizations/{organization_id}/activities"
ACTIVITY = ORG + "/{activity_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", ORG + "/"): (LOGIN, 200, 404, 404, 404),
    ("GET", ORG + "/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", ORG + "/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", ACTIVITY): (LOGIN, 200, 404, 404, 404),
    ("GET", ACTIVITY + "/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", ACTIVITY + "/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", ACTIVITY + "/attendance"): (LOGIN, 200, 404, 404, 404),
    ("POST", ACTIVITY + "/attendance"): (LOGIN, 303, 404, 404, 404),
    ("GET", ACTIVITY + "/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", ACTIVITY + "/delete"): (LOGIN, 303, 404, 404, 404),
}
