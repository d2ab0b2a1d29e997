"""Routes of the partners app: enterprises, organizations, projects and mentors arrive with
their issues."""

routes: list = []
