"""The attendance form keeps every tick across searching, paging and marking a whole unit or
class present, and saves exactly the ticks (coordinator and partner, over HTTP, submitting the
form as the page renders it); and the sheet's rules without HTTP."""

from __future__ import annotations

import pytest
from starlette.datastructures import MultiDict

from partners.organizations.activities import (
    MEMBER_PAGE_SIZE,
    AttendanceSheet,
    apply_sheet_action,
    class_students,
    member_matches,
    member_window,
    page_number,
    read_sheet,
    sheet_students,
)
from partners.organizations.queries import (
    AttendeeMemberRow,
    AttendeeStudentRow,
    organization_members,
    units_of,
)
from partners.organizations.tables import OrganizationMember
from portal.auth import Viewer
from portal.domain_errors import FORM, Refused
from portal.tables import Role, Student
from tests.partners.test_activities import make_activity, member_attendees, student_attendees
from tests.support import Browser, make_participation, make_student, run

EXTRA_MEMBERS = 40  # with the fixture's own, more than one page


def viewer(role: Role, **links: int) -> Viewer:
    return Viewer(user_id=0, username="", role=role, name="", session_token="", **links)


def add_members(organization_id: int, count: int = EXTRA_MEMBERS) -> dict[str, int]:
    """Members named 队员01… in the organization's first unit: name → id."""
    unit = run(units_of(organization_id))[0].id
    rows = [
        OrganizationMember(
            organization=organization_id, member_unit=unit, name=f"队员{n:02d}", position="教师"
        )
        for n in range(1, count + 1)
    ]
    run(OrganizationMember.insert(*rows))
    return {m.name: m.id for m in run(organization_members(organization_id))}


class Sheet:
    """The attendance form as a browser would submit it: its fields as rendered, changed by
    ticking boxes and typing, sent with the button pressed."""

    def __init__(self, browser: Browser, url: str, response) -> None:
        self.browser, self.url = browser, url
        self.take(response)

    def take(self, response) -> None:
        assert response.status_code in (200, 400), response.text[:500]
        self.response = response
        self.soup = Browser.soup(response)
        form = self.soup.select_one("form#attendance-form")
        self.fields: list[tuple[str, str]] = []
        for element in form.select("input[name], select[name]"):
            if element.name == "select":
                option = element.select_one("option[selected]") or element.select_one("option")
                self.fields.append((element["name"], option["value"] if option else ""))
            elif element.get("type") == "checkbox":
                if element.has_attr("checked"):
                    self.fields.append((element["name"], element["value"]))
            else:
                self.fields.append((element["name"], element.get("value", "")))

    def shown(self, name: str) -> set[int]:
        """The ids of the checkboxes on the page (ticked or not)."""
        return {int(box["value"]) for box in self.soup.select(f"input[type=checkbox][name={name}]")}

    def ticked(self, name: str) -> set[int]:
        return {int(value) for field, value in self.fields if field == name}

    def tick(self, name: str, value: int) -> None:
        assert value in self.shown(name), f"{name} {value} is not on the page"
        self.fields.append((name, str(value)))

    def untick(self, name: str, value: int) -> None:
        assert value in self.shown(name)
        self.fields.remove((name, str(value)))

    def type(self, name: str, text: str) -> None:
        self.fields = [(f, v) for f, v in self.fields if f != name] + [(name, text)]

    def press(self, action: str):
        data: dict[str, list[str]] = {}
        for name, value in [*self.fields, ("action", action)]:
            data.setdefault(name, []).append(value)
        response = self.browser.post(self.url, data)
        if response.status_code != 303:
            self.take(response)
        return response


def open_sheet(browser: Browser, organization_id: int, activity_id: int) -> Sheet:
    url = f"/organizations/{organization_id}/activities/{activity_id}/attendance"
    return Sheet(browser, url, browser.get(url))


