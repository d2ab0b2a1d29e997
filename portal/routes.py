"""The base's routes: signing in and out, students, the audit log, the rule book, the icon."""

from portal.views import audit, auth, favicon, rules, students

routes = [
    *auth.routes,
    *students.routes,
    *audit.routes,
    *rules.routes,
    *favicon.routes,
]
