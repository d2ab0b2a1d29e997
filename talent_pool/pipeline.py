"""The recruitment pipeline (发展党员) and its rules, per 《中国共产党发展党员工作细则》.

A student's file is a list of dated events. Everything else is derived from it by pure
functions: `build_state` replays the events into a `FileState` (stage, dates, contacts …),
`check_event` says what is wrong with a new event (each refusal names its article),
`allowed_kinds` lists what may be recorded next and `due_items` what is due and by when.
The database functions at the end load a file, record or delete an event and rebuild the
student's PoolEntry stage and DueItem rows in the same audited transaction.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from partners.students import student_scope
from portal.audit import AuditTrail
from portal.auth import Viewer
from portal.dates import add_months, age_on
from portal.i18n import _, lazy
from portal.tables import Role, Student
from portal.vocabulary import DUE_KINDS, EVENT_KINDS, RECOMMENDATIONS, STAGES
from talent_pool.tables import (
    DueItem,
    DueKind,
    EventKind,
    PipelineEvent,
    PoolEntry,
    PoolStatus,
    Stage,
)

# The article(s) of the Rules each check comes from.
ARTICLES: dict[str, str] = {
    "7": lazy("Article 7"),
    "9-10": lazy("Articles 9 and 10"),
    "13": lazy("Article 13"),
    "15": lazy("Article 15"),
    "16": lazy("Article 16"),
    "18-19": lazy("Articles 18 and 19"),
    "20": lazy("Article 20"),
    "22": lazy("Article 22"),
    "24-25": lazy("Articles 24 and 25"),
    "29": lazy("Article 29"),
    "31-32": lazy("Articles 31 and 32"),
    "33": lazy("Article 33"),
}
ARTICLE_OF_KIND: dict[str, str] = {
    EventKind.application.value: "7",
    EventKind.talk.value: "7",
    EventKind.activist.value: "9-10",
    EventKind.contacts.value: "13",
    EventKind.review.value: "15",
    EventKind.development_target.value: "16",
    EventKind.political_review.value: "18-19",
    EventKind.training.value: "20",
    EventKind.introducers.value: "22",
    EventKind.branch_meeting.value: "24-25",
    EventKind.approval.value: "29",
    EventKind.extension.value: "33",
    EventKind.conversion.value: "31-32",
}
# The rule of each kind, shown above its form.
RULE_TEXTS: dict[str, str] = {
    EventKind.application.value: lazy(
        "A student accepted into the talent pool who is at least 18 years old on the day may "
        "apply to join the party."
    ),
    EventKind.talk.value: lazy(
        "The party organization sends someone to talk with the applicant within one month of "
        "the application. A later talk is recorded but marked late."
    ),
    EventKind.activist.value: lazy(
        "After the talk, an applicant recommended by party members or by the Youth League may "
        "be made an activist by decision of the branch committee."
    ),
    EventKind.contacts.value: lazy(
        "One or two full party members are assigned as cultivation contacts. A new assignment "
        "replaces the earlier one."
    ),
    EventKind.review.value: lazy("The party branch reviews each activist every six months."),
    EventKind.development_target.value: lazy(
        "An activist of at least one year, with cultivation contacts and at least two "
        "half-yearly reviews, may be made a development target by decision of the branch "
        "committee."
    ),
    EventKind.political_review.value: lazy(
        "The political review of a development target must be done before the branch meeting."
    ),
    EventKind.training.value: lazy(
        "A development target attends concentrated training of at least 3 days or at least "
        "24 class hours."
    ),
    EventKind.introducers.value: lazy(
        "A development target has two introducers, both full party members."
    ),
    EventKind.branch_meeting.value: lazy(
        "After the political review, the training and with two introducers, the branch meeting "
        "discusses admission. The student becomes a probationary member."
    ),
    EventKind.approval.value: lazy(
        "The higher party committee approves the admission within three months of the branch "
        "meeting."
    ),
    EventKind.extension.value: lazy(
        "When probation ends, it may be extended by 6 to 12 months; all extensions together "
        "are at most 12 months."
    ),
    EventKind.conversion.value: lazy(
        "After a year of probation (plus any extension), an approved probationary member may "
        "be converted to full member."
    ),
}
STAGE_OF_EVENT: dict[str, str] = {
    EventKind.application.value: Stage.applicant.value,
    EventKind.activist.value: Stage.activist.value,
    EventKind.development_target.value: Stage.development_target.value,
    EventKind.branch_meeting.value: Stage.probationary.value,
    EventKind.conversion.value: Stage.full_member.value,
}
# Events that change the student's political status cannot be deleted here.
STATUS_EVENTS: dict[str, str] = {
    EventKind.branch_meeting.value: "02",  # 中共预备党员
    EventKind.conversion.value: "01",  # 中共党员
}
PARTY_STATUSES = ("01", "02")
# Which stages each kind may be recorded at.
KIND_STAGES: dict[str, tuple[str | None, ...]] = {
    EventKind.application.value: (None,),
    EventKind.talk.value: (Stage.applicant.value,),
    EventKind.activist.value: (Stage.applicant.value,),
    EventKind.contacts.value: (Stage.activist.value, Stage.development_target.value),
    EventKind.review.value: (Stage.activist.value, Stage.development_target.value),
    EventKind.development_target.value: (Stage.activist.value,),
    EventKind.political_review.value: (Stage.development_target.value,),
    EventKind.training.value: (Stage.development_target.value,),
    EventKind.introducers.value: (Stage.development_target.value,),
    EventKind.branch_meeting.value: (Stage.development_target.value,),
    EventKind.approval.value: (Stage.probationary.value,),
    EventKind.extension.value: (Stage.probationary.value,),
    EventKind.conversion.value: (Stage.probationary.value,),
}
# The form fields of each kind, beyond the date and the note.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    EventKind.application.value: (),
    EventKind.talk.value: (),
    EventKind.activist.value: ("recommended_by", "decided_by"),
    EventKind.contacts.value: ("people",),
    EventKind.review.value: (),
    EventKind.development_target.value: ("decided_by",),
    EventKind.political_review.value: (),
    EventKind.training.value: ("days", "class_hours"),
    EventKind.introducers.value: ("people",),
    EventKind.branch_meeting.value: ("decided_by",),
    EventKind.approval.value: ("decided_by",),
    EventKind.extension.value: ("months", "decided_by"),
    EventKind.conversion.value: ("decided_by",),
}
DECIDED_BY_REQUIRED = (
    EventKind.activist.value,
    EventKind.development_target.value,
    EventKind.approval.value,
)
PEOPLE_ROWS = 2
PERSON_FIELDS = tuple(
    f"person{i}_{part}" for i in range(1, PEOPLE_ROWS + 1) for part in ("name", "full_member")
)
TALK_MONTHS = 1  # the talk within one month of the application (第七条)
REVIEW_MONTHS = 6  # a review every six months (第十五条)
ACTIVIST_MONTHS = 12  # at least a year as activist (第十六条)
REVIEWS_NEEDED = 2
TRAINING_DAYS, TRAINING_HOURS = 3, 24  # 第二十条
APPROVAL_MONTHS = 3  # 第二十九条
PROBATION_MONTHS = 12  # 第三十一条
EXTENSION_MIN, EXTENSION_MAX = 6, 12  # 第三十三条
MINIMUM_AGE = 18


def label(choices: dict[str, str], code: str | None) -> str:
    """The translated label of a code, or the code itself when it is unknown."""
    if code is None:
        return ""
    return _(choices[code]) if code in choices else code


def stage_label(code: str | None) -> str:
    return label(STAGES, code) if code else _("Not in the pipeline")


def kind_label(code: str) -> str:
    return label(EVENT_KINDS, code)


def due_label(code: str) -> str:
    return label(DUE_KINDS, code)


# --- events and the file's state -----------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A cultivation contact or an introducer."""

    name: str
    full_member: bool


