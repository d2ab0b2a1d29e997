"""Tables of the base (the `portal` Piccolo app): account profiles, students, the audit log,
login attempts, and the import and PDF batches the top layer (college) runs."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamp,
    Varchar,
)
from piccolo.columns.defaults.timestamp import TimestampNow
from piccolo.table import Table


class Role(str, Enum):
    coordinator = "coordinator"
    partner = "partner"
    student = "student"
    mentor = "mentor"


class Profile(Table, tablename="portal_profile"):
    """What the portal knows of an account beyond Piccolo's BaseUser: its role and name."""

    id: Serial  # the primary key Piccolo adds, declared for type checkers
    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, choices=Role, index=True)
    display_name = Varchar(length=100)
    created_at = Timestamp(default=TimestampNow())


class Gender(str, Enum):
    male = "M"
    female = "F"


class Student(Table, tablename="portal_student"):
    """学生 — a student of the college. No national ID numbers are stored."""

    id: Serial
    student_no = Varchar(length=20, unique=True)
    name = Varchar(length=50, index=True)
    gender = Varchar(length=1, choices=Gender)
    birth_date = Date(null=True, default=None)
    department = Varchar(length=100, index=True)
    major = Varchar(length=100, index=True)
    class_name = Varchar(length=100)
    cohort_year = Integer(index=True)
    political_status = Varchar(length=2, index=True)
    phone = Varchar(length=20, default="")
    user = ForeignKey(BaseUser, null=True, unique=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())
    updated_at = Timestamp(default=TimestampNow())


class AuditEntry(Table, tablename="portal_audit_entry"):
    """One write: who did it, when, to which row, and what changed (old and new values)."""

    id: Serial
    at = Timestamp(default=TimestampNow(), index=True)
    user = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    username = Varchar(length=100, default="")
    action = Varchar(length=20, index=True)
    table_name = Varchar(length=64, index=True)
    row_id = Integer(null=True, default=None)
    summary = Text(default="")
    changes = JSON(default="{}")


class LoginAttempt(Table, tablename="portal_login_attempt"):
    """Sign-in attempts, kept in the database so throttling holds across workers."""

    id: Serial
    at = Timestamp(default=TimestampNow(), index=True)
    username = Varchar(length=100, index=True)
    client = Varchar(length=64, default="")
    succeeded = Boolean(default=False)


class ImportKind(str, Enum):
    students = "students"
    mentors = "mentors"
    enterprises = "enterprises"


class ImportStatus(str, Enum):
    previewed = "previewed"  # parsed and checked, waiting for the user's confirmation
    applied = "applied"  # every row written
    failed = "failed"  # the write was rolled back
    discarded = "discarded"  # the user cancelled


class ImportBatch(Table, tablename="portal_import_batch"):
    """An uploaded file between its preview and its confirmation (导入): the checked rows are
    kept here, so nothing is written until the user confirms, and any worker can apply it."""

    id: Serial
    kind = Varchar(length=12, choices=ImportKind, index=True)
    file_name = Varchar(length=255, default="")
    rows = JSON(default="[]")  # the good rows, normalised, each with its action (create/update)
    problems = JSON(default="[]")  # [{"line": …, "field": …, "message": …}]
    total = Integer(default=0)  # rows to write
    written = Integer(default=0)  # progress while applying
    status = Varchar(length=10, choices=ImportStatus, default=ImportStatus.previewed, index=True)
    message = Text(default="")  # why applying failed
    created_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())
    applied_at = Timestamp(null=True, default=None)


class JobStatus(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class PdfBatch(Table, tablename="portal_pdf_batch"):
    """A background export of many records as a ZIP of PDFs (批量导出成长档案), with progress.

    A worker claims a queued batch and beats its heartbeat while it runs; a batch whose
    heartbeat stopped (the server restarted) is queued again, so none stays stuck."""

    id: Serial
    scope = Varchar(length=20)  # class_name / major / cohort_year / department
    scope_value = Varchar(length=100)
    title = Varchar(length=200, default="")
    status = Varchar(length=10, choices=JobStatus, default=JobStatus.queued, index=True)
    total = Integer(default=0)
    done = Integer(default=0)
    failures = JSON(default="[]")  # [{"student_no": …, "name": …, "error": …}]
    file_path = Varchar(length=500, default="")
    requested_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())
    started_at = Timestamp(null=True, default=None)
    heartbeat_at = Timestamp(null=True, default=None)
    finished_at = Timestamp(null=True, default=None)


