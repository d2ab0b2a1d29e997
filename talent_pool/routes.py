"""Routes of the talent pool: the pool and its student pages, score settings, flags and
reviews, the recruitment pipeline and its due list, and the pool's exports."""

from talent_pool.views import flags, pipeline, pool, settings

routes = [
    *settings.routes,
    *pipeline.routes,
    *flags.routes,
    *pool.routes,
]
