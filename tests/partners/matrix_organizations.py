"""Access matrix entries for the organizations pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Paths use {enterprise_a}/{enterprise_b} (the partner's own enterprise and
another one), {organization_a}/{organization_b} (an organization with enterprise_a as a member
unit, and one without it), and the ids defined in tests/portal/test_access.py concrete().
"""

MATRIX: dict[tuple[str, str], tuple] = {}
