"""Forms (part of the base's web layer): reading a submitted form, carrying what the user typed
back with a message beside each wrong field, and declaring which page shows a form again when
a rule refuses it (portal.errors answers the refusal)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from portal.domain_errors import Refused
from portal.i18n import _
from portal.limits import MAX_FORM_FIELDS

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


async def read_form(request: Request) -> FormData:
    """The submitted form. The CSRF middleware may have parsed it already (it keeps it in scope)."""
    parsed = request.scope.get("form")
    if isinstance(parsed, FormData):
        return parsed
    return await request.form(max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FIELDS)


@dataclass
class FormState:
    """What a form shows: the values as typed, and a message per wrong field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData, names: list[str]) -> FormState:
        """The named fields as typed (trimmed). Control characters (NUL and the like, which
        PostgreSQL refuses and SQLite would store) are taken out and the field is refused
        with a message, so the user sees what will be saved."""
        state = cls()
        for name in names:
            typed = str(form.get(name, "")).strip()
            cleaned = CONTROL_CHARACTERS.sub("", typed)
            state.values[name] = cleaned
            if cleaned != typed:
                state.add_error(name, _("Control characters (such as NUL) were taken out: check the text and send it again."))  # noqa: E501
        return state

    @property
    def valid(self) -> bool:
        return not self.errors

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def required(self, name: str) -> str:
        value = self.values.get(name, "")
        if not value:
            self.add_error(name, _("This field is required."))
        return value

    def max_length(self, name: str, limit: int) -> None:
        if len(self.values.get(name, "")) > limit:
            self.add_error(name, _("At most %(limit)s characters.", limit=limit))

    def date(self, name: str, *, required: bool = True) -> datetime.date | None:
        raw = self.values.get(name, "")
        if not raw:
            if required:
                self.add_error(name, _("This field is required."))
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.add_error(name, _("Enter a date as YYYY-MM-DD, e.g. 2026-09-01."))
            return None

    def integer(
        self, name: str, *, minimum: int, maximum: int, required: bool = True
    ) -> int | None:
        raw = self.values.get(name, "")
        if not raw:
            if required:
                self.add_error(name, _("This field is required."))
            return None
        if not re.fullmatch(r"-?\d{1,9}", raw):
            self.add_error(name, _("Enter a whole number."))
            return None
        number = int(raw)
        if not minimum <= number <= maximum:
            self.add_error(
                name, _("Enter a number from %(min)s to %(max)s.", min=minimum, max=maximum)
            )
            return None
        return number

    def choice(self, name: str, choices: dict[str, Any] | list[str]) -> str:
        value = self.required(name)
        if value and value not in choices:
            self.add_error(name, _("Choose one of the listed options."))
        return value

    def context(self) -> dict[str, Any]:
        return {"values": self.values, "errors": self.errors}

    def refuse(self, refusal: Refused) -> None:
        """Puts a rule's refusal beside the fields it names."""
        for error in refusal.errors:
            self.add_error(error.field, error.message)


# The page that shows a form with its messages: built at once, or awaited when it reads the
# options it offers (a select of enterprises, suggested mentors).
FormPage = Callable[[FormState, int], Response | Awaitable[Response]]


def answer_refusals_with(request: Request, form: FormState, page: FormPage) -> None:
    """Declares the page that shows this form: should a rule refuse what was sent (raise
    `Refused`), the error handler (portal.errors) re-renders it with the messages beside their
    fields and what the user typed, status 400."""
    request.state.refusal_form = (form, page)


def refusal_form(request: Request) -> tuple[FormState, FormPage] | None:
    """The form declared for this request by `answer_refusals_with`, if any."""
    return getattr(request.state, "refusal_form", None)
