"""Access matrix entries for this area (merged into tests/portal/test_access.py).

path template → expected outcome per role, in the order anonymous, coordinator, partner,
student, mentor. Ids in paths are filled by concrete() in tests/portal/test_access.py with the
OTHER side's objects (people.theirs, other_student_id, enterprise_b …). A module may define
`objects(people) -> dict[str, int]` to make and name the objects of its own placeholders.

Imports are the college's: coordinators only, everyone else gets 404. An empty POST to an
upload page is a form error (400: no file); confirming the previewed batch made below writes
it (303 to its result page); cancelling it redirects too, and so does a fill of a batch that
has nothing to fill.
"""

import json

LOGIN = "login"

MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/students/import"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/import"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/mentors/import"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/mentors/import"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/enterprises/import"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/enterprises/import"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/imports/templates/{kind}.xlsx"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/imports/{import_id}"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/imports/{import_id}/confirm"): (LOGIN, 303, 404, 404, 404),
    ("POST", "/imports/{import_id}/discard"): (LOGIN, 303, 404, 404, 404),
    ("POST", "/imports/{import_id}/fill"): (LOGIN, 303, 404, 404, 404),
    ("GET", "/imports/{import_id}/status"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/imports/{import_id}/problems.xlsx"): (LOGIN, 200, 404, 404, 404),
}


def objects(people) -> dict:
    """A previewed students import that would add one student, and the kind of template."""
    from portal.tables import ImportBatch
    from tests.support import insert_id

    item = {
        "line": 2,
        "action": "create",
        "id": None,
        "key": "2099000001",
        "label": "2099000001",
        "values": {
            "student_no": "2099000001",
            "name": "矩阵学生",
            "gender": "F",
            "birth_date": "2005-05-01",
            "department": "智能制造学院",
            "major": "工业机器人技术",
            "class_name": "工业机器人2401班",
            "cohort_year": 2024,
            "political_status": "03",
            "phone": "",
        },
    }
    rows = {
        "header_line": 1,
        "columns": {},
        "ignored": [],
        "counts": {"create": 1},
        "items": [item],
    }
    batch_id = insert_id(
        ImportBatch, kind="students", file_name="matrix.xlsx", rows=json.dumps(rows), total=1
    )
    return {"import_id": batch_id, "kind": "students"}
