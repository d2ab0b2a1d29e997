"""The base's routes: signing in and out, students, and the audit log."""

from portal.views import audit, auth, students

routes = [
    *auth.routes,
    *students.routes,
    *audit.routes,
]
