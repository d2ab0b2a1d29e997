"""Load: simulated users of all four roles signing in, reading and writing at once, on SQLite
and PostgreSQL, in one command.

    .venv/bin/python -m bench.load [--engine sqlite|postgres|both] [--users 32] [--duration 60]
                                   [--workers 1] [--wait 0.5,1.5]

For each engine, a database prepared as bench.run prepares it (bench/seed.py: 20,000 students,
their partners, projects and mentors, and sign-in accounts of every role) and the portal under
uvicorn. Then locust, headless and in its own process, runs ``--users`` simulated users
(bench/load_users.py) for ``--duration`` seconds: coordinators, partners, mentors and students,
each signing in through /login like a browser — all at the same moment — then reading their
own pages and writing through the real forms, with a think time of ``--wait`` seconds between
actions. It prints p50/p95/p99 per kind of request (sign-in, read, write, PDF) and per page,
the errors, and for each kind of write the requests the server accepted (303) next to the rows
the database gained: they must match. Results go to bench/results/load-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import run, seed

LOCUSTFILE = run.BENCH_DIR / "load_users.py"
# Simulated users per role, in this proportion (at least one of each).
ROLE_SHARES = {"coordinator": 3, "partner": 4, "mentor": 4, "student": 5}
# Coordinators edit students' phone numbers to this prefix + 4 digits (see WRITES).
EDITED_PHONE_PREFIX = "1990000"
EDITABLE_STUDENTS = 5_000
# Each kind of write the users make, and the rows that count it in the database: the count
# after the run less the count before must equal the writes the server accepted.
WRITES: dict[str, str] = {
    "award by coordinator": "SELECT COUNT(*) FROM talent_pool_award WHERE enterprise_id IS NULL",
    "award by partner": "SELECT COUNT(*) FROM talent_pool_award WHERE enterprise_id IS NOT NULL",
    "student edit": (
        f"SELECT COUNT(*) FROM portal_student WHERE phone LIKE '{EDITED_PHONE_PREFIX}%'"
    ),
    "activity": "SELECT COUNT(*) FROM partners_activity",
    "mentoring log": "SELECT COUNT(*) FROM partners_mentoring_log",
    "log acknowledgment": (
        "SELECT COUNT(*) FROM partners_mentoring_log WHERE acknowledged_at IS NOT NULL"
    ),
}
# The kinds of request reported apart (bench/load_users.py tags each request with one).
SIGN_IN, READ, WRITE, PDF = "sign-in", "read", "write", "pdf"
KINDS = (SIGN_IN, READ, WRITE, PDF)
PLAN_VARIABLE = "BENCH_LOAD_PLAN"  # names the plan file for bench/load_users.py


# --- who the users are and what they may open ----------------------------------------------


def role_counts(users: int) -> dict[str, int]:
    """``users`` split over the roles in ROLE_SHARES' proportion (largest remainders)."""
    total = sum(ROLE_SHARES.values())
    exact = {role: users * share / total for role, share in ROLE_SHARES.items()}
    counts = {role: max(1, math.floor(value)) for role, value in exact.items()}
    by_remainder = sorted(exact, key=lambda role: exact[role] - math.floor(exact[role]))
    while sum(counts.values()) < users:
        counts[by_remainder.pop()] += 1
    return counts


def grouped(rows: list[tuple[Any, ...]]) -> dict[Any, list[Any]]:
    """(key, value) rows as {key: [values…]}, in row order."""
    result: dict[Any, list[Any]] = {}
    for key, value in rows:
        result.setdefault(key, []).append(value)
    return result


