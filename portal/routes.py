"""The base's routes: signing in and out, students, the audit log, the rule book, the icon, the
health checks."""

from portal.views import audit, auth, favicon, health, notifications, rules, students

routes = [
    *auth.routes,
    *notifications.routes,
    *students.routes,
    *audit.routes,
    *rules.routes,
    *favicon.routes,
    *health.routes,
]
