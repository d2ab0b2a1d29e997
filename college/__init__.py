"""The top layer: pages that join several areas — the home page and dashboards, the student
record (成长档案), imports, PDF batches, accounts (which tie a user to a student, an enterprise
or a mentor) and the demo college — and the application and command line that assemble every
area. It is the only package that imports more than one app (see the import-linter contracts in
pyproject.toml)."""