def in_list(ids: list[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


def partner_plans(database_url: str) -> list[dict[str, Any]]:
    """Each partner account with its enterprise's projects, organizations (with their member
    units, one of which hosts an activity), placed students and mentor assignments."""
    accounts = seed.query(
        database_url,
        "SELECT u.username, pa.enterprise FROM piccolo_user u JOIN partners_partner_account pa "
        "ON pa.\"user\" = u.id WHERE u.username LIKE 'load-partner-%' ORDER BY u.username",
    )
    enterprises = in_list([enterprise for _, enterprise in accounts])
    projects = grouped(
        seed.query(
            database_url,
            f"SELECT enterprise, id FROM partners_project WHERE enterprise IN {enterprises} "
            "ORDER BY id",
        )
    )
    memberships = grouped(
        seed.query(
            database_url,
            "SELECT DISTINCT enterprise, organization FROM partners_member_unit "
            f"WHERE enterprise IN {enterprises} ORDER BY organization",
        )
    )
    organizations = sorted({o for orgs in memberships.values() for o in orgs})
    units = grouped(
        seed.query(
            database_url,
            "SELECT organization, id FROM partners_member_unit "
            f"WHERE organization IN {in_list(organizations)} ORDER BY id",
        )
    )
    placed = grouped(
        seed.query(
            database_url,
            "SELECT pp.enterprise, pa.student FROM partners_participation pa "
            "JOIN partners_project pp ON pp.id = pa.project "
            f"WHERE pp.enterprise IN {enterprises} AND pa.status IN ('pending', 'active') "
            "ORDER BY pa.student",
        )
    )
    assignments = grouped(
        seed.query(
            database_url,
            "SELECT pp.enterprise, ma.id FROM partners_mentor_assignment ma "
            f"JOIN partners_project pp ON pp.id = ma.project WHERE pp.enterprise IN {enterprises} "
            "ORDER BY ma.id",
        )
    )
    return [
        {
            "username": username,
            "enterprise": enterprise,
            "projects": projects.get(enterprise, []),
            "organizations": {
                str(org): units.get(org, []) for org in memberships.get(enterprise, [])
            },
            "students": placed.get(enterprise, []),
            "assignments": assignments.get(enterprise, []),
        }
        for username, enterprise in accounts
    ]


def mentor_plans(database_url: str) -> list[dict[str, Any]]:
    """Each mentor account with its active assignments and their students."""
    accounts = seed.query(
        database_url,
        'SELECT u.username, m.id FROM partners_mentor m JOIN piccolo_user u ON u.id = m."user" '
        "WHERE u.username LIKE 'load-mentor-%' ORDER BY u.username",
    )
    mentors = in_list([mentor for _, mentor in accounts])
    rows = seed.query(
        database_url,
        "SELECT id, student, college_mentor, enterprise_mentor FROM partners_mentor_assignment "
        f"WHERE status = 'active' AND (college_mentor IN {mentors} "
        f"OR enterprise_mentor IN {mentors}) ORDER BY id",
    )
    return [
        {
            "username": username,
            "assignments": [a for a, _s, c, e in rows if mentor in (c, e)],
            "students": [s for _a, s, c, e in rows if mentor in (c, e)],
        }
        for username, mentor in accounts
    ]


def student_plans(database_url: str) -> list[dict[str, Any]]:
    """Each student account with its mentor assignments (its mentorship pages)."""
    rows = seed.query(
        database_url,
        'SELECT u.username, ma.id FROM piccolo_user u JOIN portal_student s ON s."user" = u.id '
        "JOIN partners_mentor_assignment ma ON ma.student = s.id "
        "WHERE u.username LIKE 'load-student-%' ORDER BY u.username, ma.id",
    )
    return [
        {"username": username, "assignments": assignments}
        for username, assignments in grouped(rows).items()
    ]


def usernames(database_url: str, role: str) -> list[dict[str, Any]]:
    rows = seed.query(
        database_url,
        f"SELECT username FROM piccolo_user WHERE username LIKE 'load-{role}-%' ORDER BY username",
    )
    return [{"username": username} for (username,) in rows]


def build_plan(
    database_url: str, portal: run.Server, args: argparse.Namespace, samples: Path
) -> dict[str, Any]:
    """Everything the simulated users need to know, from the seeded database: accounts, the
    objects each may open and write to, and the coordinators' reads — the walks of the pages
    bench.run measures (bench/pages.py)."""
    catalog = run.Catalog(database_url, portal, run.sign_in(portal))
    counts = role_counts(args.users)
    accounts = {
        "coordinator": usernames(database_url, "coordinator"),
        "partner": partner_plans(database_url),
        "mentor": mentor_plans(database_url),
        "student": student_plans(database_url),
    }
    for role, count in counts.items():
        if count > len(accounts[role]):
            raise run.BenchError(
                f"{count} {role} users need {count} {role} accounts; the seed made "
                f"{len(accounts[role])} (bench/seed.py LOAD_ACCOUNTS_PER_ROLE)"
            )
    editable = catalog.ids(
        f"SELECT id FROM portal_student WHERE phone NOT LIKE '{EDITED_PHONE_PREFIX}%' "
        "ORDER BY id DESC"
    )[:EDITABLE_STUDENTS]
    wait_min, wait_max = args.wait
    return {
        "password": seed.LOAD_PASSWORD,
        "users": counts,
        "accounts": accounts,
        "walks": run.walks(catalog),
        "editable_students": editable,
        "edited_phone_prefix": EDITED_PHONE_PREFIX,
        "wait": [wait_min, wait_max],
        "samples_file": str(samples),
    }


def count_rows(database_url: str) -> dict[str, int]:
    return {kind: seed.query(database_url, sql)[0][0] for kind, sql in WRITES.items()}


# --- locust -----------------------------------------------------------------------------------


def run_locust(
    portal: run.Server, plan_file: Path, args: argparse.Namespace, work_dir: Path
) -> dict[str, Any]:
    """The users, headless, in locust's own process (gevent patches everything it imports);
    returns what bench/load_users.py recorded."""
    users = args.users
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{args.duration}s",
        "--host", portal.base_url, "--stop-timeout", "120", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    log_path = work_dir / "locust.log"
    env = dict(os.environ, **{PLAN_VARIABLE: str(plan_file)})
    with log_path.open("wb") as log:
        completed = subprocess.run(
            command, cwd=run.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            timeout=args.duration + 300, check=False,
        )  # fmt: skip
    samples = Path(json.loads(plan_file.read_text())["samples_file"])
    if completed.returncode != 0 or not samples.exists():
        raise run.BenchError(
            f"locust exited with {completed.returncode} and recorded "
            f"{'nothing' if not samples.exists() else 'its samples'}:\n"
            f"{log_path.read_text(errors='replace')[-4000:]}"
        )
    return json.loads(samples.read_text())


# --- figures ----------------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values (share in 0..1)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Latency:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, times: list[float], errors: int) -> Latency:
        ordered = sorted(times)
        return cls(
            requests=len(ordered),
            errors=errors,
            p50_ms=round(percentile(ordered, 0.50), 1),
            p95_ms=round(percentile(ordered, 0.95), 1),
            p99_ms=round(percentile(ordered, 0.99), 1),
            max_ms=round(ordered[-1], 1) if ordered else 0.0,
        )


@dataclass
class WriteCheck:
    kind: str
    accepted: int
    rows_before: int
    rows_after: int

    @property
    def written(self) -> int:
        return self.rows_after - self.rows_before

    @property
    def matches(self) -> bool:
        return self.written == self.accepted


@dataclass
class LoadResult:
    engine: str
    database: str
    students: int
    users: dict[str, int]
    seconds: float
    kinds: dict[str, Latency] = field(default_factory=dict)
    pages: dict[str, Latency] = field(default_factory=dict)
    writes: list[WriteCheck] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)
    loadavg_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    loadavg_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds_to_prepare: float = 0.0

    @property
    def errors(self) -> int:
        return sum(latency.errors for latency in self.kinds.values())

    @property
    def lost_writes(self) -> bool:
        return not all(check.matches for check in self.writes)


def figures(recorded: dict[str, Any], result: LoadResult) -> None:
    """Latency per kind and per page from the recorded response times (milliseconds)."""
    by_kind: dict[str, list[float]] = {kind: [] for kind in KINDS}
    errors_by_kind: Counter[str] = Counter()
    for name, entry in recorded["requests"].items():
        times, errors = entry["times"], entry["errors"]
        by_kind[entry["kind"]] += times
        errors_by_kind[entry["kind"]] += errors
        result.pages[name] = Latency.of(times, errors)
    result.kinds = {kind: Latency.of(by_kind[kind], errors_by_kind[kind]) for kind in KINDS}
    result.failures = recorded["failures"]


# --- one engine -------------------------------------------------------------------------------


def run_engine(engine: str, args: argparse.Namespace, run_id: str) -> LoadResult:
    with ExitStack() as cleanup:
        prepared = run.prepare(engine, args, run_id, cleanup)
        portal = run.serve("portal", "college.app:app", prepared, args.workers, cleanup)
        samples = prepared.work_dir / "load-samples.json"
        plan = build_plan(prepared.database_url, portal, args, samples)
        plan_file = prepared.work_dir / "load-plan.json"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False))
        result = LoadResult(
            engine=engine,
            database=prepared.label,
            students=args.students,
            users=plan["users"],
            seconds=args.duration,
            seconds_to_prepare=prepared.seconds,
        )
        before = count_rows(prepared.database_url)
        result.loadavg_before = os.getloadavg()
        print(
            f"   {args.users} users {plan['users']} for {args.duration} s, think time "
            f"{args.wait[0]:g}–{args.wait[1]:g} s, {args.workers} worker(s); "
            f"load average {result.loadavg_before[0]:.2f}",
            flush=True,
        )
        recorded = run_locust(portal, plan_file, args, prepared.work_dir)
        result.loadavg_after = os.getloadavg()
        after = count_rows(prepared.database_url)
        figures(recorded, result)
        result.writes = [
            WriteCheck(kind, recorded["accepted"].get(kind, 0), before[kind], after[kind])
            for kind in WRITES
        ]
        return result


