"""Attachments of the weekly placement log (实习周志): the rules without HTTP (at most 3 a week,
PDF/PNG/JPEG of at most 5 MB, added and removed only while the student may edit the entry),
then the pages — the student attaching with the form's text kept on a bad file, who may
download (the entry's readers, the link's holder without using the link), and removal with
a confirmation."""

from __future__ import annotations

import datetime
import json
from urllib.parse import unquote, urlsplit

import pytest

from partners.coeducation.tables import (
    Participation,
    WeeklyLog,
    WeeklyLogAttachment,
    WeeklyLogLink,
)
from partners.coeducation.weekly_logs import (
    MAX_ATTACHMENTS,
    LogValues,
    NewAttachment,
    Placement,
    answer_by_account,
    attachment_by_link,
    attachment_for_viewer,
    check_attachment,
    check_attachment_count,
    check_attachments_changeable,
    edit_log,
    issue_link,
    remove_attachment,
    size_text,
    write_log,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.documents import MAX_DOCUMENT_BYTES, clean_file_name, content_disposition
from portal.domain_errors import NotVisible, Refused
from portal.tables import AuditEntry, Role, Student
from tests.partners.test_weekly_logs import (
    LAST_MONDAY,
    TODAY,
    link_path,
    place_around_today,
    signed_in_as,
    week_form,
)
from tests.support import Browser, insert_id, make_account, run

NOW = datetime.datetime.now().replace(microsecond=0)
ACTOR = Actor(None, "test")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def new_attachment(data: bytes = PDF, name: str = "周报.pdf") -> NewAttachment:
    attachment, errors = check_attachment((name, data), 0)
    assert attachment is not None and errors == []
    return attachment


# --- the rules ---------------------------------------------------------------------------------


def test_a_week_has_at_most_three_attachments():
    assert MAX_ATTACHMENTS == 3
    assert check_attachment_count(0) == check_attachment_count(2) == []
    (error,) = check_attachment_count(3)
    assert error.field == "attachment" and "3" in error.message
    attachment, errors = check_attachment(("a.pdf", PDF), 3)
    assert attachment is None and errors[0].field == "attachment"


@pytest.mark.parametrize(
    "data,content_type,name",
    [
        (PDF, "application/pdf", "实习报告.pdf"),
        (PNG, "image/png", "现场照片.png"),
        (JPEG, "image/jpeg", "scan.jpg"),
    ],
)
def test_pdf_png_and_jpeg_are_accepted_by_their_bytes(data, content_type, name):
    attachment, errors = check_attachment((f"C:\\Users\\学生\\{name}", data), 2)
    assert errors == [] and attachment is not None
    assert (attachment.content_type, attachment.file_name) == (content_type, name)
    assert attachment.file_size == len(data) and attachment.data == data
    assert "data" not in attachment.facts()  # what the audit log keeps: never the bytes


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 an executable",
        b"",
        b"<html>not a pdf</html>",
        b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES,  # 5 MB and one byte
    ],
)
def test_other_files_and_files_over_5_mb_are_refused_at_the_file_field(data):
    attachment, errors = check_attachment(("周报.pdf", data), 0)
    assert attachment is None
    assert [error.field for error in errors] == ["attachment"] and errors[0].message


def test_no_file_chosen_is_no_attachment_and_no_error():
    assert check_attachment(None, 3) == (None, [])


def test_a_file_of_exactly_5_mb_is_accepted():
    data = b"%PDF-" + b"0" * (MAX_DOCUMENT_BYTES - 5)
    attachment, errors = check_attachment(("big.pdf", data), 0)
    assert errors == [] and attachment is not None and attachment.file_size == MAX_DOCUMENT_BYTES


def test_a_jpeg_named_like_a_pdf_keeps_its_name_with_the_right_extension():
    attachment, _errors = check_attachment(("照片.pdf", JPEG), 0)
    assert attachment is not None and attachment.file_name == "照片.pdf.jpg"
    assert clean_file_name("../\x07", "application/pdf", "attachment") == "attachment.pdf"
    assert clean_file_name("周报\r\n.pdf", "application/pdf") == "周报.pdf"


def test_attachments_change_only_while_the_entry_may_be_edited():
    active = Placement(
        1, 1, "placement", "post", "active", TODAY - datetime.timedelta(days=30), None, 1, "基地"
    )
    check_attachments_changeable("submitted", active, TODAY)
    check_attachments_changeable("returned", active, TODAY)
    with pytest.raises(Refused):
        check_attachments_changeable("confirmed", active, TODAY)
    ended = Placement(
        1, 1, "placement", "post", "ended", TODAY - datetime.timedelta(days=30), None, 1, "基地"
    )
    with pytest.raises(Refused):
        check_attachments_changeable("submitted", ended, TODAY)


