"""Pages of the partners app: organizations (being built)."""

routes: list = []
