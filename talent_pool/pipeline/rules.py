"""The rules of the recruitment pipeline (发展党员), per 《中国共产党发展党员工作细则》: pure
checks of a file's state (talent_pool.pipeline.state) that say what is wrong with recording an
event (`check_event`) or deleting one (`deletion_error`), what may be recorded next
(`allowed_kinds`) and between which dates. Each refusal is a FieldError beside the form field
it concerns ("form": the file as a whole) and, where the Rules set it, cites its article;
the store raises them as `Refused`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from portal.dates import age_on
from portal.domain_errors import FORM, FieldError
from portal.i18n import _
from portal.rulebook import cited
from portal.vocabulary import EVENT_KINDS, label
from talent_pool.pipeline.labels import RULE_OF_KIND, channel_label, stage_label
from talent_pool.pipeline.state import (
    PARTY_STATUSES,
    STAGE_OF_EVENT,
    STATUS_CHANGING,
    Event,
    FileState,
)
from talent_pool.tables import EventKind, PoolStatus, Stage

REVIEWS_NEEDED = 2  # half-yearly reviews before becoming a development target
PROBATIONARY = (Stage.probationary.value,)
TARGET = (Stage.development_target.value,)
# Which stages each kind may be recorded at (None: a student without a file).
KIND_STAGES: dict[str, tuple[str | None, ...]] = {
    EventKind.application.value: (None,),
    EventKind.talk.value: (Stage.applicant.value,),
    EventKind.activist.value: (Stage.applicant.value,),
    EventKind.activist_filing.value: (Stage.activist.value, *TARGET, *PROBATIONARY),
    EventKind.contacts.value: (Stage.activist.value, *TARGET),
    EventKind.review.value: (Stage.activist.value, *TARGET),
    EventKind.development_target.value: (Stage.activist.value,),
    EventKind.target_filing.value: (*TARGET, *PROBATIONARY),
    EventKind.political_review.value: TARGET,
    EventKind.training.value: TARGET,
    EventKind.introducers.value: TARGET,
    EventKind.pre_review.value: TARGET,
    EventKind.volunteer_form.value: TARGET,
    EventKind.branch_meeting.value: TARGET,
    EventKind.approval.value: PROBATIONARY,
    EventKind.oath.value: PROBATIONARY,
    EventKind.extension.value: PROBATIONARY,
    EventKind.conversion.value: PROBATIONARY,
    EventKind.cancellation.value: PROBATIONARY,
}
DECIDED_BY_REQUIRED = (
    EventKind.activist.value,
    EventKind.development_target.value,
    EventKind.approval.value,
    EventKind.cancellation.value,
)
VOTED = (EventKind.branch_meeting.value, EventKind.conversion.value)


def refused(field: str, key: str, message: str) -> FieldError:
    """A refusal beside a form field, citing the rule book's rule `key`."""
    return FieldError(field, cited(key, message))


def refused_kind(field: str, kind: str, message: str) -> FieldError:
    """A refusal of an event of `kind`, citing the rule the kind comes from."""
    return refused(field, RULE_OF_KIND[kind], message)


def check_event(state: FileState, event: Event, today: datetime.date) -> list[FieldError]:
    """Everything wrong with recording `event` in this file today; empty when it may be."""
    errors = file_errors(state, event.kind)
    if errors:
        return errors
    return date_errors(state, event, today) + detail_errors(state, event)


def allowed_kinds(state: FileState) -> list[str]:
    """The kinds of event the file can take next (their dates and details still to check)."""
    return [kind for kind in KIND_STAGES if not file_errors(state, kind)]


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
    return refused_kind(FORM, kind, message)


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
        errors.append(refused_kind(FORM, kind, _("The student is already a party member.")))
    if state.birth_date is None:
        message = _(
            "The student's birth date is not recorded, so their age cannot be "
            "checked. Enter the birth date on the student's page first."
        )
        errors.append(refused_kind(FORM, kind, message))
    return errors


def once(done: datetime.date | None, kind: str, message: str) -> list[FieldError]:
    """A step recorded only once."""
    return [refused_kind(FORM, kind, message)] if done is not None else []


def talk_blockers(state: FileState) -> list[FieldError]:
    return once(state.talk_on, EventKind.talk.value, _("The talk is already recorded."))


def activist_blockers(state: FileState) -> list[FieldError]:
    if state.talk_on is None:
        message = _("The talk with the applicant must be recorded first.")
        return [refused_kind(FORM, EventKind.activist.value, message)]
    return []


def activist_filing_blockers(state: FileState) -> list[FieldError]:
    message = _("The activist's filing is already recorded.")
    return once(state.activist_filed_on, EventKind.activist_filing.value, message)


