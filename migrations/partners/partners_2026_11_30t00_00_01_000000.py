"""Uniqueness rules that Piccolo's column options cannot express: one row per (organization,
seat) and per (activity, attendee); one evaluation per mentor, assignment and term; one live
participation per student and project; one active dual-mentor assignment per student and
project (partial unique indexes, on SQLite and PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes for seats, attendance, evaluations, participations, assignments"

INDEXES = [
    ("partners_committee_seat_unique", "partners_committee_seat", "organization, seat", ""),
    ("partners_member_attendance_unique", "partners_member_attendance", "activity, member", ""),
    ("partners_student_attendance_unique", "partners_student_attendance", "activity, student", ""),
    ("partners_evaluation_unique", "partners_evaluation", "assignment, mentor, term", ""),
    (
        "partners_participation_live_unique",
        "partners_participation",
        "project, student",
        "WHERE status IN ('pending', 'active')",
    ),
    (
        "partners_assignment_active_unique",
        "partners_mentor_assignment",
        "student, project",
        "WHERE status = 'active'",
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for name, table, columns, where in INDEXES:
            await engine.run_ddl(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns}) {where}"
            )

    async def drop_indexes():
        engine = engine_finder()
        for name, *_ in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
