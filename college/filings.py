"""Export profiles for filings (报送导出方案), in the top layer: "write once, report many".

A profile is a saved, editable list of columns — header, a named source, and a mapping of
stored values to the text or code the receiving platform asks for — so a college matches its
province's internship filing sheet (实习备案) or the higher committee's 发展党员 statistics
without code. Two kinds:

- placements: one row per placement (岗位实习/认识实习) overlapping a term;
- party_statistics: one row per group of students — by cohort and gender (the default), by
  cohort, by gender, by department (院系), major or class, or one total row only, as the
  profile chooses — with the number of students at each pipeline stage now and the new
  members (接收预备党员, 转正) in the chosen period, and a total row last.

The default profiles carry what 《职业学校学生实习管理规定》 (教职成〔2021〕4号) requires to be
recorded of a placement; the official platforms' own import templates are not public, so a
college edits headers, order and codes to match the sheet it is given.

A profile's settings besides its columns live in the same JSON column: a plain list of
columns (placements, and profiles stored before the grouping existed), or for party
statistics {"columns": [...], "group_by": "<PartyGrouping>"}.

Of the breakdowns a higher committee usually asks of new members (其中：女性、少数民族、35岁及以下),
the portal counts the women and those aged 35 or under (from the birth date); it stores no
ethnicity, so it offers no 少数民族 column rather than a made-up one.

Rules and transactions take an Actor and a FormState, never a request.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from partners.coeducation.tables import MentorAssignment, Participation
from portal.audit import Actor, audited_write
from portal.dates import age_on
from portal.deletion import Impact, deletion_impact
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.i18n import _, lazy
from portal.tables import AuditEntry, ExportProfile, ExportProfileKind
from portal.vocabulary import (
    EXPORT_PROFILE_KINDS,
    GENDERS,
    INTERNSHIP_KINDS,
    PARTICIPATION_STATUSES,
    PARTY_GROUPINGS,
    label,
)
from talent_pool.tables import EventKind, PipelineEvent, PoolEntry, Stage

KINDS = EXPORT_PROFILE_KINDS  # the kinds of profile, with their labels

YES_NO: dict[str, str] = {"yes": lazy("Yes"), "no": lazy("No")}


class PartyGrouping(str, Enum):
    """How the rows of a party statistics profile are grouped (stored with the profile)."""

    cohort_gender = "cohort_gender"  # 按年级和性别 (the default)
    cohort = "cohort"  # 按年级
    gender = "gender"  # 按性别
    department = "department"  # 按院系
    major = "major"  # 按专业
    class_name = "class_name"  # 按班级
    total = "total"  # 仅合计


GROUPINGS = PARTY_GROUPINGS  # the groupings, with their labels
DEFAULT_GROUPING = PartyGrouping.cohort_gender.value
# The student fields that tell the rows of a grouping apart, in the order rows are sorted.
GROUP_KEYS: dict[str, tuple[str, ...]] = {
    PartyGrouping.cohort_gender.value: ("cohort_year", "gender"),
    PartyGrouping.cohort.value: ("cohort_year",),
    PartyGrouping.gender.value: ("gender",),
    PartyGrouping.department.value: ("department",),
    PartyGrouping.major.value: ("major",),
    PartyGrouping.class_name.value: ("class_name",),
    PartyGrouping.total.value: (),
}
# The sources of a party statistics profile that name a row rather than count; the first such
# column of a profile says "Total" on the total row.
KEY_SOURCES = ("cohort_year", "gender", "department", "major", "class_name")

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
        "department": lazy("Department"),
        "major": lazy("Major"),
        "class_name": lazy("Class"),
        "applicants": lazy("Applicants now"),
        "activists": lazy("Activists now"),
        "development_targets": lazy("Development targets now"),
        "probationary": lazy("Probationary members now"),
        "full_members": lazy("Full members now"),
        "applications": lazy("Applications in the period"),
        "new_probationary": lazy("Admitted as probationary members in the period"),
        "new_probationary_women": lazy("Of those admitted in the period: women"),
        "new_probationary_under_35": lazy("Of those admitted in the period: aged 35 or under"),
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
        _column("其中：女性", "new_probationary_women"),
        _column("其中：35岁及以下", "new_probationary_under_35"),
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
    group_by: str = DEFAULT_GROUPING  # party statistics: how the rows are grouped


def settings_of(stored: Any) -> tuple[list[dict[str, Any]], str]:
    """The columns and the grouping held by the columns JSON: a list of columns, or an object
    with the columns and the settings (an unknown grouping reads as the default)."""
    if isinstance(stored, str):
        stored = json.loads(stored)
    group_by = DEFAULT_GROUPING
    if isinstance(stored, Mapping):
        group_by = str(stored.get("group_by") or DEFAULT_GROUPING)
        stored = stored.get("columns")
    if group_by not in GROUPINGS:
        group_by = DEFAULT_GROUPING
    return list(stored or []), group_by


def stored_settings(kind: str, columns: list[dict[str, Any]], group_by: str) -> str:
    """The columns JSON of a profile: with its grouping for party statistics."""
    if kind == ExportProfileKind.party_statistics.value:
        return json.dumps({"columns": columns, "group_by": group_by}, ensure_ascii=False)
    return json.dumps(columns, ensure_ascii=False)


def _profile(row: dict[str, Any]) -> Profile:
    columns, group_by = settings_of(row["columns"])
    return Profile(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        columns=columns,
        updated_at=row.get("updated_at"),
        updater=row.get("updater") or "",
        group_by=group_by,
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
    names = ["name", "group_by"]
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


def check_grouping(form: FormState, kind: str, columns: list[dict[str, Any]]) -> str:
    """The grouping of a party statistics form (placements have none: the default). Rows
    grouped by a field need a column of it, and a column of a field the rows are not grouped
    by would stay empty: both are told beside the field."""
    if kind != ExportProfileKind.party_statistics.value:
        return DEFAULT_GROUPING
    group_by = form.choice("group_by", list(GROUPINGS))
    if group_by not in GROUPINGS:
        return DEFAULT_GROUPING
    keys = GROUP_KEYS[group_by]
    sources = [column["source"] for column in columns]
    for key in keys:
        if key not in sources:
            form.add_error(
                "group_by",
                _(
                    "Rows grouped this way need a column with the source %(source)s, or "
                    "they cannot be told apart.",
                    source=label(SOURCES[kind], key),
                ),
            )
    if group_by != PartyGrouping.total.value:
        for index, source in enumerate(sources):
            if source in KEY_SOURCES and source not in keys:
                form.add_error(
                    f"source_{index}",
                    _(
                        "The rows are not grouped by %(source)s, so this column would stay "
                        "empty: choose another source, or another grouping of the rows.",
                        source=label(SOURCES[kind], source),
                    ),
                )
    return group_by


# --- writes --------------------------------------------------------------------------------


def _audited(name: str, kind: str, columns: list[dict[str, Any]], group_by: str) -> dict[str, Any]:
    """A profile's values as the audit log records them (the grouping apart from the columns,
    so a change of either reads on its own)."""
    values = {"name": name, "kind": kind, "columns": json.dumps(columns, ensure_ascii=False)}
    if kind == ExportProfileKind.party_statistics.value:
        values["group_by"] = group_by
    return values


async def create_profile(
    actor: Actor,
    kind: str,
    name: str,
    columns: list[dict[str, Any]],
    summary: str = "",
    group_by: str = DEFAULT_GROUPING,
) -> int:
    async with audited_write(actor) as audit:
        rows = await ExportProfile.insert(
            ExportProfile(
                name=name,
                kind=kind,
                columns=stored_settings(kind, columns, group_by),
                created_by=actor.user_id,
                updated_by=actor.user_id,
            )
        ).returning(ExportProfile.id)
        profile_id = int(rows[0]["id"])
        values = _audited(name, kind, columns, group_by)
        await audit.created(ExportProfile, profile_id, values, summary or name)
    return profile_id


async def update_profile(
    actor: Actor,
    profile_id: int,
    name: str,
    columns: list[dict[str, Any]],
    group_by: str = DEFAULT_GROUPING,
) -> None:
    async with audited_write(actor) as audit:
        before = await profile(profile_id)
        old = _audited(before.name, before.kind, before.columns, before.group_by)
        new = _audited(name, before.kind, columns, group_by)
        await ExportProfile.update(
            {
                ExportProfile.name: name,
                ExportProfile.columns: stored_settings(before.kind, columns, group_by),
                ExportProfile.updated_by: actor.user_id,
                ExportProfile.updated_at: datetime.datetime.now(),
            }
        ).where(ExportProfile.id == profile_id)
        await audit.updated(ExportProfile, profile_id, old, new, name)


async def copy_profile(actor: Actor, profile_id: int) -> int:
    """复制为新方案: a new profile with the same columns and grouping, named "… (copy)"."""
    original = await profile(profile_id)
    name = _("%(name)s (copy)", name=original.name)[:MAX_NAME]
    return await create_profile(
        actor, original.kind, name, original.columns, name, group_by=original.group_by
    )


async def profile_deletion(shown: Profile) -> Impact:
    """What deleting a profile changes (nothing refers to a profile: the sheets already
    downloaded are files of their own)."""
    return await deletion_impact(ExportProfile._meta.tablename, shown.id)


async def last_of_its_kind(shown: Profile) -> bool:
    """Whether no other profile has this one's kind (the delete page says what follows)."""
    others = await ExportProfile.count().where(
        (ExportProfile.kind == shown.kind) & (ExportProfile.id != shown.id)
    )
    return others == 0


