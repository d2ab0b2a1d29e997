"""Student records (学生): the codes they use and the rules their fields follow."""

from __future__ import annotations

import datetime
import re
from typing import Any

from portal.dates import age_on
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role
from portal.vocabulary import GENDERS, POLITICAL_STATUSES

# GB/T 4762 政治面貌代码 (political status codes).


STUDENT_NO_PATTERN = re.compile(r"[0-9A-Za-z]{6,20}")
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
LANDLINE_PATTERN = re.compile(r"0\d{2,3}-?\d{7,8}")
YOUNGEST_AGE, OLDEST_AGE = 14, 70

STUDENT_FIELDS = [
    "student_no",
    "name",
    "gender",
    "birth_date",
    "department",
    "major",
    "class_name",
    "cohort_year",
    "political_status",
    "phone",
]


def political_status_label(code: str) -> str:
    return _(POLITICAL_STATUSES[code]) if code in POLITICAL_STATUSES else code


def gender_label(code: str) -> str:
    return _(GENDERS[code]) if code in GENDERS else code


def is_valid_phone(phone: str) -> bool:
    return bool(MOBILE_PATTERN.fullmatch(phone) or LANDLINE_PATTERN.fullmatch(phone))


def check_student_form(form: FormState, today: datetime.date) -> dict[str, Any]:
    """Validates a student form in place (errors go on `form`) and returns the cleaned values."""
    student_no = form.required("student_no")
    if student_no and not STUDENT_NO_PATTERN.fullmatch(student_no):
        form.add_error("student_no", _("A student number is 6 to 20 letters or digits."))
    form.required("name")
    form.max_length("name", 50)
    form.choice("gender", GENDERS)
    birth_date = form.date("birth_date")
    if birth_date is not None:
        if birth_date > today:
            form.add_error("birth_date", _("The birth date cannot be in the future."))
        elif not YOUNGEST_AGE <= age_on(birth_date, today) <= OLDEST_AGE:
            form.add_error(
                "birth_date",
                _(
                    "A student is %(young)s to %(old)s years old: check the birth date.",
                    young=YOUNGEST_AGE,
                    old=OLDEST_AGE,
                ),
            )
    for name in ("department", "major", "class_name"):
        form.required(name)
        form.max_length(name, 100)
    cohort_year = form.integer("cohort_year", minimum=1990, maximum=today.year + 1)
    status = form.required("political_status")
    if status and status not in POLITICAL_STATUSES:
        form.add_error("political_status", _("Choose a political status from the GB/T 4762 list."))
    phone = form.values.get("phone", "").replace(" ", "")
    if phone and not is_valid_phone(phone):
        form.add_error(
            "phone", _("Enter an 11-digit mobile number (e.g. 13812345678) or a landline.")
        )
    return {
        "student_no": student_no.upper(),
        "name": form.values.get("name", ""),
        "gender": form.values.get("gender", ""),
        "birth_date": birth_date,
        "department": form.values.get("department", ""),
        "major": form.values.get("major", ""),
        "class_name": form.values.get("class_name", ""),
        "cohort_year": cohort_year,
        "political_status": status,
        "phone": phone,
    }


def record_page(viewer: Any) -> str:
    """The route name of a student's record for this viewer: coordinators keep the student
    page (with its edit actions), everyone else the record page."""
    return "student_detail" if viewer.role is Role.coordinator else "student_record"
