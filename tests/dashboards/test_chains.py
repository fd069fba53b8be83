"""Who was late in a chain (Rules of the clock 10), and the kind of relationship as a filter.

Sales asks Finance for a payroll extract (P2) on Monday 23 November 2026 at 09:00; Finance's
`agent` acknowledges it at 09:30 and at 10:00 hands a new laptop off to IT (P1: 1 h / 4 h), under
IT's process agreement with Finance; the Finance-Sales agreement (functional) pauses its clock
while it waits. IT resolves the laptop at 16:00, late on both targets (first response due
11:00, resolution due 15:30): 4.5 working hours. Finance resolves the payroll extract on Tuesday
at 10:00, well before its resolution is due (Tuesday 15:30: 8 h, plus the 4.5 h paused): 8.5
working hours from 09:00 less the 4.5 h IT had the laptop, 4 h."""

from datetime import date

import pytest
from django.urls import reverse

from agreements.models import Priority
from dashboards.exports import dashboard_rows
from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from dashboards.selectors import CUSTOMER, SUPPLIER, department_dashboard
from tests.support.clock import HOUR, at
from tickets import hand_offs, services
from tickets.workflow import Action

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 27))
QUERY = {"period": "custom", "from": "2026-11-23", "to": "2026-11-27"}


def act(ticket, by, action, when, clock_at):
    clock_at(when)
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=None
    )


@pytest.fixture
def chain(pausing, payroll_extract, file_request, agent, it_agent, laptop, it_agreement, clock_at):
    clock_at(at(23, 9))
    parent = file_request(payroll_extract, priority=Priority.P2)
    act(parent, agent, Action.ACKNOWLEDGE, at(23, 9, 30), clock_at)
    clock_at(at(23, 10))
    child = hand_offs.ticket_open_child(
        parent_id=parent.pk, by=agent, service=laptop, title="Laptop", priority=Priority.P1
    )
    act(child, it_agent, Action.RESOLVE, at(23, 16), clock_at)
    act(parent, agent, Action.RESOLVE, at(24, 10), clock_at)
    clock_at(at(25, 9))
    parent.refresh_from_db()
    child.refresh_from_db()
    return parent, child


def test_a_finished_chain_splits_its_working_time_per_department(chain, finance, it):
    parent, child = chain

    [found] = department_dashboard(finance, SUPPLIER, WEEK, at(25, 9)).chains

    assert found.parent == parent and found.finished_at == at(24, 10)
    assert [(s.department, s.reference, s.working_time, s.met) for s in found.segments] == [
        (finance, parent.reference, 4 * HOUR, True),
        (it, child.reference, 4.5 * HOUR, False),
    ]
    assert found.late == [it]


def test_the_chain_shows_on_the_dashboards_of_each_department_of_it(chain, it, sales, finance):
    assert department_dashboard(it, SUPPLIER, WEEK, at(25, 9)).chains
    assert department_dashboard(sales, CUSTOMER, WEEK, at(25, 9)).chains
    assert not department_dashboard(sales, SUPPLIER, WEEK, at(25, 9)).chains
    assert not department_dashboard(finance, CUSTOMER, WEEK, at(25, 9)).chains


def test_a_chain_not_finished_in_the_period_is_not_shown(chain, finance):
    before = Period("custom", date(2026, 11, 16), date(2026, 11, 23))

    assert department_dashboard(finance, SUPPLIER, before, at(25, 9)).chains == []


def test_a_detached_hand_off_leaves_the_chain(
    pausing, payroll_extract, file_request, agent, laptop, it_agreement, finance, clock_at
):
    clock_at(at(23, 9))
    parent = file_request(payroll_extract, priority=Priority.P2)
    clock_at(at(23, 10))
    child = hand_offs.ticket_open_child(parent_id=parent.pk, by=agent, service=laptop, title="L")
    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=child.pk, by=agent)
    act(parent, agent, Action.RESOLVE, at(23, 11), clock_at)

    assert department_dashboard(finance, SUPPLIER, WEEK, at(25, 9)).chains == []


def test_the_dashboard_page_and_its_export_show_the_chains(client, chain, head, finance):
    parent, child = chain
    client.force_login(head)

    page = client.get(reverse("dashboards:department", args=[finance.code]), QUERY)
    export = client.get(reverse("dashboards:export", args=[finance.code, "chains", "csv"]), QUERY)

    assert "Chains in this period" in page.text and child.reference in page.text
    assert export.status_code == 200 and parent.reference in b"".join(
        export.streaming_content
    ).decode("utf-8-sig")
    rows = list(dashboard_rows(department_dashboard(finance, SUPPLIER, WEEK, at(25, 9)), "chains"))
    assert rows[1][2:] == [parent.reference, "Finance", 4, True]
    assert rows[2][2:5] == [child.reference, "IT", 4.5]


def test_the_dashboard_is_filtered_by_kind_of_relationship(chain, it, finance):
    process = department_dashboard(it, SUPPLIER, WEEK, at(25, 9), "process")
    hierarchical = department_dashboard(it, SUPPLIER, WEEK, at(25, 9), "hierarchical")
    functional = department_dashboard(finance, SUPPLIER, WEEK, at(25, 9), "functional")

    assert process.summary.received == 1 and hierarchical.summary.received == 0
    assert functional.summary.received == 1 and functional.chains
    assert department_dashboard(finance, SUPPLIER, WEEK, at(25, 9), "process").chains == []


def test_the_dashboard_page_keeps_the_kind_in_its_links(client, chain, head, finance):
    client.force_login(head)

    page = client.get(
        reverse("dashboards:department", args=[finance.code]), {**QUERY, "kind": "process"}
    )

    assert page.context["dashboard"].summary.received == 0
    assert "kind=process" in page.text
    wrong = client.get(
        reverse("dashboards:department", args=[finance.code]), {**QUERY, "kind": "cousins"}
    )
    assert wrong.status_code == 200 and wrong.context["kind"] == ""


def test_the_scorecard_is_filtered_by_kind_of_relationship(client, chain, head, it, finance):
    rows = {r.department: r for r in scorecard(company_facts(WEEK, at(25, 9), "process"))}

    assert rows[it].current.received == 1 and rows[finance].current.received == 0
    client.force_login(head)
    page = client.get(reverse("dashboards:scorecard"), {**QUERY, "kind": "process"})
    assert page.status_code == 200 and page.context["kind"] == "process"
