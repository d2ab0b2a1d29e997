"""Domain errors: what a rule refuses, what a viewer may not see, what clashes with the data.

Rules raise them; nothing catches them to build a response but the one handler in
portal.errors, which maps each kind to what the user sees:

- `Refused` (a rule says no) — the form the user sent, re-rendered with each message beside
  its field and nothing they typed lost (400); a page without a form shows the messages (400);
- `NotVisible` (no such object, or not for this viewer) — 404, the same either way;
- `Conflict` (the data changed underneath, or a database constraint said no) — 409.

Database constraint violations are raised as `UniqueViolation` / `ForeignKeyViolation`
(both a `Conflict`) by the write transaction itself (portal.audit), never sniffed from an
exception's message in a view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FORM = "form"  # the field name of a message about the form as a whole


@dataclass(frozen=True)
class FieldError:
    """What is wrong, and with which form field (FORM: the form as a whole)."""

    field: str
    message: str


class DomainError(Exception):
    """Something the domain does not allow; answered in one place (portal.errors)."""


class Refused(DomainError):
    """A rule refused the request: one message per field concerned."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def at(cls, field: str, message: str) -> Refused:
        """Refused with one message, beside one field."""
        return cls([FieldError(field, message)])


class NotVisible(DomainError):
    """The object does not exist, or the viewer may not see it: both are a 404."""


class Conflict(DomainError):
    """The request clashes with the data as it stands (409)."""


class UniqueViolation(Conflict):
    """A write would have duplicated a row that must be unique."""


class ForeignKeyViolation(Conflict):
    """A write or delete was refused because other rows still refer to the row."""


def raise_refusals(errors: Iterable[FieldError]) -> None:
    """Raises `Refused` when a rule found anything wrong; does nothing otherwise."""
    errors = list(errors)
    if errors:
        raise Refused(errors)
