"""校企协同育人门户 — the portal app: accounts, students, audit log and shared pieces."""