class RuleSetting(Table, tablename="portal_rule_setting"):
    """One change to the rule book's settings (规则设置): a stricter number for an adjustable
    rule, or the active version of the party rules. Rows are only added; the newest row of a
    key is the one in force, the earlier ones are its history."""

    id: Serial
    rule_key = Varchar(length=64, index=True)  # a key of portal.rulebook.RULES, or SETTINGS
    value = Integer()
    reason = Text()
    changed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamp(default=TimestampNow())


class ExportProfileKind(str, Enum):
    placements = "placements"  # 实习备案: the placements of a term, one row each
    party_statistics = "party_statistics"  # 发展党员统计: counts by cohort and gender


class ExportProfile(Table, tablename="portal_export_profile"):
    """A saved export profile (报送导出方案): the columns, in order, of a filing sheet — each
    with its header, its named source and a mapping of stored values to the text or code
    the receiving platform asks for — so a college matches its province's sheet without code."""

    id: Serial
    name = Varchar(length=100)
    kind = Varchar(length=20, choices=ExportProfileKind, index=True)
    columns = JSON(default="[]")  # [{"header": …, "source": …, "value_map": {stored: text}}]
    created_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamp(default=TimestampNow())
    updated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamp(default=TimestampNow())


class Notification(Table, tablename="portal_notification"):
    """通知 — one notice to one account, in its inbox (站内信) always. `dedupe_key` holds the
    account and the producer's key ("u<user>:<key>"), unique, so a notice is made once."""

    id: Serial
    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40, index=True)  # what it is about, named by its producer
    subject = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=500, default="")  # a path in the portal, or an absolute signed link
    dedupe_key = Varchar(length=255, unique=True)
    created_at = Timestamp(index=True)  # Beijing time
    read_at = Timestamp(null=True, default=None)


class NotificationPreference(Table, tablename="portal_notification_preference"):
    """How an account wants its notices besides the inbox: channels ("email,wecom"), at once
    or in a daily digest at `digest_hour`, and no message in the quiet hours (Beijing time)."""

    id: Serial
    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    channels = Varchar(length=50, default="")
    email = Varchar(length=254, default="")
    wecom_webhook = Varchar(length=300, default="")
    mode = Varchar(length=10, default="immediate")  # portal.notify_rules.DeliveryMode
    digest_hour = Integer(default=8)
    quiet_start = Integer(default=22)
    quiet_end = Integer(default=7)
    updated_at = Timestamp(null=True, default=None)


class Delivery(Table, tablename="portal_notification_delivery"):
    """One notice by one channel (email or WeCom), sent by the background jobs: claimed
    pending → sending by one worker, then sent, or tried again after a back-off, failed after
    five tries. `channel_key` ("<notification>:<channel>") is unique: one per channel.
    `in_flight_at` is set just before the message is handed over: a worker that dies after
    that leaves an outcome nobody knows, and such a delivery is not sent again."""

    id: Serial
    notification = ForeignKey(Notification, null=False, on_delete=OnDelete.cascade, index=True)
    channel = Varchar(length=10)  # portal.notify_rules.Channel
    channel_key = Varchar(length=80, unique=True)
    status = Varchar(length=10, default="pending", index=True)  # DeliveryStatus
    attempts = Integer(default=0)
    due_at = Timestamp(index=True)  # Beijing time
    claimed_at = Timestamp(null=True, default=None)
    in_flight_at = Timestamp(null=True, default=None)  # handed to the mail server or robot
    sent_at = Timestamp(null=True, default=None)
    last_error = Text(default="")


class AddressedNotice(Table, tablename="portal_addressed_notice"):
    """A notice by email to someone without an account (an enterprise mentor recorded with an
    email): no inbox, sent by the background jobs like a Delivery — claimed pending → sending
    by one worker, then sent, or tried again after a back-off, failed after five tries.
    `dedupe_key` ("e<address>:<key>") is unique, so a producer running again makes nothing."""

    id: Serial
    kind = Varchar(length=40, index=True)
    email = Varchar(length=254)
    subject = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=500, default="")
    dedupe_key = Varchar(length=400, unique=True)
    created_at = Timestamp()  # Beijing time
    status = Varchar(length=10, default="pending", index=True)  # DeliveryStatus
    attempts = Integer(default=0)
    due_at = Timestamp(index=True)  # Beijing time
    claimed_at = Timestamp(null=True, default=None)
    in_flight_at = Timestamp(null=True, default=None)  # handed to the mail server or robot
    sent_at = Timestamp(null=True, default=None)
    last_error = Text(default="")