async def delete_profile(actor: Actor, profile_id: int) -> Profile:
    """Deletes a profile, a kind's default too; the audit log keeps what it held, and its kind,
    so the default is not made again (see `ensure_defaults`). An unknown profile: NotVisible."""
    async with audited_write(actor) as audit:
        gone = await profile(profile_id)
        await ExportProfile.delete().where(ExportProfile.id == profile_id)
        values = _audited(gone.name, gone.kind, gone.columns, gone.group_by)
        await audit.deleted(ExportProfile, profile_id, values, gone.name)
    return gone


def _loaded(changes: Any) -> Mapping[str, Any]:
    if isinstance(changes, str):
        changes = json.loads(changes or "{}")
    return changes if isinstance(changes, Mapping) else {}


async def deleted_kinds() -> set[str]:
    """The kinds of which a profile was ever deleted, from the audit log's delete entries
    (each records the deleted values, its kind among them)."""
    rows = await AuditEntry.select(AuditEntry.changes).where(
        (AuditEntry.table_name == ExportProfile._meta.tablename) & (AuditEntry.action == "delete")
    )
    kinds: set[str] = set()
    for row in rows:
        kind = _loaded(row["changes"]).get("kind")
        if isinstance(kind, list) and kind and isinstance(kind[0], str):
            kinds.add(kind[0])
    return kinds


