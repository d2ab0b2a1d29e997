"""Students (学生), a part of the base every area builds on: the rules a student's fields
follow, and the transactions that add, change and delete a student, each taking the `Actor`
who writes (never a request). The pages are portal.views.students; the record (成长档案) that
joins every area is college.record.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, TypedDict

from piccolo.apps.user.tables import BaseUser

from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.dates import age_on
from portal.deletion import Impact, deletion_impact
from portal.domain_errors import FORM, ForeignKeyViolation, NotVisible, Refused, UniqueViolation
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role, Student
from portal.vocabulary import GENDERS, POLITICAL_STATUSES

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


class StudentValues(TypedDict):
    """A student's fields as a checked form (or an imported row) gives them."""

    student_no: str
    name: str
    gender: str
    birth_date: datetime.date | None
    department: str
    major: str
    class_name: str
    cohort_year: int | None
    political_status: str
    phone: str


@dataclass(frozen=True, slots=True)
class StoredStudent:
    """A student as stored: what the edit and delete pages show and their writes start from."""

    id: int
    student_no: str
    name: str
    gender: str
    birth_date: datetime.date | None
    department: str
    major: str
    class_name: str
    cohort_year: int
    political_status: str
    phone: str
    user: int | None

    def fields(self) -> dict[str, Any]:
        """The form's fields (STUDENT_FIELDS) with their stored values."""
        return {name: getattr(self, name) for name in STUDENT_FIELDS}


def is_valid_phone(phone: str) -> bool:
    return bool(MOBILE_PATTERN.fullmatch(phone) or LANDLINE_PATTERN.fullmatch(phone))


def check_student_form(form: FormState, today: datetime.date) -> StudentValues:
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


def record_page(viewer: Viewer) -> str:
    """The route name of a student's record for this viewer: coordinators keep the student
    page (with its edit actions), everyone else the record page."""
    return "student_detail" if viewer.role is Role.coordinator else "student_record"


# --- transactions --------------------------------------------------------------------------


async def stored_student(student_id: int) -> StoredStudent:
    """The student to edit or delete; NotVisible (404) when there is none."""
    row = (
        await Student.select(
            Student.id,
            Student.student_no,
            Student.name,
            Student.gender,
            Student.birth_date,
            Student.department,
            Student.major,
            Student.class_name,
            Student.cohort_year,
            Student.political_status,
            Student.phone,
            Student.user,
        )
        .where(Student.id == student_id)
        .first()
    )
    if row is None:
        raise NotVisible(f"student {student_id}")
    return StoredStudent(**row)


def number_taken() -> Refused:
    return Refused.at("student_no", _("This student number is already taken."))


async def save_student(actor: Actor, values: StudentValues, student: StoredStudent | None) -> int:
    """Adds a student (`student` None) or changes one, in one audited transaction; returns
    its id. Refused beside the student number when another student has it."""
    try:
        async with audited_write(actor) as audit:
            clash = Student.exists().where(Student.student_no == values["student_no"])
            if student is not None:
                clash = clash.where(Student.id != student.id)
            if await clash:
                raise number_taken()
            if student is None:
                row = (await Student.insert(Student(**values)).returning(Student.id))[0]
                await audit.created(Student, row["id"], values, values["name"])
                return int(row["id"])
            changes: dict[Any, Any] = {**values, "updated_at": datetime.datetime.now()}
            await Student.update(changes).where(Student.id == student.id)
            await audit.updated(Student, student.id, student.fields(), values, values["name"])
            return student.id
    except UniqueViolation as error:  # the same number saved by someone else meanwhile
        raise number_taken() from error


async def delete_student(actor: Actor, student: StoredStudent) -> None:
    """Deletes a student and disables their login, in one audited transaction. Refused while
    other records (projects, mentors, the talent pool …) still refer to the student."""
    try:
        async with audited_write(actor) as audit:
            await Student.delete().where(Student.id == student.id)
            if student.user:
                await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == student.user)
            await audit.deleted(Student, student.id, student.fields(), student.name)
    except ForeignKeyViolation as error:
        raise Refused.at(
            FORM, _("This student still has linked records and cannot be deleted.")
        ) from error


@dataclass(frozen=True, slots=True)
class StudentDeletion:
    """What deleting a student does (from the tables' foreign keys), and why it is refused
    (None: it may be done)."""

    impact: Impact
    refusal: str | None
    disables_login: bool


async def student_deletion(viewer: Viewer, student: StoredStudent) -> StudentDeletion:
    """Records that keep a student (projects, dual-mentor pairings: their keys restrict the
    delete) refuse it, as delete_student would; everything else of theirs goes with them."""
    impact = await deletion_impact(Student._meta.tablename, student.id)
    refusal = (
        _("%(name)s cannot be deleted while these records still refer to them:", name=student.name)
        if impact.blocking
        else None
    )
    return StudentDeletion(impact, refusal, disables_login=student.user is not None)
