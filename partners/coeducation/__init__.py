"""Co-education (协同育人): projects (order classes, training bases, research, workstations)
with their participations and placements, mentors, and dual-mentor assignments (双导师) with
their mentoring logs and evaluations."""
