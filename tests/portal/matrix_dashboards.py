"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.
"""

LOGIN = "login"

# The dashboard itself ("/") is in the main matrix. The reports are PDFs of an organization or
# a project: the placeholders name enterprise_b's, so partner_a gets 404 like the others.
MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/dashboard/attention"): (LOGIN, 200, 200, 404, 200),
    ("GET", "/organizations/{organization_id}/report.pdf"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/projects/{project_id}/summary.pdf"): (LOGIN, 200, 404, 404, 404),
}
