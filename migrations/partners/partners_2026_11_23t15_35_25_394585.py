"""One row per (organization, seat) and per (activity, attendee): unique indexes that
Piccolo's column options cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T15:35:25:394585"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes for seats and attendance"

INDEXES = [
    ("partners_committee_seat_unique", "partners_committee_seat", "organization, seat"),
    ("partners_member_attendance_unique", "partners_member_attendance", "activity, member"),
    ("partners_student_attendance_unique", "partners_student_attendance", "activity, student"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for name, table, columns in INDEXES:
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop_indexes():
        engine = engine_finder()
        for name, _, _ in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
