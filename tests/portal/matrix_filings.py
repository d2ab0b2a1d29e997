"""Access matrix entries for filing exports (报送导出; merged into tests/portal/test_access.py).

Export profiles are the college's: coordinators only; everyone else is told there is no such
page. Posting an empty form is a form error (400); copying a profile redirects to the copy,
deleting one (after its confirmation page) to the list.
"""

from __future__ import annotations

LOGIN = "login"

PROFILE = "/filings/{profile_id}"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/filings/"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/filings/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/filings/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", PROFILE): (LOGIN, 200, 404, 404, 404),
    ("POST", PROFILE): (LOGIN, 400, 404, 404, 404),
    ("POST", PROFILE + "/copy"): (LOGIN, 303, 404, 404, 404),
    ("GET", PROFILE + "/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", PROFILE + "/delete"): (LOGIN, 303, 404, 404, 404),
    ("GET", PROFILE + "/export"): (LOGIN, 200, 404, 404, 404),
    ("POST", PROFILE + "/export"): (LOGIN, 400, 404, 404, 404),
}


def objects(people) -> dict[str, int]:
    """A placement filing profile."""
    from college.filings import default_columns
    from tests.portal.filing_support import make_profile

    return {"profile_id": make_profile(columns=default_columns("placements"))}
