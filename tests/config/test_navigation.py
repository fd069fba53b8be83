"""The main navigation shows each person only the pages they can use; a hidden link is no
permission, and the pages behind the hidden links still refuse as before."""

from datetime import date

import pytest
from django.urls import reverse

from agreements.models import ApprovalStep
from config.navigation import navigation_for
from departments.models import Delegation
from tests.support.clock import MONDAY_9AM
from tickets.models import Approval

OPTIONAL = {
    "Queue": "tickets:queue",
    "Approvals": "tickets:approvals",
    "Dashboards": "dashboards:index",
    "Surveys": "surveys:home",
    "Action plans": "feedback:plans",
    "Disputes": "disputes:list",
}
EVERYONE = {
    "My work": "home",
    "Services": "agreements:catalogue",
    "Agreements": "agreements:list",
    "My requests": "tickets:mine",
    "Departments": "departments:list",
}


def links_of(client, person) -> set[str]:
    """The optional links the navigation shows `person` on the requests list."""
    client.force_login(person)
    page = client.get(reverse("tickets:mine")).content.decode()
    nav = page.split('<nav class="main-nav"')[1].split("</nav>")[0]
    for label, name in EVERYONE.items():
        assert f'href="{reverse(name)}">{label}</a>' in nav, label
    return {label for label, name in OPTIONAL.items() if f'href="{reverse(name)}"' in nav}


@pytest.mark.parametrize(
    ("person", "links"),
    [
        ("staff", set()),
        ("outsider", set()),
        ("agent", {"Queue"}),
        ("head", {"Queue", "Approvals", "Dashboards", "Action plans", "Disputes"}),
        ("hr", {"Dashboards", "Surveys", "Action plans"}),
        ("admin_user", {"Queue", "Approvals", "Dashboards", "Surveys", "Action plans", "Disputes"}),
    ],
)
def test_each_role_sees_only_the_links_it_can_use(client, request, person, links):
    assert links_of(client, request.getfixturevalue(person)) == links


def test_a_named_approver_sees_approvals(client, outsider, payroll_extract):
    ApprovalStep.objects.create(
        service=payroll_extract, position=1, approver=ApprovalStep.Approver.PERSON, person=outsider
    )

    assert links_of(client, outsider) == {"Approvals"}


def test_a_delegate_of_a_head_sees_approvals_dashboards_plans_and_disputes_while_it_lasts(
    client, outsider, head, clock_at
):
    clock_at(MONDAY_9AM)
    Delegation.objects.create(
        person=head, delegate=outsider, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )

    during = links_of(client, outsider)
    clock_at(MONDAY_9AM.replace(day=30))
    after = links_of(client, outsider)

    assert during == {"Approvals", "Dashboards", "Action plans", "Disputes"}
    assert after == set()


def test_anyone_with_an_approval_to_decide_sees_approvals(
    client, outsider, agreement, purchase, file_request
):
    ticket = file_request(purchase)
    # A step left with someone who is no approver by role (say, named before they moved).
    Approval.objects.create(ticket=ticket, position=3, approver=outsider, current_since=MONDAY_9AM)

    assert links_of(client, outsider) == {"Approvals"}


def test_the_navigation_costs_one_query(head, django_assert_num_queries):
    with django_assert_num_queries(1):
        links = navigation_for(head)

    assert links.queue and links.approvals and links.dashboards and not links.surveys


# The pages behind hidden links still refuse ------------------------------------------------------


def test_the_queue_still_refuses_staff(client, staff):
    client.force_login(staff)

    page = client.get(reverse("tickets:queue")).content.decode()

    assert "you are neither in any department" in page


def test_a_dashboard_still_refuses_staff_and_agents(client, staff, agent, finance):
    for person in (staff, agent):
        client.force_login(person)

        response = client.get(reverse("dashboards:department", args=[finance.code]))

        assert response.status_code == 404


def test_the_survey_campaigns_still_refuse_everyone_but_hr(client, staff, agent, head):
    for person in (staff, agent, head):
        client.force_login(person)

        assert client.get(reverse("surveys:campaigns")).status_code == 404


def test_the_approvals_page_lists_nothing_to_someone_who_approves_nothing(
    client, staff, agreement, purchase, file_request
):
    file_request(purchase, title="New laptops")
    client.force_login(staff)

    response = client.get(reverse("tickets:approvals"))

    assert response.status_code == 200
    assert "New laptops" not in response.content.decode()
