"""Importing students (导入学生) as a coordinator: upload, preview, confirm or cancel.

Files are real: workbooks written by openpyxl here, one saved by LibreOffice Calc
(tests/fixtures/students-libreoffice.xlsx), CSV in GBK and in UTF-8 with a BOM.
"""

from __future__ import annotations

import datetime
import io
import sqlite3
import zipfile

import pytest
from openpyxl import load_workbook

import college.importing.applying as applying
from college.importing.reading import MAX_DATA_ROWS, MAX_FILE_BYTES
from portal.tables import AuditEntry, ImportBatch, Student
from tests.portal.import_support import (
    FIXTURES,
    STUDENT_HEADER,
    XLSX,
    batch_id_of,
    csv_bytes,
    stored_batch,
    student_row,
    upload,
    xlsx_bytes,
)
from tests.support import make_student, run


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def students() -> dict[str, dict]:
    """The students this file's stories import (2031…, and 202410… in the LibreOffice file),
    not the people fixture's."""
    rows = run(
        Student.select().where(
            Student.student_no.like("2031%") | Student.student_no.like("202410%")
        )
    )
    return {row["student_no"]: row for row in rows}


def preview_of(coordinator, content: bytes, name: str = "学生.xlsx", mime: str = XLSX):
    response = upload(coordinator, "/students/import", content, name, mime)
    batch_id = batch_id_of(response)
    page = coordinator.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return batch_id, page


def problems_of(page) -> list[tuple[int, str, str]]:
    return [(p["line"], p["column"], p["value"]) for p in page.context["batch"]["problems"]]


# --- the happy path --------------------------------------------------------------------------


def test_a_clean_workbook_is_previewed_without_writing_anything(coordinator):
    content = xlsx_bytes([STUDENT_HEADER, *(student_row(n) for n in range(1, 6))])
    batch_id, page = preview_of(coordinator, content)
    assert page.template.name == "college/import_detail.html"
    assert page.context["counts"]["create"] == 5
    assert page.context["can_confirm"] is True
    assert len(page.context["page"].rows) == 5
    assert students() == {}
    assert stored_batch(batch_id)["status"] == "previewed"
    soup = coordinator.soup(page)
    assert soup.select_one("#count-create").get_text(strip=True) == "5"
    assert soup.select_one(f"form[action$='/imports/{batch_id}/confirm']") is not None


def test_confirming_writes_every_row_with_the_values_people_typed(coordinator):
    rows = [
        STUDENT_HEADER,
        student_row(1),
        student_row(2, 出生日期="2005/5/1", 性别="女", 政治面貌="中共预备党员", 年级=2024),
        student_row(3, 出生日期="20050501", 政治面貌="13", 手机号=13900001111),
        student_row(4, 学号=2031000004, 出生日期="2005-05-01", 政治面貌="群众"),
    ]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    response = coordinator.post(f"/imports/{batch_id}/confirm")
    assert response.status_code == 303
    imported = students()
    assert set(imported) == {"2031000001", "2031000002", "2031000003", "2031000004"}
    first = imported["2031000001"]
    assert first["gender"] == "M" and first["political_status"] == "03"
    assert first["birth_date"] == datetime.date(2005, 5, 1) and first["cohort_year"] == 2024
    assert imported["2031000002"]["political_status"] == "02"
    assert imported["2031000003"]["political_status"] == "13"
    assert imported["2031000003"]["phone"] == "13900001111"
    assert all(s["birth_date"] == datetime.date(2005, 5, 1) for s in imported.values())
    batch = stored_batch(batch_id)
    assert batch["status"] == "applied" and batch["written"] == 4
    result = coordinator.get(f"/imports/{batch_id}")
    assert result.context["batch"]["status"] == "applied"
    assert coordinator.soup(result).select_one("a[href$='/students/']") is not None