@dataclass(frozen=True)
class Event:
    """One dated event of a file (a PipelineEvent row, or one about to be recorded)."""

    kind: str
    happened_on: datetime.date
    id: int | None = None
    people: tuple[Person, ...] = ()
    recommended_by: str = ""
    decided_by: str = ""
    days: int | None = None
    class_hours: int | None = None
    months: int | None = None
    note: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Event:
        people = row.get("people") or "[]"
        if isinstance(people, str):
            people = json.loads(people)
        return cls(
            kind=row["kind"],
            happened_on=row["happened_on"],
            id=row.get("id"),
            people=tuple(Person(p.get("name", ""), bool(p.get("full_member"))) for p in people),
            recommended_by=row.get("recommended_by") or "",
            decided_by=row.get("decided_by") or "",
            days=row.get("days"),
            class_hours=row.get("class_hours"),
            months=row.get("months"),
            note=row.get("note") or "",
        )

    def row_values(self) -> dict[str, Any]:
        """The columns of a PipelineEvent row for this event."""
        return {
            "kind": self.kind,
            "happened_on": self.happened_on,
            "people": json.dumps(
                [{"name": p.name, "full_member": p.full_member} for p in self.people],
                ensure_ascii=False,
            ),
            "recommended_by": self.recommended_by,
            "decided_by": self.decided_by,
            "days": self.days,
            "class_hours": self.class_hours,
            "months": self.months,
            "note": self.note,
        }


