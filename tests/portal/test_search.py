"""Search without scans: the n-gram index finds exactly the rows whose name or number contains
what was typed — one character, two, or a whole number — and follows every write."""

from __future__ import annotations

import pytest

from portal import reads
from portal.search import STUDENTS, Match, query_terms
from portal.sql import Statement
from portal.tables import Student
from tests.support import make_student, run

NAMES = ["王芳", "王小明", "欧阳娜娜", "李王", "张伟", "Wang Li", "芳芳"]


def found(query: str) -> set[str]:
    """The names of the students the index finds for a query (through the read layer)."""
    match = Match.of(STUDENTS.kind, query)
    statement = Statement(
        "SELECT name FROM portal_student WHERE " + match.sql("id", ("name", "student_no"))
    )
    return {row[0] for row in run(reads.fetch(statement, **match.params()))}


def contains(query: str) -> set[str]:
    """What a full scan would find: the names (or numbers) containing the query."""
    needle = query.strip().lower()
    rows = run(Student.select(Student.name, Student.student_no))
    return {
        row["name"]
        for row in rows
        if needle in row["name"].lower() or needle in row["student_no"].lower()
    }


@pytest.fixture
def students() -> dict[str, int]:
    return {
        name: make_student(name=name, student_no=f"2026A{index:05d}")
        for index, name in enumerate(NAMES)
    }


@pytest.mark.parametrize(
    "query",
    ["王", "芳", "王芳", "欧阳", "阳娜娜", "欧阳娜娜", "wang", "G L", "2026a00003", "无此人"],
)
def test_the_index_finds_what_a_scan_would(students, query):
    assert found(query) == contains(query)


def test_long_queries_need_their_characters_in_order(students):
    assert found("娜娜欧阳") == set()
    assert found("欧阳娜娜") == {"欧阳娜娜"}


def test_a_renamed_student_is_found_by_the_new_name_only(students):
    run(Student.update({Student.name: "赵雪"}).where(Student.id == students["张伟"]))
    assert "赵雪" in found("雪")
    assert "张伟" not in found("伟") and found("张") == set()


def test_a_deleted_student_is_found_no_more(students):
    run(Student.delete().where(Student.id == students["芳芳"]))
    assert found("芳") == {"王芳"}


def test_terms_are_the_query_or_its_three_character_pieces():
    assert query_terms(" 王 ") == ["王"]
    assert query_terms("王小明") == ["王小明"]
    assert query_terms("2026A0001") == ["202", "6a0", "001"]
    assert query_terms("") == []


def test_the_student_list_searches_through_the_index(signed_in, students, monkeypatch):
    from tests.support import count_queries

    coordinator = signed_in("coordinator")
    queries = count_queries(monkeypatch)
    response = coordinator.get("/students/", params={"q": "王"})
    names = {row.name for row in response.context["page"].rows}
    assert names == {"王芳", "王小明", "李王"}
    assert response.context["page"].total == 3
    assert not any("LIKE" in sql.upper() for sql in queries)
