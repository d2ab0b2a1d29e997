"""Access matrix entries for the organizations pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Paths use {enterprise_a}/{enterprise_b} (the partner's own enterprise and
another one), {organization_a}/{organization_b} (an organization with enterprise_a as a member
unit, and one without it), and the ids defined in tests/portal/test_access.py concrete().

{organization_id} is organization_b, so a partner gets 404 on every page of it; what a partner
may do in its own organization is tested in tests/partners/test_organizations.py. The empty
committee form is valid (every seat vacant), hence 303; the unit delete is refused (the only
college branch) with a redirect, hence 303; the agreement has no document yet, hence 404.
"""

LOGIN = "login"  # same constant as tests/portal/test_access.py (importing it is circular)

ORG = "/organizations/{organization_id}"
COORDINATOR_ONLY_PAGE = (LOGIN, 200, 404, 404, 404)
COORDINATOR_ONLY_FORM = (LOGIN, 400, 404, 404, 404)
COORDINATOR_ONLY_ACTION = (LOGIN, 303, 404, 404, 404)

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/organizations/"): (LOGIN, 200, 200, 404, 404),
    ("GET", "/organizations/new"): COORDINATOR_ONLY_PAGE,
    ("POST", "/organizations/new"): COORDINATOR_ONLY_FORM,
    ("GET", ORG): COORDINATOR_ONLY_PAGE,
    ("GET", ORG + "/edit"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/edit"): COORDINATOR_ONLY_FORM,
    ("GET", ORG + "/delete"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/delete"): COORDINATOR_ONLY_ACTION,
    ("GET", ORG + "/units/new"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/units/new"): COORDINATOR_ONLY_FORM,
    ("GET", ORG + "/units/{unit_id}/edit"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/units/{unit_id}/edit"): COORDINATOR_ONLY_FORM,
    ("GET", ORG + "/units/{unit_id}/delete"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/units/{unit_id}/delete"): COORDINATOR_ONLY_ACTION,
    ("GET", ORG + "/units/{unit_id}/members/new"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/units/{unit_id}/members/new"): COORDINATOR_ONLY_FORM,
    ("GET", ORG + "/members/{member_id}/delete"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/members/{member_id}/delete"): COORDINATOR_ONLY_ACTION,
    ("GET", ORG + "/seats"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/seats"): COORDINATOR_ONLY_ACTION,
    ("GET", ORG + "/agreement"): COORDINATOR_ONLY_PAGE,
    ("POST", ORG + "/agreement"): COORDINATOR_ONLY_FORM,
    ("GET", ORG + "/agreement/document"): (LOGIN, 404, 404, 404, 404),
}
