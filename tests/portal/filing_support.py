"""Factories for filing export tests (the access matrix uses them too)."""

from __future__ import annotations

import json
from typing import Any

from portal.tables import ExportProfile
from tests.support import insert_id


def make_profile(**fields: Any) -> int:
    values = {"name": "测试方案", "kind": "placements", "columns": [], **fields}
    values["columns"] = json.dumps(values["columns"], ensure_ascii=False)
    return insert_id(ExportProfile, **values)
