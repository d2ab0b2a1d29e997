"""Factories for filing export tests (the access matrix uses them too)."""

from __future__ import annotations

import json
from typing import Any

from portal.tables import ExportProfile
from tests.support import insert_id


def make_profile(**fields: Any) -> int:
    """A profile as stored: `columns` is a list of columns, or (party statistics with a
    grouping) {"columns": [...], "group_by": ...}."""
    values = {"name": "测试方案", "kind": "placements", "columns": [], **fields}
    values["columns"] = json.dumps(values["columns"], ensure_ascii=False)
    return insert_id(ExportProfile, **values)


def make_party_profile(group_by: str, columns: list[dict[str, Any]], **fields: Any) -> int:
    """A party statistics profile whose rows are grouped by `group_by`."""
    return make_profile(
        kind="party_statistics",
        columns={"columns": columns, "group_by": group_by},
        **fields,
    )
