"""Reading an upload in a child process of its own, with a memory and a time limit: a hostile
workbook (cells that unpack to hundreds of MB, a sheet of millions of cells) costs that child,
which is then stopped, and never the server that serves everyone else. The child is forked
from a small server process that has the reader loaded (multiprocessing's forkserver), so
each upload starts in a clean process in a few milliseconds.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import resource
import signal
from multiprocessing.connection import Connection
from typing import Any

from college.importing.reading import Sheet, file_refused, read_sheet
from portal.domain_errors import FieldError, Refused
from portal.i18n import _, current_locale

MEMORY_LIMIT_MB = int(os.environ.get("PORTAL_IMPORT_MEMORY_MB", "512"))
TIME_LIMIT_SECONDS = int(os.environ.get("PORTAL_IMPORT_SECONDS", "60"))

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["college.importing.reading", "openpyxl"])


def read_in_child(
    content: bytes, sender: Connection, locale: str, memory_mb: int, seconds: int
) -> None:
    """The child's work: the limits first, then the reading; the outcome goes back as
    ("sheet", Sheet), ("refused", [(field, message)]) or ("memory", None)."""
    current_locale.set(locale)
    too_big_message(memory_mb)  # the translations are loaded before memory runs short
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    outcome: tuple[str, Any]
    try:
        outcome = ("sheet", read_sheet(content))
    except Refused as refused:
        outcome = ("refused", [(error.field, error.message) for error in refused.errors])
    except MemoryError:
        outcome = ("memory", None)
    except OSError as error:
        outcome = ("memory", None) if error.errno == errno.ENOMEM else ("error", repr(error))
    except Exception as error:  # a bug of the reader: the server logs it and answers 500
        outcome = ("error", f"{type(error).__name__}: {error}")
    sender.send(outcome)
    sender.close()


def read_sheet_isolated(
    content: bytes, memory_mb: int = MEMORY_LIMIT_MB, seconds: int = TIME_LIMIT_SECONDS
) -> Sheet:
    """The rows of an upload (as read_sheet), read in a child process under the limits;
    Refused with a clear message when the file needs more memory or time than they allow."""
    receiver, sender = _context.Pipe(duplex=False)
    arguments = (content, sender, current_locale.get(), memory_mb, seconds)
    child = _context.Process(target=read_in_child, args=arguments, daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds + 5):  # CPU time is capped; this caps waiting too
            raise file_refused(too_slow_message(seconds))
        kind, payload = receiver.recv()
    except EOFError:  # the child died without an answer: a limit stopped it, or a crash
        child.join(5)
        if child.exitcode == -signal.SIGXCPU:
            raise file_refused(too_slow_message(seconds)) from None
        if child.exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT):
            raise file_refused(too_big_message(memory_mb)) from None  # allocation failed hard
        raise RuntimeError(f"the import reader exited with {child.exitcode}") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if kind == "refused":
        raise Refused([FieldError(field, message) for field, message in payload])
    if kind == "memory":
        raise file_refused(too_big_message(memory_mb))
    if kind == "error":
        raise RuntimeError(f"the import reader failed: {payload}")
    return payload


def too_big_message(memory_mb: int) -> str:
    return _(
        "Reading this file needs more memory than the portal allows (%(limit)s MB): its cells "
        "hold far more text than a roster does. Check the file, or split it.",
        limit=memory_mb,
    )


def too_slow_message(seconds: int) -> str:
    return _(
        "Reading this file took longer than the portal allows (%(limit)s seconds): split it "
        "into smaller files.",
        limit=seconds,
    )
