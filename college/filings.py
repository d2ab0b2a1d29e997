"""Export profiles for filings (报送导出方案), in the top layer: "write once, report many".

A profile is a saved, editable list of columns — header, a named source, and a mapping of
stored values to the text or code the receiving platform asks for — so a college matches its
province's internship filing sheet (实习备案) or the higher committee's 发展党员 statistics
without code. Two kinds:

- placements: one row per placement (岗位实习/认识实习) overlapping a term;
- party_statistics: one row per cohort and gender, with the number of students at each
  pipeline stage now and the new members (接收预备党员, 转正) in the chosen period, and a total.

The default profiles carry what 《职业学校学生实习管理规定》 (教职成〔2021〕4号) requires to be
recorded of a placement; the official platforms' own import templates are not public, so a
college edits headers, order and codes to match the sheet it is given.

Rules and transactions take an Actor and a FormState, never a request.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from partners.coeducation.tables import MentorAssignment, Participation
from portal.audit import Actor, audited_write
from portal.dates import age_on
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.i18n import _, lazy
from portal.tables import ExportProfile, ExportProfileKind
from portal.vocabulary import (
    EXPORT_PROFILE_KINDS,
    GENDERS,
    INTERNSHIP_KINDS,
    PARTICIPATION_STATUSES,
    label,
)
from talent_pool.tables import EventKind, PipelineEvent, PoolEntry, Stage

KINDS = EXPORT_PROFILE_KINDS  # the kinds of profile, with their labels

YES_NO: dict[str, str] = {"yes": lazy("Yes"), "no": lazy("No")}

# The named sources of each kind, in the order the editor offers them, with their labels.
SOURCES: dict[str, dict[str, str]] = {
    ExportProfileKind.placements.value: {
        "student_name": lazy("Student name"),
        "student_no": lazy("Student number"),
        "gender": lazy("Gender"),
        "department": lazy("Department"),
        "major": lazy("Major"),
        "class_name": lazy("Class"),
        "cohort_year": lazy("Cohort"),
        "internship_kind": lazy("Internship type"),
        "enterprise_name": lazy("Host enterprise"),
        "credit_code": lazy("Unified social credit code"),
        "address": lazy("Placement address"),
        "project_name": lazy("Co-education project"),
        "position": lazy("Internship post"),
        "starts_on": lazy("Start date"),
        "ends_on": lazy("End date"),
        "college_mentor": lazy("College mentor"),
        "enterprise_mentor": lazy("Enterprise mentor"),
        "agreement_signed_on": lazy("Agreement signed on"),
        "insurance_policy_no": lazy("Insurance policy number"),
        "insurance_starts_on": lazy("Insurance from"),
        "insurance_ends_on": lazy("Insurance until"),
        "minor": lazy("Minor at the start"),
        "guardian_consent_on": lazy("Guardian consent on"),
        "monthly_pay": lazy("Monthly pay (yuan)"),
        "status": lazy("Placement status"),
    },
    ExportProfileKind.party_statistics.value: {
        "cohort_year": lazy("Cohort"),
        "gender": lazy("Gender"),
        "applicants": lazy("Applicants now"),
        "activists": lazy("Activists now"),
        "development_targets": lazy("Development targets now"),
        "probationary": lazy("Probationary members now"),
        "full_members": lazy("Full members now"),
        "applications": lazy("Applications in the period"),
        "new_probationary": lazy("Admitted as probationary members in the period"),
        "new_full": lazy("Converted to full members in the period"),
    },
}

# Sources whose stored values are codes: the codes a value mapping may name, and the text
# shown when a profile maps none.
CODED: dict[str, Mapping[str, str]] = {
    "gender": GENDERS,
    "internship_kind": INTERNSHIP_KINDS,
    "minor": YES_NO,
    "status": PARTICIPATION_STATUSES,
}

MAX_COLUMNS = 60
MAX_HEADER = 60
MAX_NAME = 100
MAX_MAP_LINES = 40


def _column(header: str, source: str, value_map: dict[str, str] | None = None) -> dict[str, Any]:
    return {"header": header, "source": source, "value_map": value_map or {}}


def default_columns(kind: str) -> list[dict[str, Any]]:
    """The columns of a new college's default profile of `kind` (Chinese headers, as filed)."""
    if kind == ExportProfileKind.placements.value:
        return [
            _column("学生姓名", "student_name"),
            _column("学号", "student_no"),
            _column("性别", "gender", {"M": "男", "F": "女"}),
            _column("专业", "major"),
            _column("班级", "class_name"),
            _column("实习类型", "internship_kind", {"cognitive": "认识实习", "post": "岗位实习"}),
            _column("实习单位名称", "enterprise_name"),
            _column("统一社会信用代码", "credit_code"),
            _column("实习岗位", "position"),
            _column("实习地点", "address"),
            _column("实习开始日期", "starts_on"),
            _column("实习结束日期", "ends_on"),
            _column("校内指导教师", "college_mentor"),
            _column("企业指导教师", "enterprise_mentor"),
            _column("实习协议签订日期", "agreement_signed_on"),
            _column("实习责任保险单号", "insurance_policy_no"),
            _column("是否未成年", "minor", {"yes": "是", "no": "否"}),
            _column("监护人知情同意日期", "guardian_consent_on"),
            _column("实习报酬（元/月）", "monthly_pay"),
        ]
    return [
        _column("年级", "cohort_year"),
        _column("性别", "gender", {"M": "男", "F": "女"}),
        _column("入党申请人", "applicants"),
        _column("入党积极分子", "activists"),
        _column("发展对象", "development_targets"),
        _column("预备党员", "probationary"),
        _column("正式党员", "full_members"),
        _column("本期递交入党申请", "applications"),
        _column("本期发展党员（接收预备党员）", "new_probationary"),
        _column("本期预备党员转正", "new_full"),
    ]


