"""Search that does not scan: an n-gram index of the searched names and numbers.

A search box finds rows whose name (or number) *contains* what was typed, and Chinese names are
one to three characters: ``LIKE '%王%'`` can use no index and read every student. Instead every
searched text is cut into its distinct substrings of one to three characters (its terms), kept
in ``portal_search_term`` by database triggers, on both engines, whatever writes the row (a
form, an import, the demo, the CLI). A query of up to three characters is then one term: an
index look-up, exact. A longer query needs every one of its three-character terms at hand
(an index look-up each) and is then confirmed with LIKE on those few rows only.

SQLite FTS5's trigram tokenizer and PostgreSQL's pg_trgm need three characters, so they could
not serve a search for 王 or 王芳; this index does, the same way on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal.sql import like_pattern

TERM_LENGTH = 3
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class SearchKind:
    """What one kind of row indexes: its table and the columns cut into terms."""

    kind: str
    table: str
    columns: tuple[str, ...]


STUDENTS = SearchKind("student", "portal_student", ("name", "student_no"))
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalized(query: str) -> str:
    """The query as the index stores terms: trimmed, ASCII letters in lower case (SQLite's
    lower() folds ASCII only, and the terms must match on both engines)."""
    return query.strip()[:MAX_QUERY_LENGTH].translate(ASCII_LOWER)


def query_terms(query: str) -> list[str]:
    """The terms a row must have to contain the query: the query itself up to three
    characters; otherwise its first, middle and last three-character pieces."""
    text = normalized(query)
    if len(text) <= TERM_LENGTH:
        return [text] if text else []
    last = len(text) - TERM_LENGTH
    starts = sorted({0, last // 2, last})
    return [text[start : start + TERM_LENGTH] for start in starts]


@dataclass(frozen=True)
class Match:
    """A search as SQL: ``{id} IN (…)`` conditions on the owner's id, and for queries longer
    than a term the LIKE that confirms the candidates."""

    kind: str
    terms: tuple[str, ...]
    pattern: str | None

    @classmethod
    def of(cls, kind: str, query: str) -> Match:
        terms = tuple(query_terms(query))
        long_query = len(normalized(query)) > TERM_LENGTH
        return cls(kind, terms, like_pattern(query.strip()) if long_query else None)

    def sql(self, id_column: str, columns: tuple[str, ...], prefix: str = "q") -> str:
        """The condition in read-layer SQL, with ``:{prefix}_term_N`` and ``:{prefix}_pattern``
        parameters (see ``params``). ``columns`` are the searched columns as the statement
        names them (e.g. ``s.name``), for the LIKE confirmation."""
        parts = [
            f"{id_column} IN (SELECT owner FROM portal_search_term "
            f"WHERE kind = '{self.kind}' AND term = :{prefix}_term_{index})"
            for index in range(len(self.terms))
        ]
        if self.pattern is not None:
            likes = " OR ".join(f"{column} ILIKE :{prefix}_pattern" for column in columns)
            parts.append(f"({likes})")
        return " AND ".join(parts) or "1 = 1"

    def params(self, prefix: str = "q") -> dict[str, Any]:
        params: dict[str, Any] = {
            f"{prefix}_term_{index}": term for index, term in enumerate(self.terms)
        }
        if self.pattern is not None:
            params[f"{prefix}_pattern"] = self.pattern
        return params

    @property
    def shape(self) -> tuple[int, bool]:
        """What the SQL's text depends on (for compiling each shape once)."""
        return len(self.terms), self.pattern is not None

    def where(self, id_column: str, columns: tuple[str, ...], postgres: bool) -> WhereRaw:
        """The same condition for a Piccolo query (``id_column`` and ``columns`` as the
        query's SQL names them, e.g. ``portal_student.id``)."""
        parts = [
            f"{id_column} IN (SELECT owner FROM portal_search_term "
            f"WHERE kind = '{self.kind}' AND term = {{}})"
            for _ in self.terms
        ]
        values: list[Any] = list(self.terms)
        if self.pattern is not None:
            like = "ILIKE" if postgres else "LIKE"
            parts.append("(" + " OR ".join(f"{column} {like} {{}}" for column in columns) + ")")
            values += [self.pattern] * len(columns)
        return WhereRaw(" AND ".join(parts) or "1 = 1", *values)


# --- the index, as the migrations create it ------------------------------------------------

SQLITE_INDEX = """
CREATE TABLE IF NOT EXISTS portal_search_term (
    kind TEXT NOT NULL,
    term TEXT NOT NULL,
    owner INTEGER NOT NULL,
    PRIMARY KEY (kind, term, owner)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS portal_search_term_owner ON portal_search_term (kind, owner);
CREATE TABLE IF NOT EXISTS portal_search_position (n INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO portal_search_position (n)
    WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 255)
    SELECT v FROM n;
"""

