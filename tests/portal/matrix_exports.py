"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.
"""

LOGIN = "login"

ORG = "/organizations/{organization_id}"

# Every list's export has its list's guard and scope: the same roles, and a 404 where the list
# is a 404 (the organization is the other enterprise's, so its activities and plans are).
MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/students/export.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/accounts/export.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/audit/export.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/enterprises/export.xlsx"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/organizations/export.xlsx"): (LOGIN, 200, 200, 404, 404),
    ("GET", ORG + "/activities/export.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", ORG + "/plans/export.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/projects/export.xlsx"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/mentors/export.xlsx"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/mentorships/export.xlsx"): (LOGIN, 200, 200, 404, 200),
}
