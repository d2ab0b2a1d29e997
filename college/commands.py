"""The `portal` command, in the top layer because it assembles every area: migrate, serve,
create-user, seed-demo, backup, restore, worker.

Every subcommand honours DATABASE_URL and reports failures as one clear line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from portal.settings import ROOT


def prepare_environment() -> None:
    """Lets Piccolo find piccolo_conf.py wherever the command is run from; whatever the
    portal writes (the SQLite database, the secret key, batch ZIPs) is for its own user only."""
    os.umask(0o077)
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from portal.engine import configured_engine, install_generation_triggers

    result = await run_forwards("all")
    if not result.success:
        raise CommandError(f"migrations failed: {result.message}")
    await install_generation_triggers(configured_engine())  # tables of every app now exist


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from portal.logs import log_config

    uvicorn.run(
        "college.app:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        log_config=log_config(json_lines=os.environ.get("PORTAL_LOG_FORMAT") == "json"),
    )


def read_password(given: str | None) -> str:
    if given is not None:
        return given
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


async def create_user(args: argparse.Namespace) -> None:
    from college.accounts import NewAccount, create_account
    from portal.audit import Actor
    from portal.domain_errors import Refused
    from portal.tables import Role

    account = NewAccount(
        username=args.username,
        password=read_password(args.password),
        role=Role(args.role),
        display_name=args.name or "",
        enterprise_id=args.enterprise,
        student_no=args.student or "",
        mentor_id=args.mentor,
    )
    try:
        user_id = await create_account(Actor(None, "cli"), account)
    except Refused as refused:
        messages = "; ".join(f"{error.field}: {error.message}" for error in refused.errors)
        raise CommandError(messages) from refused
    print(f"created {args.role} account {args.username!r} (user id {user_id})")


async def seed_demo(student_count: int) -> None:
    from college.demo.seed import seed_demo as run_seed

    for line in await run_seed(student_count=student_count):
        print(line)


async def make_backup(to: str | None, keep: int) -> None:
    from college.backup import backup, default_archive_name, prune

    now = datetime.datetime.now()
    archive = Path(to) if to else default_archive_name(now)
    manifest = await backup(os.environ.get("DATABASE_URL", ""), archive, now)
    rows = sum(manifest["rows"].values())
    print(f"{archive}: {manifest['engine']}, {len(manifest['rows'])} tables, {rows} rows")
    for deleted in prune(archive.parent, keep):
        print(f"deleted the older {deleted}")


async def restore_backup(archive: str) -> None:
    from college.backup import restore

    manifest = await restore(os.environ.get("DATABASE_URL", ""), Path(archive))
    rows = sum(manifest["rows"].values())
    print(f"restored {archive} (made {manifest['made_at']}): {rows} rows, every table counted")
    await migrate()


def worker(concurrency: int) -> None:
    from portal.logs import log_config

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "portal worker: not needed on SQLite: the jobs run inside `portal serve`."
            " Workers take jobs when DATABASE_URL is a PostgreSQL database."
        )
        return
    import logging.config

    from college.jobs.worker import run_worker

    config = log_config(json_lines=os.environ.get("PORTAL_LOG_FORMAT") == "json")
    config["loggers"]["procrastinate"] = {"handlers": ["portal"], "level": "INFO"}
    config["loggers"]["procrastinate"]["propagate"] = False
    logging.config.dictConfig(config)
    asyncio.run(run_worker(concurrency))


class CommandError(Exception):
    """A failure worth one line to the operator, not a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="校企协同育人门户")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="build or update the database schema")
    serve_parser = commands.add_parser("serve", help="serve the portal with uvicorn")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    user_parser = commands.add_parser("create-user", help="create an account")
    user_parser.add_argument("--username", required=True)
    user_parser.add_argument("--password", help="read from standard input when left out")
    user_parser.add_argument(
        "--role", required=True, choices=["coordinator", "partner", "student", "mentor"]
    )
    user_parser.add_argument("--name", help="display name")
    user_parser.add_argument("--enterprise", type=int, help="enterprise id (partner accounts)")
    user_parser.add_argument("--student", help="student number 学号 (student accounts)")
    user_parser.add_argument("--mentor", type=int, help="mentor id (mentor accounts)")
    seed_parser = commands.add_parser("seed-demo", help="fill the database with a demo college")
    seed_parser.add_argument("--students", type=int, default=200)
    backup_parser = commands.add_parser(
        "backup", help="a consistent copy of the database, made while the portal runs"
    )
    backup_parser.add_argument("--to", help="the archive (default: var/backups/portal-<time>.tar)")
    backup_parser.add_argument(
        "--keep", type=int, default=0, help="keep only the newest N portal-*.tar beside it"
    )
    restore_parser = commands.add_parser(
        "restore", help="restore a backup into an empty database, then migrate"
    )
    restore_parser.add_argument("archive")
    worker_parser = commands.add_parser(
        "worker",
        help="run background jobs (PDF batches, the daily cleanup) on PostgreSQL",
        description=(
            "Takes the portal's background jobs from the queue in the PostgreSQL database:"
            " PDF batches and the daily cleanup. Run any number of workers, on any hosts that"
            " reach the database and share PORTAL_VAR_DIR; a job whose worker was killed is"
            " run again by another. SIGTERM or Ctrl-C stops a worker gracefully. On SQLite"
            " no worker is needed: the jobs run inside `portal serve`."
        ),
    )
    worker_parser.add_argument(
        "--concurrency", type=int, default=1, help="jobs run at once by this worker (default 1)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    prepare_environment()
    try:
        if args.command == "migrate":
            asyncio.run(migrate())
        elif args.command == "serve":
            serve(args.host, args.port, args.workers)
        elif args.command == "create-user":
            asyncio.run(create_user(args))
        elif args.command == "seed-demo":
            asyncio.run(seed_demo(args.students))
        elif args.command == "backup":
            asyncio.run(make_backup(args.to, args.keep))
        elif args.command == "restore":
            asyncio.run(restore_backup(args.archive))
        elif args.command == "worker":
            worker(args.concurrency)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        # A boundary: the command line's outermost frame. Whatever a subcommand raised (a
        # refused account, a migration that failed, a database that cannot be reached), the
        # operator reads one clear line and the exit status is 1, not a traceback.
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"portal {args.command}: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
