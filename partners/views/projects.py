"""Pages of the partners app: projects (being built)."""

routes: list = []