def timeline_key(event: Event) -> tuple[datetime.date, int]:
    """Events in the order they happened; on the same day, in the order they were recorded."""
    return (event.happened_on, event.id if event.id is not None else 2**62)


@dataclass
class FileState:
    """What a student's file says now, replayed from its events."""

    pool_status: str | None = None
    birth_date: datetime.date | None = None
    political_status: str = ""
    events: list[Event] = field(default_factory=list)
    stage: str | None = None
    stage_since: datetime.date | None = None
    application_on: datetime.date | None = None
    talk_on: datetime.date | None = None
    late_talks: set[int | None] = field(default_factory=set)
    activist_on: datetime.date | None = None
    reviews: list[datetime.date] = field(default_factory=list)  # since becoming activist
    contacts: tuple[Person, ...] = ()
    development_target_on: datetime.date | None = None
    political_review_on: datetime.date | None = None
    training_on: datetime.date | None = None
    introducers: tuple[Person, ...] = ()
    branch_meeting_on: datetime.date | None = None
    approval_on: datetime.date | None = None
    extension_months: int = 0
    conversion_on: datetime.date | None = None

    @property
    def last_event(self) -> Event | None:
        return self.events[-1] if self.events else None

    @property
    def talk_due_on(self) -> datetime.date | None:
        return add_months(self.application_on, TALK_MONTHS) if self.application_on else None

    @property
    def eligible_on(self) -> datetime.date | None:
        """From when an activist may become a development target (a year as activist)."""
        return add_months(self.activist_on, ACTIVIST_MONTHS) if self.activist_on else None

    @property
    def next_review_on(self) -> datetime.date | None:
        start = max(self.reviews) if self.reviews else self.activist_on
        return add_months(start, REVIEW_MONTHS) if start else None

    @property
    def approval_due_on(self) -> datetime.date | None:
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, APPROVAL_MONTHS)

    @property
    def probation_end(self) -> datetime.date | None:
        """Branch meeting + one year + any extension (第三十一、三十三条)."""
        if self.branch_meeting_on is None:
            return None
        return add_months(self.branch_meeting_on, PROBATION_MONTHS + self.extension_months)

    def is_late(self, event: Event) -> bool:
        return event.kind == EventKind.talk.value and event.id in self.late_talks


def build_state(
    events: Iterable[Event],
    pool_status: str | None = None,
    birth_date: datetime.date | None = None,
    political_status: str = "",
) -> FileState:
    """Replays a file's events, in the order they happened, into its current state."""
    state = FileState(pool_status, birth_date, political_status)
    state.events = sorted(events, key=timeline_key)
    for event in state.events:
        kind, day = event.kind, event.happened_on
        if kind in STAGE_OF_EVENT:
            state.stage, state.stage_since = STAGE_OF_EVENT[kind], day
        if kind == EventKind.application.value:
            state.application_on = day
        elif kind == EventKind.talk.value:
            state.talk_on = state.talk_on or day
            due = state.talk_due_on
            if due is not None and day > due:
                state.late_talks.add(event.id)
        elif kind == EventKind.activist.value:
            state.activist_on, state.reviews = day, []
        elif kind == EventKind.contacts.value:
            state.contacts = event.people
        elif kind == EventKind.review.value:
            state.reviews.append(day)
        elif kind == EventKind.development_target.value:
            state.development_target_on = day
        elif kind == EventKind.political_review.value:
            state.political_review_on = day
        elif kind == EventKind.training.value:
            state.training_on = day
        elif kind == EventKind.introducers.value:
            state.introducers = event.people
        elif kind == EventKind.branch_meeting.value:
            state.branch_meeting_on = day
        elif kind == EventKind.approval.value:
            state.approval_on = day
        elif kind == EventKind.extension.value:
            state.extension_months += event.months or 0
        elif kind == EventKind.conversion.value:
            state.conversion_on = day
    return state


# --- the rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleError:
    """What is wrong, with which form field ("form" for the file as a whole), and the article
    of the Rules it comes from ("" for plain data checks such as a date in the future)."""

    field: str
    message: str
    article: str = ""


def rule(field_name: str, article: str, message: str) -> RuleError:
    """A refusal that names its article of 《中国共产党发展党员工作细则》."""
    text = _(
        "%(article)s of the Rules on Recruiting Party Members: %(detail)s",
        article=_(ARTICLES[article]),
        detail=message,
    )
    return RuleError(field_name, text, article)