def test_sizes_and_download_names_read_well():
    assert [size_text(n) for n in (820, 34 * 1024, 1_258_291)] == ["820 B", "34 KB", "1.2 MB"]
    disposition = content_disposition("实习周志 第3周.pdf")
    assert disposition.startswith('attachment; filename="')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "实习周志 第3周.pdf"
    assert "\n" not in content_disposition("a\r\nb.pdf")


# --- the transactions --------------------------------------------------------------------------


@pytest.fixture
def placed(people):
    """As in tests.partners.test_weekly_logs (student1 and other_student placed around today,
    engineer_a student1's enterprise mentor with an account), and student2 is other_student's
    account."""
    place_around_today(people)
    number = run(
        Student.select(Student.student_no).where(Student.id == people.other_student_id).first()
    )
    make_account("student2", Role.student, student_no=number["student_no"])
    return people


def values(week: datetime.date = LAST_MONDAY, **fields) -> LogValues:
    return LogValues(
        **{
            "week_start": week,
            "work_done": "装配生产线调试",
            "hours": 38,
            "learned": "PLC 编程",
            "problems": "",
            **fields,
        }
    )


def student_viewer(people) -> Viewer:
    return Viewer(
        people.student_user, "student1", Role.student, "", "t", student_id=people.student_id
    )


def engineer_viewer(people) -> Viewer:
    return Viewer(None, "engineer_a", Role.mentor, "", "t", mentor_id=people.mine.enterprise_mentor)


def stored() -> list[dict]:
    return run(
        WeeklyLogAttachment.select(
            WeeklyLogAttachment.file_name, WeeklyLogAttachment.file_size
        ).order_by(WeeklyLogAttachment.id)
    )


def audited() -> list[dict]:
    return run(
        AuditEntry.select(AuditEntry.action, AuditEntry.changes, AuditEntry.summary)
        .where(AuditEntry.table_name == "partners_weekly_log_attachment")
        .order_by(AuditEntry.id)
    )


def test_a_week_is_written_with_a_file_and_the_audit_names_it_without_its_bytes(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY, new_attachment()))
    assert stored() == [{"file_name": "周报.pdf", "file_size": len(PDF)}]
    (entry,) = audited()
    assert entry["action"] == "create" and "周报.pdf" in entry["summary"]
    changes = json.loads(entry["changes"])
    assert set(changes) == {"weekly_log", "file_name", "content_type", "file_size"}
    assert changes["weekly_log"] == [None, log_id]
    attachment, data = run(
        attachment_for_viewer(student_viewer(placed), log_id, run(first_attachment_id()))
    )
    assert data == PDF and attachment.content_type == "application/pdf"


async def first_attachment_id() -> int:
    row = await WeeklyLogAttachment.select(WeeklyLogAttachment.id).first()
    return int(row["id"])


def test_the_fourth_file_is_refused_and_the_edit_with_it(placed):
    student = student_viewer(placed)
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY, new_attachment()))
    run(edit_log(ACTOR, student, log_id, values(), TODAY, new_attachment(PNG, "a.png")))
    run(edit_log(ACTOR, student, log_id, values(), TODAY, new_attachment(JPEG, "b.jpg")))
    with pytest.raises(Refused) as refused:
        run(edit_log(ACTOR, student, log_id, values(hours=20), TODAY, new_attachment()))
    assert refused.value.errors[0].field == "attachment"
    assert len(stored()) == 3
    hours = run(WeeklyLog.select(WeeklyLog.hours).where(WeeklyLog.id == log_id).first())
    assert hours["hours"] == 38  # the whole edit was refused with its file


def test_after_confirmation_nothing_is_added_or_removed(placed):
    student = student_viewer(placed)
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY, new_attachment()))
    attachment_id = run(first_attachment_id())
    run(answer_by_account(ACTOR, engineer_viewer(placed), log_id, True, "", NOW))
    with pytest.raises(Refused):
        run(edit_log(ACTOR, student, log_id, values(), TODAY, new_attachment(PNG, "a.png")))
    with pytest.raises(Refused):
        run(remove_attachment(ACTOR, student, log_id, attachment_id, TODAY))
    assert len(stored()) == 1


def test_only_the_student_removes_and_the_removal_is_audited(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY, new_attachment()))
    attachment_id = run(first_attachment_id())
    coordinator = Viewer(placed.coordinator_user, "coord", Role.coordinator, "", "t")
    for other in (coordinator, engineer_viewer(placed)):
        with pytest.raises(NotVisible):
            run(remove_attachment(ACTOR, other, log_id, attachment_id, TODAY))
    removed = run(remove_attachment(ACTOR, student_viewer(placed), log_id, attachment_id, TODAY))
    assert removed.file_name == "周报.pdf" and stored() == []
    assert [entry["action"] for entry in audited()] == ["create", "delete"]
    with pytest.raises(NotVisible):
        run(remove_attachment(ACTOR, student_viewer(placed), log_id, attachment_id, TODAY))


