from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamp
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamp import TimestampNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class BaseUser(Table, tablename="piccolo_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-30T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Pipeline: approval reason, votes, status before the branch meeting, new event, due kinds and stage (oath, cancellation, filing, pre-review, volunteer form), editable recommendation channels"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="talent_pool", description=DESCRIPTION
    )

    manager.add_table(
        class_name="ChannelSettings",
        tablename="talent_pool_channel_settings",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="ChannelSettings",
        tablename="talent_pool_channel_settings",
        column_name="channels",
        db_column_name="channels",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "[]",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ChannelSettings",
        tablename="talent_pool_channel_settings",
        column_name="note",
        db_column_name="note",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ChannelSettings",
        tablename="talent_pool_channel_settings",
        column_name="changed_by",
        db_column_name="changed_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": BaseUser,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ChannelSettings",
        tablename="talent_pool_channel_settings",
        column_name="changed_at",
        db_column_name="changed_at",
        column_class_name="Timestamp",
        column_class=Timestamp,
        params={
            "default": TimestampNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="entitled",
        db_column_name="entitled",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="in_favour",
        db_column_name="in_favour",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="present",
        db_column_name="present",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="reason",
        db_column_name="reason",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="status_before",
        db_column_name="status_before",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 2,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="DueItem",
        tablename="talent_pool_due_item",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "DueKind",
                {
                    "talk": "talk",
                    "review": "review",
                    "development_target_eligible": "development_target_eligible",
                    "approval": "approval",
                    "probation_end": "probation_end",
                    "approval_latest": "approval_latest",
                    "activist_filing": "activist_filing",
                    "target_filing": "target_filing",
                },
            )
        },
        old_params={
            "choices": Enum(
                "DueKind",
                {
                    "talk": "talk",
                    "review": "review",
                    "development_target_eligible": "development_target_eligible",
                    "approval": "approval",
                    "probation_end": "probation_end",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PipelineEvent",
        tablename="talent_pool_pipeline_event",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "EventKind",
                {
                    "application": "application",
                    "talk": "talk",
                    "activist": "activist",
                    "contacts": "contacts",
                    "review": "review",
                    "development_target": "development_target",
                    "political_review": "political_review",
                    "training": "training",
                    "introducers": "introducers",
                    "branch_meeting": "branch_meeting",
                    "approval": "approval",
                    "extension": "extension",
                    "conversion": "conversion",
                    "oath": "oath",
                    "cancellation": "cancellation",
                    "activist_filing": "activist_filing",
                    "target_filing": "target_filing",
                    "pre_review": "pre_review",
                    "volunteer_form": "volunteer_form",
                },
            )
        },
        old_params={
            "choices": Enum(
                "EventKind",
                {
                    "application": "application",
                    "talk": "talk",
                    "activist": "activist",
                    "contacts": "contacts",
                    "review": "review",
                    "development_target": "development_target",
                    "political_review": "political_review",
                    "training": "training",
                    "introducers": "introducers",
                    "branch_meeting": "branch_meeting",
                    "approval": "approval",
                    "extension": "extension",
                    "conversion": "conversion",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PoolEntry",
        tablename="talent_pool_entry",
        column_name="stage",
        db_column_name="stage",
        params={
            "choices": Enum(
                "Stage",
                {
                    "applicant": "applicant",
                    "activist": "activist",
                    "development_target": "development_target",
                    "probationary": "probationary",
                    "full_member": "full_member",
                    "cancelled": "cancelled",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Stage",
                {
                    "applicant": "applicant",
                    "activist": "activist",
                    "development_target": "development_target",
                    "probationary": "probationary",
                    "full_member": "full_member",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
