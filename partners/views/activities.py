"""Pages of the partners app: activities (being built)."""

routes: list = []
