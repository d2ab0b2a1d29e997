"""The talent pool's transparent score (人才库评分): five parts of 0–100 each, weighted into a
total, recomputed in the database for a whole cohort or the whole college at once.

- evaluation part: the average of the student's evaluations, each the mean of its five
  dimensions (政治素养, 专业技能, 实践能力, 创新精神, 工匠精神);
- award part: Σ level points × rank factor over the student's awards, at most 100;
- attendance part: activities attended × points per activity, at most 100;
- recommendation part: nominations (not declined) × points per nomination, at most 100;
- weekly log part (实习周志): see `weekly_part` — the share of the weeks written that the
  enterprise mentor confirmed, averaged with the college mentor's grades (A 100, B 85, C 70,
  D 50) when some week is graded; 0 without weekly logs;
- total: Σ weight × part / Σ weights, rounded to one decimal place.

`rescore` replaces the StudentScore rows of its scope with one DELETE and one
INSERT … SELECT over aggregate subqueries — no row-by-row Python — so 20,000 students take
well under a second or two, on SQLite and PostgreSQL alike. `flag_candidates` then flags the
students at or above the threshold, or in the top share of their cohort, who are not in the
pool yet.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from portal.audit import Actor, audited_write
from portal.db import DATABASE_ERRORS
from portal.domain_errors import Conflict
from portal.events import StudentsChanged, subscribe
from portal.forms import FormState
from portal.i18n import _, lazy
from portal.tables import Student
from talent_pool.tables import (
    Flag,
    FlagSource,
    FlagStatus,
    PoolEntry,
    PoolStatus,
    ScoreSettings,
    StudentScore,
)

logger = logging.getLogger("portal")

SYSTEM = Actor(None, "system")  # writes made by the portal itself (commands, background)
# What a re-score can fail with once the change that asked for it is committed: the database
# refusing or losing the work (SQLite's errors, such as "database is locked"; PostgreSQL's,
# such as a deadlock or a lost connection; a connection or timeout error) or a clash with a
# concurrent write (Conflict). A bug is not among them: it surfaces as an error page.
RESCORE_FAILURES: tuple[type[BaseException], ...] = (*DATABASE_ERRORS, Conflict)

WEIGHT_FIELDS = (
    "evaluation_weight",
    "award_weight",
    "attendance_weight",
    "recommendation_weight",
    "weekly_weight",
)
LEVEL_FIELDS = {  # award level → the settings field with its points
    "national": "national_points",
    "provincial": "provincial_points",
    "municipal": "municipal_points",
    "school": "school_points",
}
POINT_FIELDS = (*LEVEL_FIELDS.values(), "attendance_points", "recommendation_points")
# field → (minimum, maximum) of the settings form
SETTINGS_RANGES: dict[str, tuple[int, int]] = {
    **{name: (0, 100) for name in WEIGHT_FIELDS},
    **{name: (0, 100) for name in POINT_FIELDS},
    "threshold": (0, 100),
    "top_share": (0, 50),
}
SETTINGS_FIELDS = [*SETTINGS_RANGES, "note"]
NOTE_MAX_LENGTH = 300

SETTINGS_LABELS: dict[str, str] = {
    "evaluation_weight": lazy("Weight of evaluations"),
    "award_weight": lazy("Weight of awards"),
    "attendance_weight": lazy("Weight of activity attendance"),
    "recommendation_weight": lazy("Weight of recommendations"),
    "weekly_weight": lazy("Weight of the weekly placement log"),
    "national_points": lazy("National award points"),  # 国家级
    "provincial_points": lazy("Provincial award points"),  # 省级
    "municipal_points": lazy("Municipal award points"),  # 市级
    "school_points": lazy("School award points"),  # 校级
    "attendance_points": lazy("Points per activity attended"),
    "recommendation_points": lazy("Points per nomination"),
    "threshold": lazy("Threshold (total)"),
    "top_share": lazy("Top share of the cohort (%)"),
    "note": lazy("Note"),
}

# The rank factor of an award, read from its rank text (名次/等级). The first row whose words
# occur in the rank wins; a blank rank counts fully, anything else (优秀奖, 入围 …) 0.4.
BLANK_RANK_FACTOR = 1.0
RANK_FACTORS: list[tuple[float, tuple[str, ...]]] = [
    (1.0, ("特等", "一等", "金", "第1名", "冠军")),
    (0.8, ("二等", "银", "第2名", "亚军")),
    (0.6, ("三等", "铜", "第3名", "季军")),
]
OTHER_RANK_FACTOR = 0.4

# The five parts in the order they show: key, label, weight field, count column.
PARTS: list[tuple[str, str, str, str]] = [
    ("evaluation_part", lazy("Evaluations"), "evaluation_weight", "evaluation_count"),
    ("award_part", lazy("Awards"), "award_weight", "award_count"),
    ("attendance_part", lazy("Activity attendance"), "attendance_weight", "attendance_count"),
    (
        "recommendation_part",
        lazy("Recommendations"),
        "recommendation_weight",
        "recommendation_count",
    ),
    ("weekly_part", lazy("Weekly placement log"), "weekly_weight", "weekly_count"),
]
PART_KEYS = [key for key, *_ in PARTS]


# The college mentor's grade of a week (实习周志), as points of the weekly log part.
GRADE_POINTS: dict[str, int] = {"A": 100, "B": 85, "C": 70, "D": 50}


def weekly_part(written: int, confirmed: int, grades: Iterable[str]) -> float:
    """The weekly log part (0–100) of a student with ``written`` weekly logs, ``confirmed`` of
    them confirmed by the enterprise mentor, and the college mentor's ``grades`` ("" for a
    week not graded):

    - confirmed share = 100 × confirmed ÷ written (0 without weekly logs);
    - with at least one graded week: (confirmed share + average grade points) ÷ 2, the
      grade points A 100, B 85, C 70, D 50 averaged over the graded weeks;
    - without a graded week: the confirmed share alone.
    The SQL in `score_sql` computes the same."""
    if written <= 0:
        return 0.0
    share = 100.0 * confirmed / written
    points = [GRADE_POINTS[grade] for grade in grades if grade in GRADE_POINTS]
    if not points:
        return share
    return (share + sum(points) / len(points)) / 2


def grade_points_sql(grade: str = "w.grade") -> str:
    whens = " ".join(f"WHEN '{g}' THEN {sql_number(p)}" for g, p in GRADE_POINTS.items())
    return f"CASE {grade} {whens} ELSE NULL END"


# --- settings ----------------------------------------------------------------------------------


def default_settings() -> dict[str, Any]:
    """The settings in force before a coordinator saved any: the columns' defaults."""
    values = {
        column._meta.name: column.get_default_value()
        for column in ScoreSettings._meta.columns
        if column._meta.name in SETTINGS_FIELDS
    }
    return {**values, "id": None, "changed_by": None, "changed_at": None}