def test_one_audit_row_records_the_import_with_its_counts(coordinator):
    make_student(student_no="2031000001")
    rows = [STUDENT_HEADER, student_row(1, 姓名="改名"), student_row(2), student_row(3)]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    coordinator.post(f"/imports/{batch_id}/confirm")
    entries = run(AuditEntry.select().where(AuditEntry.action == "import"))
    assert len(entries) == 1
    assert entries[0]["table_name"] == "portal_student"
    assert entries[0]["username"] == "coord"
    assert '"created": [null, 2]' in entries[0]["changes"]
    assert '"updated": [null, 1]' in entries[0]["changes"]


def test_existing_students_are_updated_and_unchanged_ones_left_alone(coordinator):
    make_student(student_no="2031000001", name="导入学生1", gender="M", phone="13812345678")
    make_student(student_no="2031000002", name="旧名字", gender="F", phone="")
    before = students()
    rows = [STUDENT_HEADER, student_row(1), student_row(2), student_row(3)]
    batch_id, page = preview_of(coordinator, xlsx_bytes(rows))
    counts = page.context["counts"]
    assert (counts["create"], counts["update"], counts["unchanged"]) == (1, 1, 1)
    soup = coordinator.soup(page)
    shown = [
        soup.select_one(f"#count-{name}").get_text(strip=True) for name in ("create", "update")
    ]
    assert shown == ["1", "1"]
    update = next(row for row in page.context["page"].rows if row["action"] == "update")
    changed = soup.select("#import-rows ins")
    assert [ins.get_text() for ins in changed] == ["导入学生2", "13812345678"]
    assert update["changes"]["name"] == ["旧名字", "导入学生2"]
    assert students() == before  # nothing written yet
    coordinator.post(f"/imports/{batch_id}/confirm")
    after = students()
    assert after["2031000002"]["name"] == "导入学生2"
    assert after["2031000002"]["phone"] == "13812345678"
    assert after["2031000002"]["id"] == before["2031000002"]["id"]
    assert after["2031000001"]["updated_at"] == before["2031000001"]["updated_at"]
    assert "2031000003" in after


def test_a_batch_cannot_be_confirmed_twice(coordinator):
    batch_id, _page = preview_of(coordinator, xlsx_bytes([STUDENT_HEADER, student_row(1)]))
    coordinator.post(f"/imports/{batch_id}/confirm")
    run(Student.delete().where(Student.student_no == "2031000001"))
    again = coordinator.post(f"/imports/{batch_id}/confirm")
    assert again.status_code == 303
    assert students() == {}
    assert len(run(AuditEntry.select().where(AuditEntry.action == "import"))) == 1


def test_cancelling_writes_nothing_and_drops_the_rows(coordinator):
    batch_id, _page = preview_of(coordinator, xlsx_bytes([STUDENT_HEADER, student_row(1)]))
    response = coordinator.post(f"/imports/{batch_id}/discard")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/students/import")
    batch = stored_batch(batch_id)
    assert batch["status"] == "discarded" and batch["rows"]["items"] == []
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert students() == {}


def test_the_status_endpoint_reports_the_batch(coordinator):
    batch_id, _page = preview_of(coordinator, xlsx_bytes([STUDENT_HEADER, student_row(1)]))
    before = coordinator.get(f"/imports/{batch_id}/status").json()
    assert before == {"status": "previewed", "written": 0, "total": 1, "message": ""}
    coordinator.post(f"/imports/{batch_id}/confirm")
    after = coordinator.get(f"/imports/{batch_id}/status").json()
    assert after["status"] == "applied" and after["written"] == 1


def test_confirm_and_upload_answer_json_for_the_progress_script(coordinator):
    content = xlsx_bytes([STUDENT_HEADER, student_row(1)])
    response = coordinator.client.post(
        "/students/import",
        files={"file": ("s.xlsx", content, XLSX)},
        headers={"Accept": "application/json", "X-CSRFToken": coordinator.csrf_token()},
    )
    assert response.status_code == 200
    location = response.json()["location"]
    batch_id = int(location.rsplit("/", 1)[1])
    confirmed = coordinator.client.post(
        f"/imports/{batch_id}/confirm",
        headers={"Accept": "application/json", "X-CSRFToken": coordinator.csrf_token()},
    )
    assert confirmed.json() == {"status": "applied", "location": location}
    assert "2031000001" in students()


