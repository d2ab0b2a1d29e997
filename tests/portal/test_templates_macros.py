"""The house's partials (templates/_macros.html): one breadcrumb trail and one list-filter form
for every page, so their markup (and its accessibility) is written once.

The macros are rendered on their own first, then on real pages, selected with BeautifulSoup.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Tag
from markupsafe import Markup

from portal.templating import TEMPLATE_DIR, build_environment
from tests.support import make_project


def render(source: str, **context: object) -> BeautifulSoup:
    template = build_environment("en").from_string(source)
    return BeautifulSoup(template.render(**context), "html.parser")


def trail(nav: Tag) -> list[tuple[str | None, str]]:
    """The (href, text) of each step of a breadcrumb; href None for the current page."""
    steps = []
    for step in nav.find_all(["a", "span"], recursive=False):
        href = step.get("href") if step.name == "a" else None
        steps.append((href if isinstance(href, str) else None, step.get_text(strip=True)))
    return steps


def one(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    element = soup.select_one(selector)
    assert element is not None, f"nothing matches {selector}"
    return element


def href(step: tuple[str | None, str]) -> str:
    """The link of a step that must have one."""
    assert step[0] is not None, f"{step[1]} is not a link"
    return step[0]


def only_crumbs(soup: BeautifulSoup) -> Tag:
    navs = soup.select("nav.crumbs")
    assert len(navs) == 1
    return navs[0]


# --- the breadcrumb macro -----------------------------------------------------------------------

CRUMBS = '{% from "_macros.html" import crumbs %}{{ crumbs(steps) }}'


def test_a_trail_links_each_step_and_marks_the_current_page():
    soup = render(
        CRUMBS, steps=[("/projects/", "Projects"), ("/projects/3", "A<B"), (None, "Edit")]
    )
    nav = only_crumbs(soup)
    assert nav["aria-label"] == "Breadcrumb"
    assert trail(nav) == [("/projects/", "Projects"), ("/projects/3", "A<B"), (None, "Edit")]
    assert [s.get_text() for s in nav.select('[aria-current="page"]')] == ["Edit"]
    assert nav.get_text() == "Projects › A<B › Edit"


def test_a_trail_may_end_with_a_link_and_skips_missing_steps():
    soup = render(CRUMBS, steps=[("/mentors/", "Mentors"), None])
    nav = only_crumbs(soup)
    assert trail(nav) == [("/mentors/", "Mentors")]
    assert nav.select('[aria-current="page"]') == []
    assert "›" not in nav.get_text()


def test_the_trail_is_labelled_in_the_pages_language():
    template = build_environment("zh_CN").from_string(CRUMBS)
    nav = only_crumbs(BeautifulSoup(template.render(steps=[(None, "x")]), "html.parser"))
    assert nav["aria-label"] == "当前位置"


# --- the list-filter macros ---------------------------------------------------------------------

FILTERS = """{% from "_macros.html" import list_filters, filter_search, filter_select %}
{% call list_filters(clear, label=label) %}
  {{ filter_search("q", "Search by name", filters.q, hint=hint) }}
  {{ filter_select("status", "Status", options=statuses.items(), selected=filters.status) }}
  {{ filter_select("year", "Year", values=years, selected=filters.year, blank="Any year") }}
  {{ filter_search("row_id", "Row", filters.row_id, type=none, inputmode="numeric") }}
  {{ filter_select("cohort", "Cohort", option_tags=cohort_tags) }}
  <input type="hidden" name="sort" value="name">
{% endcall %}"""


def filter_form(**context: object) -> Tag:
    values = {
        "clear": "/things/",
        "label": None,
        "hint": None,
        "filters": {"q": "", "status": "", "year": "", "row_id": ""},
        "statuses": {"active": "Active", "ended": "Ended"},
        "years": [2025, 2026],
        "cohort_tags": Markup('<option value="2024" selected>2024</option>'),
        **context,
    }
    form = render(FILTERS, **values).select_one("form")
    assert form is not None
    return form


def labelled(form: Tag, text: str) -> Tag:
    """The control a label names, found as a screen reader would: through label[for]."""
    label = next(label for label in form.select("label") if label.get_text(strip=True) == text)
    control = form.select_one(f"#{label['for']}")
    assert control is not None
    return control


def test_the_filter_form_is_a_labelled_search_of_this_page():
    form = filter_form(label="Filter the things")
    assert (form["method"], form["role"], form["class"]) == ("get", "search", ["filters"])
    assert form["aria-label"] == "Filter the things"
    assert not form.has_attr("action")
    search = labelled(form, "Search by name")
    assert (search["id"], search["name"], search["type"], search["value"]) == (
        "q",
        "q",
        "search",
        "",
    )
    row = labelled(form, "Row")
    assert row["inputmode"] == "numeric" and not row.has_attr("type")
    assert one(form, 'input[type="hidden"][name="sort"]')["value"] == "name"
    assert one(form, ".actions button[type=submit]").get_text(strip=True) == "Filter"
    assert one(form, ".actions a")["href"] == "/things/"


def test_a_select_starts_with_all_and_keeps_the_current_choice():
    form = filter_form(filters={"q": "x", "status": "ended", "year": "2026", "row_id": "5"})
    status = labelled(form, "Status")
    assert [(o["value"], o.get_text()) for o in status.select("option")] == [
        ("", "All"),
        ("active", "Active"),
        ("ended", "Ended"),
    ]
    assert [o["value"] for o in status.select("option[selected]")] == ["ended"]
    year = labelled(form, "Year")
    assert [o.get_text() for o in year.select("option")] == ["Any year", "2025", "2026"]
    assert [o.get_text() for o in year.select("option[selected]")] == ["2026"]
    assert labelled(form, "Search by name")["value"] == "x"
    cohort = labelled(form, "Cohort")
    assert [(o["value"], o.has_attr("selected")) for o in cohort.select("option")] == [
        ("", False),
        ("2024", True),
    ]


def test_a_hint_describes_its_box_and_no_clear_link_without_a_target():
    form = filter_form(clear=None, hint="At least 2 characters")
    box = labelled(form, "Search by name")
    hint = form.select_one(f"#{box['aria-describedby']}")
    assert hint is not None and hint.get_text() == "At least 2 characters"
    assert form.select(".actions a") == []


# --- every page uses them -----------------------------------------------------------------------


def page_templates() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATE_DIR))
        for path in TEMPLATE_DIR.rglob("*.html")
        if path.name != "_macros.html"
    )


@pytest.mark.parametrize("name", page_templates())
def test_no_template_writes_its_own_breadcrumb_or_filter_form(name):
    source = (TEMPLATE_DIR / name).read_text()
    assert 'class="crumbs"' not in source, "call crumbs() from _macros.html"
    assert not re.search(r'<form[^>]*class="filters"', source), "call list_filters()"


# --- on real pages ------------------------------------------------------------------------------


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def test_a_project_page_shows_where_it_is(coordinator, people):
    project = make_project(people.enterprise_a, kind="research", name="智能产线联合研发")
    soup = coordinator.soup(coordinator.get(f"/projects/{project}"))
    steps = trail(only_crumbs(soup))
    assert [text for _, text in steps] == ["协同育人项目", "科研合作", "智能产线联合研发"]
    assert href(steps[0]).endswith("/projects/")
    assert href(steps[1]).endswith("/projects/?kind=research")
    assert steps[2][0] is None  # the page itself, aria-current
    assert one(only_crumbs(soup), '[aria-current="page"]').get_text() == "智能产线联合研发"


def test_a_form_page_leads_back_to_what_it_edits(coordinator, people):
    soup = coordinator.soup(coordinator.get(f"/organizations/{people.organization_a}/edit"))
    nav = only_crumbs(soup)
    assert nav["aria-label"] == "当前位置"
    steps = trail(nav)
    assert len(steps) == 2 and all(href for href, _ in steps)
    assert href(steps[1]).endswith(f"/organizations/{people.organization_a}")


def test_a_shared_crumbs_partial_renders_the_same_trail(coordinator, people):
    soup = coordinator.soup(coordinator.get(f"/organizations/{people.organization_a}/seats"))
    steps = trail(only_crumbs(soup))
    assert href(steps[0]).endswith("/organizations/")
    assert href(steps[1]).endswith(f"/organizations/{people.organization_a}")


def test_the_student_list_filters_by_labelled_fields(coordinator, people):
    response = coordinator.get("/students/?political_status=03&q=学生")
    form = coordinator.soup(response).select_one("form.filters")
    assert form is not None and form["role"] == "search"
    search = labelled(form, "按姓名或学号搜索")
    assert (search["name"], search["value"]) == ("q", "学生")
    political = labelled(form, "政治面貌")
    assert political["name"] == "political_status"
    assert [o["value"] for o in political.select("option[selected]")] == ["03"]
    assert one(political, "option").get_text() == "全部"
    assert str(one(form, ".actions a")["href"]).endswith("/students/")


CSRF_IMPORT = re.compile(r"{%-?\s*from\s+\"_macros.html\"\s+import\s+([^%]*)%}")


def test_every_template_imports_the_csrf_field_with_the_request():
    """Imported without context, csrf() renders an empty token and every POST of the form is
    refused (the weekly-log queues had this)."""
    bare = []
    for path in TEMPLATE_DIR.rglob("*.html"):
        for names in CSRF_IMPORT.findall(path.read_text(encoding="utf-8")):
            if re.search(r"\bcsrf\b", names) and "with context" not in names:
                bare.append(str(path.relative_to(TEMPLATE_DIR)))
    assert bare == []