def wrong_stage(state: FileState, kind: str) -> RuleError:
    stages = [s for s in KIND_STAGES[kind] if s is not None]
    if not stages:
        message = _(
            "%(kind)s starts a file; this student's file is already open.", kind=kind_label(kind)
        )
    else:
        message = _(
            "%(kind)s can be recorded only at the stage %(stages)s; the file is at %(stage)s.",
            kind=kind_label(kind),
            stages=" / ".join(stage_label(s) for s in stages),
            stage=stage_label(state.stage),
        )
    return rule("form", ARTICLE_OF_KIND[kind], message)


def file_errors(state: FileState, kind: str) -> list[RuleError]:
    """What keeps the file from taking an event of this kind at all, whatever its date and
    details: the stage, and what must be recorded first."""
    if kind not in KIND_STAGES:
        return [RuleError("form", _("Unknown kind of event."))]
    if state.stage not in KIND_STAGES[kind]:
        return [wrong_stage(state, kind)]
    errors: list[RuleError] = []
    article = ARTICLE_OF_KIND[kind]
    if kind == EventKind.application.value:
        if state.pool_status != PoolStatus.pooled.value:
            errors.append(
                RuleError(
                    "form",
                    _("Only a student accepted into the talent pool can start a recruitment file."),
                )
            )
        if state.political_status in PARTY_STATUSES:
            errors.append(rule("form", article, _("The student is already a party member.")))
        if state.birth_date is None:
            errors.append(
                rule(
                    "form",
                    article,
                    _(
                        "The student's birth date is not recorded, so their age cannot be "
                        "checked. Enter the birth date on the student's page first."
                    ),
                )
            )
    elif kind == EventKind.talk.value:
        if state.talk_on is not None:
            errors.append(rule("form", article, _("The talk is already recorded.")))
    elif kind == EventKind.activist.value:
        if state.talk_on is None:
            errors.append(
                rule("form", article, _("The talk with the applicant must be recorded first."))
            )
    elif kind == EventKind.development_target.value:
        if not state.contacts:
            errors.append(rule("form", article, _("Cultivation contacts must be assigned first.")))
        if len(state.reviews) < REVIEWS_NEEDED:
            errors.append(
                rule(
                    "form",
                    article,
                    _(
                        "At least %(needed)s half-yearly reviews are needed since the student "
                        "became an activist; %(count)s recorded.",
                        needed=REVIEWS_NEEDED,
                        count=len(state.reviews),
                    ),
                )
            )
    elif kind == EventKind.branch_meeting.value:
        missing = [
            kind_label(k)
            for k, done in (
                (EventKind.political_review.value, state.political_review_on),
                (EventKind.training.value, state.training_on),
                (EventKind.introducers.value, state.introducers),
            )
            if not done
        ]
        if missing:
            errors.append(
                rule(
                    "form",
                    article,
                    _("Record first: %(missing)s.", missing=", ".join(missing)),
                )
            )
    elif kind == EventKind.approval.value:
        if state.approval_on is not None:
            errors.append(rule("form", article, _("The approval is already recorded.")))
    elif kind in (EventKind.extension.value, EventKind.conversion.value):
        if state.approval_on is None:
            errors.append(
                rule("form", article, _("The higher committee's approval must be recorded first."))
            )
        if (
            kind == EventKind.extension.value
            and state.extension_months + EXTENSION_MIN > EXTENSION_MAX
        ):
            errors.append(
                rule(
                    "form",
                    article,
                    _(
                        "Probation has been extended by %(months)s months already; all "
                        "extensions together are at most %(max)s months.",
                        months=state.extension_months,
                        max=EXTENSION_MAX,
                    ),
                )
            )
    return errors


def allowed_kinds(state: FileState) -> list[str]:
    """The kinds of event the file can take next (their dates and details still to check)."""
    return [kind.value for kind in EventKind if not file_errors(state, kind.value)]


def date_errors(state: FileState, event: Event, today: datetime.date) -> list[RuleError]:
    """The date is not in the future, not before the latest stage change, and a stage change
    is not dated before anything already in the file."""
    day = event.happened_on
    if day > today:
        return [RuleError("happened_on", _("The date cannot be in the future."))]
    if state.stage_since is not None and day < state.stage_since:
        return [
            RuleError(
                "happened_on",
                _(
                    "The date cannot be before the file's latest stage change (%(date)s).",
                    date=state.stage_since.isoformat(),
                ),
            )
        ]
    last = state.last_event
    if event.kind in STAGE_OF_EVENT and last is not None and day < last.happened_on:
        return [
            RuleError(
                "happened_on",
                _(
                    "A stage change cannot be dated before the file's latest event (%(date)s).",
                    date=last.happened_on.isoformat(),
                ),
            )
        ]
    return []


