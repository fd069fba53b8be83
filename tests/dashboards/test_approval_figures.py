"""Approval windows counted: per approver and per department, met, breached and still running,
on the department dashboard, its export and the scorecard (dashboards.approvals)."""

from datetime import date

import pytest
from django.urls import reverse

from dashboards.approvals import by_approver, by_department, department_approvers
from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from departments.models import Membership
from tests.factories import MembershipFactory
from tests.support.clock import at
from tickets import services

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 29))
QUERY = {"period": "custom", "from": "2026-11-23", "to": "2026-11-29"}
NOW = at(25, 14)


def text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def file_purchase(purchase, staff, sales, when, clock_at):
    clock_at(when)
    return services.ticket_file(requester=staff, service=purchase, customer=sales, title="Desk")


def decide(ticket, position, by, when, clock_at):
    clock_at(when)
    approval = ticket.approvals.get(position=position)
    services.approval_decide(approval_id=approval.pk, by=by, approve=True)


@pytest.fixture
def approvals_week(agreement, purchase, staff, sales, head, cfo, company, clock_at):
    """The head of Finance: one step met, one breached, one running; the CFO: one breached."""
    MembershipFactory(user=cfo, department=company, role=Membership.Role.MEMBER)
    on_time = file_purchase(purchase, staff, sales, at(23, 9), clock_at)
    decide(on_time, 1, head, at(23, 11), clock_at)  # due 24 09:30
    decide(on_time, 2, cfo, at(25, 13), clock_at)  # due 25 12:00: late
    file_purchase(purchase, staff, sales, at(23, 10), clock_at)  # due 24 10:30, never decided
    file_purchase(purchase, staff, sales, at(25, 13, 30), clock_at)  # due 26 14:00
    clock_at(NOW)


def test_each_approver_counts_met_breached_and_running_windows(approvals_week, head, cfo):
    figures = by_approver(WEEK, NOW)

    mine = figures[head.pk]
    assert (mine.met, mine.breached, mine.pending, mine.rate) == (1, 1, 1, 50.0)
    assert (figures[cfo.pk].met, figures[cfo.pk].breached) == (0, 1)


def test_a_step_waiting_past_its_due_time_is_breached_before_the_scan_flags_it(
    approvals_week, head
):
    assert by_approver(WEEK, at(24, 10, 29))[head.pk].breached == 0
    assert by_approver(WEEK, at(24, 10, 31))[head.pk].breached == 1


def test_steps_of_another_period_are_not_counted(approvals_week):
    assert by_approver(Period("custom", date(2026, 11, 30), date(2026, 12, 6)), NOW) == {}


def test_a_department_counts_the_approvals_of_its_members(approvals_week, finance, company, head):
    departments = by_department(WEEK, NOW)

    assert (departments[finance.pk].met, departments[finance.pk].breached) == (1, 1)
    assert (departments[company.pk].met, departments[company.pk].breached) == (0, 1)
    assert [row.approver for row in department_approvers(finance, WEEK, NOW)] == [head]


def test_the_scorecard_shows_approval_figures_beside_each_score(approvals_week, finance):
    rows = {row.department: row for row in scorecard(company_facts(WEEK, NOW))}

    approval = rows[finance].approval
    assert (approval.met, approval.breached, approval.pending) == (1, 1, 1)


def test_the_dashboard_lists_the_departments_approvers(client, approvals_week, head, finance):
    client.force_login(head)

    page = client.get(reverse("dashboards:department", args=[finance.code]), QUERY)

    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="approvals-heading"' in body
    assert '<th scope="row">Fang Liu</th><td>1</td><td>1</td><td>1</td><td>50.0 %</td>' in body


def test_the_dashboard_says_so_when_no_approval_was_asked(client, agreement, head, finance):
    client.force_login(head)

    page = client.get(reverse("dashboards:department", args=[finance.code]), QUERY)

    assert "No approval step with a window was asked" in page.content.decode()


def test_the_approvers_table_downloads_with_the_same_rounding(
    client, approvals_week, head, finance
):
    client.force_login(head)

    response = client.get(
        reverse("dashboards:export", args=[finance.code, "approvals", "csv"]), QUERY
    )

    lines = text(response).splitlines()
    assert lines[0].startswith("Approver,Username,Approvals met,Approvals breached")
    assert lines[1] == "Fang Liu,head,1,1,1,50.0"


def test_the_approvers_of_a_department_are_hidden_from_who_may_not_see_its_dashboard(
    client, approvals_week, staff, outsider, finance
):
    for person in (staff, outsider):
        client.force_login(person)
        url = reverse("dashboards:export", args=[finance.code, "approvals", "csv"])

        assert client.get(url, QUERY).status_code == 404


def test_the_scorecard_export_has_the_approval_columns(client, approvals_week, hr, finance):
    client.force_login(hr)

    response = client.get(reverse("dashboards:scorecard_export", args=["scorecard", "csv"]), QUERY)

    header, *rows = text(response).splitlines()
    assert header.endswith(
        "Approvals met,Approvals breached,Approvals pending,Approval compliance (%)"
    )
    assert next(r for r in rows if ",Finance," in r).endswith(",1,1,1,50.0")


def test_the_approvals_section_reads_in_chinese(client, approvals_week, head, finance):
    client.force_login(head)

    page = client.get(
        reverse("dashboards:department", args=[finance.code]),
        QUERY,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    assert '<th scope="col">审批人</th><th scope="col">按时</th><th scope="col">超时</th>' in page


def test_the_scorecard_api_serves_the_approval_figures_of_the_page(
    client, approvals_week, hr, finance
):
    client.force_login(hr)

    body = client.get("/api/scorecard/", QUERY).json()

    row = next(r for r in body["results"] if r["department"]["code"] == finance.code)
    assert row["approval"] == {"met": 1, "breached": 1, "pending": 1, "rate": 50.0}
