"""What the co-education confirmation pages show before anything is changed: deleting a
project (协同育人项目), withdrawing a student from one, ending a dual-mentor pairing (双导师结对).

Each function takes the viewer and the record the viewer was already allowed to reach (its
page found it through a viewer-scoped read), and reads what would change: counts come from
the tables' foreign keys (portal.deletion) or from the same rows the transaction writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from partners.coeducation.participations import ParticipationRecord
from partners.coeducation.projects import (
    LIVE_STATUSES,
    ProjectRecord,
    assignments_block_deletion,
    members_block_deletion,
)
from partners.coeducation.queries import AssignmentRow
from portal import reads
from portal.auth import Viewer
from portal.deletion import Impact, deletion_impact
from portal.sql import Statement
from portal.tables import Role

# --- deleting a project ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectDeletion:
    """What deleting the project does, and why it is refused (None: it may be deleted)."""

    impact: Impact
    refusal: str | None


async def project_deletion(viewer: Viewer, project: ProjectRecord) -> ProjectDeletion:
    """Its members and dual-mentor pairings keep a project (their foreign keys restrict the
    delete, and delete_project refuses first): the page says so instead of offering it."""
    impact = await deletion_impact("partners_project", project.id)
    refusal = None
    if impact.count("partners_participation"):
        refusal = members_block_deletion().errors[0].message
    elif impact.count("partners_mentor_assignment"):
        refusal = assignments_block_deletion().errors[0].message
    return ProjectDeletion(impact, refusal)


# --- withdrawing a student from a project ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairingInProject:
    """A dual-mentor pairing of the student in the project (withdrawing leaves it as it is)."""

    id: int
    status: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    college_mentor_name: str
    enterprise_mentor_name: str


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """What withdrawing a member changes: their status, the project's seats, and the
    pairings of theirs in the project that stay."""

    live: bool  # False: they have already left, and withdrawing changes nothing
    seats_taken: int  # live members now
    capacity: int
    pairings: list[PairingInProject]
    may_end_pairings: bool  # the viewer may end a pairing (coordinators)
    today: datetime.date

    @property
    def active_pairings(self) -> list[PairingInProject]:
        return [pairing for pairing in self.pairings if pairing.status == "active"]


PROJECT_SEATS = Statement(
    "SELECT COUNT(*) FROM partners_participation WHERE project = :project"
    " AND status IN (:pending, :active)"
)
PAIRINGS_IN_PROJECT = Statement(
    "SELECT a.id, a.status, a.starts_on, a.ends_on, cm.name, em.name"
    " FROM partners_mentor_assignment a"
    " JOIN partners_mentor cm ON cm.id = a.college_mentor"
    " JOIN partners_mentor em ON em.id = a.enterprise_mentor"
    " WHERE a.project = :project AND a.student = :student"
    " ORDER BY a.status, a.starts_on DESC, a.id DESC"
)


async def withdrawal(
    viewer: Viewer,
    project: ProjectRecord,
    participation: ParticipationRecord,
    today: datetime.date,
) -> Withdrawal:
    """The member's place and pairings as withdrawing would leave them (two queries)."""
    pending, active = LIVE_STATUSES
    seats = await reads.value(PROJECT_SEATS, project=project.id, pending=pending, active=active)
    pairings = await reads.rows(
        PairingInProject, PAIRINGS_IN_PROJECT, project=project.id, student=participation.student
    )
    return Withdrawal(
        live=participation.status in LIVE_STATUSES,
        seats_taken=int(seats or 0),
        capacity=project.capacity,
        pairings=pairings,
        may_end_pairings=viewer.role is Role.coordinator,
        today=today,
    )


# --- ending a dual-mentor pairing --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ending:
    """What ending a pairing changes: its end date, what it keeps, and the mentors' places."""

    ends_on: datetime.date  # the day it ends: today, or its start if that is later
    planned_end: datetime.date | None
    logs: int
    evaluations: int
    college_mentees: int  # active mentees of the college mentor now (this one included)
    college_max: int
    enterprise_mentees: int
    enterprise_max: int


ENDING_COUNTS = Statement(
    "SELECT (SELECT COUNT(*) FROM partners_mentoring_log WHERE assignment = :assignment),"
    " (SELECT COUNT(*) FROM partners_evaluation WHERE assignment = :assignment),"
    " (SELECT COUNT(*) FROM partners_mentor_assignment"
    "   WHERE college_mentor = :college AND status = 'active'),"
    " (SELECT max_mentees FROM partners_mentor WHERE id = :college),"
    " (SELECT COUNT(*) FROM partners_mentor_assignment"
    "   WHERE enterprise_mentor = :enterprise AND status = 'active'),"
    " (SELECT max_mentees FROM partners_mentor WHERE id = :enterprise)"
)


async def ending(viewer: Viewer, assignment: AssignmentRow, today: datetime.date) -> Ending:
    """The pairing as end_assignment would leave it, with what stays (one query)."""
    [row] = await reads.fetch(
        ENDING_COUNTS,
        assignment=assignment.id,
        college=assignment.college_mentor,
        enterprise=assignment.enterprise_mentor,
    )
    logs, evaluations, college, college_max, enterprise, enterprise_max = row
    return Ending(
        ends_on=max(today, assignment.starts_on),
        planned_end=assignment.ends_on,
        logs=int(logs),
        evaluations=int(evaluations),
        college_mentees=int(college),
        college_max=int(college_max or 0),
        enterprise_mentees=int(enterprise),
        enterprise_max=int(enterprise_max or 0),
    )