DEFAULT_NAMES: dict[str, str] = {
    ExportProfileKind.placements.value: "实习备案（默认）",
    ExportProfileKind.party_statistics.value: "发展党员统计（默认）",
}


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    kind: str
    columns: list[dict[str, Any]]
    updated_at: datetime.datetime | None = None
    updater: str = ""


def _profile(row: dict[str, Any]) -> Profile:
    columns = row["columns"]
    if isinstance(columns, str):
        columns = json.loads(columns)
    return Profile(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        columns=list(columns or []),
        updated_at=row.get("updated_at"),
        updater=row.get("updater") or "",
    )


async def profiles() -> list[Profile]:
    rows = await ExportProfile.select(
        ExportProfile.id,
        ExportProfile.name,
        ExportProfile.kind,
        ExportProfile.columns,
        ExportProfile.updated_at,
        ExportProfile.updated_by.username.as_alias("updater"),
    ).order_by(ExportProfile.id)
    return [_profile(row) for row in rows]


async def profile(profile_id: int) -> Profile:
    row = (
        await ExportProfile.select(
            ExportProfile.id, ExportProfile.name, ExportProfile.kind, ExportProfile.columns
        )
        .where(ExportProfile.id == profile_id)
        .first()
    )
    if row is None:
        raise NotVisible(f"export profile {profile_id}")
    return _profile(row)


# --- the editor's form ---------------------------------------------------------------------


def map_text(value_map: Mapping[str, str]) -> str:
    """A value mapping as the editor shows it: one "stored=text" per line."""
    return "\n".join(f"{key}={value}" for key, value in value_map.items())


def editor_rows(columns: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "header": str(column.get("header", "")),
            "source": str(column.get("source", "")),
            "map": map_text(column.get("value_map") or {}),
        }
        for column in columns
    ]


def form_fields(count: int) -> list[str]:
    """The names of an editor form with `count` column rows."""
    names = ["name"]
    for index in range(count):
        names += [f"header_{index}", f"source_{index}", f"map_{index}"]
    return names


def rows_of_form(form: FormState, count: int) -> list[dict[str, str]]:
    return [
        {
            "header": form.values.get(f"header_{i}", ""),
            "source": form.values.get(f"source_{i}", ""),
            "map": form.values.get(f"map_{i}", ""),
        }
        for i in range(count)
    ]


