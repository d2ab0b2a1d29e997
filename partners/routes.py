"""Routes of the partners app: enterprises, joint organizations with their activities and
plans, co-education projects, mentors and dual-mentor assignments."""

from partners.views import (
    activities,
    enterprises,
    mentors,
    mentorships,
    organizations,
    plans,
    projects,
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
