"""Access matrix entries for the mentorships pages (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py: they
name the OTHER side's objects (people.theirs: enterprise_b's project, other_student's
assignment, log, evaluation and award), so partner_a, student1 and mentor1 get 404 there.
"""

MATRIX: dict[tuple[str, str], tuple] = {}
