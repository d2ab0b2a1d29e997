"""Pages of the partners app: plans (being built)."""

routes: list = []
