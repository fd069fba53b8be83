"""Approval windows counted: per approver and per department, met, breached and still running,
on the department dashboard, its export and the scorecard (dashboards.approvals)."""

import re
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.approvals import by_approver, by_department, department_approvers
from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from departments.models import Membership
from tests.factories import MembershipFactory
from tests.support.clock import at
from tests.support.dashboards import REQUESTS_QUERIES
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
    waiting = file_purchase(purchase, staff, sales, at(23, 10), clock_at)  # due 24 10:30, never
    running = file_purchase(purchase, staff, sales, at(25, 13, 30), clock_at)  # due 26 14:00
    clock_at(NOW)
    return {"on_time": on_time, "waiting": waiting, "running": running}


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
    body = re.sub(r"</?a[^>]*>", "", page.content.decode())  # the figures are links
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


# The requests behind each approval figure


def behind(client, department, **drill):
    url = reverse("dashboards:requests", args=[department.code])
    response = client.get(url, {**QUERY, **drill})
    assert response.status_code == 200
    return {ticket.pk for ticket in response.context["page"].object_list}, response


def test_each_approvers_figures_link_to_the_requests_behind_them(
    client, approvals_week, head, finance
):
    client.force_login(head)
    page = client.get(reverse("dashboards:department", args=[finance.code]), QUERY).text
    link = (
        reverse("dashboards:requests", args=[finance.code])
        + "?period=custom&amp;from=2026-11-23&amp;to=2026-11-29&amp;view=supplier"
        f"&amp;approval=breached&amp;approver={head.pk}"
    )
    assert link in page

    breached, response = behind(client, finance, approval="breached", approver=head.pk)
    met, _ = behind(client, finance, approval="met", approver=head.pk)
    running, _ = behind(client, finance, approval="pending", approver=head.pk)

    assert breached == {approvals_week["waiting"].pk}
    assert met == {approvals_week["on_time"].pk}
    assert running == {approvals_week["running"].pk}
    assert response.context["filter_labels"] == ["Approval windows: breached", "Approver: Fang Liu"]


def test_a_departments_approval_figures_link_to_its_members_requests(
    client, approvals_week, admin_user, finance, company
):
    client.force_login(admin_user)
    page = client.get(reverse("dashboards:department", args=[company.code]), QUERY).text

    assert '&amp;view=supplier&amp;approval=breached"' in page
    assert behind(client, company, approval="breached")[0] == {approvals_week["on_time"].pk}
    assert behind(client, finance, approval="breached")[0] == {approvals_week["waiting"].pk}
    assert behind(client, company, approval="met")[0] == set()


def test_an_approver_who_is_not_a_member_shows_nothing(client, approvals_week, head, cfo, finance):
    client.force_login(head)

    listed, response = behind(client, finance, approval="breached", approver=cfo.pk)

    assert listed == set()
    assert response.context["filter_labels"] == ["Approval windows: breached", "Approver: ?"]


def test_the_requests_behind_approval_figures_are_hidden_as_the_dashboard_is(
    client, approvals_week, staff, outsider, hr, finance
):
    url = reverse("dashboards:requests", args=[finance.code])
    for person in (staff, outsider):
        client.force_login(person)
        assert client.get(url, {**QUERY, "approval": "breached"}).status_code == 404
    client.force_login(hr)

    listed, response = behind(client, finance, approval="breached")

    assert listed == set()
    assert "this list shows only the requests you may open yourself" in response.text


def test_the_requests_behind_approval_figures_cost_the_same_queries(
    client, approvals_week, head, finance, purchase, staff, sales, clock_at,
    django_assert_max_num_queries,
):  # fmt: skip
    for hour in (10, 11, 15):
        file_purchase(purchase, staff, sales, at(23, hour), clock_at)
    clock_at(NOW)
    client.force_login(head)
    url = reverse("dashboards:requests", args=[finance.code])

    with django_assert_max_num_queries(REQUESTS_QUERIES):
        response = client.get(url, {**QUERY, "approval": "breached", "approver": head.pk})

    assert len(response.context["page"].object_list) == 4


def test_the_requests_behind_an_approval_figure_read_in_chinese(
    client, approvals_week, head, finance
):
    client.force_login(head)

    response = client.get(
        reverse("dashboards:requests", args=[finance.code]),
        {**QUERY, "approval": "pending", "approver": head.pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.context["filter_labels"] == ["审批时限：仍在计时", "审批人：Fang Liu"]


def dashboard_api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_serves_the_requests_behind_an_approval_figure(approvals_week, head, finance):
    query = {**QUERY, "approval": "met", "approver": head.pk}

    served = dashboard_api(head).get(f"/api/dashboards/{finance.code}/requests/", query)

    assert served.status_code == 200
    assert [r["id"] for r in served.json()["results"]] == [approvals_week["on_time"].pk]


def test_the_api_refuses_an_unknown_approval_outcome(approvals_week, head, finance):
    query = {**QUERY, "approval": "late", "approver": "someone"}

    answer = dashboard_api(head).get(f"/api/dashboards/{finance.code}/requests/", query)

    assert answer.status_code == 400
    assert set(answer.json()) >= {"approval", "approver"}


def test_nobody_else_reads_the_requests_behind_an_approval_figure_in_the_api(
    approvals_week, staff, outsider, finance
):
    for person in (staff, outsider):
        url = f"/api/dashboards/{finance.code}/requests/"
        assert dashboard_api(person).get(url, {"approval": "met"}).status_code == 404
