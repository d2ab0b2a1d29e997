"""The base's routes: signing in and out, students, the audit log, and the rule book."""

from portal.views import audit, auth, rules, students

routes = [
    *auth.routes,
    *students.routes,
    *audit.routes,
    *rules.routes,
]
