"""Routes of the partners app: enterprises, joint organizations, their activities and plans."""

from partners.views import activities, enterprises, organizations, plans

routes = [*enterprises.routes, *organizations.routes, *activities.routes, *plans.routes]
