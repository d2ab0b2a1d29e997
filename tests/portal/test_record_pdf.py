"""The record as PDF: rendered in a worker process, with the student's name, both mentors and
the logs as text, a CJK font embedded, and only for those who may see the student."""

from __future__ import annotations

import base64
import io
import os
import pickle
from urllib.parse import quote

from bs4 import BeautifulSoup
from pypdf import PdfReader

from partners.coeducation.tables import Mentor, MentoringLog
from portal.tables import Student
from tests.support import make_log, run


def pdf_text(response) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return text, fonts


def names(people) -> dict[str, str]:
    student = run(Student.select().where(Student.id == people.student_id).first())
    mentors = run(
        Mentor.select(Mentor.id, Mentor.name).where(
            Mentor.id.is_in([people.mentor_id, people.mine.enterprise_mentor])
        )
    )
    by_id = {row["id"]: row["name"] for row in mentors}
    return {
        "student": student["name"],
        "student_no": student["student_no"],
        "college_mentor": by_id[people.mentor_id],
        "enterprise_mentor": by_id[people.mine.enterprise_mentor],
    }


def test_the_student_downloads_their_record(signed_in, people):
    run(Student.update({Student.name: "王晓明"}).where(Student.id == people.student_id))
    make_log(people.mine.assignment, people.mentor_id, topic="工匠精神专题指导")
    response = signed_in("student").get("/me/record.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    expected = names(people)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline;")
    assert f"filename*=UTF-8''{quote('成长档案-' + expected['student_no'] + '.pdf')}" in disposition
    if os.environ.get("RECORD_PDF_OUT"):
        with open(os.environ["RECORD_PDF_OUT"], "wb") as out:
            out.write(response.content)
    text, fonts = pdf_text(response)
    compact = text.replace(" ", "")
    assert "王晓明" in compact
    assert expected["college_mentor"] in compact
    assert expected["enterprise_mentor"] in compact
    assert "工匠精神专题指导" in compact
    assert "数控机床安全操作规程" in compact  # the mentorship's own log
    assert "学生成长档案" in compact.replace("\n", "")
    plain = {font.replace("-", "") for font in fonts}
    assert any("NotoSansCJK" in font or "NotoSerifCJK" in font for font in plain), fonts
    assert "第1页/共" in compact  # page numbers in the margin
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.outline  # section headings as bookmarks, from the portal's UA stylesheet


def test_a_partner_gets_the_pdf_of_a_student_placed_with_it(signed_in, people):
    partner = signed_in("partner")
    mine = partner.get(f"/students/{people.student_id}/record.pdf")
    assert mine.status_code == 200
    text, _ = pdf_text(mine)
    assert names(people)["enterprise_mentor"] in text.replace(" ", "")
    assert partner.get(f"/students/{people.other_student_id}/record.pdf").status_code == 404


def test_a_mentor_gets_the_pdf_of_their_mentee_only(signed_in, people):
    mentor = signed_in("mentor")
    assert mentor.get(f"/students/{people.student_id}/record.pdf").status_code == 200
    assert mentor.get(f"/students/{people.other_student_id}/record.pdf").status_code == 404


def test_the_other_students_logs_never_reach_the_pdf(signed_in, people):
    run(
        MentoringLog.update({MentoringLog.topic: "别人的指导主题"}).where(
            MentoringLog.id == people.theirs.log
        )
    )
    text, _ = pdf_text(signed_in("student").get("/me/record.pdf"))
    assert "别人的指导主题" not in text.replace(" ", "")


def test_the_pdf_is_typeset_from_plain_data_in_the_worker(signed_in, people, monkeypatch):
    """The request only reads the record: its HTML is rendered in the PDF worker, from data
    that pickles, in the request's language."""
    import college.views.records as records
    from college.record import RecordDocument
    from portal.pdf import document_html

    sent = []
    render = records.render_document

    async def capture(document, locale):
        sent.append((pickle.loads(pickle.dumps(document)), locale))
        return await render(document, locale)

    monkeypatch.setattr(records, "render_document", capture)
    response = signed_in("student").get("/me/record.pdf?lang=en")
    assert response.status_code == 200
    document, locale = sent[0]
    assert isinstance(document, RecordDocument) and locale == "en"
    assert [row.id for row in document.record.logs] == [people.mine.log]
    html = document_html(document, "en")
    assert "Student growth record" in html
    chart = BeautifulSoup(html, "html.parser").select_one(".evaluation .chart img")["src"]
    svg = base64.b64decode(chart.removeprefix("data:image/svg+xml;base64,")).decode()
    assert 'class="score-chart"' in svg and "College mentor" in svg
    text, _ = pdf_text(response)
    assert "Student growth record" in text and "Page 1 of" in text


def test_pdfs_use_the_portals_user_agent_stylesheet():
    """WeasyPrint's own UA sheet is replaced through HTML._ua_stylesheets (weasyprint is
    pinned): if a new version drops the hook, this says so."""
    import weasyprint

    from portal import pdf

    pdf.html_to_pdf("<p>x</p>")
    assert "_ua_stylesheets" in vars(weasyprint.HTML)
    sheets = pdf._document_class(string="<p>x</p>")._ua_stylesheets()
    assert len(sheets) == 1 and sheets[0] is not weasyprint.html.UA_STYLESHEET


def test_pdfs_embed_two_faces_only(signed_in, people):
    """Regular text in the serif, emphasis in the bold sans: a third face (the sans in a
    lighter weight) would cost a fifth of a record's time to embed."""
    response = signed_in("student").get("/me/record.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        font.get_object()["/BaseFont"].split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def test_the_html_parser_builds_each_character_pattern_once():
    """WeasyPrint's parser (tinyhtml5) keys its pattern cache wrongly; the PDF workers give it
    one keyed by what it looks up (portal.pdf.ParserPatterns)."""
    import tinyhtml5
    import tinyhtml5.inputstream

    from portal import pdf

    pdf._start_worker()
    tinyhtml5.parse("<table><tr><td>甲</td><td>乙</td></tr></table>")
    patterns = tinyhtml5.inputstream.characters_until_regex
    assert isinstance(patterns, pdf.ParserPatterns) and patterns
    assert all(not hasattr(characters, "match") for characters, _ in patterns)
