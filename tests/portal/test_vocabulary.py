"""One vocabulary: the label of a stored code is defined once (portal.vocabulary) and reads the
same on every page.

Three guards: every enum a table stores has its labels in portal.vocabulary, keyed by exactly
its codes; no other module keeps a second copy of such labels (the copies drifted before:
an assignment was "Active" on one page and "In progress" on another); and a coordinator sees
an assignment's status in the same words on the student's record and on the mentorship pages.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from enum import Enum
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, Tag
from piccolo.table import Table

import partners.coeducation.tables
import partners.organizations.tables
import portal.tables
import talent_pool.tables
from college.filings import PartyGrouping
from partners.coeducation.tables import (
    AgreementParty,
    AssignmentStatus,
    InternshipKind,
    MentorAssignment,
    MentoringMode,
    MentorSide,
    ParticipationKind,
    ParticipationStatus,
    ProjectKind,
    ProjectStatus,
    WeeklyLogStatus,
    WorkstationKind,
)
from partners.organizations.tables import (
    ActivityKind,
    EnterpriseStatus,
    OrganizationKind,
    OrganizationStatus,
    PartyOrgKind,
    PlanPeriod,
    SeatKind,
    UnitSide,
)
from portal import vocabulary
from portal.i18n import LOCALE_DIR, translations_for
from portal.settings import ROOT
from portal.tables import ExportProfileKind, Gender, ImportKind, ImportStatus, JobStatus, Role
from talent_pool.tables import (
    AwardKind,
    AwardLevel,
    ConsentDecision,
    DueKind,
    EventKind,
    FlagSource,
    FlagStatus,
    PoolStatus,
    ReviewDecision,
    Stage,
)
from tests.support import run

TABLE_MODULES = (
    portal.tables,
    partners.organizations.tables,
    partners.coeducation.tables,
    talent_pool.tables,
)
APP_PACKAGES = ("portal", "partners", "talent_pool", "college")

# Where each stored enum finds its labels. A new enum fails the tests below until it has a
# dict in portal.vocabulary and a line here.
LABELS_OF: dict[type[Enum], Mapping[str, str]] = {
    Role: vocabulary.ROLES,
    Gender: vocabulary.GENDERS,
    ImportKind: vocabulary.IMPORT_KINDS,
    ImportStatus: vocabulary.IMPORT_STATUSES,
    JobStatus: vocabulary.BATCH_STATUSES,
    PartyOrgKind: vocabulary.PARTY_ORG_KINDS,
    EnterpriseStatus: vocabulary.ENTERPRISE_STATUSES,
    OrganizationKind: vocabulary.ORGANIZATION_KINDS,
    OrganizationStatus: vocabulary.ORGANIZATION_STATUSES,
    UnitSide: vocabulary.UNIT_SIDES,
    SeatKind: vocabulary.SEATS,
    ActivityKind: vocabulary.ACTIVITY_KINDS,
    PlanPeriod: vocabulary.PLAN_PERIODS,
    MentorSide: vocabulary.MENTOR_SIDES,
    ProjectKind: vocabulary.PROJECT_KINDS,
    ProjectStatus: vocabulary.PROJECT_STATUSES,
    WorkstationKind: vocabulary.WORKSTATION_KINDS,
    ParticipationKind: vocabulary.PARTICIPATION_KINDS,
    ParticipationStatus: vocabulary.PARTICIPATION_STATUSES,
    InternshipKind: vocabulary.INTERNSHIP_KINDS,
    AgreementParty: vocabulary.AGREEMENT_PARTIES,
    WeeklyLogStatus: vocabulary.WEEKLY_LOG_STATUSES,
    ExportProfileKind: vocabulary.EXPORT_PROFILE_KINDS,
    PartyGrouping: vocabulary.PARTY_GROUPINGS,  # stored in an export profile's columns JSON
    ConsentDecision: vocabulary.CONSENT_DECISIONS,
    AssignmentStatus: vocabulary.ASSIGNMENT_STATUSES,
    MentoringMode: vocabulary.MENTORING_MODES,
    FlagSource: vocabulary.FLAG_SOURCES,
    FlagStatus: vocabulary.FLAG_STATUSES,
    ReviewDecision: vocabulary.DECISIONS,
    PoolStatus: vocabulary.POOL_STATUSES,
    Stage: vocabulary.STAGES,
    EventKind: vocabulary.EVENT_KINDS,
    DueKind: vocabulary.DUE_KINDS,
    AwardKind: vocabulary.AWARD_KINDS,
    AwardLevel: vocabulary.AWARD_LEVELS,
}

LABELLED_ENUMS = sorted(LABELS_OF, key=lambda enum: enum.__name__)

# Module-level texts keyed by codes that are not the codes' names, so not copies of labels.
NOT_LABELS = {
    "RULE_TEXTS": "the rule of the party constitution each pipeline event follows, a sentence",
}


# --- every stored enum has its labels in the vocabulary -----------------------------------------


def stored_enums() -> set[type[Enum]]:
    """The enums given as `choices=` to a column of a table of the apps."""
    enums: set[type[Enum]] = set()
    for module in TABLE_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Table) and value is not Table:
                enums.update(
                    column._meta.choices
                    for column in value._meta.columns
                    if isinstance(column._meta.choices, type)
                    and issubclass(column._meta.choices, Enum)
                )
    return enums


def enums_of_the_tables() -> set[type[Enum]]:
    """Every enum the table modules define, stored with `choices=` or not (a workstation's kind
    is stored without)."""
    return {
        value
        for module in TABLE_MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Enum)
        and value.__module__ == module.__name__
    }


def codes(enum: type[Enum]) -> set[str]:
    return {member.value for member in enum}


def test_the_walk_finds_the_stored_enums():
    assert {Role, AssignmentStatus, Stage, PartyOrgKind} <= stored_enums()


def test_every_stored_enum_has_its_labels_in_the_vocabulary():
    every_enum = stored_enums() | enums_of_the_tables()
    unlabelled = sorted(enum.__name__ for enum in every_enum - LABELS_OF.keys())
    assert not unlabelled, f"add a dict to portal/vocabulary.py and to LABELS_OF: {unlabelled}"


@pytest.mark.parametrize("enum", LABELLED_ENUMS)
def test_the_labels_are_keyed_by_exactly_the_enums_codes(enum):
    assert set(LABELS_OF[enum]) == codes(enum)


@pytest.mark.parametrize("enum", LABELLED_ENUMS)
def test_the_labels_are_defined_in_the_vocabulary_module(enum):
    defined = [
        value
        for name, value in vars(vocabulary).items()
        if name.isupper() and isinstance(value, dict)
    ]
    assert any(LABELS_OF[enum] is value for value in defined)


@pytest.mark.parametrize("enum", LABELLED_ENUMS)
def test_every_label_reads_in_chinese(enum):
    chinese = translations_for("zh_CN")
    untranslated = [
        message for message in LABELS_OF[enum].values() if chinese.gettext(message) == message
    ]
    assert not untranslated


# --- no second copy of the labels elsewhere -----------------------------------------------------


def modules_of_the_apps() -> Iterator[ModuleType]:
    for package_name in APP_PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if not info.name.endswith("__main__"):
                yield importlib.import_module(info.name)


@functools.cache
def lazy_messages() -> frozenset[str]:
    """Every message the apps' Python code marks with lazy() (what a label dict holds), and
    every message of the Chinese catalogue (lazy() under another name is still caught)."""
    messages: set[str] = {m.id for m in read_po_file() if isinstance(m.id, str) and m.id}
    for package_name in APP_PACKAGES:
        found = extract_from_dir(
            str(ROOT / package_name), [("**.py", "python")], keywords={"lazy": None}
        )
        messages.update(message for _, _, message, _, _ in found if isinstance(message, str))
    return frozenset(messages)


def read_po_file() -> Catalog:
    with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def as_pairs(value: object) -> dict[object, object] | None:
    """A mapping, or a list/tuple of (code, text) pairs, as a dict; None for anything else."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, list | tuple) or not value:
        return None
    if not all(isinstance(item, tuple) and len(item) == 2 for item in value):
        return None
    return {item[0]: item[1] for item in value}


