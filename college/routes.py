"""Routes of the pages that join areas: home and dashboards, accounts, the student record,
imports and PDF batches, the metrics."""

from college.views import accounts, batches, filings, home, imports, metrics, records

routes = [
    *home.routes,
    *accounts.routes,
    *records.routes,
    *imports.routes,
    *batches.routes,
    *metrics.routes,
    *filings.routes,
]
