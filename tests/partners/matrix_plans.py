"""Access matrix entries for the plans pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Paths use {enterprise_a}/{enterprise_b} (the partner's own enterprise and
another one), {organization_a}/{organization_b} (an organization with enterprise_a as a member
unit, and one without it), and the ids defined in tests/portal/test_access.py concrete().

The organization is the other enterprise's, so the partner gets 404 on every page; its own
organization's pages are tested in tests/partners/test_plans.py.
"""

LOGIN = "login"
ORG = "/organizations/{organization_id}/plans"
PLAN = ORG + "/{plan_id}"
ITEM = PLAN + "/items/{item_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", ORG + "/"): (LOGIN, 200, 404, 404, 404),
    ("GET", ORG + "/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", ORG + "/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", PLAN): (LOGIN, 200, 404, 404, 404),
    ("GET", PLAN + "/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", PLAN + "/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", PLAN + "/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", PLAN + "/delete"): (LOGIN, 303, 404, 404, 404),
    ("GET", PLAN + "/items/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", PLAN + "/items/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", ITEM + "/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", ITEM + "/edit"): (LOGIN, 400, 404, 404, 404),
    ("POST", ITEM + "/toggle"): (LOGIN, 303, 404, 404, 404),
    ("GET", ITEM + "/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", ITEM + "/delete"): (LOGIN, 303, 404, 404, 404),
}
