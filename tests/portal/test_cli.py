"""The `portal` command: create-user, seed-demo, and one-line errors."""

from __future__ import annotations

import io

from piccolo.apps.user.tables import BaseUser

from college.commands import main
from partners.coeducation.tables import Mentor
from partners.organizations.tables import Enterprise
from portal.tables import Profile, Student
from tests.support import Browser, make_student, run


def test_create_user_with_a_password_argument(capsys, browser):
    assert (
        main(
            [
                "create-user",
                "--username",
                "ops",
                "--password",
                "ops-pass-123",
                "--role",
                "coordinator",
            ]
        )
        == 0
    )
    assert "ops" in capsys.readouterr().out
    assert browser.sign_in("ops", "ops-pass-123").status_code == 303


def test_create_user_reads_the_password_from_stdin(monkeypatch, browser):
    student_no = run(Student.select(Student.student_no).where(Student.id == make_student()))[0][
        "student_no"
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin-99\n"))
    assert (
        main(["create-user", "--username", "stu", "--role", "student", "--student", student_no])
        == 0
    )
    assert Browser(browser.client).sign_in("stu", "from-stdin-99").status_code == 303
    assert browser.get("/me").status_code == 200


def test_errors_come_out_as_one_line(capsys):
    assert main(["create-user", "--username", "p", "--password", "x", "--role", "partner"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert (
        main(
            [
                "create-user",
                "--username",
                "ppp",
                "--password",
                "long-enough",
                "--role",
                "partner",
                "--enterprise",
                "999",
            ]
        )
        == 1
    )
    assert "enterprise" in capsys.readouterr().err


def test_seed_demo_twice_adds_nothing_the_second_time(capsys, browser):
    assert main(["seed-demo", "--students", "40"]) == 0
    first_output = capsys.readouterr().out
    assert "admin" in first_output and "demo-pass-2026" in first_output
    counts = [run(t.count()) for t in (Student, Enterprise, Mentor, BaseUser, Profile)]
    assert main(["seed-demo", "--students", "40"]) == 0
    assert [run(t.count()) for t in (Student, Enterprise, Mentor, BaseUser, Profile)] == counts
    assert counts[0] == 40
    for username in ("admin", "partner1", "student1", "mentor1"):
        assert Browser(browser.client).sign_in(username, "demo-pass-2026").status_code == 303


def test_backup_writes_an_archive_and_restore_refuses_a_full_database(capsys, tmp_path):
    make_student()
    archive = tmp_path / "nightly" / "portal-20261130-020000.tar"
    assert main(["backup", "--to", str(archive), "--keep", "7"]) == 0
    assert archive.exists() and f"{archive}:" in capsys.readouterr().out
    assert main(["restore", str(archive)]) == 1
    assert "is not empty" in capsys.readouterr().err
