"""The read layer gives every column of a row, however the columns are named, inside a write
transaction as outside one (on SQLite the two take different connections)."""

from __future__ import annotations

from portal import reads
from portal.audit import Actor, audited_write
from portal.sql import Statement
from tests.support import make_student, run

SAME_NAMES = Statement(
    "SELECT s.name, t.name FROM portal_student s JOIN portal_student t ON t.id = s.id"
    " WHERE s.student_no = :number"
)


def test_two_columns_of_one_name_both_come_back_outside_a_transaction():
    make_student(student_no="2026000001", name="张三")
    assert run(reads.fetch(SAME_NAMES, number="2026000001")) == [("张三", "张三")]


def test_two_columns_of_one_name_both_come_back_inside_a_transaction():
    make_student(student_no="2026000002", name="李四")

    async def read_while_writing() -> list[tuple[str, str]]:
        async with audited_write(Actor(None, "test")):
            return [tuple(row) for row in await reads.fetch(SAME_NAMES, number="2026000002")]

    assert run(read_while_writing()) == [("李四", "李四")]
