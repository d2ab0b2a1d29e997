"""Routes of the partners app: its two areas, enterprises and their party organizations, and
co-education."""

from partners.coeducation.views import (
    bulk,
    mentors,
    mentorships,
    projects,
    summary,
    weekly_logs,
    weekly_reviews,
)
from partners.organizations.views import (
    activities,
    agreements,
    enterprises,
    members,
    organizations,
    plans,
    reports,
    seats,
    units,
)

routes = [
    *enterprises.routes,
    *organizations.routes,
    *units.routes,
    *members.routes,
    *seats.routes,
    *agreements.routes,
    *activities.routes,
    *plans.routes,
    *projects.routes,
    *mentors.routes,
    *mentorships.routes,
    *reports.routes,
    *summary.routes,
    *bulk.routes,
    *weekly_logs.routes,
    *weekly_reviews.routes,
]
