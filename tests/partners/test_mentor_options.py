"""The new assignment form narrows its mentors as soon as a project is chosen: htmx asks
/mentorships/new/mentors?project=… for the mentor selects of that project, which offer only
what saving would accept and nothing a viewer may not see."""

from __future__ import annotations

from partners.coeducation.tables import Project
from portal.tables import Student
from tests.support import (
    Browser,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

OPTIONS = "/mentorships/new/mentors"


def offered(response, name: str) -> list[int]:
    select = Browser.soup(response).select_one(f"select[name={name}]")
    return [int(option["value"]) for option in select.select("option") if option["value"]]


def chosen(response, name: str) -> str:
    option = Browser.soup(response).select_one(f"select[name={name}] option[selected]")
    return option["value"] if option else ""


def test_the_project_select_asks_for_its_mentors_at_once(signed_in, people):
    form = signed_in("coordinator").get("/mentorships/new")
    wrapper = Browser.soup(form).select_one("[hx-get]:has(select[name=project])")
    assert wrapper is not None and wrapper["hx-get"].endswith(OPTIONS)
    assert wrapper["hx-trigger"] == "change" and wrapper["hx-target"] == "#mentor-fields"
    assert "#f-project" in wrapper["hx-include"]
    assert Browser.soup(form).select_one("form #mentor-fields select[name=enterprise_mentor]")


def test_choosing_a_project_offers_only_its_enterprises_mentors(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.get(f"{OPTIONS}?project={people.mine.project}")
    assert response.status_code == 200
    assert response.template.name == "coeducation/mentorship_mentor_options.html"
    assert offered(response, "enterprise_mentor") == [people.mine.enterprise_mentor]
    assert people.mentor_id in offered(response, "college_mentor")
    soup = Browser.soup(response)
    assert soup.select_one("#mentor-fields") and not soup.select_one("form, header, nav")
    suggestions = soup.select_one("#suggestions[hx-swap-oob=true]")
    assert [int(li["data-mentor"]) for li in suggestions.select("#suggest-enterprise li")] == [
        people.mine.enterprise_mentor
    ]


def test_without_a_project_every_enterprise_mentor_is_offered(signed_in, people):
    response = signed_in("coordinator").get(OPTIONS + "?project=")
    assert response.status_code == 200
    enterprise = offered(response, "enterprise_mentor")
    assert {people.mine.enterprise_mentor, people.theirs.enterprise_mentor} <= set(enterprise)


def test_a_chosen_mentor_stays_chosen_only_while_still_offered(signed_in, people):
    coordinator = signed_in("coordinator")
    mine, theirs = people.mine.enterprise_mentor, people.theirs.enterprise_mentor
    kept = coordinator.get(
        f"{OPTIONS}?project={people.mine.project}&enterprise_mentor={mine}"
        f"&college_mentor={people.mentor_id}"
    )
    assert chosen(kept, "enterprise_mentor") == str(mine)
    assert chosen(kept, "college_mentor") == str(people.mentor_id)
    dropped = coordinator.get(f"{OPTIONS}?project={people.mine.project}&enterprise_mentor={theirs}")
    assert theirs not in offered(dropped, "enterprise_mentor")
    assert chosen(dropped, "enterprise_mentor") == ""


def test_the_partial_offers_what_saving_accepts(signed_in, people):
    """A mentor of another enterprise is neither offered for the project nor accepted."""
    coordinator = signed_in("coordinator")
    other = make_mentor(side="enterprise", enterprise=people.enterprise_b, department="")
    assert other not in offered(
        coordinator.get(f"{OPTIONS}?project={people.mine.project}"), "enterprise_mentor"
    )
    response = coordinator.post(
        "/mentorships/new",
        {
            "student_no": "x",
            "project": str(people.mine.project),
            "college_mentor": str(people.mentor_id),
            "enterprise_mentor": str(other),
            "starts_on": "2026-09-10",
        },
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "enterprise_mentor")


def test_unknown_and_closed_projects_are_refused(signed_in, people):
    coordinator = signed_in("coordinator")
    closed = make_project(people.enterprise_a, status="closed")
    missing = (
        run(Project.select(Project.id).order_by(Project.id, ascending=False).first())["id"] + 99
    )
    for project in (str(closed), str(missing), "abc"):
        assert coordinator.get(f"{OPTIONS}?project={project}").status_code == 404


def test_only_coordinators_get_mentor_options(signed_in, people):
    """Partners, students and mentors cannot list mentors through the form's helper, not
    even for their own enterprise's project."""
    for role in ("partner", "student", "mentor"):
        response = signed_in(role).get(f"{OPTIONS}?project={people.mine.project}")
        assert response.status_code == 404
        assert not Browser.soup(response).select("select, #suggestions")


def test_the_projects_students_without_an_assignment_are_offered(signed_in, people):
    waiting = make_student(name="待结对")
    make_participation(people.mine.project, waiting)
    withdrawn = make_student()
    make_participation(people.mine.project, withdrawn, status="withdrawn")
    response = signed_in("coordinator").get(f"{OPTIONS}?project={people.mine.project}")
    datalist = Browser.soup(response).select_one("datalist#project-students[hx-swap-oob=true]")
    offered_students = {o["value"]: o.get_text() for o in datalist.select("option")}
    # people.student_id already has an active assignment in the project; the other student
    # is in another enterprise's project; the withdrawn one no longer takes part
    assert offered_students == {student_number(waiting): "待结对"}
    form = signed_in("coordinator").get(f"/mentorships/new?project={people.mine.project}")
    field = Browser.soup(form).select_one("input[name=student_no]")
    assert field["list"] == "project-students"
    assert {o["value"] for o in Browser.soup(form).select("#project-students option")} == {
        student_number(waiting)
    }


def student_number(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return row["student_no"]
