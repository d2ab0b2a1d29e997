"""Routes of the partners app: its two areas, enterprises and their party organizations, and
co-education."""

from partners.coeducation.views import mentors, mentorships, projects
from partners.organizations.views import (
    activities,
    enterprises,
    organizations,
    plans,
    reports,
)

routes = [
    *enterprises.routes,
    *organizations.routes,
    *activities.routes,
    *plans.routes,
    *projects.routes,
    *mentors.routes,
    *mentorships.routes,
    *reports.routes,
]
