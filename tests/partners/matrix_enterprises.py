"""Access matrix entries for the enterprises pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Paths use {enterprise_a}/{enterprise_b} (the partner's own enterprise and
another one), {organization_a}/{organization_b} (an organization with enterprise_a as a member
unit, and one without it), and the ids defined in tests/portal/test_access.py concrete().

{enterprise_id} is the other enterprise (enterprise_b), so a partner gets 404 on every page of
it; its own enterprise is tested in tests/partners/test_enterprises.py. The coordinator's POST
to delete answers 303: enterprise_b is a member unit of organization_b, so the delete is refused
with a message and a redirect to the enterprise.
"""

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/enterprises/"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/enterprises/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/enterprises/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/enterprises/{enterprise_id}"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/enterprises/{enterprise_id}/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/enterprises/{enterprise_id}/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/enterprises/{enterprise_id}/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/enterprises/{enterprise_id}/delete"): (LOGIN, 303, 404, 404, 404),
}
