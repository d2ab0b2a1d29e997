"""What the recruitment pipeline (发展党员) says to users beyond the labels of its codes: the
rule of the rule book (portal.rulebook) each kind of event comes from, the rule shown above each
form, and the labels of recommendation channels. The labels of the codes themselves (stages,
kinds of event, what is due) are in portal.vocabulary; articles are cited from the rule book.
"""

from __future__ import annotations

from portal.i18n import _, lazy
from portal.vocabulary import RECOMMENDATIONS, STAGES, label
from talent_pool.tables import EventKind

# The rule book's rule each kind of event comes from (its citation heads the form).
RULE_OF_KIND: dict[str, str] = {
    EventKind.application.value: "party.apply_min_age",
    EventKind.talk.value: "party.talk_within",
    EventKind.activist.value: "party.activist_channels",
    EventKind.activist_filing.value: "party.activist_filing",
    EventKind.contacts.value: "party.contacts",
    EventKind.review.value: "party.review_every",
    EventKind.development_target.value: "party.target_after",
    EventKind.target_filing.value: "party.target_filing",
    EventKind.political_review.value: "party.political_review",
    EventKind.training.value: "party.training_days",
    EventKind.introducers.value: "party.introducers",
    EventKind.pre_review.value: "party.pre_review",
    EventKind.volunteer_form.value: "party.volunteer_form",
    EventKind.branch_meeting.value: "party.vote_in_favour",
    EventKind.approval.value: "party.approval_within",
    EventKind.oath.value: "party.oath",
    EventKind.extension.value: "party.extension_once",
    EventKind.conversion.value: "party.probation",
    EventKind.cancellation.value: "party.cancel_probation",
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
        "After the political review, the training, the introducers, the higher committee's "
        "pre-review and the application form, the branch meeting votes on admission: more "
        "than half of the members entitled to vote present, and more than half of them in "
        "favour. The student becomes a probationary member."
    ),
    EventKind.approval.value: lazy(
        "The higher party committee approves the admission within three months of the branch "
        "meeting; in a special case, stated as the reason, up to six months."
    ),
    EventKind.extension.value: lazy(
        "When probation ends, it may be extended once, by 6 to 12 months."
    ),
    EventKind.conversion.value: lazy(
        "After a year of probation (plus any extension), the branch meeting votes on the "
        "conversion of an approved probationary member, by the same majorities as the "
        "admission."
    ),
    EventKind.oath.value: lazy("A probationary member takes the oath after the approval."),
    EventKind.cancellation.value: lazy(
        "A probationary member who does not meet the conditions when probation ends has the "
        "probationary membership cancelled. The file closes and the political status goes "
        "back to what it was before the branch meeting."
    ),
    EventKind.activist_filing.value: lazy(
        "A new activist is reported to the higher party committee for filing."
    ),
    EventKind.target_filing.value: lazy(
        "A new development target is reported to the higher party committee for filing."
    ),
    EventKind.pre_review.value: lazy(
        "After the political review and the training, the higher party committee pre-reviews "
        "the development target before the branch meeting."
    ),
    EventKind.volunteer_form.value: lazy(
        "After the pre-review, the development target fills in the application form (入党志愿书)."
    ),
}


def channel_label(channel: str) -> str:
    """A recommendation channel as users read it: the label of an old code (party_members,
    league), or the channel's own name as a coordinator typed it."""
    return label(RECOMMENDATIONS, channel)


def stage_label(code: str | None) -> str:
    """A file's stage as the pipeline's pages say it, for a student without a file too."""
    return label(STAGES, code) if code else _("Not in the pipeline")
