"""Pages of the partners app: enterprises (being built)."""

routes: list = []
