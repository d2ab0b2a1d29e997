"""Routes of the talent pool (the pool and pipeline pages come with their issue)."""

routes: list = []
