"""Routes of the pages that join areas: home and dashboards, accounts, the student record,
imports and PDF batches."""

from college.views import accounts, batches, home, imports, records

routes = [
    *home.routes,
    *accounts.routes,
    *records.routes,
    *imports.routes,
    *batches.routes,
]
