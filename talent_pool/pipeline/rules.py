"""The rules of the recruitment pipeline (发展党员), per 《中国共产党发展党员工作细则》: pure
checks of a file's state (talent_pool.pipeline.state) that say what is wrong with recording an
event (`check_event`) or deleting one (`deletion_error`), what may be recorded next
(`allowed_kinds`) and between which dates. Each refusal is a FieldError beside the form field
it concerns ("form": the file as a whole) and, where the Rules set it, cites its article;
the store raises them as `Refused`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from portal.dates import age_on
from portal.domain_errors import FORM, FieldError
from portal.i18n import _
from portal.vocabulary import EVENT_KINDS, RECOMMENDATIONS, label
from talent_pool.pipeline.labels import ARTICLE_OF_KIND, cite, stage_label
from talent_pool.pipeline.state import (
    PARTY_STATUSES,
    STAGE_OF_EVENT,
    STATUS_EVENTS,
    Event,
    FileState,
)
from talent_pool.tables import EventKind, PoolStatus, Stage

MINIMUM_AGE = 18  # 第七条
REVIEWS_NEEDED = 2  # half-yearly reviews before becoming a development target (第十六条)
MAX_CONTACTS = 2  # one or two cultivation contacts (第十三条)
INTRODUCERS = 2  # exactly two introducers (第二十二条)
TRAINING_DAYS, TRAINING_HOURS = 3, 24  # 第二十条
EXTENSION_MIN, EXTENSION_MAX = 6, 12  # 第三十三条
# Which stages each kind may be recorded at (None: a student without a file).
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
DECIDED_BY_REQUIRED = (
    EventKind.activist.value,
    EventKind.development_target.value,
    EventKind.approval.value,
)


def cited(field: str, kind: str, message: str) -> FieldError:
    """A refusal of an event of `kind`, citing the article of the Rules the kind comes from."""
    return FieldError(field, cite(ARTICLE_OF_KIND[kind], message))


def check_event(state: FileState, event: Event, today: datetime.date) -> list[FieldError]:
    """Everything wrong with recording `event` in this file today; empty when it may be."""
    errors = file_errors(state, event.kind)
    if errors:
        return errors
    return date_errors(state, event, today) + detail_errors(state, event)


def allowed_kinds(state: FileState) -> list[str]:
    """The kinds of event the file can take next (their dates and details still to check)."""
    return [kind.value for kind in EventKind if not file_errors(state, kind.value)]


# --- what the file must have before an event of a kind ---------------------------------------


def file_errors(state: FileState, kind: str) -> list[FieldError]:
    """What keeps the file from taking an event of this kind at all, whatever its date and
    details: the stage, and what must be recorded first."""
    if kind not in KIND_STAGES:
        return [FieldError(FORM, _("Unknown kind of event."))]
    if state.stage not in KIND_STAGES[kind]:
        return [wrong_stage(state, kind)]
    check = FILE_CHECKS.get(kind)
    return check(state) if check else []


def wrong_stage(state: FileState, kind: str) -> FieldError:
    stages = [s for s in KIND_STAGES[kind] if s is not None]
    if not stages:
        message = _(
            "%(kind)s starts a file; this student's file is already open.",
            kind=label(EVENT_KINDS, kind),
        )
    else:
        message = _(
            "%(kind)s can be recorded only at the stage %(stages)s; the file is at %(stage)s.",
            kind=label(EVENT_KINDS, kind),
            stages=" / ".join(stage_label(s) for s in stages),
            stage=stage_label(state.stage),
        )
    return cited(FORM, kind, message)


def application_blockers(state: FileState) -> list[FieldError]:
    """A file is opened for a pooled student who is not a party member, of a known age."""
    kind = EventKind.application.value
    errors: list[FieldError] = []
    if state.pool_status != PoolStatus.pooled.value:
        errors.append(
            FieldError(
                FORM,
                _("Only a student accepted into the talent pool can start a recruitment file."),
            )
        )
    if state.political_status in PARTY_STATUSES:
        errors.append(cited(FORM, kind, _("The student is already a party member.")))
    if state.birth_date is None:
        errors.append(
            cited(
                FORM,
                kind,
                _(
                    "The student's birth date is not recorded, so their age cannot be "
                    "checked. Enter the birth date on the student's page first."
                ),
            )
        )
    return errors


def talk_blockers(state: FileState) -> list[FieldError]:
    if state.talk_on is not None:
        return [cited(FORM, EventKind.talk.value, _("The talk is already recorded."))]
    return []


def activist_blockers(state: FileState) -> list[FieldError]:
    if state.talk_on is None:
        message = _("The talk with the applicant must be recorded first.")
        return [cited(FORM, EventKind.activist.value, message)]
    return []


def development_target_blockers(state: FileState) -> list[FieldError]:
    """Cultivation contacts and two half-yearly reviews first (第十六条)."""
    kind = EventKind.development_target.value
    errors: list[FieldError] = []
    if not state.contacts:
        errors.append(cited(FORM, kind, _("Cultivation contacts must be assigned first.")))
    if len(state.reviews) < REVIEWS_NEEDED:
        message = _(
            "At least %(needed)s half-yearly reviews are needed since the student became an "
            "activist; %(count)s recorded.",
            needed=REVIEWS_NEEDED,
            count=len(state.reviews),
        )
        errors.append(cited(FORM, kind, message))
    return errors


def branch_meeting_blockers(state: FileState) -> list[FieldError]:
    """The political review, the training and the introducers first (第二十四、二十五条)."""
    missing = [
        label(EVENT_KINDS, kind)
        for kind, done in (
            (EventKind.political_review.value, state.political_review_on),
            (EventKind.training.value, state.training_on),
            (EventKind.introducers.value, state.introducers),
        )
        if not done
    ]
    if missing:
        message = _("Record first: %(missing)s.", missing=", ".join(missing))
        return [cited(FORM, EventKind.branch_meeting.value, message)]
    return []


def approval_blockers(state: FileState) -> list[FieldError]:
    if state.approval_on is not None:
        return [cited(FORM, EventKind.approval.value, _("The approval is already recorded."))]
    return []


def conversion_blockers(state: FileState) -> list[FieldError]:
    return probation_blockers(state, EventKind.conversion.value)


def extension_blockers(state: FileState) -> list[FieldError]:
    """The approval first, and room left within 12 months of extensions (第三十三条)."""
    kind = EventKind.extension.value
    errors = probation_blockers(state, kind)
    if state.extension_months + EXTENSION_MIN > EXTENSION_MAX:
        message = _(
            "Probation has been extended by %(months)s months already; all extensions "
            "together are at most %(max)s months.",
            months=state.extension_months,
            max=EXTENSION_MAX,
        )
        errors.append(cited(FORM, kind, message))
    return errors


def probation_blockers(state: FileState, kind: str) -> list[FieldError]:
    """Probation is extended or ends only after the higher committee's approval."""
    if state.approval_on is None:
        message = _("The higher committee's approval must be recorded first.")
        return [cited(FORM, kind, message)]
    return []


