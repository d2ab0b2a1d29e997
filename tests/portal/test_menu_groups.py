"""The side menu's 数据与报表 group: a coordinator finds the imports and the batch PDF export
there, with the page they are on marked (an import page is not marked as 学生 or 导师, though
its address lies under theirs); no other role sees the group."""

from __future__ import annotations

import pytest


def data_group(soup):
    heading = soup.select_one("#site-menu #menu-data")
    if heading is None:
        return None
    return soup.select_one('#site-menu ul[aria-labelledby="menu-data"]')


def test_a_coordinator_finds_imports_and_exports_under_data_and_reports(signed_in):
    browser = signed_in("coordinator")
    response = browser.get("/mentors/import")
    assert response.status_code == 200
    soup = browser.soup(response)
    assert soup.select_one("#menu-data").get_text(strip=True) == "数据与报表"
    links = data_group(soup).select("a")
    assert [a.get_text(strip=True) for a in links] == [
        "导入学生",
        "导入导师",
        "导入合作企业",
        "批量导出成长档案",
        "报送导出",
    ]
    assert [a["href"].split("testserver", 1)[-1] for a in links] == [
        "/students/import",
        "/mentors/import",
        "/enterprises/import",
        "/records/batches/",
        "/filings/",
    ]
    current = soup.select('#site-menu a[aria-current="page"]')
    assert [a.get_text(strip=True) for a in current] == ["导入导师"]


def test_the_students_import_marks_its_own_entry_not_the_student_list(signed_in):
    browser = signed_in("coordinator")
    soup = browser.soup(browser.get("/students/import"))
    current = soup.select('#site-menu a[aria-current="page"]')
    assert [a.get_text(strip=True) for a in current] == ["导入学生"]
    soup = browser.soup(browser.get("/students/"))
    current = soup.select('#site-menu a[aria-current="page"]')
    assert [a.get_text(strip=True) for a in current] == ["学生"]


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_no_other_role_sees_the_data_and_reports_group(signed_in, role):
    browser = signed_in(role)
    response = browser.get("/account/password")
    assert response.status_code == 200
    soup = browser.soup(response)
    assert soup.select_one("#site-menu") is not None
    assert data_group(soup) is None
