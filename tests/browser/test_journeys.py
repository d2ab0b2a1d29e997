"""Journeys through the real app in Chromium: a coordinator signs in, sees the dashboard's
charts drawn, exports a class's records as PDFs and watches the progress bar until the ZIP
can be downloaded; a student reads their record on a phone without sideways scrolling."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Error as PlaywrightError

from portal.tables import Role, Student
from tests.support import (
    PASSWORD,
    make_account,
    make_enterprise,
    make_mentor,
    make_mentorship,
    make_organization,
    make_student,
    run,
)

CLASS = "机电一体化2401班"
CLASS_SIZE = 5


@pytest.fixture
def college() -> dict[str, int | str]:
    """A coordinator, a student account, and one class whose students all have dual mentors,
    a log, an evaluation and an award; an organization with an activity (so every chart of
    the dashboard has something to draw)."""
    enterprise = make_enterprise()
    make_organization(enterprise)
    college_mentor = make_mentor()
    students = [
        make_student(class_name=CLASS, department="机电工程学院", major="机电一体化技术")
        for _ in range(CLASS_SIZE)
    ]
    for student in students:
        make_mentorship(enterprise, student, college_mentor)
    make_account("coord", Role.coordinator)
    student_no = run(Student.select(Student.student_no).where(Student.id == students[0]).first())
    make_account("student1", Role.student, student_no=student_no["student_no"])
    return {"student_no": student_no["student_no"]}


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_load_state("load")
    assert "/login" not in page.url, page.content()[:2000]


DRAWN_PIXELS = """canvas => {
  const context = canvas.getContext("2d");
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
  return painted;
}"""


def test_a_coordinator_sees_charts_and_exports_a_class_as_pdfs(new_page, college, tmp_path):
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} {message.location.get('url')}")

    def response(answer) -> None:
        if answer.status >= 400:
            errors.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    sign_in(page, "coord")

    # The dashboard: every chart is a canvas in a figure.chart, marked once drawn.
    page.goto("/")
    canvases = page.locator("figure.chart canvas")
    assert canvases.count() >= 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.chart canvas')]"
        ".every(c => c.dataset.drawn === 'true')"
    )
    painted = [canvases.nth(i).evaluate(DRAWN_PIXELS) for i in range(canvases.count())]
    assert max(painted) > 100, painted  # pixels on the canvas, not a blank box

    # The batch export: choose the class, start, watch the bar fill up.
    page.goto("/records/batches/")
    page.select_option("#f-target", f"class_name:{CLASS}")
    page.click("#batch-form button[type=submit]")
    page.wait_for_url("**/records/batches/*")
    bar = page.locator("progress#batch-progress")
    assert bar.get_attribute("max") == str(CLASS_SIZE)
    seen: list[int] = []
    for _ in range(600):  # at most a minute; it takes a few seconds
        if page.locator("#batch-download").count():
            break
        try:
            value = page.evaluate(
                "() => { const bar = document.getElementById('batch-progress');"
                " return bar && bar.hasAttribute('value') ? bar.value : -1; }"
            )
        except PlaywrightError:  # the page reloads itself when the batch is done
            continue
        if value >= 0 and (not seen or seen[-1] != value):
            seen.append(int(value))
        page.wait_for_timeout(100)
    assert page.locator("#batch-download").count() == 1, page.content()[-3000:]
    assert seen == sorted(seen), seen  # it only moves forward
    assert bar.get_attribute("value") == bar.get_attribute("max") == str(CLASS_SIZE)
    assert page.locator("#batch-progress-text").inner_text() == f"{CLASS_SIZE} / {CLASS_SIZE}"

    with page.expect_download() as download_info:
        page.click("#batch-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    target = tmp_path / "batch.zip"
    download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert len(names) == CLASS_SIZE
        assert all(name.endswith(".pdf") for name in names)
        assert all(archive.read(name).startswith(b"%PDF") for name in names)
    # No script error, no CSP violation, no missing file (the favicon included).
    assert errors == []


# Elements sticking out of the screen, outside the tables that scroll sideways by design.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-scroll'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8)
  .map(e => `${e.tagName} ${e.getAttribute('class') || ''} ${e.id}`)"""


def test_a_student_reads_their_record_on_a_phone_without_sideways_scrolling(new_page, college):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(page, "student1")
    page.goto("/me")
    assert college["student_no"] in page.content()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert overflow <= 0, f"the page is {overflow}px wider than the phone: {wide}"
