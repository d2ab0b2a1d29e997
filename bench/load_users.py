"""The simulated users of bench/load.py — a locustfile, run by it in locust's own process.

Four roles, each signing in through /login as a browser does (the CSRF token from the
``csrftoken`` cookie, read again after sign-in since the portal ties it to the session), then,
with a think time between actions, reading its own pages and writing through the real forms:
the form page is fetched, the form posted with the token, and the 303 followed like a browser.

- coordinator: the pages bench.run measures, over the same walks; adds an award to a student;
  edits a student's phone number (the edit form's own values posted back, the phone changed);
- partner: its dashboard, enterprise, projects, organizations and activities, mentorships,
  the records of students placed with it; records an activity; adds an award;
- mentor: its dashboard, mentorships and mentees' records, the due list; writes a mentoring log;
- student: its record (/me) and mentorships; acknowledges a mentoring log shown on /me.

Staff download a record PDF now and then, students their own. Every request is recorded with
its kind (sign-in, read, write, pdf); a read must answer 200, a write 303. What was recorded
is written, when locust quits, to the plan's ``samples_file`` for bench/load.py to report.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gevent.event
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

from bench.load import PDF, PLAN_VARIABLE, READ, SIGN_IN, WRITE

PLAN: dict[str, Any] = json.loads(Path(os.environ[PLAN_VARIABLE]).read_text())
# An acknowledgment form's action, absolute or not.
ACKNOWLEDGE = re.compile(r'action="(?:https?://[^/"]+)?(/mentorships/\d+/logs/\d+/acknowledge)"')
FAILURES_KEPT = 3  # messages kept per request name

# --- what is recorded ---------------------------------------------------------------------

times: defaultdict[str, list[float]] = defaultdict(list)
kinds: dict[str, str] = {}
errors: Counter[str] = Counter()
failures: defaultdict[str, list[str]] = defaultdict(list)
accepted: Counter[str] = Counter()


@events.request.add_listener
def record(
    name: str, response_time: float, context: dict[str, Any], exception: Any, **_: Any
) -> None:
    times[name].append(response_time)
    kinds[name] = context.get("kind", READ)
    if exception is not None:
        errors[name] += 1
        if len(failures[name]) < FAILURES_KEPT:
            failures[name].append(str(exception)[:300])
    elif "write" in context:
        accepted[context["write"]] += 1


@events.quitting.add_listener
def save(**_: Any) -> None:
    requests = {
        name: {"kind": kinds[name], "times": values, "errors": errors[name]}
        for name, values in times.items()
    }
    document = {"requests": requests, "failures": failures, "accepted": accepted}
    Path(PLAN["samples_file"]).write_text(json.dumps(document, ensure_ascii=False))


# --- forms as a browser submits them ------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of each <form> of a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({})
        if not self.forms:
            return
        fields, name = self.forms[-1], a.get("name")
        if tag == "option":
            if self._select and "selected" in a:
                fields[self._select] = a.get("value", "")
        elif name is None:
            return
        elif tag == "input":
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def main_form(html: str) -> dict[str, str]:
    """The page's main form (the one with the most fields: not the header's sign-out)."""
    parser = FormFields()
    parser.feed(html)
    return max(parser.forms, key=len) if parser.forms else {}


# --- the users --------------------------------------------------------------------------------

# Each user takes the next account of its role; all sign in at the same moment.
accounts = {role: iter(PLAN["accounts"][role]) for role in PLAN["users"]}
TOTAL_USERS = sum(PLAN["users"].values())
everyone_spawned = gevent.event.Event()
spawned = itertools.count(1)


class PortalUser(FastHttpUser):
    """A signed-in user of one role; subclasses add its tasks."""

    abstract = True
    role = ""
    wait_time = between(*PLAN["wait"])
    network_timeout = 300.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        account = next(accounts[self.role])
        self.plan: dict[str, Any] = account
        if next(spawned) >= TOTAL_USERS:
            everyone_spawned.set()
        everyone_spawned.wait()
        self.read("login page", "/login")
        form = {"username": account["username"], "password": PLAN["password"]}
        if self.post(SIGN_IN, "sign-in", "/login", form, write=None) is None:
            raise StopUser()

    # --- requests ------------------------------------------------------------------------------

    def csrf_token(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def call(
        self, kind: str, name: str, method: str, path: str, expect: tuple[int, ...], **options: Any
    ) -> Any:
        """One request, recorded under ``name``: its response, or None when its status is not
        one of ``expect`` or it redirects to the sign-in page (then counted as an error)."""
        context = {"kind": kind, **options.pop("context", {})}
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False,
            context=context, **options,
        ) as response:  # fmt: skip
            location = response.headers.get("location", "") if response.headers else ""
            if response.status_code not in expect or "/login" in location:
                response.failure(
                    f"{method} {path}: {response.status_code} (expected {expect[0]})"
                    f"{' -> ' + location if location else ''}"
                )
                return None
            response.success()
            return response

    def navigate(self, name: str, path: str, hops: int = 3) -> None:
        """A page reached through a redirect, followed as a browser follows it (/ sends a
        student on to /me)."""
        for _ in range(hops):
            response = self.call(READ, name, "GET", path, (200, 302, 303))
            if response is None or response.status_code == 200:
                return
            path = response.headers["location"]

    def read(self, name: str, path: str, kind: str = READ) -> str | None:
        response = self.call(kind, name, "GET", path, (200,))
        return response.text if response is not None else None

    def post(
        self, kind: str, name: str, path: str, fields: dict[str, str], write: str | None
    ) -> Any:
        """Posts a form with the session's CSRF token, as a browser does; on 303 follows the
        redirect (a read)."""
        data = {**fields, "csrftoken": self.csrf_token()}
        context = {"write": write} if write else {}
        response = self.call(kind, name, "POST", path, (303,), data=data, context=context)
        if response is not None:
            target = response.headers.get("location", "")
            self.navigate("page after a write" if write else "page after sign-in", target)
        return response

    def submit(self, write: str, form_path: str, fields: dict[str, str], action: str = "") -> None:
        """Opens the form page, then posts ``fields`` to it (or to ``action``)."""
        if self.read(f"{write} form", form_path) is not None:
            self.post(WRITE, write, action or form_path, fields, write)

    def pdf(self, path: str) -> None:
        self.call(PDF, "record PDF", "GET", path, (200,))


def today() -> str:
    return dt.date.today().isoformat()


def pick(values: list[Any]) -> Any:
    return random.choice(values)


def student_of(path: str) -> str:
    """/students/123 → 123."""
    return path.rsplit("/", 1)[1]


class Coordinator(PortalUser):
    """College staff: the measured pages over bench.run's walks, awards, student edits."""

    role = "coordinator"
    fixed_count = PLAN["users"]["coordinator"]

    def on_start(self) -> None:
        super().on_start()
        index = int(self.plan["username"].rsplit("-", 1)[1]) - 1
        # Each coordinator edits its own students, each once: every accepted edit is a row.
        self.editable = iter(PLAN["editable_students"][index :: self.fixed_count])
        self.edits = itertools.count()

    @task(40)
    def browse(self) -> None:
        name = pick(list(PLAN["walks"]))
        self.read(name, pick(PLAN["walks"][name]))

    @task(2)
    def add_award(self) -> None:
        student = student_of(pick(PLAN["walks"]["student record"]))
        fields = {
            "kind": "competition",
            "name": "负载测试技能竞赛",
            "level": "school",
            "rank": "一等奖",
            "awarded_on": today(),
        }
        self.submit("award by coordinator", f"/students/{student}/awards/new", fields)

    @task(2)
    def edit_student(self) -> None:
        student = next(self.editable, None)
        if student is None:
            return
        html = self.read("student edit form", f"/students/{student}/edit")
        if html is None:
            return
        fields = main_form(html)
        fields.pop("csrftoken", None)
        fields["phone"] = f"{PLAN['edited_phone_prefix']}{next(self.edits) % 10_000:04d}"
        self.post(WRITE, "student edit", f"/students/{student}/edit", fields, "student edit")

    @task(1)
    def record_pdf(self) -> None:
        self.pdf(pick(PLAN["walks"]["student record"]) + "/record.pdf")