# --- how files come ----------------------------------------------------------------------------


def test_columns_in_any_order_with_extra_columns_title_row_blank_lines_and_spaces(coordinator):
    order = [9, 0, 3, 1, 2, 5, 4, 6, 7, 8]
    header = ["备注"] + [STUDENT_HEADER[i] for i in order] + ["身份证号"]

    def shuffled(row):
        return ["", *(row[i] for i in order), "（不导入）"]

    spaced = student_row(2, 姓名="  李　四 ", 学号=" 2031000002 ", 院系="智能制造学院\u3000")
    rows = [
        ["2024级学生信息表"],
        [],
        header,
        shuffled(student_row(1)),
        [None] * 12,
        ["", "", "", "", "", "", "", "", "", "", "", ""],
        shuffled(spaced),
    ]
    batch_id, page = preview_of(coordinator, xlsx_bytes(rows))
    meta = page.context["meta"]
    assert meta["header_line"] == 3
    assert [name.split(" ")[0] for name in meta["ignored"]] == ["备注", "身份证号"]
    assert page.context["counts"]["create"] == 2
    assert problems_of(page) == []
    assert coordinator.soup(page).select_one("#ignored-columns") is not None
    coordinator.post(f"/imports/{batch_id}/confirm")
    second = students()["2031000002"]
    assert second["name"] == "李 四" and second["department"] == "智能制造学院"


def test_a_gbk_csv_from_an_old_academic_system(coordinator):
    rows = [STUDENT_HEADER, student_row(1, 出生日期="2005-05-01"), student_row(2, 姓名="欧阳娜")]
    content = csv_bytes(rows, "gbk")
    batch_id, page = preview_of(coordinator, content, "学生.csv", "text/csv")
    assert page.context["meta"]["encoding"] == "gb18030"
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert students()["2031000002"]["name"] == "欧阳娜"


def test_a_utf8_csv_with_a_byte_order_mark(coordinator):
    rows = [STUDENT_HEADER, student_row(1, 出生日期="2005/5/1")]
    content = b"\xef\xbb\xbf" + csv_bytes(rows, "utf-8")
    batch_id, page = preview_of(coordinator, content, "学生.csv", "text/csv")
    assert page.context["meta"]["encoding"] == "utf-8"
    assert page.context["counts"]["create"] == 1
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert students()["2031000001"]["birth_date"] == datetime.date(2005, 5, 1)


def test_a_workbook_saved_by_libreoffice_calc(coordinator):
    content = (FIXTURES / "students-libreoffice.xlsx").read_bytes()
    batch_id, page = preview_of(coordinator, content)
    assert problems_of(page) == []
    assert page.context["counts"]["create"] == 3
    coordinator.post(f"/imports/{batch_id}/confirm")
    imported = students()
    assert set(imported) == {"2024100001", "2024100002", "2024100003"}
    assert imported["2024100001"]["birth_date"] == datetime.date(2005, 9, 12)
    assert imported["2024100002"]["political_status"] == "01"


def test_student_numbers_stored_as_numbers_keep_their_digits(coordinator):
    rows = [STUDENT_HEADER, student_row(1, 学号=2031000001.0, 手机号=13812345678.0)]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    coordinator.post(f"/imports/{batch_id}/confirm")
    student = students()["2031000001"]
    assert student["phone"] == "13812345678"


# --- bad rows ------------------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_line_column_and_reason(coordinator):
    rows = [
        STUDENT_HEADER,
        student_row(1),
        student_row(2, 姓名=""),
        student_row(3, 出生日期="2005-13-45"),
        student_row(4, 性别="未知"),
        student_row(5, 政治面貌="民主人士"),
        student_row(6, 手机号="12345"),
        student_row(1, 姓名="重复"),
        student_row(8, 年级="二四级"),
    ]
    batch_id, page = preview_of(coordinator, xlsx_bytes(rows))
    assert problems_of(page) == [
        (3, "姓名", ""),
        (4, "出生日期", "2005-13-45"),
        (5, "性别", "未知"),
        (6, "政治面貌", "民主人士"),
        (7, "手机号", "12345"),
        (8, "学号", "2031000001"),
        (9, "年级", "二四级"),
    ]
    assert all(p["message"] for p in page.context["batch"]["problems"])
    assert page.context["counts"]["bad_rows"] == 7
    assert page.context["can_confirm"] is False
    soup = coordinator.soup(page)
    assert soup.select_one(f"form[action$='/imports/{batch_id}/confirm']") is None
    assert len(soup.select("#problems tbody tr")) == 7