def people_errors(event: Event, article: str, *, exactly: int | None) -> list[RuleError]:
    """Contacts (one or two) or introducers (exactly two): distinct names, full members."""
    errors: list[RuleError] = []
    count = len(event.people)
    if exactly is not None and count != exactly:
        errors.append(
            rule("people", article, _("Exactly %(count)s introducers are needed.", count=exactly))
        )
    elif exactly is None and not 1 <= count <= PEOPLE_ROWS:
        errors.append(rule("people", article, _("Assign one or two cultivation contacts.")))
    names = [p.name for p in event.people]
    if len(set(names)) != len(names):
        errors.append(rule("people", article, _("The two people must be different.")))
    for index, person in enumerate(event.people, start=1):
        if not person.full_member:
            errors.append(
                rule(
                    f"person{index}_full_member",
                    article,
                    _(
                        "%(name)s must be a full party member; a probationary member cannot be "
                        "assigned.",
                        name=person.name,
                    ),
                )
            )
    return errors


def detail_errors(state: FileState, event: Event) -> list[RuleError]:
    """The rules on the event's own date and details, given the file."""
    kind, day = event.kind, event.happened_on
    article = ARTICLE_OF_KIND[kind]
    errors: list[RuleError] = []
    if kind in DECIDED_BY_REQUIRED and not event.decided_by:
        errors.append(
            rule("decided_by", article, _("Say which body decided (e.g. the branch committee)."))
        )
    if kind == EventKind.application.value and state.birth_date is not None:
        if age_on(state.birth_date, day) < MINIMUM_AGE:
            errors.append(
                rule(
                    "happened_on",
                    article,
                    _(
                        "An applicant must be at least %(age)s years old; the student turns "
                        "%(age)s on %(date)s.",
                        age=MINIMUM_AGE,
                        date=eighteenth_birthday(state.birth_date).isoformat(),
                    ),
                )
            )
    elif kind == EventKind.activist.value:
        if event.recommended_by not in RECOMMENDATIONS:
            errors.append(
                rule(
                    "recommended_by",
                    article,
                    _("Choose how the student was recommended: by party members or the League."),
                )
            )
    elif kind == EventKind.contacts.value:
        errors += people_errors(event, article, exactly=None)
    elif kind == EventKind.development_target.value and state.eligible_on is not None:
        if day < state.eligible_on:
            errors.append(
                rule(
                    "happened_on",
                    article,
                    _(
                        "At least one year as activist is needed: from %(date)s on.",
                        date=state.eligible_on.isoformat(),
                    ),
                )
            )
    elif kind == EventKind.training.value:
        if (event.days or 0) < TRAINING_DAYS and (event.class_hours or 0) < TRAINING_HOURS:
            errors.append(
                rule(
                    "days",
                    article,
                    _(
                        "The training must last at least %(days)s days or %(hours)s class hours.",
                        days=TRAINING_DAYS,
                        hours=TRAINING_HOURS,
                    ),
                )
            )
    elif kind == EventKind.introducers.value:
        errors += people_errors(event, article, exactly=2)
    elif kind == EventKind.approval.value and state.approval_due_on is not None:
        if day > state.approval_due_on:
            errors.append(
                rule(
                    "happened_on",
                    article,
                    _(
                        "The approval must come within three months of the branch meeting: by "
                        "%(date)s.",
                        date=state.approval_due_on.isoformat(),
                    ),
                )
            )
    elif kind == EventKind.extension.value:
        months = event.months or 0
        if not EXTENSION_MIN <= months <= EXTENSION_MAX:
            errors.append(
                rule(
                    "months",
                    article,
                    _(
                        "An extension is %(min)s to %(max)s months.",
                        min=EXTENSION_MIN,
                        max=EXTENSION_MAX,
                    ),
                )
            )
        elif state.extension_months + months > EXTENSION_MAX:
            errors.append(
                rule(
                    "months",
                    article,
                    _(
                        "All extensions together are at most %(max)s months; %(left)s months "
                        "remain.",
                        max=EXTENSION_MAX,
                        left=EXTENSION_MAX - state.extension_months,
                    ),
                )
            )
        errors += probation_end_errors(state, day, article)
    elif kind == EventKind.conversion.value:
        errors += probation_end_errors(state, day, article)
    return errors