def target_filing_blockers(state: FileState) -> list[FieldError]:
    message = _("The development target's filing is already recorded.")
    return once(state.target_filed_on, EventKind.target_filing.value, message)


def development_target_blockers(state: FileState) -> list[FieldError]:
    """Cultivation contacts and two half-yearly reviews first."""
    kind = EventKind.development_target.value
    errors: list[FieldError] = []
    if not state.contacts:
        message = _("Cultivation contacts must be assigned first.")
        errors.append(refused(FORM, "party.contacts", message))
    if len(state.reviews) < REVIEWS_NEEDED:
        message = _(
            "At least %(needed)s half-yearly reviews are needed since the student became an "
            "activist; %(count)s recorded.",
            needed=REVIEWS_NEEDED,
            count=len(state.reviews),
        )
        errors.append(refused_kind(FORM, kind, message))
    return errors


def missing_steps(state: FileState, kind: str, steps: Mapping[str, object]) -> list[FieldError]:
    """The steps (kind: the date it was done, or None) still to record before `kind`, each
    refusal citing the missing step's rule."""
    errors = []
    for step, done in steps.items():
        if not done:
            message = _("Record first: %(missing)s.", missing=label(EVENT_KINDS, step))
            errors.append(refused_kind(FORM, step, message))
    return errors


def pre_review_blockers(state: FileState) -> list[FieldError]:
    """The political review and the training before the pre-review; once."""
    kind = EventKind.pre_review.value
    steps = {
        EventKind.political_review.value: state.political_review_on,
        EventKind.training.value: state.training_on,
    }
    message = _("The pre-review is already recorded.")
    return missing_steps(state, kind, steps) + once(state.pre_review_on, kind, message)


def volunteer_form_blockers(state: FileState) -> list[FieldError]:
    """The application form (入党志愿书) after the pre-review; once."""
    kind = EventKind.volunteer_form.value
    steps = {EventKind.pre_review.value: state.pre_review_on}
    message = _("The application form is already recorded.")
    return missing_steps(state, kind, steps) + once(state.volunteer_form_on, kind, message)


def branch_meeting_blockers(state: FileState) -> list[FieldError]:
    """The political review, the training, the introducers, the pre-review and the
    application form first."""
    steps = {
        EventKind.political_review.value: state.political_review_on,
        EventKind.training.value: state.training_on,
        EventKind.introducers.value: state.introducers,
        EventKind.pre_review.value: state.pre_review_on,
        EventKind.volunteer_form.value: state.volunteer_form_on,
    }
    return missing_steps(state, EventKind.branch_meeting.value, steps)


def approval_blockers(state: FileState) -> list[FieldError]:
    message = _("The approval is already recorded.")
    return once(state.approval_on, EventKind.approval.value, message)


def oath_blockers(state: FileState) -> list[FieldError]:
    """The oath after the approval; once."""
    kind = EventKind.oath.value
    message = _("The oath is already recorded.")
    return probation_blockers(state, kind) + once(state.oath_on, kind, message)


def conversion_blockers(state: FileState) -> list[FieldError]:
    return probation_blockers(state, EventKind.conversion.value)


def cancellation_blockers(state: FileState) -> list[FieldError]:
    return probation_blockers(state, EventKind.cancellation.value)


def extension_blockers(state: FileState) -> list[FieldError]:
    """The approval first, and probation is extended only once."""
    kind = EventKind.extension.value
    errors = probation_blockers(state, kind)
    if state.extensions:
        message = _(
            "Probation has already been extended (by %(months)s months); it may be extended "
            "only once.",
            months=state.extension_months,
        )
        errors.append(refused(FORM, "party.extension_once", message))
    return errors


def probation_blockers(state: FileState, kind: str) -> list[FieldError]:
    """Probation is extended or ends, and the oath is taken, only after the approval."""
    if state.approval_on is None:
        message = _("The higher committee's approval must be recorded first.")
        return [refused_kind(FORM, kind, message)]
    return []


FILE_CHECKS: dict[str, Callable[[FileState], list[FieldError]]] = {
    EventKind.application.value: application_blockers,
    EventKind.talk.value: talk_blockers,
    EventKind.activist.value: activist_blockers,
    EventKind.activist_filing.value: activist_filing_blockers,
    EventKind.development_target.value: development_target_blockers,
    EventKind.target_filing.value: target_filing_blockers,
    EventKind.pre_review.value: pre_review_blockers,
    EventKind.volunteer_form.value: volunteer_form_blockers,
    EventKind.branch_meeting.value: branch_meeting_blockers,
    EventKind.approval.value: approval_blockers,
    EventKind.oath.value: oath_blockers,
    EventKind.extension.value: extension_blockers,
    EventKind.conversion.value: conversion_blockers,
    EventKind.cancellation.value: cancellation_blockers,
}