class Partner(PortalUser):
    """An enterprise's party branch: its own enterprise, projects, organizations, students."""

    role = "partner"
    fixed_count = PLAN["users"]["partner"]

    @task(4)
    def dashboard(self) -> None:
        self.read("dashboard", "/")

    @task(2)
    def enterprise(self) -> None:
        self.read("enterprise detail", f"/enterprises/{self.plan['enterprise']}")

    @task(2)
    def projects(self) -> None:
        self.read("projects", "/projects/")

    @task(4)
    def project(self) -> None:
        self.read("project detail", f"/projects/{pick(self.plan['projects'])}")

    @task(2)
    def organization(self) -> None:
        self.read("organization detail", f"/organizations/{pick(list(self.plan['organizations']))}")

    @task(2)
    def activities(self) -> None:
        organization = pick(list(self.plan["organizations"]))
        self.read("activities", f"/organizations/{organization}/activities/")

    @task(3)
    def mentorships(self) -> None:
        self.read("mentorships", "/mentorships/")

    @task(2)
    def mentorship(self) -> None:
        self.read("mentorship detail", f"/mentorships/{pick(self.plan['assignments'])}")

    @task(6)
    def student_record(self) -> None:
        self.read("student record", f"/students/{pick(self.plan['students'])}/record")

    @task(2)
    def talent_pool(self) -> None:
        self.read("talent pool", "/talent-pool/")

    @task(2)
    def record_activity(self) -> None:
        organization, units = pick(list(self.plan["organizations"].items()))
        fields = {
            "kind": "joint_study",
            "title": "负载测试联学联建活动",
            "held_on": today(),
            "place": "党员活动室",
            "host_unit": str(pick(units)),
            "summary": "学习研讨。",
        }
        self.submit("activity", f"/organizations/{organization}/activities/new", fields)

    @task(2)
    def add_award(self) -> None:
        student = pick(self.plan["students"])
        fields = {
            "kind": "honour",
            "name": "负载测试优秀实习生",
            "level": "municipal",
            "rank": "",
            "awarded_on": today(),
        }
        self.submit("award by partner", f"/students/{student}/awards/new", fields)

    @task(1)
    def record_pdf(self) -> None:
        self.pdf(f"/students/{pick(self.plan['students'])}/record.pdf")