def copied_labels(value: object) -> type[Enum] | None:
    """The enum whose codes a module-level value labels with lazy messages, if it does."""
    pairs = as_pairs(value)
    if not pairs or len(pairs) < 2:
        return None
    if not all(isinstance(text, str) and text in lazy_messages() for text in pairs.values()):
        return None
    keys = {key.value if isinstance(key, Enum) else key for key in pairs}
    candidates = [enum for enum in LABELS_OF if keys <= codes(enum)]
    # The enum the keys fit best: assignment statuses rather than enterprise statuses.
    return min(candidates, key=lambda enum: len(codes(enum) - keys), default=None)


def test_the_copy_detector_recognises_a_copy():
    assert copied_labels(dict(vocabulary.ASSIGNMENT_STATUSES)) is AssignmentStatus
    assert copied_labels({"active": "Active", "ended": "Finished"}) is AssignmentStatus
    assert copied_labels(list(vocabulary.STAGES.items())) is Stage
    assert copied_labels({"active": "#b71c1c", "ended": "#b8bec6"}) is None  # colours
    assert (
        copied_labels({"a": vocabulary.ROLES["partner"], "b": vocabulary.ROLES["mentor"]}) is None
    )


def test_no_module_keeps_its_own_copy_of_the_labels():
    vocabulary_values = {id(v) for v in vars(vocabulary).values() if isinstance(v, Mapping)}
    copies = []
    for module in modules_of_the_apps():
        if module is vocabulary:
            continue
        for name, value in vars(module).items():
            if id(value) in vocabulary_values or name in NOT_LABELS:
                continue  # imported from the vocabulary, or not labels at all
            enum = copied_labels(value)
            if enum is not None:
                copies.append(f"{module.__name__}.{name} (labels of {enum.__name__})")
    assert not copies, f"import these labels from portal.vocabulary instead: {copies}"


