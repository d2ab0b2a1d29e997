"""The portal app's routes, gathered from its page families."""

from portal.views import accounts, audit, auth, batches, home, imports, records, students

routes = [
    *auth.routes,
    *home.routes,
    *students.routes,
    *accounts.routes,
    *audit.routes,
    *records.routes,
    *imports.routes,
    *batches.routes,
]