def rearranged(rows: list[dict[str, str]], action: str, kind: str) -> list[dict[str, str]] | None:
    """The rows after an editing action (add, remove-N, up-N, down-N), or None when the action
    is saving. Nothing is written: the editor shows the rows again."""
    rows = [dict(row) for row in rows]
    verb, _sep, number = action.partition("-")
    if verb == "add":
        if len(rows) < MAX_COLUMNS:
            rows.append({"header": "", "source": next(iter(SOURCES[kind])), "map": ""})
        return rows
    if verb not in ("remove", "up", "down") or not number.isdigit():
        return None
    index = int(number)
    if not 0 <= index < len(rows):
        return rows
    if verb == "remove":
        del rows[index]
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


def _parse_map(form: FormState, field: str, source: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    lines = [line.strip() for line in form.values.get(field, "").splitlines() if line.strip()]
    if len(lines) > MAX_MAP_LINES:
        form.add_error(field, _("At most %(limit)s mapping lines.", limit=MAX_MAP_LINES))
        return mapping
    codes = CODED.get(source)
    for line in lines:
        key, sep, value = line.replace("＝", "=").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            form.add_error(
                field,
                _(
                    'Write one mapping a line as stored value=text, e.g. "post=2"; not "%(line)s".',
                    line=line[:40],
                ),
            )
            continue
        if codes is not None and key not in codes:
            form.add_error(
                field,
                _(
                    "%(key)s is not a stored value of this source; its values are: %(codes)s.",
                    key=key,
                    codes=", ".join(codes),
                ),
            )
            continue
        if key in mapping:
            form.add_error(field, _("%(key)s is mapped twice.", key=key))
            continue
        mapping[key] = value[:MAX_HEADER]
    return mapping


def check_profile_form(form: FormState, kind: str, count: int) -> tuple[str, list[dict[str, Any]]]:
    """The name and the columns of an editor form; messages beside the wrong fields."""
    name = form.required("name")
    form.max_length("name", MAX_NAME)
    sources = SOURCES[kind]
    columns: list[dict[str, Any]] = []
    seen: set[str] = set()
    if count == 0:
        form.add_error("columns", _("A profile needs at least one column."))
    for index in range(count):
        header_field = f"header_{index}"
        header = form.required(header_field)
        form.max_length(header_field, MAX_HEADER)
        if header and header in seen:
            form.add_error(header_field, _("Another column has this header."))
        seen.add(header)
        source = form.choice(f"source_{index}", list(sources))
        value_map = _parse_map(form, f"map_{index}", source)
        columns.append(_column(header, source, value_map))
    return name, columns


# --- writes --------------------------------------------------------------------------------


def _values(name: str, kind: str, columns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "kind": kind, "columns": json.dumps(columns, ensure_ascii=False)}


async def create_profile(
    actor: Actor, kind: str, name: str, columns: list[dict[str, Any]], summary: str = ""
) -> int:
    async with audited_write(actor) as audit:
        values = _values(name, kind, columns)
        rows = await ExportProfile.insert(
            ExportProfile(**values, created_by=actor.user_id, updated_by=actor.user_id)
        ).returning(ExportProfile.id)
        profile_id = int(rows[0]["id"])
        await audit.created(ExportProfile, profile_id, values, summary or name)
    return profile_id


async def update_profile(
    actor: Actor, profile_id: int, name: str, columns: list[dict[str, Any]]
) -> None:
    async with audited_write(actor) as audit:
        before = await profile(profile_id)
        old = _values(before.name, before.kind, before.columns)
        new = _values(name, before.kind, columns)
        await ExportProfile.update(
            {
                ExportProfile.name: name,
                ExportProfile.columns: new["columns"],
                ExportProfile.updated_by: actor.user_id,
                ExportProfile.updated_at: datetime.datetime.now(),
            }
        ).where(ExportProfile.id == profile_id)
        await audit.updated(ExportProfile, profile_id, old, new, name)


async def copy_profile(actor: Actor, profile_id: int) -> int:
    """复制为新方案: a new profile with the same columns, named "… (copy)"."""
    original = await profile(profile_id)
    name = _("%(name)s (copy)", name=original.name)[:MAX_NAME]
    return await create_profile(actor, original.kind, name, original.columns, name)


async def ensure_defaults(actor: Actor) -> None:
    """The default profile of each kind that has none yet (on first use)."""
    existing = {row["kind"] for row in await ExportProfile.select(ExportProfile.kind)}
    for kind in KINDS:
        if kind not in existing:
            await create_profile(actor, kind, DEFAULT_NAMES[kind], default_columns(kind))


# --- the export ----------------------------------------------------------------------------


def academic_term(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The academic term around `today`: autumn (1 Sep – 31 Jan) or spring (1 Feb – 31 Aug)."""
    if today.month >= 9:
        return datetime.date(today.year, 9, 1), datetime.date(today.year + 1, 1, 31)
    if today.month == 1:
        return datetime.date(today.year - 1, 9, 1), datetime.date(today.year, 1, 31)
    return datetime.date(today.year, 2, 1), datetime.date(today.year, 8, 31)


def default_period(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Placements: the current academic term; party statistics: the calendar year."""
    if kind == ExportProfileKind.party_statistics.value:
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    return academic_term(today)


def check_period(form: FormState) -> tuple[datetime.date | None, datetime.date | None]:
    starts = form.date("starts_on")
    ends = form.date("ends_on")
    if starts and ends and ends < starts:
        form.add_error("ends_on", _("The end cannot be before the start."))
    return starts, ends


async def placement_rows(starts: datetime.date, ends: datetime.date) -> list[dict[str, Any]]:
    """The placements (not withdrawn) overlapping the period, by class and student number,
    with their mentors: stored values, keyed by source."""
    p = Participation
    rows = await (
        p.select(
            p.id,
            p.student.id.as_alias("student_id"),
            p.project.id.as_alias("project_id"),
            p.student.name.as_alias("student_name"),
            p.student.student_no.as_alias("student_no"),
            p.student.gender.as_alias("gender"),
            p.student.department.as_alias("department"),
            p.student.major.as_alias("major"),
            p.student.class_name.as_alias("class_name"),
            p.student.cohort_year.as_alias("cohort_year"),
            p.student.birth_date.as_alias("birth_date"),
            p.internship_kind,
            p.project._.enterprise._.name.as_alias("enterprise_name"),
            p.project._.enterprise._.credit_code.as_alias("credit_code"),
            p.project.address.as_alias("address"),
            p.project.name.as_alias("project_name"),
            p.position,
            p.starts_on,
            p.ends_on,
            p.agreement_signed_on,
            p.insurance_policy_no,
            p.insurance_starts_on,
            p.insurance_ends_on,
            p.guardian_consent_on,
            p.monthly_pay,
            p.status,
        )
        .where(p.kind == "placement")
        .where(p.status != "withdrawn")
        .where(p.starts_on <= ends)
        .where((p.ends_on.is_null()) | (p.ends_on >= starts))
        .order_by(p.student.class_name)
        .order_by(p.student.student_no)
        .order_by(p.starts_on)
    )
    mentors = await _mentors({row["student_id"] for row in rows})
    for row in rows:
        names = mentors.get((row["student_id"], row["project_id"])) or mentors.get(
            (row["student_id"], None), ("", "")
        )
        row["college_mentor"], row["enterprise_mentor"] = names
        birth = row.pop("birth_date")
        if birth is None:
            row["minor"] = ""
        else:
            row["minor"] = "yes" if age_on(birth, row["starts_on"]) < 18 else "no"
    return rows


async def _mentors(student_ids: set[int]) -> dict[tuple[int, int | None], tuple[str, str]]:
    """(student, project) → (college mentor, enterprise mentor), the newest assignment; also
    (student, None) → the student's newest assignment of any project."""
    if not student_ids:
        return {}
    a = MentorAssignment
    rows = await (
        a.select(
            a.student,
            a.project,
            a.college_mentor.name.as_alias("college"),
            a.enterprise_mentor.name.as_alias("enterprise"),
        )
        .where(a.student.is_in(list(student_ids)))
        .order_by(a.starts_on)
        .order_by(a.id)
    )
    found: dict[tuple[int, int | None], tuple[str, str]] = {}
    for row in rows:  # later (newer) rows win
        names = (row["college"] or "", row["enterprise"] or "")
        found[(row["student"], row["project"])] = names
        found[(row["student"], None)] = names
    return found


TOTAL = "total"
STAGE_SOURCES = {
    Stage.applicant.value: "applicants",
    Stage.activist.value: "activists",
    Stage.development_target.value: "development_targets",
    Stage.probationary.value: "probationary",
    Stage.full_member.value: "full_members",
}
# 发展党员 and 转正 are counted by the higher committee's approval (党内统计 填报说明): the
# admission by its approval event, the conversion by its conversion event.
EVENT_SOURCES = {
    EventKind.application.value: "applications",
    EventKind.approval.value: "new_probationary",
    EventKind.conversion.value: "new_full",
}


async def party_rows(starts: datetime.date, ends: datetime.date) -> list[dict[str, Any]]:
    """One row per cohort and gender (newest cohort first), then a total row: the students at
    each stage now, and the events of the period."""
    counts: dict[tuple[int, str], Counter[str]] = {}
    entries = await PoolEntry.select(
        PoolEntry.stage,
        PoolEntry.student.cohort_year.as_alias("cohort_year"),
        PoolEntry.student.gender.as_alias("gender"),
    ).where(PoolEntry.stage.is_in(list(STAGE_SOURCES)))
    for row in entries:
        key = (row["cohort_year"], row["gender"])
        counts.setdefault(key, Counter())[STAGE_SOURCES[row["stage"]]] += 1
    events = await (
        PipelineEvent.select(
            PipelineEvent.kind,
            PipelineEvent.student.cohort_year.as_alias("cohort_year"),
            PipelineEvent.student.gender.as_alias("gender"),
        )
        .where(PipelineEvent.kind.is_in(list(EVENT_SOURCES)))
        .where(PipelineEvent.happened_on >= starts)
        .where(PipelineEvent.happened_on <= ends)
    )
    for row in events:
        key = (row["cohort_year"], row["gender"])
        counts.setdefault(key, Counter())[EVENT_SOURCES[row["kind"]]] += 1
    numbers = [*STAGE_SOURCES.values(), *EVENT_SOURCES.values()]
    rows: list[dict[str, Any]] = []
    total: Counter[str] = Counter()
    for (cohort, gender), counter in sorted(counts.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        rows.append({"cohort_year": cohort, "gender": gender, **{n: counter[n] for n in numbers}})
        total.update(counter)
    rows.append({"cohort_year": TOTAL, "gender": "", **{n: total[n] for n in numbers}})
    return rows


def cell(column: Mapping[str, Any], row: Mapping[str, Any]) -> Any:
    """A cell: the row's stored value of the column's source, through the column's mapping
    (a stored value it does not name shows as its label, or as it is)."""
    source = column["source"]
    value = row.get(source)
    if source == "cohort_year" and value == TOTAL:
        return _("Total")
    if value is None or value == "":
        return ""
    value_map = column.get("value_map") or {}
    key = str(value)
    if key in value_map:
        return value_map[key]
    if source in CODED:
        return label(CODED[source], key)
    return value


def sheet_rows(columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as the sheet shows them, keyed c0, c1 … in the profile's column order."""
    return [{f"c{i}": cell(column, row) for i, column in enumerate(columns)} for row in rows]


async def export_rows(
    shown: Profile, starts: datetime.date, ends: datetime.date
) -> list[dict[str, Any]]:
    if shown.kind == ExportProfileKind.placements.value:
        stored = await placement_rows(starts, ends)
    else:
        stored = await party_rows(starts, ends)
    return sheet_rows(shown.columns, stored)