# --- over HTTP ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "partner"])
def test_ticks_made_on_other_pages_and_before_searches_are_all_saved(signed_in, people, role):
    org = people.organization_a
    members = add_members(org)
    activity = make_activity(org)
    browser = signed_in(role)
    sheet = open_sheet(browser, org, activity)
    assert len(sheet.shown("member")) == MEMBER_PAGE_SIZE  # one page of the 41 members
    sheet.tick("member", members["队员01"])
    sheet.press("page:2")
    assert members["队员01"] not in sheet.shown("member")
    assert members["队员01"] in sheet.ticked("member")  # kept, out of sight
    sheet.tick("member", members["队员40"])
    sheet.type("member_q", "队员2")
    sheet.press("search")
    assert sheet.shown("member") == {members[f"队员2{n}"] for n in range(10)}
    sheet.tick("member", members["队员25"])
    student_no = run_student_no(people.student_id)
    sheet.type("q", student_no)
    sheet.press("search")
    sheet.tick("student", people.student_id)
    sheet.type("q", "no such student")
    sheet.press("search")
    assert sheet.shown("student") == {people.student_id}  # listed as ticked, not as a result
    assert member_attendees(activity) == set() and student_attendees(activity) == set()
    response = sheet.press("save")
    assert response.status_code == 303
    assert member_attendees(activity) == {members[n] for n in ("队员01", "队员40", "队员25")}
    assert student_attendees(activity) == {people.student_id}