POSTGRES_INDEX = """
CREATE TABLE IF NOT EXISTS portal_search_term (
    kind VARCHAR(20) NOT NULL,
    term VARCHAR(3) NOT NULL,
    owner INTEGER NOT NULL,
    PRIMARY KEY (kind, term, owner)
);
CREATE INDEX IF NOT EXISTS portal_search_term_owner ON portal_search_term (kind, owner);
CREATE OR REPLACE FUNCTION portal_search_terms(texts TEXT[]) RETURNS SETOF TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT DISTINCT lower(substr(t, p, w))
    FROM unnest(texts) AS t, generate_series(1, 255) AS p, generate_series(1, 3) AS w
    WHERE t IS NOT NULL AND p + w - 1 <= length(t)
$$;
"""


def sqlite_triggers(searched: SearchKind) -> str:
    """Triggers keeping one kind's terms in step with its table (insert, update, delete)."""
    kind, table, columns = searched.kind, searched.table, searched.columns
    sources = " UNION ALL ".join(f"SELECT NEW.{column} AS text" for column in columns)
    insert = f"""
        INSERT OR IGNORE INTO portal_search_term (kind, term, owner)
        SELECT '{kind}', lower(substr(src.text, p.n, w.len)), NEW.id
        FROM ({sources}) AS src
        JOIN portal_search_position AS p ON p.n <= length(src.text)
        JOIN (SELECT 1 AS len UNION ALL SELECT 2 UNION ALL SELECT 3) AS w
          ON p.n + w.len - 1 <= length(src.text);"""
    forget = f"DELETE FROM portal_search_term WHERE kind = '{kind}' AND owner = OLD.id;"
    watched = ", ".join(columns)
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_search_insert AFTER INSERT ON {table}
BEGIN {insert} END;
CREATE TRIGGER IF NOT EXISTS {table}_search_update AFTER UPDATE OF {watched} ON {table}
BEGIN {forget} {insert} END;
CREATE TRIGGER IF NOT EXISTS {table}_search_delete AFTER DELETE ON {table}
BEGIN {forget} END;
"""


def postgres_triggers(searched: SearchKind) -> str:
    kind, table, columns = searched.kind, searched.table, searched.columns
    texts = ", ".join(f"NEW.{column}" for column in columns)
    watched = ", ".join(columns)
    return f"""
CREATE OR REPLACE FUNCTION {table}_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM portal_search_term WHERE kind = '{kind}' AND owner = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO portal_search_term (kind, term, owner)
        SELECT '{kind}', term, NEW.id FROM portal_search_terms(ARRAY[{texts}]) AS term
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {table}_search ON {table};
CREATE TRIGGER {table}_search AFTER INSERT OR UPDATE OF {watched} OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_search();
"""


def backfill(searched: SearchKind, engine_type: str) -> str:
    """Terms for the rows already in the table (the triggers take care of later writes)."""
    kind, table, columns = searched.kind, searched.table, searched.columns
    if engine_type == "postgres":
        texts = ", ".join(f"x.{column}" for column in columns)
        return f"""
INSERT INTO portal_search_term (kind, term, owner)
SELECT '{kind}', term, x.id FROM {table} AS x, portal_search_terms(ARRAY[{texts}]) AS term
ON CONFLICT DO NOTHING;
"""
    sources = " UNION ALL ".join(f"SELECT id, {column} AS text FROM {table}" for column in columns)
    return f"""
INSERT OR IGNORE INTO portal_search_term (kind, term, owner)
SELECT '{kind}', lower(substr(src.text, p.n, w.len)), src.id
FROM ({sources}) AS src
JOIN portal_search_position AS p ON p.n <= length(src.text)
JOIN (SELECT 1 AS len UNION ALL SELECT 2 UNION ALL SELECT 3) AS w
  ON p.n + w.len - 1 <= length(src.text);
"""


def index_script(kinds: list[SearchKind], engine_type: str) -> str:
    """Everything a migration runs to index these kinds (the table itself, if missing)."""
    if engine_type == "postgres":
        parts = [POSTGRES_INDEX, *(postgres_triggers(kind) for kind in kinds)]
    else:
        parts = [SQLITE_INDEX, *(sqlite_triggers(kind) for kind in kinds)]
    parts += [backfill(kind, engine_type) for kind in kinds]
    return "\n".join(parts)


def drop_script(kinds: list[SearchKind], engine_type: str) -> str:
    statements = []
    for searched in kinds:
        kind, table = searched.kind, searched.table
        if engine_type == "postgres":
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_search ON {table};",
                f"DROP FUNCTION IF EXISTS {table}_search();",
            ]
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_search_{event};"
                for event in ("insert", "update", "delete")
            ]
        statements.append(f"DELETE FROM portal_search_term WHERE kind = '{kind}';")
    return "\n".join(statements)
