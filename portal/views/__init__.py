"""Pages of the base (signing in, students, the audit log), one module per page family."""
