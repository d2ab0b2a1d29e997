"""What the recruitment pipeline (发展党员) says to users beyond the labels of its codes: the
article of 《中国共产党发展党员工作细则》 each kind of event comes from, the rule shown above each
form, and refusals that cite their article. The labels of the codes themselves (stages, kinds
of event, what is due, recommendations) are in portal.vocabulary.
"""

from __future__ import annotations

from portal.i18n import _, lazy
from portal.vocabulary import STAGES, label
from talent_pool.tables import EventKind

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


def cite(article: str, detail: str) -> str:
    """A refusal's message naming the article of the Rules it comes from (an ARTICLES key)."""
    return _(
        "%(article)s of the Rules on Recruiting Party Members: %(detail)s",
        article=_(ARTICLES[article]),
        detail=detail,
    )


def stage_label(code: str | None) -> str:
    """A file's stage as the pipeline's pages say it, for a student without a file too."""
    return label(STAGES, code) if code else _("Not in the pipeline")