FILE_CHECKS: dict[str, Callable[[FileState], list[FieldError]]] = {
    EventKind.application.value: application_blockers,
    EventKind.talk.value: talk_blockers,
    EventKind.activist.value: activist_blockers,
    EventKind.development_target.value: development_target_blockers,
    EventKind.branch_meeting.value: branch_meeting_blockers,
    EventKind.approval.value: approval_blockers,
    EventKind.extension.value: extension_blockers,
    EventKind.conversion.value: conversion_blockers,
}


# --- the event's date --------------------------------------------------------------------------


def date_errors(state: FileState, event: Event, today: datetime.date) -> list[FieldError]:
    """The date is not in the future, not before the latest stage change, and a stage change
    is not dated before anything already in the file."""
    day = event.happened_on
    if day > today:
        return [FieldError("happened_on", _("The date cannot be in the future."))]
    if state.stage_since is not None and day < state.stage_since:
        message = _(
            "The date cannot be before the file's latest stage change (%(date)s).",
            date=state.stage_since.isoformat(),
        )
        return [FieldError("happened_on", message)]
    last = state.last_event
    if event.kind in STAGE_OF_EVENT and last is not None and day < last.happened_on:
        message = _(
            "A stage change cannot be dated before the file's latest event (%(date)s).",
            date=last.happened_on.isoformat(),
        )
        return [FieldError("happened_on", message)]
    return []


# --- the event's own details -------------------------------------------------------------------


def detail_errors(state: FileState, event: Event) -> list[FieldError]:
    """The rules on the event's own date and details, given the file."""
    errors: list[FieldError] = []
    if event.kind in DECIDED_BY_REQUIRED and not event.decided_by:
        message = _("Say which body decided (e.g. the branch committee).")
        errors.append(cited("decided_by", event.kind, message))
    check = DETAIL_CHECKS.get(event.kind)
    return errors + check(state, event) if check else errors


