from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from portal.db import run_script

ID = "2026-11-30T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "The write generation on PostgreSQL: a row bumped, inside the writing transaction, by a "
    "deferred trigger on every table (caches keyed to it are never stale past a write). "
    "SQLite needs nothing: PRAGMA data_version tells the same."
)

CREATE = """
CREATE TABLE IF NOT EXISTS portal_write_generation (
    id INTEGER PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO portal_write_generation (id, value) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION portal_bump_write_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the first row changed bumps, the others find the mark.
    IF current_setting('portal.generation_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE portal_write_generation SET value = value + 1 WHERE id = 1;
        PERFORM set_config('portal.generation_bumped', 'yes', true);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION portal_install_write_generation_triggers() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    missing record;
    installed integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('portal_write_generation'));
    FOR missing IN
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND ns.nspname = current_schema()
          AND c.relname <> 'portal_write_generation'
          AND NOT EXISTS (
              SELECT 1 FROM pg_trigger t
              WHERE t.tgrelid = c.oid AND t.tgname = 'portal_write_generation'
          )
    LOOP
        -- Deferred to the commit, so the generation row is locked only while committing:
        -- writers never wait on it mid-transaction, and never deadlock over it.
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER portal_write_generation '
            'AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED '
            'FOR EACH ROW EXECUTE FUNCTION portal_bump_write_generation()',
            missing.relname
        );
        installed := installed + 1;
    END LOOP;
    RETURN installed;
END $$;

SELECT portal_install_write_generation_triggers();
"""

DROP = """
DO $$
DECLARE
    found record;
BEGIN
    FOR found IN
        SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = 'portal_write_generation'
    LOOP
        EXECUTE format('DROP TRIGGER portal_write_generation ON %I', found.relname);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS portal_install_write_generation_triggers();
DROP FUNCTION IF EXISTS portal_bump_write_generation();
DROP TABLE IF EXISTS portal_write_generation;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_generation():
        if engine_finder().engine_type == "postgres":  # SQLite has PRAGMA data_version
            await run_script(CREATE)

    async def drop_generation():
        if engine_finder().engine_type == "postgres":
            await run_script(DROP)

    manager.add_raw(create_generation)
    manager.add_raw_backwards(drop_generation)
    return manager