def run_student_no(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return row["student_no"]


def test_unticking_on_another_page_removes_a_saved_attendee(signed_in, people):
    org = people.organization_a
    members = add_members(org)
    activity = make_activity(org)
    coordinator = signed_in("coordinator")
    sheet = open_sheet(coordinator, org, activity)
    sheet.tick("member", members["队员01"])
    sheet.press("page:2")
    sheet.tick("member", members["队员40"])
    assert sheet.press("save").status_code == 303
    sheet = open_sheet(coordinator, org, activity)
    assert sheet.ticked("member") == {members["队员01"], members["队员40"]}
    sheet.press("page:2")
    sheet.untick("member", members["队员40"])
    sheet.press("page:1")
    assert sheet.press("save").status_code == 303
    assert member_attendees(activity) == {members["队员01"]}


def test_tick_all_shown_ticks_the_page_shown_and_no_other(signed_in, people):
    org = people.organization_a
    members = add_members(org)
    activity = make_activity(org)
    sheet = open_sheet(signed_in("partner"), org, activity)
    sheet.type("member_q", "队员1")
    sheet.press("search")
    sheet.press("tick_shown")
    tens = {members[f"队员1{n}"] for n in range(10)}
    assert sheet.ticked("member") == tens
    sheet.untick("member", members["队员15"])
    sheet.type("member_q", "")
    sheet.press("search")
    sheet.press("clear_shown")  # the first page holds every 队员1x
    assert sheet.ticked("member") == set()
    sheet.press("tick_shown")
    first_page = member_window(run(organization_members(org)), "", 1).ids
    assert sheet.ticked("member") == first_page
    assert sheet.press("save").status_code == 303
    assert member_attendees(activity) == first_page


def test_a_whole_unit_is_marked_present(signed_in, people):
    org = people.organization_a
    members = add_members(org)
    activity = make_activity(org)
    units = run(units_of(org))
    sheet = open_sheet(signed_in("partner"), org, activity)
    sheet.type("unit", str(units[0].id))
    sheet.press("mark_unit")
    everyone = run(organization_members(org))
    first_unit = {m.id for m in everyone if m.unit_id == units[0].id}
    assert len(first_unit) > MEMBER_PAGE_SIZE and sheet.ticked("member") == first_unit
    assert members["队员40"] in first_unit
    assert sheet.press("save").status_code == 303
    assert member_attendees(activity) == first_unit


def test_a_unit_of_another_organization_is_refused_beside_the_field(signed_in, people):
    org = people.organization_a
    activity = make_activity(org)
    other_unit = run(units_of(people.organization_b))[0].id
    sheet = open_sheet(signed_in("coordinator"), org, activity)
    sheet.type("unit", str(other_unit))
    sheet.press("mark_unit")
    assert sheet.response.status_code == 400
    assert Browser.field_error(sheet.response, "unit")
    assert sheet.ticked("member") == set()


def test_a_coordinator_marks_a_whole_class_present(signed_in, people):
    org = people.organization_a
    activity = make_activity(org)
    classmates = {make_student(class_name="数控2402班") for _ in range(3)}
    make_student(class_name="数控2403班")
    sheet = open_sheet(signed_in("coordinator"), org, activity)
    assert "数控2402班" in {o["value"] for o in sheet.soup.select("#class-options option")}
    sheet.type("class_name", "数控2402班")
    sheet.press("mark_class")
    assert sheet.ticked("student") == classmates
    assert sheet.press("save").status_code == 303
    assert student_attendees(activity) == classmates


def test_a_partner_marks_only_its_placed_students_of_a_class(signed_in, people):
    org = people.organization_a
    activity = make_activity(org)
    placed = make_student(class_name="数控2402班")
    make_participation(people.mine.project, placed)
    make_student(class_name="数控2402班")  # not placed with the partner's enterprise
    sheet = open_sheet(signed_in("partner"), org, activity)
    sheet.type("class_name", "数控2402班")
    sheet.press("mark_class")
    assert sheet.ticked("student") == {placed}
    sheet.type("class_name", "无此班级")
    sheet.press("mark_class")
    assert sheet.response.status_code == 400
    assert "无此班级" in Browser.field_error(sheet.response, "class_name")
    assert sheet.ticked("student") == {placed}  # the ticks survive the refusal
    assert sheet.press("save").status_code == 303
    assert student_attendees(activity) == {placed}


def test_sheet_buttons_never_save(signed_in, people):
    org = people.organization_a
    members = add_members(org)
    activity = make_activity(org)
    sheet = open_sheet(signed_in("coordinator"), org, activity)
    sheet.tick("member", members["队员01"])
    for action in ("search", "page:2", "tick_shown", "clear_shown", "tick_results", "other"):
        sheet.press(action)
        assert sheet.response.status_code == 200
    assert member_attendees(activity) == set()


def test_a_forged_tick_of_a_student_the_partner_may_not_pick_is_refused_unseen(signed_in, people):
    org = people.organization_a
    activity = make_activity(org)
    name = run(
        __import__("portal.tables", fromlist=["Student"])
        .Student.select()
        .where(
            __import__("portal.tables", fromlist=["Student"]).Student.id == people.other_student_id
        )
        .first()
    )["name"]
    partner = signed_in("partner")
    url = f"/organizations/{org}/activities/{activity}/attendance"
    response = partner.post(url, {"student": [str(people.other_student_id)], "action": "search"})
    assert response.status_code == 400
    assert Browser.soup(response).select_one(".flash-error")
    assert name not in response.text
    assert student_attendees(activity) == set()


def test_htmx_buttons_post_to_the_form_and_swap_it(signed_in, people):
    org = people.organization_a
    add_members(org)
    activity = make_activity(org)
    sheet = open_sheet(signed_in("coordinator"), org, activity)
    form = sheet.soup.select_one("form#attendance-form")
    assert form["hx-select"] == "#attendance-form" and form["hx-swap"] == "outerHTML"
    buttons = form.select("button[name=action]")
    save = [b for b in buttons if b["value"] == "save"]
    assert len(save) == 1 and not save[0].has_attr("hx-post")
    assert all(b["hx-post"].endswith(sheet.url) for b in buttons if b["value"] != "save")
    # the first submit button (Enter in a search box) searches, it does not save
    assert form.select("button[type=submit]")[0]["value"] == "search"
    # each checkbox sits inside the label with its name
    for box in form.select("input[type=checkbox]"):
        assert box.find_parent("label") is not None


# --- the rules, without HTTP --------------------------------------------------------------------


def member(member_id: int, name: str, unit: int = 1, **fields: str) -> AttendeeMemberRow:
    return AttendeeMemberRow(
        id=member_id,
        name=name,
        position=fields.get("position", ""),
        unit_id=unit,
        unit_name=fields.get("unit_name", f"第{unit}党支部"),
        party_group=fields.get("party_group", ""),
    )


MEMBERS = [member(i, f"成员{i:02d}", unit=1 if i <= 5 else 2) for i in range(1, 8)]


def test_members_match_by_name_position_unit_or_party_group():
    row = member(1, "张三", position="Engineer", unit_name="一支部", party_group="第一党小组")
    assert all(member_matches(row, q) for q in ("张", "engineer", "一支部", "党小组"))
    assert not member_matches(row, "李")


def test_the_member_window_pages_the_matching_members():
    window = member_window(MEMBERS, "", 2, size=3)
    assert [m.id for m in window.rows] == [4, 5, 6] and window.pages == 3
    assert member_window(MEMBERS, "", 99, size=3).page == 3  # past the end: the last page
    found = member_window(MEMBERS, "成员0", 1, size=3)
    assert found.matching == 7 and found.ids == {1, 2, 3}
    assert member_window([], "", 1).pages == 1


def test_page_numbers_from_the_form():
    assert [page_number(raw) for raw in ("2", "", "0", "-1", "x", "1" * 7)] == [2, 1, 1, 1, 1, 1]


def test_reading_a_sheet_refuses_ids_that_are_not_numbers():
    fields = MultiDict(
        [
            ("member", "3"),
            ("member", "4"),
            ("student", "9"),
            ("member_q", " 张 "),
            ("member_page", "2"),
        ]
    )
    sheet = read_sheet(lambda n: fields.get(n, ""), fields.getlist)
    assert sheet.members == {3, 4} and sheet.students == {9}
    assert sheet.member_query == "张" and sheet.member_page == 2
    with pytest.raises(Refused) as refused:
        read_sheet(lambda n: "", lambda n: ["1; drop"] if n == "member" else [])
    assert refused.value.errors[0].field == FORM


def sheet(**changes) -> AttendanceSheet:
    values = {"members": frozenset({1}), "students": frozenset()}
    return AttendanceSheet(**{**values, **changes})


def act(action: str, before: AttendanceSheet, **kwargs) -> AttendanceSheet:
    coordinator = viewer(Role.coordinator)
    return run(apply_sheet_action(coordinator, 0, before, action, MEMBERS, **kwargs))


def test_sheet_actions_change_the_ticks_and_keep_the_rest():
    page_two = sheet(member_page=2)
    assert act("search", page_two).member_page == 1
    assert act("page:3", page_two).member_page == 3
    assert act("tick_shown", sheet(member_query="成员0", member_page=1)).members == set(range(1, 8))
    assert act("clear_shown", sheet(members=frozenset({1, 7}), member_query="成员07")).members == {
        1
    }
    assert act("mark_unit", sheet(unit="2")).members == {1, 6, 7}
    with pytest.raises(Refused) as refused:
        act("mark_unit", sheet(unit="3"))
    assert refused.value.errors[0].field == "unit"
    results = [AttendeeStudentRow(5, "2024000005", "学生", "班")]
    assert act("tick_results", sheet(), results=results).students == {5}
    assert act("search", sheet()).members == {1}


def test_a_partner_marks_only_the_students_it_may_pick(people):
    placed = make_student(class_name="数控2402班")
    make_participation(people.mine.project, placed)
    unplaced = make_student(class_name="数控2402班")
    partner = viewer(Role.partner, enterprise_id=people.enterprise_a)
    org = people.organization_a
    assert run(class_students(partner, org, "数控2402班")) == {placed}
    assert run(class_students(viewer(Role.coordinator), org, "数控2402班")) == {placed, unplaced}
    for missing in ("", "无此班级"):
        with pytest.raises(Refused) as refused:
            run(class_students(partner, org, missing))
        assert refused.value.errors[0].field == "class_name"
    assert [row.id for row in run(sheet_students(partner, org, {placed}))] == [placed]
    with pytest.raises(Refused):
        run(sheet_students(partner, org, {placed, unplaced}))
