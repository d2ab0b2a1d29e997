"""What the partners area indexes for search (see portal.search): enterprises by name and
unified social credit code, mentors by name."""

from portal.search import SearchKind

ENTERPRISES = SearchKind("enterprise", "partners_enterprise", ("name", "credit_code"))
MENTORS = SearchKind("mentor", "partners_mentor", ("name",))
