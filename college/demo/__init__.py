"""The demo college: people, enterprises and joint organizations, projects and mentors, the
talent pool and its pipeline, seeded through the same rules as the pages (`seed.seed_demo`)."""