# --- the same words on every page ---------------------------------------------------------------


def header_index(table: Tag, header: str) -> int:
    """The column of a table headed `header` (a sortable header's arrow aside)."""
    headers = [next(th.stripped_strings, "") for th in table.select("thead th")]
    return headers.index(header)


def cell(table: Tag, row: Tag, header: str) -> str:
    return row.select("td")[header_index(table, header)].get_text(strip=True)


def assignment_row(table: Tag, assignment_id: int) -> Tag:
    link = table.select_one(f'tbody a[href$="/mentorships/{assignment_id}"]')
    assert link is not None, f"assignment {assignment_id} is not listed"
    row = link.find_parent("tr")
    assert isinstance(row, Tag)
    return row


def described(soup: BeautifulSoup, term: str) -> str:
    """The <dd> of the <dt> reading exactly `term`."""
    for dt in soup.select("dl dt"):
        if dt.get_text(strip=True) == term:
            dd = dt.find_next_sibling("dd")
            assert isinstance(dd, Tag)
            return dd.get_text(strip=True)
    raise AssertionError(f"no {term!r} in the page's description lists")


def status_on_every_page(browser, people) -> dict[str, str]:
    """An assignment's status as the record, the mentorship list and its page show it."""
    assignment = people.mine.assignment
    shown = {}

    record = browser.soup(browser.get(f"/students/{people.student_id}/record"))
    mentors = record.select_one('section[aria-labelledby="mentors-h"] table')
    assert mentors is not None
    shown["record"] = cell(mentors, assignment_row(mentors, assignment), "状态")

    listing = browser.soup(browser.get("/mentorships/"))
    assignments = listing.select_one("table#assignments")
    assert assignments is not None
    shown["list"] = cell(assignments, assignment_row(assignments, assignment), "状态")

    detail = browser.soup(browser.get(f"/mentorships/{assignment}"))
    shown["detail"] = described(detail, "状态")
    badge = detail.select_one("h1 .badge")
    assert badge is not None
    shown["detail heading"] = badge.get_text(strip=True)
    return shown


@pytest.mark.parametrize(
    ("status", "chinese"), [("active", "进行中"), ("ended", "已结束")], ids=["active", "ended"]
)
def test_an_assignments_status_reads_the_same_on_the_record_and_the_mentorship_pages(
    signed_in, people, status, chinese
):
    ends_on = datetime.date(2027, 1, 31) if status == "ended" else None
    run(
        MentorAssignment.update(
            {MentorAssignment.status: status, MentorAssignment.ends_on: ends_on}
        ).where(MentorAssignment.id == people.mine.assignment)
    )
    coordinator = signed_in("coordinator")
    shown = status_on_every_page(coordinator, people)
    assert shown == dict.fromkeys(shown, chinese)
    assert translations_for("zh_CN").gettext(vocabulary.ASSIGNMENT_STATUSES[status]) == chinese