def probation_end_errors(state: FileState, day: datetime.date, article: str) -> list[RuleError]:
    end = state.probation_end
    if end is not None and day < end:
        return [
            rule(
                "happened_on",
                article,
                _("Probation ends on %(date)s; not before.", date=end.isoformat()),
            )
        ]
    return []


def eighteenth_birthday(birth_date: datetime.date) -> datetime.date:
    """The day the student turns 18 (someone born on 29 February, on 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + MINIMUM_AGE)
    except ValueError:
        return datetime.date(birth_date.year + MINIMUM_AGE, 3, 1)


def check_event(state: FileState, event: Event, today: datetime.date) -> list[RuleError]:
    """Everything wrong with recording `event` in this file today; empty when it may be."""
    errors = file_errors(state, event.kind)
    if errors:
        return errors
    return date_errors(state, event, today) + detail_errors(state, event)


def is_late_talk(state: FileState, day: datetime.date) -> bool:
    due = state.talk_due_on
    return due is not None and day > due


@dataclass(frozen=True)
class Due:
    """Something due in a file, and by when."""

    kind: str
    due_on: datetime.date

    def overdue(self, today: datetime.date) -> bool:
        return self.due_on < today


def due_items(state: FileState) -> list[Due]:
    """What the file's stage asks for next, soonest first."""
    items: list[Due] = []
    if state.stage == Stage.applicant.value and state.talk_on is None and state.talk_due_on:
        items.append(Due(DueKind.talk.value, state.talk_due_on))
    if state.stage == Stage.activist.value:
        if state.next_review_on:
            items.append(Due(DueKind.review.value, state.next_review_on))
        if state.eligible_on:
            items.append(Due(DueKind.development_target_eligible.value, state.eligible_on))
    if state.stage == Stage.probationary.value:
        if state.approval_on is None and state.approval_due_on:
            items.append(Due(DueKind.approval.value, state.approval_due_on))
        if state.probation_end:
            items.append(Due(DueKind.probation_end.value, state.probation_end))
    return sorted(items, key=lambda item: (item.due_on, item.kind))


def deletion_error(state: FileState, event_id: int) -> RuleError | None:
    """Only the file's latest event may be deleted, and not one that changed the student's
    political status (that is corrected by hand)."""
    last = state.last_event
    if last is None or last.id != event_id:
        return RuleError("form", _("Only the latest event of a file can be deleted."))
    if last.kind in STATUS_EVENTS:
        return RuleError(
            "form",
            _(
                "%(kind)s changed the student's political status, so it cannot be deleted "
                "here. Correct the file and the political status by hand.",
                kind=kind_label(last.kind),
            ),
        )
    return None


def earliest_date(state: FileState, kind: str) -> datetime.date | None:
    """The first day an event of this kind may be dated (shown as a hint on its form)."""
    dates = [state.stage_since]
    if kind in STAGE_OF_EVENT and state.last_event is not None:
        dates.append(state.last_event.happened_on)
    if kind == EventKind.development_target.value:
        dates.append(state.eligible_on)
    if kind in (EventKind.extension.value, EventKind.conversion.value):
        dates.append(state.probation_end)
    known = [day for day in dates if day is not None]
    return max(known) if known else None


def latest_date(state: FileState, kind: str) -> datetime.date | None:
    """The last day an event of this kind may be dated on time, where the Rules set one."""
    if kind == EventKind.approval.value:
        return state.approval_due_on
    if kind == EventKind.talk.value:
        return state.talk_due_on
    return None


def event_details(event: Event) -> list[tuple[str, str]]:
    """The event's details as (label, value) pairs, for the timeline and the PDF."""
    details: list[tuple[str, str]] = []
    people_label = {
        EventKind.contacts.value: _("Cultivation contacts"),
        EventKind.introducers.value: _("Introducers"),
    }.get(event.kind, _("People"))
    if event.people:
        names = [
            p.name + ("" if p.full_member else " (" + _("not a full member") + ")")
            for p in event.people
        ]
        details.append((people_label, "、".join(names)))
    if event.recommended_by:
        details.append((_("Recommendation"), label(RECOMMENDATIONS, event.recommended_by)))
    if event.decided_by:
        details.append((_("Decided by"), event.decided_by))
    if event.days:
        details.append((_("Days"), str(event.days)))
    if event.class_hours:
        details.append((_("Class hours"), str(event.class_hours)))
    if event.months:
        details.append((_("Months"), str(event.months)))
    if event.note:
        details.append((_("Note"), event.note))
    return details


# --- the form --------------------------------------------------------------------------------


