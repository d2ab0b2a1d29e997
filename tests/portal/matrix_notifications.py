"""Access matrix entries for the inbox and the notification settings (merged into
tests/portal/test_access.py): every signed-in role has its own, the signed-out sign in first.

Order of outcomes: anonymous, coordinator, partner, student, mentor."""

LOGIN = "login"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/inbox"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/inbox/read-all"): (LOGIN, 303, 303, 303, 303),
    ("GET", "/inbox/count"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/account/notifications"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/account/notifications"): (LOGIN, 400, 400, 400, 400),  # an empty form
}