def eighteenth_birthday(birth_date: datetime.date) -> datetime.date:
    """The day the student turns 18 (someone born on 29 February, on 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + MINIMUM_AGE)
    except ValueError:
        return datetime.date(birth_date.year + MINIMUM_AGE, 3, 1)


def application_details(state: FileState, event: Event) -> list[FieldError]:
    """An applicant is at least 18 on the day (第七条)."""
    if state.birth_date is None or age_on(state.birth_date, event.happened_on) >= MINIMUM_AGE:
        return []
    message = _(
        "An applicant must be at least %(age)s years old; the student turns %(age)s on %(date)s.",
        age=MINIMUM_AGE,
        date=eighteenth_birthday(state.birth_date).isoformat(),
    )
    return [cited("happened_on", event.kind, message)]


def activist_details(state: FileState, event: Event) -> list[FieldError]:
    """An activist is recommended by party members or by the League (第九条)."""
    if event.recommended_by in RECOMMENDATIONS:
        return []
    message = _("Choose how the student was recommended: by party members or the League.")
    return [cited("recommended_by", event.kind, message)]


def contacts_details(state: FileState, event: Event) -> list[FieldError]:
    return people_errors(event, exactly=None)


def introducers_details(state: FileState, event: Event) -> list[FieldError]:
    return people_errors(event, exactly=INTRODUCERS)


def people_errors(event: Event, *, exactly: int | None) -> list[FieldError]:
    """Contacts (one or two) or introducers (exactly two): distinct names, full members."""
    errors: list[FieldError] = []
    count = len(event.people)
    if exactly is not None and count != exactly:
        message = _("Exactly %(count)s introducers are needed.", count=exactly)
        errors.append(cited("people", event.kind, message))
    elif exactly is None and not 1 <= count <= MAX_CONTACTS:
        errors.append(cited("people", event.kind, _("Assign one or two cultivation contacts.")))
    names = [p.name for p in event.people]
    if len(set(names)) != len(names):
        errors.append(cited("people", event.kind, _("The two people must be different.")))
    for index, person in enumerate(event.people, start=1):
        if not person.full_member:
            message = _(
                "%(name)s must be a full party member; a probationary member cannot be assigned.",
                name=person.name,
            )
            errors.append(cited(f"person{index}_full_member", event.kind, message))
    return errors


def development_target_details(state: FileState, event: Event) -> list[FieldError]:
    """A year as activist first (第十六条)."""
    if state.eligible_on is None or event.happened_on >= state.eligible_on:
        return []
    message = _(
        "At least one year as activist is needed: from %(date)s on.",
        date=state.eligible_on.isoformat(),
    )
    return [cited("happened_on", event.kind, message)]


def training_details(state: FileState, event: Event) -> list[FieldError]:
    """At least 3 days or 24 class hours (第二十条)."""
    if (event.days or 0) >= TRAINING_DAYS or (event.class_hours or 0) >= TRAINING_HOURS:
        return []
    message = _(
        "The training must last at least %(days)s days or %(hours)s class hours.",
        days=TRAINING_DAYS,
        hours=TRAINING_HOURS,
    )
    return [cited("days", event.kind, message)]


def approval_details(state: FileState, event: Event) -> list[FieldError]:
    """Within three months of the branch meeting (第二十九条)."""
    due = state.approval_due_on
    if due is None or event.happened_on <= due:
        return []
    message = _(
        "The approval must come within three months of the branch meeting: by %(date)s.",
        date=due.isoformat(),
    )
    return [cited("happened_on", event.kind, message)]


def extension_details(state: FileState, event: Event) -> list[FieldError]:
    """6 to 12 months, 12 at most in all, when probation ends (第三十三条)."""
    errors: list[FieldError] = []
    months = event.months or 0
    if not EXTENSION_MIN <= months <= EXTENSION_MAX:
        message = _(
            "An extension is %(min)s to %(max)s months.", min=EXTENSION_MIN, max=EXTENSION_MAX
        )
        errors.append(cited("months", event.kind, message))
    elif state.extension_months + months > EXTENSION_MAX:
        message = _(
            "All extensions together are at most %(max)s months; %(left)s months remain.",
            max=EXTENSION_MAX,
            left=EXTENSION_MAX - state.extension_months,
        )
        errors.append(cited("months", event.kind, message))
    return errors + probation_end_errors(state, event)


def probation_end_errors(state: FileState, event: Event) -> list[FieldError]:
    """An extension or a conversion comes when probation ends, not before (第三十一、三十三条)."""
    end = state.probation_end
    if end is None or event.happened_on >= end:
        return []
    message = _("Probation ends on %(date)s; not before.", date=end.isoformat())
    return [cited("happened_on", event.kind, message)]


DETAIL_CHECKS: dict[str, Callable[[FileState, Event], list[FieldError]]] = {
    EventKind.application.value: application_details,
    EventKind.activist.value: activist_details,
    EventKind.contacts.value: contacts_details,
    EventKind.development_target.value: development_target_details,
    EventKind.training.value: training_details,
    EventKind.introducers.value: introducers_details,
    EventKind.approval.value: approval_details,
    EventKind.extension.value: extension_details,
    EventKind.conversion.value: probation_end_errors,
}


# --- deleting, and the dates a form may take -----------------------------------------------


def deletion_error(state: FileState, event_id: int) -> FieldError | None:
    """Only the file's latest event may be deleted, and not one that changed the student's
    political status (that is corrected by hand)."""
    last = state.last_event
    if last is None or last.id != event_id:
        return FieldError(FORM, _("Only the latest event of a file can be deleted."))
    if last.kind in STATUS_EVENTS:
        message = _(
            "%(kind)s changed the student's political status, so it cannot be deleted here. "
            "Correct the file and the political status by hand.",
            kind=label(EVENT_KINDS, last.kind),
        )
        return FieldError(FORM, message)
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