async def current_settings() -> dict[str, Any]:
    """The newest ScoreSettings row (the one in force), or the defaults when there is none."""
    row = await ScoreSettings.select().order_by(ScoreSettings.id, ascending=False).first()
    return row if row is not None else default_settings()


def check_settings_form(form: FormState) -> dict[str, Any]:
    """Validates a settings form in place (errors go on `form`); returns the cleaned values."""
    values: dict[str, Any] = {}
    for name, (minimum, maximum) in SETTINGS_RANGES.items():
        values[name] = form.integer(name, minimum=minimum, maximum=maximum)
    weights = [values[name] for name in WEIGHT_FIELDS]
    if all(weight is not None for weight in weights) and not any(weights):
        form.add_error("weights", _("At least one weight must be greater than 0."))
    form.max_length("note", NOTE_MAX_LENGTH)
    values["note"] = form.values.get("note", "")
    return values


def settings_form_values(settings: Mapping[str, Any]) -> dict[str, str]:
    """A settings row as the form shows it (to start an edit from the settings in force)."""
    values = {name: str(settings[name]) for name in SETTINGS_RANGES}
    values["note"] = ""
    return values


async def save_settings(values: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    """Adds a version of the settings (the history keeps every earlier one); audited."""
    row = {name: values[name] for name in SETTINGS_FIELDS}
    row["changed_by"] = actor.user_id
    async with audited_write(actor) as audit:
        inserted = await ScoreSettings.insert(ScoreSettings(**row)).returning(ScoreSettings.id)
        settings_id = inserted[0]["id"]
        await audit.created(
            ScoreSettings, settings_id, row, _("Score settings version %(id)s", id=settings_id)
        )
    return {**row, "id": settings_id}


async def settings_history(limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the settings' versions, newest first, with who saved each, and the count."""
    rows = (
        await ScoreSettings.select(
            *ScoreSettings.all_columns(),
            ScoreSettings.changed_by.username.as_alias("changed_by_name"),
        )
        .order_by(ScoreSettings.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return rows, await ScoreSettings.count()


# --- the score in SQL ----------------------------------------------------------------------------


def is_postgres() -> bool:
    return StudentScore._meta.db.engine_type == "postgres"


def sql_number(value: float | int) -> str:
    """A number written into the SQL text. Only integers from validated settings and our own
    constants get here, so nothing a user typed ever becomes SQL."""
    return repr(float(value))


def rank_factor_sql(rank: str = "a.rank") -> str:
    """The rank factor of an award as a SQL CASE over its rank text."""
    whens = [f"WHEN TRIM(COALESCE({rank}, '')) = '' THEN {sql_number(BLANK_RANK_FACTOR)}"]
    for factor, words in RANK_FACTORS:
        matches = " OR ".join(f"{rank} LIKE '%{word}%'" for word in words)
        whens.append(f"WHEN {matches} THEN {sql_number(factor)}")
    return f"CASE {' '.join(whens)} ELSE {sql_number(OTHER_RANK_FACTOR)} END"


def level_points_sql(settings: Mapping[str, Any], level: str = "a.level") -> str:
    whens = " ".join(
        f"WHEN '{code}' THEN {sql_number(int(settings[field]))}"
        for code, field in LEVEL_FIELDS.items()
    )
    return f"CASE {level} {whens} ELSE 0.0 END"


def capped(expression: str) -> str:
    """min(100, expression), written so SQLite and PostgreSQL both understand it."""
    return (
        f"CAST(CASE WHEN {expression} > 100 THEN 100.0 ELSE {expression} END AS DOUBLE PRECISION)"
    )


def score_sql(settings: Mapping[str, Any], cohort_year: int | None) -> tuple[str, str, list[Any]]:
    """The score of every student in scope as (WITH clause, final SELECT, arguments): the
    SELECT returns one row per student with the five parts, their counts, the total and the
    cohort rank and size. `rescore` puts an INSERT between the two; the bench runs them as
    they are (the same aggregate, read only)."""
    args: list[Any] = []
    cohort_filter = ""
    if cohort_year is not None:
        cohort_filter = "WHERE s.cohort_year = {}"
        args.append(cohort_year)
    attendance_points = sql_number(int(settings["attendance_points"]))
    recommendation_points = sql_number(int(settings["recommendation_points"]))
    weights = {key: int(settings[weight]) for key, _label, weight, _count in PARTS}
    weight_sum = sum(weights.values())
    if weight_sum:
        weighted = " + ".join(f"{sql_number(w)} * {key}" for key, w in weights.items())
        total = (
            f"CAST(ROUND(CAST(({weighted}) / {sql_number(weight_sum)} AS NUMERIC), 1)"
            " AS DOUBLE PRECISION)"
        )
    else:
        total = "0.0"
    with_clause = f"""
WITH ev AS (
    SELECT ma.student AS student_id, COUNT(*) AS n,
           AVG(CAST(e.political + e.professional + e.practical + e.innovation
                    + e.craftsmanship AS DOUBLE PRECISION) / 5.0) AS part
    FROM partners_evaluation e
    JOIN partners_mentor_assignment ma ON ma.id = e.assignment
    GROUP BY ma.student
), aw AS (
    SELECT a.student AS student_id, COUNT(*) AS n,
           CAST(SUM(({level_points_sql(settings)}) * ({rank_factor_sql()}))
                AS DOUBLE PRECISION) AS points
    FROM talent_pool_award a
    GROUP BY a.student
), att AS (
    SELECT sa.student AS student_id, COUNT(DISTINCT sa.activity) AS n
    FROM partners_student_attendance sa
    GROUP BY sa.student
), rec AS (
    SELECT f.student AS student_id, COUNT(*) AS n
    FROM talent_pool_flag f
    WHERE f.source = '{FlagSource.nomination.value}'
      AND NOT EXISTS (
        SELECT 1 FROM talent_pool_flag_review r
        WHERE r.flag = f.id AND r.decision = 'decline')
    GROUP BY f.student
), wk AS (
    SELECT w.student AS student_id, COUNT(*) AS n,
           CAST(SUM(CASE WHEN w.status = 'confirmed' THEN 1 ELSE 0 END) AS DOUBLE PRECISION)
               * 100.0 / COUNT(*) AS share,
           AVG({grade_points_sql()}) AS grades
    FROM partners_weekly_log w
    GROUP BY w.student
), parts AS (
    SELECT s.id AS student_id, s.cohort_year AS cohort_year,
           CAST(COALESCE(ev.part, 0) AS DOUBLE PRECISION) AS evaluation_part,
           {capped("COALESCE(aw.points, 0)")} AS award_part,
           {capped(f"COALESCE(att.n, 0) * {attendance_points}")} AS attendance_part,
           {capped(f"COALESCE(rec.n, 0) * {recommendation_points}")} AS recommendation_part,
           CAST(CASE WHEN wk.n IS NULL THEN 0.0
                     WHEN wk.grades IS NULL THEN wk.share
                     ELSE (wk.share + wk.grades) / 2.0 END AS DOUBLE PRECISION) AS weekly_part,
           COALESCE(ev.n, 0) AS evaluation_count,
           COALESCE(aw.n, 0) AS award_count,
           COALESCE(att.n, 0) AS attendance_count,
           COALESCE(rec.n, 0) AS recommendation_count,
           COALESCE(wk.n, 0) AS weekly_count
    FROM portal_student s
    LEFT JOIN ev ON ev.student_id = s.id
    LEFT JOIN aw ON aw.student_id = s.id
    LEFT JOIN att ON att.student_id = s.id
    LEFT JOIN rec ON rec.student_id = s.id
    LEFT JOIN wk ON wk.student_id = s.id
    {cohort_filter}
), totals AS (
    SELECT parts.*, {total} AS total FROM parts
)"""
    select = """
SELECT student_id, evaluation_part, award_part, attendance_part, recommendation_part,
       weekly_part, total,
       evaluation_count, award_count, attendance_count, recommendation_count, weekly_count,
       RANK() OVER (PARTITION BY cohort_year ORDER BY total DESC) AS cohort_rank,
       COUNT(*) OVER (PARTITION BY cohort_year) AS cohort_size
FROM totals"""
    return with_clause, select, args


SCORE_COLUMNS = (
    '"student", "evaluation_part", "award_part", "attendance_part", "recommendation_part", '
    '"weekly_part", "total", "evaluation_count", "award_count", "attendance_count", '
    '"recommendation_count", "weekly_count", '
    '"cohort_rank", "cohort_size", "settings", "computed_at"'
)


def rescore_sql(
    settings: Mapping[str, Any], cohort_year: int | None, now: datetime.datetime
) -> tuple[str, list[Any]]:
    """The INSERT … SELECT that writes the scores of the scope (after its rows are deleted)."""
    with_clause, select, args = score_sql(settings, cohort_year)
    settings_id = settings.get("id")
    settings_value = str(int(settings_id)) if settings_id is not None else "CAST(NULL AS INTEGER)"
    computed_at = "CAST({} AS TIMESTAMP)" if is_postgres() else "{}"
    sql = (
        f"{with_clause}\nINSERT INTO talent_pool_student_score ({SCORE_COLUMNS})\n"
        f"SELECT q.*, {settings_value}, {computed_at} FROM ({select}) q"
    )
    return sql, [*args, now]


async def lock_for_writing(table: type[Table]) -> None:
    """Serialises writers of a table for the rest of the transaction. On SQLite every write
    transaction is IMMEDIATE already; PostgreSQL needs a table lock, so that two rescores (or
    two pool updates) of the same students never interleave."""
    if is_postgres():
        await table.raw(f"LOCK TABLE {table._meta.tablename} IN SHARE ROW EXCLUSIVE MODE")


async def rescore(cohort_year: int | None = None, actor: Actor = SYSTEM) -> int:
    """Recomputes the scores of one cohort (or of every student) in the database, in one
    audited transaction; returns how many students were scored."""
    settings = await current_settings()
    sql, args = rescore_sql(settings, cohort_year, datetime.datetime.now())
    async with audited_write(actor) as audit:
        await lock_for_writing(StudentScore)
        if cohort_year is None:
            await StudentScore.raw("DELETE FROM talent_pool_student_score")
            counted = await Student.raw("SELECT COUNT(*) AS n FROM portal_student")
        else:
            in_cohort = "SELECT id FROM portal_student WHERE cohort_year = {}"
            await StudentScore.raw(
                f"DELETE FROM talent_pool_student_score WHERE student IN ({in_cohort})",
                cohort_year,
            )
            counted = await Student.raw(
                "SELECT COUNT(*) AS n FROM portal_student WHERE cohort_year = {}", cohort_year
            )
        await StudentScore.raw(sql, *args)
        scored = int(counted[0]["n"])
        scope = _("cohort %(year)s", year=cohort_year) if cohort_year else _("all students")
        await audit.record(
            "rescore",
            StudentScore,
            None,
            _("Scores recomputed (%(scope)s): %(count)s students", scope=scope, count=scored),
            {
                "cohort_year": [None, cohort_year],
                "students": [None, scored],
                "settings": [None, settings.get("id")],
            },
        )
    return scored


async def score_of(student_id: int) -> dict[str, Any] | None:
    """The student's current score, with the cohort year it ranks in."""
    return (
        await StudentScore.select(
            *StudentScore.all_columns(),
            StudentScore.student.cohort_year.as_alias("cohort_year"),
        )
        .where(StudentScore.student == student_id)
        .first()
    )


def snapshot(score: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a score at the moment a flag is raised (kept with the flag)."""
    values = {key: round(float(score[key]), 1) if score else 0.0 for key in PART_KEYS}
    counts = {count: int(score[count]) if score else 0 for *_, count in PARTS}
    return {
        **values,
        **counts,
        "total": round(float(score["total"]), 1) if score else 0.0,
        "cohort_rank": int(score["cohort_rank"]) if score else 0,
        "cohort_size": int(score["cohort_size"]) if score else 0,
        "weights": {key: int(settings[weight]) for key, _label, weight, _count in PARTS},
        "threshold": int(settings["threshold"]),
        "top_share": int(settings["top_share"]),
        "settings_id": settings.get("id"),
    }


# --- automatic flags ---------------------------------------------------------------------------


def candidates_sql(settings: Mapping[str, Any], cohort_year: int | None) -> tuple[str, list[Any]]:
    """Students with a total above 0 that reaches the threshold or the cohort's top share,
    no place in the pool yet, and not already party members (full or probationary): the
    pool looks for students to develop into members."""
    sql = f"""
SELECT sc.*, s.cohort_year AS cohort_year
FROM talent_pool_student_score sc
JOIN portal_student s ON s.id = sc.student
WHERE sc.total > 0
  AND (sc.total >= {sql_number(int(settings["threshold"]))}
       OR sc.cohort_rank * 100 <= sc.cohort_size * {int(settings["top_share"])})
  AND s.political_status NOT IN ('01', '02')
  AND NOT EXISTS (SELECT 1 FROM talent_pool_entry pe WHERE pe.student = sc.student)"""
    if cohort_year is None:
        return sql + "\nORDER BY sc.student", []
    return sql + "\n  AND s.cohort_year = {}\nORDER BY sc.student", [cohort_year]


def auto_reason(parts: Mapping[str, Any], cohort_year: Any = None) -> str:
    """Why the portal flagged a student, in the viewer's language, from the flag's snapshot."""
    reasons = []
    if parts.get("rule_threshold"):
        reasons.append(
            _(
                "Total %(total)s is at or above the threshold %(threshold)s.",
                total=parts["total"],
                threshold=parts["threshold"],
            )
        )
    if parts.get("rule_top_share"):
        reasons.append(
            _(
                "Ranked %(rank)s of %(size)s in cohort %(cohort)s, within the top %(share)s%%.",
                rank=parts["cohort_rank"],
                size=parts["cohort_size"],
                cohort=parts.get("cohort_year", cohort_year or ""),
                share=parts["top_share"],
            )
        )
    return " ".join(reasons)


def chunks(rows: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def flag_candidates(cohort_year: int | None = None, actor: Actor = SYSTEM) -> int:
    """Flags (with a Flag and a PoolEntry) the students of the scope the rules pick out who are
    not in the pool yet; returns how many were flagged. The selection is SQL; only the few
    rows picked are built in Python."""
    settings = await current_settings()
    sql, args = candidates_sql(settings, cohort_year)
    today = datetime.date.today()
    async with audited_write(actor) as audit:
        await lock_for_writing(PoolEntry)
        rows = await StudentScore.raw(sql, *args)
        if not rows:
            return 0
        flags, entries = [], []
        for row in rows:
            parts = snapshot(row, settings)
            parts["cohort_year"] = row["cohort_year"]
            parts["rule_threshold"] = parts["total"] >= parts["threshold"]
            parts["rule_top_share"] = (
                row["cohort_rank"] * 100 <= row["cohort_size"] * parts["top_share"]
            )
            source = FlagSource.threshold if parts["rule_threshold"] else FlagSource.top_share
            flags.append(
                Flag(
                    student=row["student"],
                    source=source.value,
                    reason=auto_reason(parts),
                    score_parts=json.dumps(parts, ensure_ascii=False),
                    status=FlagStatus.open.value,
                )
            )
            entries.append(
                PoolEntry(
                    student=row["student"], status=PoolStatus.flagged.value, status_since=today
                )
            )
        for part in chunks(flags):
            await Flag.insert(*part)
        for part in chunks(entries):
            await PoolEntry.insert(*part)
        student_ids = [row["student"] for row in rows]
        await audit.record(
            "flag",
            Flag,
            None,
            _("Flagged automatically: %(count)s students", count=len(rows)),
            {"students": [None, student_ids], "settings": [None, settings.get("id")]},
        )
    return len(rows)


async def rescore_students(student_ids: Iterable[int], actor: Actor = SYSTEM) -> None:
    """After a change to some students' inputs (an evaluation, an award, attendance, a
    nomination): re-scores their cohorts and flags the candidates there. Called after the
    change is committed; a failure here is logged rather than shown, since the change itself
    was saved and a later rescore repairs the scores."""
    ids = sorted({int(student_id) for student_id in student_ids})
    if not ids:
        return
    try:
        rows = (
            await Student.select(Student.cohort_year)
            .where(Student.id.is_in(ids))
            .distinct()
            .order_by(Student.cohort_year)
        )
        for row in rows:
            await rescore(row["cohort_year"], actor=actor)
            await flag_candidates(row["cohort_year"], actor=actor)
    except RESCORE_FAILURES:
        logger.exception("Re-scoring students %s failed", ids)


@dataclass(frozen=True, slots=True)
class Rescored:
    """What re-scoring everyone did: students scored, students newly flagged, seconds taken."""

    scored: int
    flagged: int
    seconds: float


async def rescore_everyone(actor: Actor) -> Rescored:
    """Re-scores every student and flags the candidates (a coordinator's settings or button)."""
    started = time.perf_counter()
    scored = await rescore(actor=actor)
    flagged = await flag_candidates(actor=actor)
    return Rescored(scored, flagged, time.perf_counter() - started)


async def rescore_changed(event: StudentsChanged) -> None:
    """Re-scores the students another area announces a change for."""
    await rescore_students(event.student_ids, event.actor)


subscribe(StudentsChanged, rescore_changed)


# --- what the student page shows ------------------------------------------------------------


def part_rows(score: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The five parts as the score table shows them: value, count behind it, weight, rule."""
    rules = {
        "evaluation_part": _(
            "The average of the student's evaluations (each the mean of its five dimensions)."
        ),
        "award_part": _(
            "Σ level points × rank factor: national %(national)s, provincial %(provincial)s, "
            "municipal %(municipal)s, school %(school)s; at most 100.",
            national=settings["national_points"],
            provincial=settings["provincial_points"],
            municipal=settings["municipal_points"],
            school=settings["school_points"],
        ),
        "attendance_part": _(
            "%(points)s points per activity attended; at most 100.",
            points=settings["attendance_points"],
        ),
        "recommendation_part": _(
            "%(points)s points per nomination (declined ones do not count); at most 100.",
            points=settings["recommendation_points"],
        ),
        "weekly_part": _(
            "Weeks confirmed by the enterprise mentor ÷ weeks written × 100; with graded weeks, "
            "averaged with the college mentor's grades (A 100, B 85, C 70, D 50)."
        ),
    }
    rows = []
    for key, label, weight, count in PARTS:
        rows.append(
            {
                "key": key,
                "label": _(label),
                "value": round(float(score[key]), 1) if score else 0.0,
                "count": int(score[count]) if score else 0,
                "weight": int(settings[weight]),
                "rule": rules[key],
            }
        )
    return rows


def rank_factor_rows() -> list[dict[str, Any]]:
    """The rank factor table, as the settings page and the score partial show it."""
    rows = [{"words": _("(no rank given)"), "factor": BLANK_RANK_FACTOR}]
    rows += [{"words": "、".join(words), "factor": factor} for factor, words in RANK_FACTORS]
    rows.append({"words": _("anything else, e.g. 优秀奖, 入围"), "factor": OTHER_RANK_FACTOR})
    return rows


async def score_context(student_id: int) -> dict[str, Any]:
    """What templates/talent_pool/_score.html needs for one student (two queries)."""
    score = await score_of(student_id)
    settings = await current_settings()
    return {
        "score": score,
        "settings": settings,
        "score_parts": part_rows(score, settings),
        "score_weight_sum": sum(int(settings[name]) for name in WEIGHT_FIELDS),
        "rank_factors": rank_factor_rows(),
    }
