"""What can be imported (学生, 导师, 合作企业): the columns of each file, how a row's cells become
form values, which form rule checks them, and the natural key that finds an existing record.

Keys:
- students: 学号 (unique in the portal);
- enterprises: 统一社会信用代码 (unique);
- mentors: a college mentor is known by name and 院系/部门 — teachers are listed per department
  and two teachers of one department rarely share a name; an enterprise mentor by name and
  enterprise (given by its credit code, or by its exact name). A key that matches two existing
  mentors is a bad row: the portal cannot tell which one is meant.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from piccolo.table import Table

from college.importing import values as cell
from college.importing.reading import clean_text
from partners.coeducation.mentors import MENTOR_FIELDS, active_counts, check_mentor_form
from partners.coeducation.tables import Mentor
from partners.organizations.enterprises import (
    ENTERPRISE_FIELDS,
    CreditCodeError,
    check_credit_code,
    check_enterprise_form,
)
from partners.organizations.tables import Enterprise
from portal.forms import FormState
from portal.i18n import _, lazy
from portal.students import STUDENT_FIELDS, check_student_form
from portal.tables import Student
from portal.vocabulary import ENTERPRISE_STATUSES, MENTOR_SIDES, PARTY_ORG_KINDS

LOOKUP_CHUNK = 500  # keys per look-up query
DEFAULT_MAX_MENTEES = "8"  # the mentor form's default


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an import file.

    `header` is the canonical (Chinese) header written in the template; `aliases` are other
    headers that mean the same column. `keep_when_blank`: a blank cell keeps an existing
    record's value, and a new record gets `default`."""

    field: str
    header: str
    note: str
    example: Any = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    convert: Callable[[Any], Any] = cell.text
    default: str = ""
    keep_when_blank: bool = False


@dataclass
class RowInput:
    """A data row of the file: its cells as form values, and what could not be read."""

    line: int
    values: dict[str, Any]
    raw: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)


@dataclass
class CheckedRow:
    """A row that passed the form rules: the values to write and the record's natural key."""

    line: int
    key: Hashable
    values: dict[str, Any]
    kept: frozenset[str]


def chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportSpec(ABC):
    """The shared part of every kind; each kind fills in its columns, rule and key."""

    kind: str
    table: type[Table]
    fields: Sequence[str]
    columns: tuple[ColumnSpec, ...]
    list_route: str
    upload_route: str
    date_fields: tuple[str, ...] = ()
    title_msgid: str = ""
    key_fields: tuple[str, ...] = ()  # the record fields `key` reads
    has_update_rules = False  # whether `update_problems` checks anything
    # Required columns a file may leave out because one value (or a rule) holds for the whole
    # file: field → the ways to derive it besides typing one value (see filling.py).
    fillable: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Optional columns offered the same way when the file lacks them (default: left empty):
    # field → other columns whose presence makes the offer moot.
    optional_fills: ClassVar[dict[str, tuple[str, ...]]] = {}

    def title(self) -> str:
        return _(self.title_msgid)

    def column(self, name: str) -> ColumnSpec | None:
        return next((column for column in self.columns if column.field == name), None)

    def convert(self, line: int, cells: dict[str, Any]) -> RowInput:
        """Cells (by column field; only the file's columns) → form values, with the problems
        of cells that cannot mean anything valid. Missing columns get their default."""
        row = RowInput(line=line, values={}, raw={})
        for column in self.columns:
            if column.field not in cells:
                row.values[column.field] = column.default
                continue
            raw = cells[column.field]
            row.raw[column.field] = clean_text(raw)
            if row.raw[column.field] == "" and column.keep_when_blank:
                row.values[column.field] = column.default
                row.kept.add(column.field)
                continue
            try:
                row.values[column.field] = column.convert(raw)
            except cell.BadValue as error:
                row.values[column.field] = row.raw[column.field]
                row.errors[column.field] = error.message
        return row

    async def context(self, rows: list[RowInput]) -> dict[str, Any]:
        """What checking the rows needs from the database, fetched in bulk beforehand."""
        return {}

    def after_fill(self, row: RowInput) -> None:
        """Values that follow from a filled column (e.g. a mentor's side from the enterprise)."""
        return None

    @abstractmethod
    def check(
        self, row: RowInput, today: datetime.date, context: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The cleaned values and the errors by column field, from the kind's form rule."""

    @abstractmethod
    def key(self, values: dict[str, Any]) -> Hashable:
        """The natural key that decides between creating and updating a record."""

    @abstractmethod
    def describe_key(self, values: dict[str, Any]) -> str:
        """The key as the preview names it (e.g. "student number 2024000001")."""

    def key_column(self) -> str:
        """The column a duplicate key is reported on."""
        return self.columns[0].field

    @abstractmethod
    async def existing(self, rows: list[CheckedRow]) -> dict[Hashable, list[dict[str, Any]]]:
        """The records already in the portal with the rows' keys (one query per chunk)."""

    def written_fields(self, present: Iterable[str], kept: Iterable[str]) -> list[str]:
        """The record fields an update writes: those whose column is in the file, except cells
        left blank that keep the current value."""
        present, kept = set(present), set(kept)
        return [name for name in self.fields if name in present and name not in kept]

    async def update_problems(
        self, updates: list[tuple[CheckedRow, dict[str, Any]]]
    ) -> list[tuple[int, str, str]]:
        """Rules that depend on the record being updated: (line, column field, message)."""
        return []

    def update_extra(self) -> dict[str, Any]:
        """Columns every update sets besides the file's values (e.g. updated_at)."""
        return {}

    def to_json(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in values.items()
        }

    def from_json(self, values: dict[str, Any]) -> dict[str, Any]:
        result = dict(values)
        for name in self.date_fields:
            if isinstance(result.get(name), str) and result[name]:
                result[name] = datetime.date.fromisoformat(result[name])
        return result


def form_of(row: RowInput, names: Sequence[str]) -> FormState:
    """A FormState as the form would submit it (text values), carrying the cell problems."""
    values = {name: str(row.values.get(name, "")) for name in names}
    return FormState(values=values, errors=dict(row.errors))


# --- students ------------------------------------------------------------------------------


class StudentImport(ImportSpec):
    kind = "students"
    table = Student
    fields = STUDENT_FIELDS
    list_route = "student_list"
    upload_route = "student_import"
    date_fields = ("birth_date",)
    title_msgid = lazy("Students")
    key_fields = ("student_no",)
    fillable: ClassVar[dict[str, tuple[str, ...]]] = {
        "department": ("title",),
        "major": ("title",),
        "class_name": ("title",),
        "cohort_year": ("title", "student_no"),
    }
    columns = (
        ColumnSpec(
            "student_no",
            "学号",
            lazy(
                "6 to 20 letters or digits; identifies the student: an existing number "
                "updates that student, a new one adds a student."
            ),
            "2024010101",
            ("学生学号", "Student number", "student no"),
            required=True,
            convert=cell.compact,
        ),
        ColumnSpec("name", "姓名", lazy("Required."), "张三", ("学生姓名", "Name"), True),
        ColumnSpec("gender", "性别", lazy("男 or 女."), "男", ("Gender", "sex"), True, cell.gender),
        ColumnSpec(
            "birth_date",
            "出生日期",
            lazy("A date cell, or text like 2005-05-01, 2005/5/1 or 20050501."),
            datetime.date(2006, 5, 1),
            ("出生年月日", "生日", "Birth date"),
            True,
            cell.date,
        ),
        ColumnSpec(
            "department",
            "院系",
            lazy("Required, e.g. 智能制造学院."),
            "智能制造学院",
            ("学院", "所在院系", "系部", "院部", "二级学院", "所属学院", "系别", "Department"),
            True,
        ),
        ColumnSpec(
            "major",
            "专业",
            lazy("Required."),
            "工业机器人技术",
            ("专业名称", "所学专业", "Major"),
            True,
        ),
        ColumnSpec(
            "class_name",
            "班级",
            lazy("Required."),
            "工业机器人2401班",
            ("班级名称", "行政班", "行政班级", "所在班级", "Class"),
            True,
        ),
        ColumnSpec(
            "cohort_year",
            "年级",
            lazy("The year of enrolment: 2024 or 2024级."),
            "2024级",
            ("入学年份", "入学年级", "Cohort", "cohort year"),
            True,
            cell.cohort,
        ),
        ColumnSpec(
            "political_status",
            "政治面貌",
            lazy(
                "A GB/T 4762 name such as 中共党员, 中共预备党员, 共青团员, 群众, or its code "
                "(01–13)."
            ),
            "共青团员",
            ("Political status",),
            True,
            cell.political_status,
        ),
        ColumnSpec(
            "phone",
            "手机号",
            lazy("Optional: an 11-digit mobile number or a landline like 0591-87654321."),
            "13812345678",
            ("手机", "手机号码", "联系电话", "电话", "联系方式", "Phone", "mobile"),
            convert=cell.phone,
        ),
    )

    def check(
        self, row: RowInput, today: datetime.date, context: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        form = form_of(row, STUDENT_FIELDS)
        values = check_student_form(form, today)
        return dict(values), form.errors

    def key(self, values: dict[str, Any]) -> Hashable:
        return values["student_no"]

    def describe_key(self, values: dict[str, Any]) -> str:
        return _("student number %(number)s", number=values["student_no"])

    async def existing(self, rows: list[CheckedRow]) -> dict[Hashable, list[dict[str, Any]]]:
        keys = sorted({str(row.key) for row in rows})
        found: dict[Hashable, list[dict[str, Any]]] = {}
        for part in chunks(keys):
            records = await Student.select().where(Student.student_no.is_in(list(part)))
            for record in records:
                found.setdefault(record["student_no"], []).append(record)
        return found

    def update_extra(self) -> dict[str, Any]:
        return {"updated_at": datetime.datetime.now()}


# --- enterprises ---------------------------------------------------------------------------


def label_names(labels: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    names = cell.labels_in_every_locale(labels)
    names.update({cell.key_of(code): code for code in labels})
    names.update({cell.key_of(label): code for label, code in extra.items()})
    return names


PARTY_ORG_KIND_NAMES = {
    "企业党委": "committee",
    "党总支部": "general_branch",
    "总支": "general_branch",
    "支部": "branch",
    "无": "none",
    "未建立": "none",
    "暂无": "none",
    "没有": "none",
}
ENTERPRISE_STATUS_NAMES = {
    "正常": "active",
    "在合作": "active",
    "合作": "active",
    "终止": "ended",
    "结束": "ended",
    "已结束": "ended",
    "已暂停": "paused",
}


def party_org_kind(raw: Any) -> str:
    return cell.choice(
        raw, label_names(PARTY_ORG_KINDS, PARTY_ORG_KIND_NAMES), "党委, 党总支, 党支部, 尚未建立"
    )


def enterprise_status(raw: Any) -> str:
    return cell.choice(
        raw, label_names(ENTERPRISE_STATUSES, ENTERPRISE_STATUS_NAMES), "合作中, 暂停, 已终止"
    )


def credit_code(raw: Any) -> str:
    return cell.compact(raw).upper()


class EnterpriseImport(ImportSpec):
    kind = "enterprises"
    table = Enterprise
    fields = ENTERPRISE_FIELDS
    list_route = "enterprise_list"
    upload_route = "enterprise_import"
    date_fields = ("partner_since",)
    title_msgid = lazy("Enterprises")
    key_fields = ("credit_code",)
    columns = (
        ColumnSpec(
            "name",
            "企业名称",
            lazy("Required, at most 200 characters."),
            "苏州精工智能装备有限公司",
            ("单位名称", "公司名称", "企业", "Enterprise name"),
            True,
        ),
        ColumnSpec(
            "credit_code",
            "统一社会信用代码",
            lazy(
                "18 characters with a valid check character (GB 32100-2015); identifies the "
                "enterprise: an existing code updates it, a new one adds an enterprise."
            ),
            "91320594MA1MXK3T2A",
            ("信用代码", "社会信用代码", "Unified social credit code", "credit code"),
            True,
            credit_code,
        ),
        ColumnSpec("industry", "所属行业", lazy("Optional."), "智能制造", ("行业", "Industry")),
        ColumnSpec(
            "address",
            "地址",
            lazy("Optional."),
            "苏州工业园区星湖街 328 号",
            ("企业地址", "注册地址", "通讯地址", "Address"),
        ),
        ColumnSpec("contact_person", "联系人", lazy("Optional."), "李经理", ("Contact person",)),
        ColumnSpec(
            "contact_phone",
            "联系电话",
            lazy("Optional: a mobile number or a landline like 0512-62345678."),
            "0512-62345678",
            ("联系人电话", "电话", "手机号", "Contact phone"),
            convert=cell.phone,
        ),
        ColumnSpec(
            "party_org_name",
            "党组织名称",
            lazy("Optional, e.g. the name of its party branch."),
            "苏州精工智能装备有限公司党支部",
            ("Party organization name",),
        ),
        ColumnSpec(
            "party_org_kind",
            "党组织类型",
            lazy(
                "党委, 党总支, 党支部 or 尚未建立; blank keeps the current value (new: 尚未建立)."
            ),
            "党支部",
            ("党组织类别", "Party organization kind"),
            convert=party_org_kind,
            default="none",
            keep_when_blank=True,
        ),
        ColumnSpec(
            "party_member_count",
            "党员人数",
            lazy("Optional whole number."),
            12,
            ("Party members",),
            convert=cell.count,
        ),
        ColumnSpec(
            "employee_count",
            "员工人数",
            lazy("Optional whole number."),
            350,
            ("职工人数", "从业人数", "Employees"),
            convert=cell.count,
        ),
        ColumnSpec(
            "partner_since",
            "合作起始日期",
            lazy("Optional date, not in the future."),
            datetime.date(2023, 9, 1),
            ("合作开始日期", "建立合作日期", "Partner since"),
            convert=cell.date,
        ),
        ColumnSpec(
            "status",
            "合作状态",
            lazy("合作中, 暂停 or 已终止; blank keeps the current value (new: 合作中)."),
            "合作中",
            ("状态", "Partnership status"),
            convert=enterprise_status,
            default="active",
            keep_when_blank=True,
        ),
    )

    def check(
        self, row: RowInput, today: datetime.date, context: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        form = form_of(row, ENTERPRISE_FIELDS)
        values = check_enterprise_form(form, today)
        return values, form.errors

    def key_column(self) -> str:
        return "credit_code"

    def key(self, values: dict[str, Any]) -> Hashable:
        return values["credit_code"]

    def describe_key(self, values: dict[str, Any]) -> str:
        return _("credit code %(code)s", code=values["credit_code"])

    async def existing(self, rows: list[CheckedRow]) -> dict[Hashable, list[dict[str, Any]]]:
        keys = sorted({str(row.key) for row in rows})
        found: dict[Hashable, list[dict[str, Any]]] = {}
        for part in chunks(keys):
            for record in await Enterprise.select().where(Enterprise.credit_code.is_in(list(part))):
                found.setdefault(record["credit_code"], []).append(record)
        return found


# --- mentors -------------------------------------------------------------------------------

SIDE_NAMES = {
    "校内": "college",
    "学校": "college",
    "学校导师": "college",
    "校内教师": "college",
    "教师": "college",
    "college": "college",
    "企业": "enterprise",
    "企业工程师": "enterprise",
    "校外导师": "enterprise",
    "enterprise": "enterprise",
}


def mentor_side(raw: Any) -> str:
    return cell.choice(raw, label_names(MENTOR_SIDES, SIDE_NAMES), "校内导师, 企业导师")


def party_member(raw: Any) -> str:
    return "1" if cell.yes_no(raw) else ""


class MentorImport(ImportSpec):
    kind = "mentors"
    table = Mentor
    fields = MENTOR_FIELDS
    list_route = "mentor_list"
    upload_route = "mentor_import"
    title_msgid = lazy("Mentors")
    key_fields = ("side", "name", "department", "enterprise")
    has_update_rules = True
    optional_fills: ClassVar[dict[str, tuple[str, ...]]] = {
        "enterprise_name": ("enterprise_code",),
        "department": (),
    }
    columns = (
        ColumnSpec(
            "side",
            "导师类型",
            lazy(
                "校内导师 or 企业导师; if the column is left out or blank, a row with an "
                "enterprise is an enterprise mentor, any other a college mentor."
            ),
            "校内导师",
            ("导师类别", "类型", "所属方", "Side"),
            convert=mentor_side,
        ),
        ColumnSpec(
            "name",
            "姓名",
            lazy(
                "Required. With 院系/部门 (college) or the enterprise (enterprise mentors) it "
                "identifies the mentor: an existing one is updated, a new one added."
            ),
            "王老师",
            ("导师姓名", "Name"),
            True,
        ),
        ColumnSpec(
            "department",
            "院系/部门",
            lazy("College mentors: their department."),
            "智能制造学院",
            ("院系", "部门", "所在院系", "所在部门", "学院", "Department"),
        ),
        ColumnSpec(
            "title",
            "职称",
            lazy("College mentors: their professional title, optional."),
            "副教授",
            ("专业技术职务", "Professional title"),
        ),
        ColumnSpec(
            "enterprise_name",
            "所在企业",
            lazy(
                "Enterprise mentors: the enterprise's exact name as in the portal (or give "
                "its credit code in the next column)."
            ),
            "",
            ("企业", "企业名称", "工作单位", "Enterprise"),
        ),
        ColumnSpec(
            "enterprise_code",
            "企业统一社会信用代码",
            lazy("Enterprise mentors: the enterprise's credit code (preferred over the name)."),
            "",
            ("统一社会信用代码", "企业信用代码", "信用代码"),
            convert=credit_code,
        ),
        ColumnSpec(
            "position",
            "岗位",
            lazy("Enterprise mentors: their position, optional."),
            "",
            ("职务", "职位", "Position"),
        ),
        ColumnSpec(
            "party_member",
            "是否党员",
            lazy("是 or 否 (or a political status such as 中共党员); blank means no."),
            "是",
            ("党员", "政治面貌", "Party member"),
            convert=party_member,
        ),
        ColumnSpec(
            "max_mentees",
            "最多指导学生数",
            lazy("1 to 50; blank keeps the current value (new mentors: 8)."),
            8,
            ("最多同时指导学生数", "指导人数上限", "带教上限", "Maximum active mentees"),
            convert=cell.compact,
            default=DEFAULT_MAX_MENTEES,
            keep_when_blank=True,
        ),
        ColumnSpec(
            "phone",
            "手机号",
            lazy("Optional: a mobile number or a landline."),
            "13912345678",
            ("手机", "手机号码", "联系电话", "电话", "Phone"),
            convert=cell.phone,
        ),
        ColumnSpec(
            "email",
            "电子邮箱",
            lazy(
                "Enterprise mentors, optional: weekly logs to confirm are sent there with a "
                "one-tap link when the mentor has no account. Blank keeps the current value."
            ),
            "wang.qiang@example.com",
            ("邮箱", "Email", "E-mail"),
            convert=cell.compact,
            keep_when_blank=True,
        ),
    )

    def convert(self, line: int, cells: dict[str, Any]) -> RowInput:
        row = super().convert(line, cells)
        self.after_fill(row)
        return row

    def after_fill(self, row: RowInput) -> None:
        """A row without a side of its own: an enterprise mentor if it names an enterprise
        (also one filled in for the whole file), else a college mentor."""
        if not row.raw.get("side") and "side" not in row.errors:
            named = row.values.get("enterprise_name") or row.values.get("enterprise_code")
            row.values["side"] = "enterprise" if named else "college"

    async def context(self, rows: list[RowInput]) -> dict[str, Any]:
        """The enterprises the rows name, by credit code and by name: one query per chunk."""
        codes = sorted({row.values["enterprise_code"] for row in rows} - {""})
        names = sorted({row.values["enterprise_name"] for row in rows} - {""})
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for part in chunks(codes):
            for record in await Enterprise.select(Enterprise.id, Enterprise.credit_code).where(
                Enterprise.credit_code.is_in(list(part))
            ):
                by_code[record["credit_code"]] = record["id"]
        for part in chunks(names):
            for record in await Enterprise.select(Enterprise.id, Enterprise.name).where(
                Enterprise.name.is_in(list(part))
            ):
                by_name.setdefault(record["name"], []).append(record["id"])
        return {"by_code": by_code, "by_name": by_name}

    def resolve_enterprise(self, row: RowInput, context: dict[str, Any]) -> None:
        """Sets the form's `enterprise` (an id) from the credit code or the name, or the
        reason none can be found."""
        row.values["enterprise"] = ""
        if row.values.get("side") != "enterprise":
            return
        code, name = row.values["enterprise_code"], row.values["enterprise_name"]
        if code:
            try:
                code = check_credit_code(code)
            except CreditCodeError as error:
                row.errors.setdefault("enterprise_code", error.message)
                return
            if code in context["by_code"]:
                row.values["enterprise"] = str(context["by_code"][code])
            else:
                row.errors.setdefault(
                    "enterprise_code",
                    _(
                        "No enterprise in the portal has this credit code: import the "
                        "enterprise first."
                    ),
                )
        elif name:
            matches = context["by_name"].get(name, [])
            if len(matches) == 1:
                row.values["enterprise"] = str(matches[0])
            elif matches:
                row.errors.setdefault(
                    "enterprise_name",
                    _("Several enterprises have this name: give the credit code instead."),
                )
            else:
                row.errors.setdefault(
                    "enterprise_name",
                    _(
                        "No enterprise in the portal has this name: check it, or give the "
                        "credit code."
                    ),
                )
        else:
            row.errors.setdefault(
                "enterprise_name", _("An enterprise mentor needs the enterprise's name or code.")
            )

    def check(
        self, row: RowInput, today: datetime.date, context: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        self.resolve_enterprise(row, context)
        form = form_of(row, MENTOR_FIELDS)
        for name in ("enterprise_name", "enterprise_code"):
            if name in row.errors:
                form.errors.pop(name, None)
                form.errors.setdefault("enterprise", row.errors[name])
        values = check_mentor_form(form)
        errors = dict(form.errors)
        if "enterprise" in errors:
            column = "enterprise_code" if row.values.get("enterprise_code") else "enterprise_name"
            errors[column] = errors.pop("enterprise")
        return values, errors

    def key(self, values: dict[str, Any]) -> Hashable:
        if values["side"] == "enterprise":
            return ("enterprise", values["name"], values["enterprise"])
        return ("college", values["name"], values["department"])

    def key_column(self) -> str:
        return "name"

    def describe_key(self, values: dict[str, Any]) -> str:
        if values["side"] == "enterprise":
            return _("enterprise mentor %(name)s", name=values["name"])
        return _(
            "college mentor %(name)s of %(department)s",
            name=values["name"],
            department=values["department"] or "—",
        )

    async def existing(self, rows: list[CheckedRow]) -> dict[Hashable, list[dict[str, Any]]]:
        names = sorted({row.values["name"] for row in rows})
        found: dict[Hashable, list[dict[str, Any]]] = {}
        for part in chunks(names):
            for record in await Mentor.select().where(Mentor.name.is_in(list(part))):
                found.setdefault(self.key(record), []).append(record)
        return found

    def written_fields(self, present: Iterable[str], kept: Iterable[str]) -> list[str]:
        present = set(present)
        if present & {"enterprise_name", "enterprise_code"}:
            present.add("enterprise")
        return super().written_fields(present | {"side"}, kept)

    async def update_problems(
        self, updates: list[tuple[CheckedRow, dict[str, Any]]]
    ) -> list[tuple[int, str, str]]:
        """The maximum never drops below a mentor's active mentees (as on the edit form)."""
        changing = [(row, record) for row, record in updates if "max_mentees" not in row.kept]
        counts: dict[int, int] = {}
        for part in chunks([record["id"] for _row, record in changing]):
            counts.update(await active_counts(list(part)))
        problems = []
        for row, record in changing:
            active = counts.get(record["id"], 0)
            if row.values["max_mentees"] < active:
                problems.append(
                    (
                        row.line,
                        "max_mentees",
                        _("This mentor already has %(count)s active mentees.", count=active),
                    )
                )
        return problems


SPECS: dict[str, ImportSpec] = {
    spec.kind: spec for spec in (StudentImport(), MentorImport(), EnterpriseImport())
}