# --- the event's date --------------------------------------------------------------------------


def date_errors(state: FileState, event: Event, today: datetime.date) -> list[FieldError]:
    """The date is not in the future, not before the latest stage change or the step it
    follows, and a stage change is not dated before anything already in the file."""
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
    after = step_before(state, event.kind)
    if after is not None and day < after:
        message = _("The date cannot be before %(date)s.", date=after.isoformat())
        return [refused_kind("happened_on", event.kind, message)]
    return []


def step_before(state: FileState, kind: str) -> datetime.date | None:
    """The date of the step an event of this kind follows, where it is not a stage change."""
    return {
        EventKind.activist_filing.value: state.activist_on,
        EventKind.target_filing.value: state.development_target_on,
        EventKind.pre_review.value: max_date(state.political_review_on, state.training_on),
        EventKind.volunteer_form.value: state.pre_review_on,
        EventKind.oath.value: state.approval_on,
    }.get(kind)


def max_date(*days: datetime.date | None) -> datetime.date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


# --- the event's own details -------------------------------------------------------------------


def detail_errors(state: FileState, event: Event) -> list[FieldError]:
    """The rules on the event's own date and details, given the file."""
    errors: list[FieldError] = []
    if event.kind in DECIDED_BY_REQUIRED and not event.decided_by:
        message = _("Say which body decided (e.g. the branch committee).")
        errors.append(refused_kind("decided_by", event.kind, message))
    if event.kind in VOTED:
        errors += vote_errors(state, event)
    check = DETAIL_CHECKS.get(event.kind)
    return errors + check(state, event) if check else errors