def test_a_file_with_bad_rows_cannot_be_confirmed_even_by_a_crafted_post(coordinator):
    rows = [STUDENT_HEADER, student_row(1), student_row(2, 性别="?")]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    response = coordinator.post(f"/imports/{batch_id}/confirm")
    assert response.status_code == 303
    assert students() == {}
    assert stored_batch(batch_id)["status"] == "previewed"


def test_the_problem_list_downloads_as_a_workbook(coordinator):
    rows = [STUDENT_HEADER, student_row(1, 性别="?"), student_row(2, 出生日期="昨天")]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    response = coordinator.get(f"/imports/{batch_id}/problems.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert lines == [2, 3]


def test_a_birth_date_that_makes_a_child_is_refused_like_on_the_form(coordinator):
    recent = datetime.date.today().replace(year=datetime.date.today().year - 5)
    rows = [STUDENT_HEADER, student_row(1, 出生日期=recent)]
    _batch_id, page = preview_of(coordinator, xlsx_bytes(rows))
    assert problems_of(page) == [(2, "出生日期", recent.isoformat())]


# --- refused files -------------------------------------------------------------------------------


def refusal(coordinator, content: bytes, name: str = "学生.xlsx", mime: str = XLSX) -> str:
    response = upload(coordinator, "/students/import", content, name, mime)
    assert response.status_code == 400
    assert response.template.name == "college/import_upload.html"
    message = coordinator.field_error(response, "file")
    assert message
    return message


def test_no_file_is_refused_next_to_the_field(coordinator):
    response = coordinator.post("/students/import", {})
    assert response.status_code == 400
    assert coordinator.field_error(response, "file")


def test_an_empty_file_is_refused(coordinator):
    refusal(coordinator, b"")


def test_a_broken_workbook_is_refused(coordinator):
    good = xlsx_bytes([STUDENT_HEADER, student_row(1)])
    refusal(coordinator, good[: len(good) // 2])


def test_a_zip_that_is_not_a_workbook_is_refused(coordinator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refusal(coordinator, buffer.getvalue(), "学生.zip", "application/zip")


def test_a_non_spreadsheet_file_is_refused(coordinator):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)) * 4
    refusal(coordinator, pdf, "学生.pdf", "application/pdf")
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    refusal(coordinator, png, "照片.png", "image/png")


def test_an_old_xls_workbook_is_refused_with_advice(coordinator):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    message = refusal(coordinator, xls, "学生.xls", "application/vnd.ms-excel")
    assert ".xlsx" in message


def test_a_file_over_the_size_cap_is_refused(coordinator):
    filler = b"#" * (MAX_FILE_BYTES + 1)
    refusal(coordinator, filler, "big.csv", "text/csv")
    assert run(ImportBatch.count()) == 0


def test_a_file_without_the_required_columns_names_the_missing_ones(coordinator):
    content = xlsx_bytes([["学号", "姓名", "手机号"], ["2031000001", "张三", "13812345678"]])
    message = refusal(coordinator, content)
    for column in ("性别", "出生日期", "院系", "专业", "班级", "年级", "政治面貌"):
        assert column in message


def test_a_file_without_any_header_is_refused(coordinator):
    refusal(coordinator, xlsx_bytes([["a", "b"], [1, 2]]))


def test_a_header_without_data_rows_is_refused(coordinator):
    refusal(coordinator, xlsx_bytes([STUDENT_HEADER]))


def test_more_rows_than_the_cap_are_refused(coordinator):
    line = ",".join(str(value) for value in student_row(1)).encode()
    content = ",".join(STUDENT_HEADER).encode() + b"\n" + (line + b"\n") * (MAX_DATA_ROWS + 1)
    refusal(coordinator, content, "big.csv", "text/csv")


# --- all or nothing ------------------------------------------------------------------------------


def test_an_import_interrupted_halfway_leaves_the_database_as_it_was(coordinator, monkeypatch):
    make_student(student_no="2031000001", name="原来的名字")
    before = students()
    rows = [STUDENT_HEADER, *(student_row(n) for n in range(1, 1201))]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    calls = []
    original = applying.insert_rows

    async def failing_insert(spec, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        await original(spec, items)

    monkeypatch.setattr(applying, "insert_rows", failing_insert)
    response = coordinator.post(f"/imports/{batch_id}/confirm")
    assert response.status_code == 303
    assert calls == [applying.WRITE_CHUNK, applying.WRITE_CHUNK]
    assert students() == before
    batch = stored_batch(batch_id)
    assert batch["status"] == "failed" and "disk is full" in batch["message"]
    assert run(AuditEntry.count().where(AuditEntry.action == "import")) == 0
    page = coordinator.get(f"/imports/{batch_id}")
    assert "disk is full" in page.text


def test_a_student_added_between_preview_and_confirm_fails_the_whole_import(coordinator):
    rows = [STUDENT_HEADER, student_row(1), student_row(2)]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    make_student(student_no="2031000002", name="抢先")
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert set(students()) == {"2031000002"}
    batch = stored_batch(batch_id)
    assert batch["status"] == "failed" and "2031000002" in batch["message"]


def test_an_update_whose_student_was_deleted_meanwhile_fails_the_whole_import(coordinator):
    student_id = make_student(student_no="2031000001", name="旧名字")
    rows = [STUDENT_HEADER, student_row(1), student_row(2)]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))
    run(Student.delete().where(Student.id == student_id))
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert students() == {}
    assert stored_batch(batch_id)["status"] == "failed"


# --- templates, access, queries ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["students", "mentors", "enterprises"])
def test_the_template_opens_in_openpyxl_with_a_header_an_example_and_a_guide(coordinator, kind):
    response = coordinator.get(f"/imports/templates/{kind}.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    data, guide = book.worksheets
    header = [cell.value for cell in data[1]]
    assert header[0] and all(header)
    assert any(value not in (None, "") for value in (cell.value for cell in data[2]))
    assert [
        row[0] for row in guide.iter_rows(min_row=2, max_row=len(header) + 1, values_only=True)
    ] == header


def test_the_students_template_imports_with_its_example_row_skipped(coordinator):
    template = coordinator.get("/imports/templates/students.xlsx").content
    book = load_workbook(io.BytesIO(template))
    book.worksheets[0].append(student_row(1))
    buffer = io.BytesIO()
    book.save(buffer)
    _batch_id, page = preview_of(coordinator, buffer.getvalue())
    assert page.context["meta"]["example_line"] == 2
    assert page.context["counts"]["create"] == 1
    assert problems_of(page) == []


def test_an_unknown_template_kind_is_missing(coordinator):
    assert coordinator.get("/imports/templates/projects.xlsx").status_code == 404


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_only_coordinators_import(signed_in, role):
    browser = signed_in(role)
    for path in ("/students/import", "/mentors/import", "/enterprises/import"):
        assert browser.get(path).status_code == 404
        content = xlsx_bytes([STUDENT_HEADER, student_row(1)])
        assert upload(browser, path, content).status_code == 404
    assert browser.get("/imports/templates/students.xlsx").status_code == 404
    assert run(ImportBatch.count()) == 0


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_other_roles_cannot_see_or_confirm_a_batch(signed_in, coordinator, role):
    batch_id, _page = preview_of(coordinator, xlsx_bytes([STUDENT_HEADER, student_row(1)]))
    browser = signed_in(role)
    assert browser.get(f"/imports/{batch_id}").status_code == 404
    assert browser.post(f"/imports/{batch_id}/confirm").status_code == 404
    assert browser.post(f"/imports/{batch_id}/discard").status_code == 404
    assert students() == {}


def test_the_lists_link_to_their_import(coordinator, signed_in):
    for path, target in (
        ("/students/", "/students/import"),
        ("/mentors/", "/mentors/import"),
        ("/enterprises/", "/enterprises/import"),
    ):
        soup = coordinator.soup(coordinator.get(path))
        assert soup.select_one(f".page-head a[href$='{target}']") is not None
    partner = signed_in("partner")
    soup = partner.soup(partner.get("/mentors/"))
    assert soup.select_one("a[href$='/mentors/import']") is None


def test_the_upload_page_explains_the_columns(coordinator):
    page = coordinator.get("/students/import")
    assert page.status_code == 200
    soup = coordinator.soup(page)
    headers = [
        th.get_text(" ", strip=True).split(" ")[0] for th in soup.select(".import-columns tbody th")
    ]
    assert headers == STUDENT_HEADER
    assert soup.select_one("a[href$='/imports/templates/students.xlsx']") is not None
    assert soup.select_one("label[for=f-file]") is not None


def test_preview_and_confirm_queries_do_not_grow_with_the_rows(coordinator, monkeypatch):
    from tests.portal.export_support import count_queries

    def import_queries(queries: list[str]) -> int:
        """Queries of the import (a background job of another area may poll meanwhile)."""
        tables = ("portal_student", "portal_import_batch", "portal_audit_entry")
        return sum(1 for query in queries if any(table in query for table in tables))

    def measure(first: int, count: int) -> tuple[int, int]:
        rows = [STUDENT_HEADER, *(student_row(n) for n in range(first, first + count))]
        queries = count_queries(monkeypatch)
        batch_id = batch_id_of(upload(coordinator, "/students/import", xlsx_bytes(rows)))
        previewed = import_queries(queries)
        queries.clear()
        coordinator.post(f"/imports/{batch_id}/confirm")
        return previewed, import_queries(queries)

    few = measure(1, 5)
    many = measure(1000, 400)  # under one chunk of look-ups and of writes
    assert few == many


def test_a_student_export_imports_back_unchanged(coordinator, people):
    exported = coordinator.get("/students/export.xlsx")
    assert exported.status_code == 200
    batch_id = batch_id_of(upload(coordinator, "/students/import", exported.content, "s.xlsx"))
    batch = stored_batch(batch_id)
    assert batch["problems"] == []
    assert batch["rows"]["counts"]["unchanged"] == run(Student.count())


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_problems_are_written_in_the_uploaders_language(coordinator, locale):
    from portal.i18n import translations_for

    coordinator.client.cookies.set("lang", locale)
    rows = [STUDENT_HEADER, student_row(1, 姓名="")]
    _batch_id, page = preview_of(coordinator, xlsx_bytes(rows))
    [problem] = page.context["batch"]["problems"]
    assert problem["message"] == translations_for(locale).gettext("This field is required.")


def test_two_confirms_at_the_same_time_write_the_rows_once(coordinator):
    import asyncio

    from portal.audit import Actor

    rows = [STUDENT_HEADER, *(student_row(n) for n in range(1, 4))]
    batch_id, _page = preview_of(coordinator, xlsx_bytes(rows))

    async def both():
        return await asyncio.gather(
            applying.apply_batch(batch_id, Actor(None, "first")),
            applying.apply_batch(batch_id, Actor(None, "second")),
        )

    outcomes = run(both())
    assert [outcome.status for outcome in outcomes] == ["applied", "applied"]
    assert sorted(outcome.created for outcome in outcomes) == [0, 3]
    assert len(students()) == 3
    assert run(AuditEntry.count().where(AuditEntry.action == "import")) == 1


def test_an_oversized_upload_sent_by_the_script_is_refused_from_its_length(coordinator):
    """With the CSRF token in a header the body is not parsed before the handler, which
    refuses it from Content-Length alone."""
    response = coordinator.client.post(
        "/students/import",
        files={"file": ("big.csv", b"#" * (MAX_FILE_BYTES + 100_000), "text/csv")},
        headers={"Accept": "application/json", "X-CSRFToken": coordinator.csrf_token()},
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "file")
    assert run(ImportBatch.count()) == 0