def test_a_link_opens_its_attachments_only_while_it_can_be_used(placed):
    log_id = run(write_log(ACTOR, placed.student_id, values(), TODAY, new_attachment()))
    attachment_id = run(first_attachment_id())
    token = run(issue_link(ACTOR, log_id, NOW))
    _attachment, data = run(attachment_by_link(token, attachment_id, NOW))
    assert data == PDF
    assert run(WeeklyLogLink.select(WeeklyLogLink.used_at).first())["used_at"] is None
    with pytest.raises(NotVisible):  # expired
        run(attachment_by_link(token, attachment_id, NOW + datetime.timedelta(days=15)))
    with pytest.raises(NotVisible):
        run(attachment_by_link("no-such-token", attachment_id, NOW))


# --- the pages ---------------------------------------------------------------------------------


def write_week(browser: Browser, data: bytes = PDF, name: str = "周报.pdf", **fields):
    return browser.post(
        "/me/weekly-logs/new",
        week_form(**fields),
        files={"attachment": (name, data, "application/octet-stream")},
    )


def edit_week(browser: Browser, log_id: int, data: bytes, name: str, **fields):
    return browser.post(
        f"/weekly-logs/{log_id}/edit",
        week_form(**fields),
        files={"attachment": (name, data, "application/octet-stream")},
    )


def only_log_id() -> int:
    return int(run(WeeklyLog.select(WeeklyLog.id).first())["id"])


def test_the_student_attaches_a_file_and_sees_it_on_the_entry(client, placed):
    student = signed_in_as(client, "student1")
    form = Browser.soup(student.get("/me/weekly-logs/new"))
    assert form.select_one("form.weekly-form")["enctype"] == "multipart/form-data"
    assert form.select_one("input#f-attachment[type=file]")
    response = write_week(student)
    assert response.status_code == 200 and link_path(response)
    log_id = only_log_id()
    page = Browser.soup(student.get(f"/weekly-logs/{log_id}"))
    (item,) = page.select("#weekly-attachments li")
    assert "周报.pdf" in item.get_text() and item.select_one(".weekly-attachment-remove")
    download = student.get(item.select_one("a")["href"])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%91%A8%E6%8A%A5.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    mine = Browser.soup(student.get("/me/weekly-logs"))
    assert mine.select_one("#weeks .weekly-attachment-count")


@pytest.mark.parametrize(
    "data,name", [(b"MZ\x90\x00", "周报.exe"), (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "大.pdf")]
)
def test_a_bad_file_is_explained_beside_the_file_field_with_the_text_kept(
    client, placed, data, name
):
    student = signed_in_as(client, "student1")
    response = write_week(student, data, name, work_done="巡检3号线", hours="36")
    assert response.status_code == 400
    assert Browser.field_error(response, "attachment")
    page = Browser.soup(response)
    assert page.select_one("#f-work_done").get_text() == "巡检3号线"
    assert page.select_one("#f-hours")["value"] == "36"
    assert page.select_one("#f-learned").get_text() == "伺服参数整定"
    assert run(WeeklyLog.count()) == 0 and stored() == []


def test_the_fourth_file_is_refused_over_http_with_the_text_kept(client, placed):
    student = signed_in_as(client, "student1")
    write_week(student)
    log_id = only_log_id()
    for data, name in ((PNG, "a.png"), (JPEG, "b.jpg")):
        assert edit_week(student, log_id, data, name).status_code == 303
    form = Browser.soup(student.get(f"/weekly-logs/{log_id}/edit"))
    assert len(form.select("#form-attachments li")) == 3 and not form.select("#f-attachment")
    response = edit_week(student, log_id, PDF, "c.pdf", work_done="第四个附件")
    assert response.status_code == 400 and Browser.field_error(response, "attachment")
    assert Browser.soup(response).select_one("#f-work_done").get_text() == "第四个附件"
    assert len(stored()) == 3