def form_names(kind: str) -> list[str]:
    """The names of the form fields of a kind."""
    names = ["happened_on"]
    for name in KIND_FIELDS.get(kind, ()):
        names += list(PERSON_FIELDS) if name == "people" else [name]
    return [*names, "note"]


def event_from_form(kind: str, form: Any) -> Event | None:
    """The event typed into a FormState, with the plain checks (required, numbers, lengths)
    put on the form; None when those fail."""
    day = form.date("happened_on")
    form.max_length("note", 2000)
    form.max_length("decided_by", 200)
    fields = KIND_FIELDS.get(kind, ())
    values: dict[str, Any] = {}
    if "recommended_by" in fields:
        values["recommended_by"] = form.values.get("recommended_by", "")
    if "decided_by" in fields:
        values["decided_by"] = form.values.get("decided_by", "")
    if "days" in fields:
        values["days"] = form.integer("days", minimum=0, maximum=365, required=False)
        values["class_hours"] = form.integer("class_hours", minimum=0, maximum=2000, required=False)
        if not form.values.get("days") and not form.values.get("class_hours"):
            form.add_error("days", _("Enter the days, the class hours, or both."))
    if "months" in fields:
        values["months"] = form.integer("months", minimum=1, maximum=24)
    if "people" in fields:
        people = []
        for index in range(1, PEOPLE_ROWS + 1):
            name = form.values.get(f"person{index}_name", "")
            form.max_length(f"person{index}_name", 50)
            membership = form.values.get(f"person{index}_full_member", "")
            if not name:
                if index == 1 and form.values.get("person2_name"):
                    form.add_error("person1_name", _("Fill in the first person first."))
                continue
            if membership not in ("yes", "no"):
                form.add_error(
                    f"person{index}_full_member", _("Say whether this is a full party member.")
                )
            people.append(Person(name, membership == "yes"))
        values["people"] = tuple(people)
    if not form.valid or day is None:
        return None
    return Event(kind=kind, happened_on=day, note=form.values.get("note", ""), **values)


# --- the database ----------------------------------------------------------------------------

EVENT_COLUMNS = (
    PipelineEvent.id,
    PipelineEvent.kind,
    PipelineEvent.happened_on,
    PipelineEvent.people,
    PipelineEvent.recommended_by,
    PipelineEvent.decided_by,
    PipelineEvent.days,
    PipelineEvent.class_hours,
    PipelineEvent.months,
    PipelineEvent.note,
)


async def load_events(student_id: int) -> list[Event]:
    rows = await PipelineEvent.select(*EVENT_COLUMNS).where(PipelineEvent.student == student_id)
    return [Event.from_row(row) for row in rows]


async def load_file(student_id: int, *, lock: bool = False) -> tuple[dict[str, Any], FileState]:
    """The student (id, name, birth date, political status) and the state of their file.
    `lock` (inside a write transaction) holds the student's row on PostgreSQL, so two
    coordinators cannot record into the same file at once; SQLite's IMMEDIATE transactions
    already serialise writers."""
    query = Student.select(
        Student.id,
        Student.name,
        Student.student_no,
        Student.birth_date,
        Student.political_status,
    ).where(Student.id == student_id)
    if lock and Student._meta.db.engine_type == "postgres":
        query = query.lock_rows()
    student = await query.first()
    if student is None:
        raise LookupError(student_id)
    entry = await PoolEntry.select(PoolEntry.status).where(PoolEntry.student == student_id).first()
    state = build_state(
        await load_events(student_id),
        entry["status"] if entry else None,
        student["birth_date"],
        student["political_status"],
    )
    return student, state


async def save_derived(audit: AuditTrail, student: dict[str, Any], state: FileState) -> None:
    """Writes what the events imply: the stage on the PoolEntry, the DueItem rows, and the
    political status after a branch meeting or a conversion."""
    student_id = student["id"]
    await PoolEntry.update(
        {
            PoolEntry.stage: state.stage,
            PoolEntry.stage_since: state.stage_since,
            PoolEntry.updated_at: datetime.datetime.now(),
        }
    ).where(PoolEntry.student == student_id)
    await DueItem.delete().where(DueItem.student == student_id)
    items = due_items(state)
    if items:
        await DueItem.insert(
            *[DueItem(student=student_id, kind=item.kind, due_on=item.due_on) for item in items]
        )
    status = None
    for kind, code in STATUS_EVENTS.items():
        if any(event.kind == kind for event in state.events):
            status = code
    if status is not None and status != student["political_status"]:
        await Student.update(
            {Student.political_status: status, Student.updated_at: datetime.datetime.now()}
        ).where(Student.id == student_id)
        await audit.updated(
            Student,
            student_id,
            {"political_status": student["political_status"]},
            {"political_status": status},
            student["name"],
        )


