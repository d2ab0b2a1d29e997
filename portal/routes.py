"""The portal app's routes, gathered from its page families."""

from portal.views import accounts, audit, auth, home, records, students

routes = [
    *auth.routes,
    *home.routes,
    *students.routes,
    *accounts.routes,
    *audit.routes,
    *records.routes,
]