class Mentor(PortalUser):
    """A college or enterprise mentor: its mentees, their records, mentoring logs."""

    role = "mentor"
    fixed_count = PLAN["users"]["mentor"]

    @task(4)
    def dashboard(self) -> None:
        self.read("dashboard", "/")

    @task(4)
    def mentorships(self) -> None:
        self.read("mentorships", "/mentorships/")

    @task(6)
    def mentorship(self) -> None:
        self.read("mentorship detail", f"/mentorships/{pick(self.plan['assignments'])}")

    @task(6)
    def student_record(self) -> None:
        self.read("student record", f"/students/{pick(self.plan['students'])}/record")

    @task(2)
    def talent_pool(self) -> None:
        self.read("talent pool", "/talent-pool/")

    @task(2)
    def due_list(self) -> None:
        self.read("due list", "/talent-pool/due")

    @task(4)
    def write_log(self) -> None:
        assignment = pick(self.plan["assignments"])
        fields = {
            "held_on": today(),
            "mode": "online",
            "topic": "负载测试线上指导",
            "content": "讨论实习进展。",
            "hours": "1",
        }
        self.submit("mentoring log", f"/mentorships/{assignment}/logs/new", fields)

    @task(1)
    def record_pdf(self) -> None:
        self.pdf(f"/students/{pick(self.plan['students'])}/record.pdf")


class Student(PortalUser):
    """A student: its own record and mentorships; acknowledges its mentors' logs."""

    role = "student"
    fixed_count = PLAN["users"]["student"]

    @task(8)
    def my_record(self) -> None:
        self.read("my record", "/me")

    @task(3)
    def mentorship(self) -> None:
        self.read("mentorship detail", f"/mentorships/{pick(self.plan['assignments'])}")

    @task(3)
    def acknowledge_log(self) -> None:
        """Acknowledges the first log /me offers to (each log once: every accepted
        acknowledgment is a row)."""
        html = self.read("my record", "/me")
        actions = ACKNOWLEDGE.findall(html or "")
        if actions:
            fields = {"next": "/me"}
            self.post(WRITE, "log acknowledgment", actions[0], fields, "log acknowledgment")

    @task(1)
    def record_pdf(self) -> None:
        self.pdf("/me/record.pdf")