async def record_event(
    audit: AuditTrail,
    student_id: int,
    event: Event,
    today: datetime.date,
    recorded_by: int | None = None,
) -> tuple[int | None, list[RuleError]]:
    """Records an event in a file if the rules allow it (call inside `audited_write`): the
    new event's id, or the errors. Checks run on the file as read inside the transaction."""
    student, state = await load_file(student_id, lock=True)
    errors = check_event(state, event, today)
    if errors:
        return None, errors
    values = {**event.row_values(), "student": student_id, "recorded_by": recorded_by}
    row = await PipelineEvent.insert(PipelineEvent(**values)).returning(PipelineEvent.id)
    event_id = row[0]["id"]
    await audit.created(
        PipelineEvent, event_id, values, f"{student['name']} {kind_label(event.kind)}"
    )
    new_state = build_state(
        [*state.events, replace(event, id=event_id)],
        state.pool_status,
        state.birth_date,
        state.political_status,
    )
    await save_derived(audit, student, new_state)
    return event_id, []


async def delete_event(audit: AuditTrail, student_id: int, event_id: int) -> RuleError | None:
    """Deletes the file's latest event (call inside `audited_write`), or says why not."""
    student, state = await load_file(student_id, lock=True)
    error = deletion_error(state, event_id)
    if error is not None:
        return error
    event = state.events[-1]
    await PipelineEvent.delete().where(PipelineEvent.id == event_id)
    await audit.deleted(
        PipelineEvent, event_id, event.row_values(), f"{student['name']} {kind_label(event.kind)}"
    )
    remaining = build_state(
        state.events[:-1], state.pool_status, state.birth_date, state.political_status
    )
    await save_derived(audit, student, remaining)
    return None


# --- what pages show -------------------------------------------------------------------------


@dataclass
class DueView:
    kind: str
    label: str
    due_on: datetime.date
    overdue: bool
    days: int  # days until due (negative: days overdue)


def due_views(items: Iterable[Due], today: datetime.date) -> list[DueView]:
    return [
        DueView(
            item.kind,
            due_label(item.kind),
            item.due_on,
            item.overdue(today),
            (item.due_on - today).days,
        )
        for item in items
    ]


@dataclass
class TimelineEntry:
    event: Event
    label: str
    details: list[tuple[str, str]]
    late: bool
    deletable: bool


@dataclass
class PipelineView:
    """A student's file as the student page, its PDF and the delete page show it."""

    student_id: int
    stage: str | None
    stage_label: str
    stage_since: datetime.date | None
    pool_status: str | None
    timeline: list[TimelineEntry]
    due: list[DueView]
    allowed: list[tuple[str, str]]  # (kind, label) that may be recorded next
    may_record: bool
    probation_end: datetime.date | None


def pipeline_view(
    student_id: int, state: FileState, viewer: Viewer | None, today: datetime.date
) -> PipelineView:
    may_record = viewer is not None and viewer.role is Role.coordinator
    last = state.last_event
    timeline = [
        TimelineEntry(
            event,
            kind_label(event.kind),
            event_details(event),
            state.is_late(event),
            may_record and event is last and event.kind not in STATUS_EVENTS,
        )
        for event in state.events
    ]
    return PipelineView(
        student_id=student_id,
        stage=state.stage,
        stage_label=stage_label(state.stage),
        stage_since=state.stage_since,
        pool_status=state.pool_status,
        timeline=timeline,
        due=due_views(due_items(state), today),
        allowed=[(kind, kind_label(kind)) for kind in allowed_kinds(state)] if may_record else [],
        may_record=may_record,
        probation_end=state.probation_end,
    )


async def pipeline_context(student_id: int, viewer: Viewer, today: datetime.date) -> dict:
    """What templates/talent_pool/_pipeline.html needs, to merge into the student page's
    context (`context.update(await pipeline_context(...))`): {"pipeline": PipelineView}.
    The caller has checked that the viewer may see the student. Three queries."""
    _student, state = await load_file(student_id)
    return {"pipeline": pipeline_view(student_id, state, viewer, today)}


def scoped_students(viewer: Viewer) -> Any:
    """The ids of the students the viewer may see, as a sub-query (None: everyone)."""
    scope = student_scope(viewer)
    if not scope:
        return None
    return Student.select(Student.id).where(*scope)


def due_conditions(viewer: Viewer) -> list[Any]:
    students = scoped_students(viewer)
    return [] if students is None else [DueItem.student.is_in(students)]
