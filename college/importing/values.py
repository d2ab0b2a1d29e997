"""Cell values as people type them, turned into what the portal's forms expect.

Each converter takes the cell as the file holds it (text, a number, an Excel date) and returns
the form value (text), or raises `BadValue` with a message for the row's problem list. The form
rules (portal/students.py, partners/…) then check the values exactly as for a typed form.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from typing import Any

from college.importing.reading import clean_text
from portal.i18n import _, translations_for
from portal.vocabulary import GENDERS, POLITICAL_STATUSES

DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
EXCEL_SERIALS = range(1, 2958466)  # 1900-01-01 … 9999-12-31 as Excel day numbers
COHORT_SUFFIX = re.compile(r"\s*(级|届|年级|年)$")
COUNT_SUFFIX = re.compile(r"\s*(人|名)$")

# GB/T 4762 names as registrars write them (full, short and everyday forms), and the codes.
POLITICAL_NAMES: dict[str, str] = {
    "中国共产党党员": "01",
    "中共党员": "01",
    "共产党员": "01",
    "党员": "01",
    "中国共产党预备党员": "02",
    "中共预备党员": "02",
    "预备党员": "02",
    "中国共产主义青年团团员": "03",
    "共青团员": "03",
    "共青团团员": "03",
    "团员": "03",
    "中国国民党革命委员会会员": "04",
    "民革会员": "04",
    "中国民主同盟盟员": "05",
    "民盟盟员": "05",
    "中国民主建国会会员": "06",
    "民建会员": "06",
    "中国民主促进会会员": "07",
    "民进会员": "07",
    "中国农工民主党党员": "08",
    "农工党党员": "08",
    "中国致公党党员": "09",
    "致公党党员": "09",
    "九三学社社员": "10",
    "台湾民主自治同盟盟员": "11",
    "台盟盟员": "11",
    "无党派民主人士": "12",
    "无党派人士": "12",
    "群众": "13",
    "普通群众": "13",
    "普通公民": "13",
}
PARTY_MEMBER_CODES = ("01", "02")
GENDER_NAMES: dict[str, str] = {
    "男": "M",
    "男性": "M",
    "m": "M",
    "male": "M",
    "1": "M",  # GB/T 2261.1
    "女": "F",
    "女性": "F",
    "f": "F",
    "female": "F",
    "2": "F",
}
YES = {"是", "y", "yes", "true", "1", "✓", "√", "✔", "有"}
NO = {"否", "n", "no", "false", "0", "×", "x", "✗", "无", "不是", "非党员"}


class BadValue(ValueError):
    """A cell that cannot mean anything valid here; `message` is shown with its row."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def key_of(text: str) -> str:
    """How labels are compared: case, spaces and full-width forms do not matter."""
    return clean_text(text).replace(" ", "").lower()


def labels_in_every_locale(labels: Mapping[str, str]) -> dict[str, str]:
    """{label → code} for a code → msgid table, in English and in Chinese, so an export of
    the portal (in either language) imports back."""
    names: dict[str, str] = {}
    for code, msgid in labels.items():
        names[key_of(msgid)] = code
        for locale in ("zh_CN", "en"):
            names[key_of(translations_for(locale).gettext(msgid))] = code
    return names


@functools.cache
def gender_names() -> dict[str, str]:
    return {**labels_in_every_locale(GENDERS), **GENDER_NAMES}


@functools.cache
def political_names() -> dict[str, str]:
    return {**labels_in_every_locale(POLITICAL_STATUSES), **POLITICAL_NAMES}


def text(raw: Any) -> str:
    return clean_text(raw)


def compact(raw: Any) -> str:
    """Numbers and codes (学号, credit codes): no spaces anywhere."""
    return clean_text(raw).replace(" ", "")


def phone(raw: Any) -> str:
    """A phone as typed: spaces dropped, and +86 before a mobile number."""
    value = compact(raw)
    for prefix in ("+86", "0086", "86"):
        rest = value.removeprefix(prefix).lstrip("-")
        if value.startswith(prefix) and len(rest) == 11 and rest.startswith("1"):
            return rest
    return value


def date(raw: Any) -> str:
    """An Excel date cell, 2005-05-01, 2005/5/1, 2005.5.1, 2005年5月1日, 20050501 or an Excel
    day number: as YYYY-MM-DD."""
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    value = clean_text(raw)
    if not value:
        return ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        number = int(raw)
        if number in EXCEL_SERIALS and len(value) <= 5:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number).date().isoformat()
    value = TIME_SUFFIX.sub("", value)
    try:
        if re.fullmatch(r"\d{8}", value):
            return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
        if match := DATE_PATTERN.fullmatch(value):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise BadValue(
        _(
            "“%(value)s” is not a date: write it like 2005-05-01, 2005/5/1 or 20050501.",
            value=value,
        )
    )


def gender(raw: Any) -> str:
    value = clean_text(raw)
    if not value:
        return ""
    if (code := gender_names().get(key_of(value))) is None:
        raise BadValue(_("“%(value)s” is not a gender: write 男 or 女.", value=value))
    return code


def political_status(raw: Any) -> str:
    """A GB/T 4762 name (中共党员, 共青团员, 群众 …) or code (01–13, also 1–13)."""
    value = clean_text(raw)
    if not value:
        return ""
    if value.isdigit() and f"{int(value):02d}" in POLITICAL_STATUSES:
        return f"{int(value):02d}"
    if (code := political_names().get(key_of(value))) is None:
        raise BadValue(
            _(
                "Unknown political status “%(value)s”: write a GB/T 4762 name such as 中共党员, "
                "中共预备党员, 共青团员 or 群众, or its code (01–13).",
                value=value,
            )
        )
    return code


def cohort(raw: Any) -> str:
    """2024 or 2024级."""
    return COHORT_SUFFIX.sub("", compact(raw))


def count(raw: Any) -> str:
    """A head count: 35 or 35人."""
    return COUNT_SUFFIX.sub("", compact(raw))


def yes_no(raw: Any) -> bool:
    """是/否, Y/N, ✓ (as the portal's exports write it), or a political status: party members
    (中共党员, 中共预备党员) are yes, anything else no. A blank cell is no."""
    value = key_of(clean_text(raw))
    if not value or value in NO:
        return False
    if value in YES:
        return True
    try:
        return political_status(raw) in PARTY_MEMBER_CODES
    except BadValue:
        raise BadValue(
            _("“%(value)s” is not a yes or no: write 是 or 否.", value=clean_text(raw))
        ) from None


def choice(raw: Any, names: Mapping[str, str], allowed: str) -> str:
    """A label (or code) from `names` ({label key → code}); `allowed` lists them for people."""
    value = clean_text(raw)
    if not value:
        return ""
    if (code := names.get(key_of(value))) is None:
        raise BadValue(_("“%(value)s” is not one of: %(allowed)s.", value=value, allowed=allowed))
    return code
