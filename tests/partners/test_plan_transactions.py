"""Work plans and their items, without HTTP: what is written and audited, what is overdue, and
a plan found through its own organization only."""

from __future__ import annotations

import datetime

import pytest

from partners.organizations.plans import delete_item, delete_plan, save_item, save_plan, toggle_item
from partners.organizations.queries import plan_in, plan_item_in, plan_items
from portal.audit import Actor
from portal.domain_errors import NotVisible
from portal.tables import AuditEntry
from tests.support import make_organization, run

ACTOR = Actor(None, "test")
TODAY = datetime.date(2026, 11, 22)
PLAN = {"period": "quarterly", "year": 2026, "period_number": 4, "title": "第四季度工作计划"}


def audited(table_name: str) -> list[str]:
    rows = run(
        AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.table_name == table_name)
        .order_by(AuditEntry.id)
    )
    return [row["action"] for row in rows]


def test_a_plan_is_found_through_its_own_organization_only():
    organization_id, other = make_organization(), make_organization()
    plan_id = run(save_plan(ACTOR, organization_id, PLAN, None))
    assert run(plan_in(organization_id, plan_id)).title == "第四季度工作计划"
    with pytest.raises(NotVisible):
        run(plan_in(other, plan_id))


def test_items_are_kept_marked_done_and_overdue_as_of_a_day():
    organization_id = make_organization()
    plan = run(plan_in(organization_id, run(save_plan(ACTOR, organization_id, PLAN, None))))
    for content, due_on in (("后做", TODAY + datetime.timedelta(days=1)), ("逾期", TODAY)):
        values = {"content": content, "owner": "王委员", "due_on": due_on}
        run(save_item(ACTOR, plan, values, None))
    late, later = run(plan_items(plan.id, TODAY + datetime.timedelta(days=1)))
    assert (late.content, late.overdue, later.overdue) == ("逾期", True, False)
    assert run(toggle_item(ACTOR, late, TODAY)) is True
    done = run(plan_item_in(plan.id, late.id))
    assert done.done and done.done_on == TODAY
    assert not run(plan_items(plan.id, TODAY + datetime.timedelta(days=1)))[0].overdue
    assert run(toggle_item(ACTOR, done, TODAY)) is False
    assert run(plan_item_in(plan.id, late.id)).done_on is None
    run(delete_item(ACTOR, later))
    with pytest.raises(NotVisible):
        run(plan_item_in(plan.id, later.id))
    assert audited("partners_work_plan_item") == ["create", "create", "update", "update", "delete"]


def test_a_plan_is_changed_and_deleted_with_its_items():
    organization_id = make_organization()
    plan = run(plan_in(organization_id, run(save_plan(ACTOR, organization_id, PLAN, None))))
    run(save_plan(ACTOR, organization_id, {**PLAN, "title": "四季度计划"}, plan))
    changed = run(plan_in(organization_id, plan.id))
    assert changed.title == "四季度计划" and changed.period_number == 4
    item = {"content": "学习", "owner": "王委员", "due_on": TODAY}
    run(save_item(ACTOR, changed, item, None))
    run(delete_plan(ACTOR, changed))
    with pytest.raises(NotVisible):
        run(plan_in(organization_id, plan.id))
    assert run(plan_items(plan.id, TODAY)) == []
    assert audited("partners_work_plan") == ["create", "update", "delete"]
