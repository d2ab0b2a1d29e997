"""The `portal` command, in the top layer because it assembles every area: migrate, serve,
create-user, seed-demo.

Every subcommand honours DATABASE_URL and reports failures as one clear line.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence

from portal.settings import ROOT


def prepare_environment() -> None:
    """Lets Piccolo find piccolo_conf.py wherever the command is run from."""
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

    uvicorn.run(
        "college.app:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
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