def eighteenth_birthday(birth_date: datetime.date, age: int = 18) -> datetime.date:
    """The day the student turns `age` (someone born on 29 February, on 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return datetime.date(birth_date.year + age, 3, 1)


def application_details(state: FileState, event: Event) -> list[FieldError]:
    """An applicant is at least 18 on the day."""
    minimum = state.months("party.apply_min_age")
    if state.birth_date is None or age_on(state.birth_date, event.happened_on) >= minimum:
        return []
    message = _(
        "An applicant must be at least %(age)s years old; the student turns %(age)s on %(date)s.",
        age=minimum,
        date=eighteenth_birthday(state.birth_date, minimum).isoformat(),
    )
    return [refused_kind("happened_on", event.kind, message)]


def activist_details(state: FileState, event: Event) -> list[FieldError]:
    """An activist comes through one of the recommendation channels in force."""
    if event.recommended_by in state.channels:
        return []
    message = _(
        "Choose how the student was recommended: %(channels)s.",
        channels=" / ".join(channel_label(channel) for channel in state.channels),
    )
    return [refused_kind("recommended_by", event.kind, message)]


def contacts_details(state: FileState, event: Event) -> list[FieldError]:
    return people_errors(state, event, exactly=None)


def introducers_details(state: FileState, event: Event) -> list[FieldError]:
    return people_errors(state, event, exactly=state.months("party.introducers"))


def people_errors(state: FileState, event: Event, *, exactly: int | None) -> list[FieldError]:
    """Contacts (one or two) or introducers (exactly two): distinct names, full members."""
    errors: list[FieldError] = []
    count = len(event.people)
    if exactly is not None and count != exactly:
        message = _("Exactly %(count)s introducers are needed.", count=exactly)
        errors.append(refused_kind("people", event.kind, message))
    elif exactly is None and not 1 <= count <= state.months("party.contacts"):
        message = _("Assign one or two cultivation contacts.")
        errors.append(refused_kind("people", event.kind, message))
    names = [p.name for p in event.people]
    if len(set(names)) != len(names):
        errors.append(refused_kind("people", event.kind, _("The two people must be different.")))
    for index, person in enumerate(event.people, start=1):
        if not person.full_member:
            message = _(
                "%(name)s must be a full party member; a probationary member cannot be assigned.",
                name=person.name,
            )
            errors.append(refused_kind(f"person{index}_full_member", event.kind, message))
    return errors


def development_target_details(state: FileState, event: Event) -> list[FieldError]:
    """A year as activist first."""
    if state.eligible_on is None or event.happened_on >= state.eligible_on:
        return []
    message = _(
        "At least one year as activist is needed: from %(date)s on.",
        date=state.eligible_on.isoformat(),
    )
    return [refused_kind("happened_on", event.kind, message)]


def training_details(state: FileState, event: Event) -> list[FieldError]:
    """At least 3 days or 24 class hours."""
    days, hours = state.months("party.training_days"), state.months("party.training_hours")
    if (event.days or 0) >= days or (event.class_hours or 0) >= hours:
        return []
    message = _(
        "The training must last at least %(days)s days or %(hours)s class hours.",
        days=days,
        hours=hours,
    )
    return [refused_kind("days", event.kind, message)]


def approval_details(state: FileState, event: Event) -> list[FieldError]:
    """Within three months of the branch meeting; in months four to six only with the special
    case stated as the reason; never after six months."""
    due, latest = state.approval_due_on, state.approval_latest_on
    if due is None or latest is None or event.happened_on <= due:
        return []
    if event.happened_on > latest:
        message = _(
            "The approval must come within %(months)s months of the branch meeting even in a "
            "special case: by %(date)s.",
            months=state.months("party.approval_latest"),
            date=latest.isoformat(),
        )
        return [refused("happened_on", "party.approval_latest", message)]
    if not event.reason.strip():
        message = _(
            "The approval comes more than %(months)s months after the branch meeting (due "
            "%(date)s): state the special case as the reason.",
            months=state.months("party.approval_within"),
            date=due.isoformat(),
        )
        return [refused("reason", "party.approval_latest", message)]
    return []


def extension_details(state: FileState, event: Event) -> list[FieldError]:
    """6 to 12 months, when probation ends."""
    errors: list[FieldError] = []
    months = event.months or 0
    least, most = state.months("party.extension_min"), state.months("party.extension_max")
    if not least <= months <= most:
        message = _("An extension is %(min)s to %(max)s months.", min=least, max=most)
        errors.append(refused("months", "party.extension_max", message))
    return errors + probation_end_errors(state, event)


def probation_end_errors(state: FileState, event: Event) -> list[FieldError]:
    """An extension, a conversion or a cancellation comes when probation ends, not before."""
    end = state.probation_end
    if end is None or event.happened_on >= end:
        return []
    message = _("Probation ends on %(date)s; not before.", date=end.isoformat())
    return [refused("happened_on", "party.probation", message)]


def vote_errors(state: FileState, event: Event) -> list[FieldError]:
    """The vote of a branch meeting (admission or conversion): the members entitled to vote,
    present with a vote and in favour; more than half of those entitled present, and more than
    half of those entitled in favour."""
    entitled, present, in_favour = event.entitled, event.present, event.in_favour
    if entitled is None or present is None or in_favour is None:
        message = _("Enter the members entitled to vote, those present and those in favour.")
        return [refused("entitled", "party.vote_present", message)]
    if entitled < 1 or not 0 <= in_favour <= present <= entitled:
        message = _(
            "The numbers do not add up: in favour at most those present, present at most "
            "those entitled to vote."
        )
        return [FieldError("present", message)]
    errors = []
    if present * 2 <= entitled:
        message = _(
            "%(present)s present of %(entitled)s entitled to vote is not more than half: the "
            "meeting cannot decide.",
            present=present,
            entitled=entitled,
        )
        errors.append(refused("present", "party.vote_present", message))
    if in_favour * 2 <= entitled:
        message = _(
            "%(in_favour)s in favour of %(entitled)s entitled to vote is not more than half: "
            "the motion is not carried.",
            in_favour=in_favour,
            entitled=entitled,
        )
        errors.append(refused("in_favour", "party.vote_in_favour", message))
    return errors


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
    EventKind.cancellation.value: probation_end_errors,
}


# --- deleting, and the dates a form may take -----------------------------------------------


def deletion_error(state: FileState, event_id: int) -> FieldError | None:
    """Only the file's latest event may be deleted, and not one that changed the student's
    political status (that is corrected by hand)."""
    last = state.last_event
    if last is None or last.id != event_id:
        return FieldError(FORM, _("Only the latest event of a file can be deleted."))
    if last.kind in STATUS_CHANGING:
        message = _(
            "%(kind)s changed the student's political status, so it cannot be deleted here. "
            "Correct the file and the political status by hand.",
            kind=label(EVENT_KINDS, last.kind),
        )
        return FieldError(FORM, message)
    return None


def earliest_date(state: FileState, kind: str) -> datetime.date | None:
    """The first day an event of this kind may be dated (shown as a hint on its form)."""
    dates = [state.stage_since, step_before(state, kind)]
    if kind in STAGE_OF_EVENT and state.last_event is not None:
        dates.append(state.last_event.happened_on)
    if kind == EventKind.development_target.value:
        dates.append(state.eligible_on)
    if kind in (
        EventKind.extension.value,
        EventKind.conversion.value,
        EventKind.cancellation.value,
    ):
        dates.append(state.probation_end)
    return max_date(*dates)


def latest_date(state: FileState, kind: str) -> datetime.date | None:
    """The last day an event of this kind may be dated on time, where the Rules set one."""
    if kind == EventKind.approval.value:
        return state.approval_due_on
    if kind == EventKind.talk.value:
        return state.talk_due_on
    return None
