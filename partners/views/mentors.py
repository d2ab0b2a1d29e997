"""Pages of the partners app: mentors (being built)."""

routes: list = []
