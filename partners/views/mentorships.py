"""Pages of the partners app: mentorships (being built)."""

routes: list = []
