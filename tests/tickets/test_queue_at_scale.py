"""The queue and "my requests" at scale: read by predicates their indexes serve (the provider
department the agent works, the requester), counted no further than anyone pages, and with the
same queries however many requests there are (bench/ticket_queue.py measures them at 1,000,000)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, ServiceFactory, UserFactory
from tickets import selectors


def queries_of(client, path: str, params: dict | None = None) -> int:
    client.get(path, params)  # the first read warms what is cached per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("page", "who", "params"),
    [
        ("tickets:queue", "agent", None),
        ("tickets:queue", "agent", {"priority": "P2", "page": "2"}),
        ("tickets:queue", "agent", {"assignee": "mine", "status": "new"}),
        ("tickets:mine", "staff", None),
        ("tickets:mine", "staff", {"status": "open", "page": "2"}),
    ],
)
def test_a_requests_list_costs_the_same_queries_for_10_and_60_requests(
    client, request, agreement, payroll_extract, file_request, page, who, params
):
    client.force_login(request.getfixturevalue(who))
    for _ in range(10):
        file_request(payroll_extract)
    few = queries_of(client, reverse(page), params)

    for _ in range(50):
        file_request(payroll_extract)
    many = queries_of(client, reverse(page), params)

    assert few == many


def test_a_long_queue_is_counted_only_up_to_the_cap(
    client, agent, agreement, payroll_extract, file_request, monkeypatch
):
    monkeypatch.setattr("common.pagination.COUNT_CAP", 50)
    for _ in range(60):
        file_request(payroll_extract)
    client.force_login(agent)

    first = client.get(reverse("tickets:queue"))
    last = client.get(reverse("tickets:queue"), {"page": "2"})

    assert first.context["page"].paginator.count == 50
    assert first.context["page"].paginator.capped
    assert "Page 1 of more than 2" in first.content.decode()
    assert len(last.context["page"].object_list) == 25
    assert "More than 50 requests match; narrow the list" in last.content.decode()


def test_a_short_queue_says_how_many_pages_it_has(
    client, agent, agreement, payroll_extract, file_request
):
    for _ in range(30):
        file_request(payroll_extract)
    client.force_login(agent)

    page = client.get(reverse("tickets:queue")).content.decode()

    assert "Page 1 of 2" in page
    assert "more than" not in page


def test_the_queue_of_a_department_is_empty_for_someone_who_does_not_work_it(
    agreement, payroll_extract, file_request, finance, sales, staff, head
):
    file_request(payroll_extract)
    customer_head = sales.head  # who accepted the agreement for Sales
    assert customer_head is not None

    for person in (staff, customer_head):
        assert not selectors.queue(person, finance, selectors.QueueFilters()).exists()
    assert selectors.queue(head, finance, selectors.QueueFilters()).count() == 1


def test_an_administrator_works_every_queue(agreement, payroll_extract, file_request, finance):
    file_request(payroll_extract)
    admin = UserFactory(username="root", is_superuser=True)

    assert selectors.queue(admin, finance, selectors.QueueFilters()).count() == 1


def test_an_agent_asking_for_another_departments_queue_gets_their_own(
    client, agent, agreement, payroll_extract, file_request
):
    other = DepartmentFactory(code="LEGAL", name="Legal")
    ServiceFactory(provider=other, name="Contract review")
    file_request(payroll_extract, title="Visible to Finance")
    client.force_login(agent)

    response = client.get(reverse("tickets:queue"), {"department": "LEGAL"})

    assert response.context["department"].code == "FIN"
    assert "Visible to Finance" in response.content.decode()


def test_my_requests_lists_only_what_i_filed(
    client, agent, staff, agreement, payroll_extract, file_request, sales
):
    MembershipFactory(user=agent, department=sales, role=Membership.Role.MEMBER)
    file_request(payroll_extract, title="Filed by staff")
    file_request(payroll_extract, title="Filed by the agent", requester=agent)
    client.force_login(agent)

    page = client.get(reverse("tickets:mine")).content.decode()

    assert "Filed by the agent" in page
    assert "Filed by staff" not in page
