"""Making import files the way colleges make them (openpyxl workbooks, CSV in UTF-8 or GBK) and
uploading them as a coordinator."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from portal.tables import ImportBatch
from tests.support import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STUDENT_HEADER = [
    "学号",
    "姓名",
    "性别",
    "出生日期",
    "院系",
    "专业",
    "班级",
    "年级",
    "政治面貌",
    "手机号",
]


def student_row(n: int, **changes: Any) -> list[Any]:
    """A row in STUDENT_HEADER order, as an academic system exports it."""
    values = {
        "学号": f"2031{n:06d}",
        "姓名": f"导入学生{n}",
        "性别": "男" if n % 2 else "女",
        "出生日期": datetime.date(2005, 5, 1),
        "院系": "智能制造学院",
        "专业": "工业机器人技术",
        "班级": "工业机器人2401班",
        "年级": "2024级",
        "政治面貌": "共青团员",
        "手机号": "13812345678",
        **changes,
    }
    return [values[name] for name in STUDENT_HEADER]


def xlsx_bytes(rows: list[list[Any]], title: str = "学生名单") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else str(value) for value in row])
    return buffer.getvalue().encode(encoding)


def upload(browser, path: str, content: bytes, name: str = "学生.xlsx", mime: str = XLSX):
    return browser.post(path, {}, files={"file": (name, content, mime)})


def batch_id_of(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])


def stored_batch(batch_id: int) -> dict[str, Any]:
    batch = run(ImportBatch.select().where(ImportBatch.id == batch_id).first())
    batch["rows"] = json.loads(batch["rows"]) if isinstance(batch["rows"], str) else batch["rows"]
    if isinstance(batch["problems"], str):
        batch["problems"] = json.loads(batch["problems"])
    return batch