def test_mentors_coordinators_and_the_partner_download_but_not_others(client, placed):
    student = signed_in_as(client, "student1")
    write_week(student)
    log_id = only_log_id()
    attachment_id = run(first_attachment_id())
    url = f"/weekly-logs/{log_id}/attachments/{attachment_id}"
    for username in ("coord", "mentor1", "engineer_a", "partner_a"):
        download = signed_in_as(client, username).get(url)
        assert download.status_code == 200 and download.content == PDF, username
        page = Browser.soup(signed_in_as(client, username).get(f"/weekly-logs/{log_id}"))
        hrefs = [urlsplit(a["href"]).path for a in page.select("#weekly-attachments a")]
        assert hrefs == [url], username
        assert not page.select(".weekly-attachment-remove"), username
    assert signed_in_as(client, "student2").get(url).status_code == 404
    run(
        Participation.update(project=placed.theirs.project).where(
            Participation.id == placed.mine.participation
        )
    )  # the placement is enterprise_b's now: partner_a no longer sees the week
    assert signed_in_as(client, "partner_a").get(url).status_code == 404
    client.cookies.clear()
    assert Browser(client).get(url).status_code == 303  # to sign in
    assert signed_in_as(client, "coord").get(url + "0").status_code == 404


def test_an_attachment_is_reached_only_through_its_own_entry(client, placed):
    student = signed_in_as(client, "student1")
    write_week(student)
    mine = only_log_id()
    attachment_id = run(first_attachment_id())
    theirs = insert_id(
        WeeklyLog,
        participation=placed.theirs.participation,
        student=placed.other_student_id,
        week_start=LAST_MONDAY,
        work_done="别人的周志",
        hours=40,
    )
    coordinator = signed_in_as(client, "coord")
    assert coordinator.get(f"/weekly-logs/{theirs}/attachments/{attachment_id}").status_code == 404
    other = signed_in_as(client, "student2")
    assert other.get(f"/weekly-logs/{mine}/attachments/{attachment_id}/remove").status_code == 404
    assert other.post(f"/weekly-logs/{mine}/attachments/{attachment_id}/remove").status_code == 404
    assert len(stored()) == 1


def test_the_review_page_lists_the_attachments(client, placed):
    write_week(signed_in_as(client, "student1"))
    log_id = only_log_id()
    page = Browser.soup(signed_in_as(client, "mentor1").get(f"/weekly-reviews/{log_id}"))
    (link,) = page.select("#weekly-attachments a")
    assert link.get_text() == "周报.pdf"


def test_the_link_holder_downloads_without_using_the_link(client, placed):
    student = signed_in_as(client, "student1")
    path = link_path(write_week(student))
    client.cookies.clear()
    anonymous = Browser(client)
    page = Browser.soup(anonymous.get(path))
    (link,) = page.select("#weekly-attachments a")
    href = urlsplit(link["href"]).path
    assert link.get_text() == "周报.pdf" and href.startswith(path + "/attachments/")
    for _time in range(2):
        download = anonymous.get(href)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment;")
    assert run(WeeklyLogLink.select(WeeklyLogLink.used_at).first())["used_at"] is None
    assert anonymous.get(path).status_code == 200  # still usable
    assert anonymous.post(path, {"action": "confirm"}).status_code == 200
    assert anonymous.get(href).status_code == 404  # the link is used now
    used = Browser.soup(anonymous.get(path))
    assert "周报.pdf" in used.select_one("#weekly-attachments").get_text()
    assert not used.select("#weekly-attachments a")
    other_log = path.rsplit("/", 1)[0] + "/" + "y" * 43 + "/attachments/1"
    assert anonymous.get(other_log).status_code == 404


def test_the_student_removes_an_attachment_after_confirming(client, placed):
    student = signed_in_as(client, "student1")
    write_week(student)
    log_id = only_log_id()
    attachment_id = run(first_attachment_id())
    url = f"/weekly-logs/{log_id}/attachments/{attachment_id}/remove"
    confirm = student.get(url)
    assert confirm.status_code == 200 and "周报.pdf" in confirm.text
    assert Browser.soup(confirm).select_one("form.confirm-actions button.danger")
    assert stored()  # nothing removed by looking
    done = student.post(url)
    assert done.status_code == 303 and done.headers["location"].endswith(f"/weekly-logs/{log_id}")
    assert stored() == []


def test_after_confirmation_the_student_can_no_longer_add_or_remove(client, placed):
    student = signed_in_as(client, "student1")
    write_week(student)
    log_id = only_log_id()
    attachment_id = run(first_attachment_id())
    signed_in_as(client, "engineer_a").post(f"/weekly-logs/{log_id}/confirm")
    student = signed_in_as(client, "student1")
    page = Browser.soup(student.get(f"/weekly-logs/{log_id}"))
    assert page.select("#weekly-attachments li") and not page.select(".weekly-attachment-remove")
    assert not page.select(".weekly-attachment-add")
    assert edit_week(student, log_id, PNG, "a.png").status_code == 400
    url = f"/weekly-logs/{log_id}/attachments/{attachment_id}/remove"
    response = student.post(url)
    assert response.status_code == 400
    assert Browser.soup(response).select_one("#delete-blocked")
    assert stored() == [{"file_name": "周报.pdf", "file_size": len(PDF)}]