# --- report -----------------------------------------------------------------------------------


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for index, row in enumerate([header, *rows]):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def latency_row(name: str, latency: Latency) -> tuple[str, ...]:
    return (
        name,
        str(latency.requests),
        str(latency.errors),
        f"{latency.p50_ms:.1f}",
        f"{latency.p95_ms:.1f}",
        f"{latency.p99_ms:.1f}",
        f"{latency.max_ms:.1f}",
    )


def format_report(result: LoadResult, args: argparse.Namespace) -> str:
    header = ("kind", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
    lines = [
        f"{result.engine} — {result.students:,} students, {args.users} users "
        f"{result.users}, {args.duration} s, think time {args.wait[0]:g}–{args.wait[1]:g} s, "
        f"{args.workers} worker(s); load average {result.loadavg_before[0]:.2f} → "
        f"{result.loadavg_after[0]:.2f}",
        *table(header, [latency_row(kind, result.kinds[kind]) for kind in KINDS]),
        "",
        *table(
            ("request", *header[1:]),
            [latency_row(name, latency) for name, latency in sorted(result.pages.items())],
        ),
        "",
        *table(
            ("write", "accepted (303)", "rows written", "match"),
            [
                (c.kind, str(c.accepted), str(c.written), "yes" if c.matches else "NO")
                for c in result.writes
            ],
        ),
    ]
    if result.failures:
        lines += ["", f"errors: {result.errors}; first messages per request:"]
        for name, messages in sorted(result.failures.items()):
            lines += [f"  {name}: {message}" for message in messages]
    return "\n".join(lines)


def wait_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    values = (float(low), float(high or low))
    if not 0 <= values[0] <= values[1] <= 60:
        raise argparse.ArgumentTypeError("expected MIN,MAX seconds with 0 <= MIN <= MAX <= 60")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.splitlines()[0]
    )
    run.add_database_arguments(parser)
    parser.add_argument("--users", type=int, default=32, help="simulated users, all roles")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument(
        "--wait",
        type=wait_range,
        default=(0.5, 1.5),
        metavar="MIN,MAX",
        help="each user's think time between two actions, in seconds (0,0: none)",
    )
    args = parser.parse_args(argv)
    if not len(ROLE_SHARES) <= args.users <= 4 * seed.LOAD_ACCOUNTS_PER_ROLE:
        parser.error(f"--users must be {len(ROLE_SHARES)}..{4 * seed.LOAD_ACCOUNTS_PER_ROLE}")
    if not 5 <= args.duration <= 3600:
        parser.error("--duration must be 5..3600 s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
        print("locust is not installed: run scripts/install-bench-tools", file=sys.stderr)
        return 2
    run_id = run.run_id_now()
    results: list[LoadResult] = []
    path = run.RESULTS_DIR / f"load-{run_id}.json"
    started = time.perf_counter()
    try:
        for engine in run.engines_of(args):
            results.append(run_engine(engine, args, run_id))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        print(f"\nload failed: {error}", file=sys.stderr)
        return 1
    finally:
        if results:
            run.RESULTS_DIR.mkdir(exist_ok=True)
            document = {
                "run_id": run_id,
                "arguments": vars(args),
                "results": [
                    {**asdict(r), "errors": r.errors, "lost_writes": r.lost_writes} for r in results
                ],
            }
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    for result in results:
        print("\n" + format_report(result, args))
    print(f"\nresults: {path.relative_to(run.ROOT)} ({time.perf_counter() - started:.0f} s)")
    if any(result.lost_writes for result in results):
        print("rows written and writes accepted differ: see the tables above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