async def ensure_defaults(actor: Actor) -> None:
    """The default profile of each kind, on first use: made for a kind that has no profile
    and never had one deleted. A college that deleted its last profile of a kind chose to;
    the list then offers to create one (from the default columns) instead of bringing the
    deleted one back on every visit."""
    existing = {row["kind"] for row in await ExportProfile.select(ExportProfile.kind)}
    missing = [kind for kind in KINDS if kind not in existing]
    if not missing:
        return
    deleted = await deleted_kinds()
    for kind in missing:
        if kind not in deleted:
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


TOTAL = "is_total"  # marks the total row, the last
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
# 其中：35岁及以下 — the age at the admission (the approval event), in full years.
YOUTH_AGE = 35
NUMBER_SOURCES = (
    *STAGE_SOURCES.values(),
    "applications",
    "new_probationary",
    "new_probationary_women",
    "new_probationary_under_35",
    "new_full",
)


def _order(keys: tuple[str, ...], key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Newest cohort first; the other fields in alphabetical order."""
    return tuple(
        -int(value or 0) if field == "cohort_year" else str(value or "")
        for field, value in zip(keys, key, strict=True)
    )


async def party_rows(
    starts: datetime.date, ends: datetime.date, group_by: str = DEFAULT_GROUPING
) -> list[dict[str, Any]]:
    """One row per group of students (`group_by`, a PartyGrouping; newest cohort first,
    other fields alphabetically), then a total row: the students at each stage now, and the
    events of the period. The total is the same whatever the grouping."""
    keys = GROUP_KEYS[group_by]
    counts: dict[tuple[Any, ...], Counter[str]] = {}
    student = PoolEntry.student
    entries = await PoolEntry.select(
        PoolEntry.stage,
        *(getattr(student, field).as_alias(field) for field in keys),
    ).where(PoolEntry.stage.is_in(list(STAGE_SOURCES)))
    for row in entries:
        key = tuple(row[field] for field in keys)
        counts.setdefault(key, Counter())[STAGE_SOURCES[row["stage"]]] += 1
    event_student = PipelineEvent.student
    events = await (
        PipelineEvent.select(
            PipelineEvent.kind,
            PipelineEvent.happened_on,
            event_student.gender.as_alias("student_gender"),
            event_student.birth_date.as_alias("birth_date"),
            *(getattr(event_student, field).as_alias(field) for field in keys),
        )
        .where(PipelineEvent.kind.is_in(list(EVENT_SOURCES)))
        .where(PipelineEvent.happened_on >= starts)
        .where(PipelineEvent.happened_on <= ends)
    )
    for row in events:
        counter = counts.setdefault(tuple(row[field] for field in keys), Counter())
        counter[EVENT_SOURCES[row["kind"]]] += 1
        if row["kind"] == EventKind.approval.value:
            if row["student_gender"] == "F":
                counter["new_probationary_women"] += 1
            birth = row["birth_date"]
            if birth is not None and age_on(birth, row["happened_on"]) <= YOUTH_AGE:
                counter["new_probationary_under_35"] += 1
    rows: list[dict[str, Any]] = []
    total: Counter[str] = Counter()
    for key, counter in sorted(counts.items(), key=lambda kv: _order(keys, kv[0])):
        if keys:
            rows.append({**dict(zip(keys, key, strict=True)), **_numbers(counter)})
        total.update(counter)
    rows.append({TOTAL: True, **_numbers(total)})
    return rows


def _numbers(counter: Counter[str]) -> dict[str, int]:
    return {source: counter[source] for source in NUMBER_SOURCES}


def cell(column: Mapping[str, Any], row: Mapping[str, Any]) -> Any:
    """A cell: the row's stored value of the column's source, through the column's mapping
    (a stored value it does not name shows as its label, or as it is)."""
    source = column["source"]
    value = row.get(source)
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
    """The rows as the sheet shows them, keyed c0, c1 … in the profile's column order. The
    total row says "Total" in its first column that names rows (cohort, gender, department …);
    a profile with none (counts only) has no room for the word, and the total is the last row."""
    naming = [i for i, column in enumerate(columns) if column["source"] in KEY_SOURCES]
    shown = []
    for row in rows:
        cells = {f"c{i}": cell(column, row) for i, column in enumerate(columns)}
        if row.get(TOTAL) and naming:
            cells[f"c{naming[0]}"] = _("Total")
        shown.append(cells)
    return shown


async def export_rows(
    shown: Profile, starts: datetime.date, ends: datetime.date
) -> list[dict[str, Any]]:
    if shown.kind == ExportProfileKind.placements.value:
        stored = await placement_rows(starts, ends)
    else:
        stored = await party_rows(starts, ends, shown.group_by)
    return sheet_rows(shown.columns, stored)
