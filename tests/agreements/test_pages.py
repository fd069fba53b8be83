"""The catalogue, service and agreement pages, and the heads' sign-off through them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Priority
from departments.models import Membership
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory

HOURS = timedelta(hours=1)


@pytest.fixture
def payroll_extract(finance):
    return ServiceFactory(
        provider=finance,
        name="Payroll data extract",
        form_fields=[{"name": "month", "label": "Which month", "type": "date", "required": True}],
    )


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


@pytest.fixture
def calendar(db):
    return CalendarFactory(name="China office")


@pytest.fixture
def draft(head, finance, sales, payroll_extract, calendar):
    return services.agreement_save_draft(
        agreement=Agreement(provider=finance, title="Finance for Sales", calendar=calendar),
        by=head,
        revision=None,
        services=[payroll_extract],
        customers=[sales],
        targets={Priority.P2: (4 * HOURS, timedelta(hours=22, minutes=30))},
    )


@pytest.fixture
def proposal(draft, head):
    return services.agreement_propose(agreement_id=draft.pk, by=head, revision=draft.revision)


@pytest.fixture
def in_force(proposal, sales_head, sales):
    return services.agreement_accept(
        agreement_id=proposal.pk, by=sales_head, department=sales, revision=proposal.revision
    )


def draft_form(calendar, payroll_extract, sales, **overrides):
    data = {
        "title": "Finance for Sales",
        "relationship": "functional",
        "calendar": calendar.pk,
        "services": [payroll_extract.pk],
        "customers": [sales.pk],
        "warning_threshold": 75,
        "valid_from": "2026-12-01",
        "first_response_P1": "1",
        "resolution_P1": "4",
    }
    data.update(overrides)
    return data


def test_the_catalogue_lists_services_by_provider(client, staff, payroll_extract):
    client.force_login(staff)

    page = client.get(reverse("agreements:catalogue")).content.decode()

    assert "Payroll data extract" in page
    assert "Finance" in page


def test_the_catalogue_filters_by_provider_and_search(client, staff, payroll_extract, sales):
    ServiceFactory(provider=sales, name="Pricing quote")
    client.force_login(staff)

    by_provider = client.get(reverse("agreements:catalogue"), {"provider": "FIN"})
    by_search = client.get(reverse("agreements:catalogue"), {"q": "pricing"})

    assert list(by_provider.context["page"].object_list) == [payroll_extract]
    assert [s.name for s in by_search.context["page"].object_list] == ["Pricing quote"]


def test_the_catalogue_hides_inactive_services(client, staff, finance):
    ServiceFactory(provider=finance, name="Retired service", is_active=False)
    client.force_login(staff)

    assert "Retired service" not in client.get(reverse("agreements:catalogue")).content.decode()


def test_the_catalogue_costs_the_same_queries_for_many_services(
    client, staff, finance, django_assert_max_num_queries
):
    for _ in range(25):
        ServiceFactory(provider=finance)
    client.force_login(staff)

    with django_assert_max_num_queries(8):
        client.get(reverse("agreements:catalogue"))


def test_the_service_page_shows_targets_in_working_hours(client, staff, in_force, payroll_extract):
    client.force_login(staff)

    page = client.get(payroll_extract.get_absolute_url()).content.decode()

    assert "4 working hours" in page
    assert "22.5 working hours" in page
    assert "Which month" in page
    assert "A disputed breach is decided by the customer's head within 16 working hours." in page


def test_the_service_page_says_when_no_agreement_is_in_force(client, staff, payroll_extract):
    client.force_login(staff)

    page = client.get(payroll_extract.get_absolute_url()).content.decode()

    assert "No agreement is in force for this service" in page


def test_the_department_page_shows_what_it_supplies_and_whom_it_serves(client, staff, in_force):
    client.force_login(staff)

    finance_page = client.get(reverse("departments:detail", args=["FIN"])).content.decode()
    sales_page = client.get(reverse("departments:detail", args=["SALES"])).content.decode()

    assert "Payroll data extract" in finance_page
    assert 'href="/departments/SALES/"' in finance_page.split("Serves")[1]
    assert 'href="/departments/FIN/"' in sales_page.split("Served by")[1]


def test_a_head_drafts_an_agreement_on_the_page(client, head, calendar, payroll_extract, sales):
    client.force_login(head)

    response = client.post(
        reverse("agreements:create", args=["FIN"]), draft_form(calendar, payroll_extract, sales)
    )

    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == agreement.get_absolute_url()
    assert agreement.target_for(Priority.P1).resolution == 4 * HOURS
    assert agreement.status == Agreement.Status.DRAFT


def test_a_draft_form_with_half_a_target_shows_the_error(
    client, head, calendar, payroll_extract, sales
):
    client.force_login(head)

    response = client.post(
        reverse("agreements:create", args=["FIN"]),
        draft_form(calendar, payroll_extract, sales, resolution_P1=""),
    )

    assert response.status_code == 400
    assert "Give both targets of a priority, or neither." in response.content.decode()
    assert not Agreement.objects.exists()


def test_someone_who_is_not_the_head_cannot_open_the_draft_page(client, agent, finance):
    client.force_login(agent)

    response = client.get(reverse("agreements:create", args=["FIN"]))

    assert response.status_code == 403
    assert "Only the head of Finance drafts its agreements." in response.content.decode()


def test_editing_a_draft_someone_else_changed_meanwhile_is_a_conflict(
    client, head, draft, calendar, payroll_extract, sales
):
    client.force_login(head)
    form = draft_form(calendar, payroll_extract, sales, revision=draft.revision - 1)

    response = client.post(reverse("agreements:edit", args=[draft.pk]), form)

    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()


@pytest.mark.parametrize("revision", ["²", "abc", "99999999999999999999999", "-1", ""])
def test_a_malformed_revision_reads_as_a_stale_page_not_a_server_error(
    client, head, draft, calendar, payroll_extract, sales, revision
):
    client.force_login(head)
    before = draft.revision
    form = {**draft_form(calendar, payroll_extract, sales), "revision": revision}

    response = client.post(reverse("agreements:edit", args=[draft.pk]), form)

    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.revision == before  # nothing saved


def test_the_head_proposes_and_the_customer_head_accepts_on_the_page(
    client, head, sales_head, draft, sales
):
    client.force_login(head)
    client.post(reverse("agreements:propose", args=[draft.pk]), {"revision": draft.revision})
    draft.refresh_from_db()
    client.force_login(sales_head)
    assert "Awaiting your signature" in client.get(reverse("agreements:list")).content.decode()

    response = client.post(
        reverse("agreements:accept", args=[draft.pk]),
        {"revision": draft.revision, "department": "SALES"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Agreement.Status.ACTIVE
    assert "Accepted." in response.content.decode()


def test_rejecting_on_the_page_without_a_comment_says_why_it_failed(client, sales_head, proposal):
    client.force_login(sales_head)

    response = client.post(
        reverse("agreements:reject", args=[proposal.pk]),
        {"revision": proposal.revision, "department": "SALES", "comment": ""},
        follow=True,
    )

    assert "Say why you reject the proposal" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Agreement.Status.PROPOSED


def test_a_staff_member_posting_an_acceptance_gets_403(client, staff, proposal):
    client.force_login(staff)

    response = client.post(
        reverse("agreements:accept", args=[proposal.pk]),
        {"revision": proposal.revision, "department": "SALES"},
    )

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Agreement.Status.PROPOSED
    assert not proposal.sign_offs.exists()


def test_the_agreement_page_shows_the_timeline_with_the_rejection_reason(
    client, head, sales_head, proposal, sales
):
    services.agreement_reject(
        agreement_id=proposal.pk,
        by=sales_head,
        department=sales,
        revision=proposal.revision,
        comment="P2 in four hours is too slow.",
    )
    client.force_login(head)

    page = client.get(proposal.get_absolute_url()).content.decode()

    assert "P2 in four hours is too slow." in page
    assert "Edit draft" in page


def test_a_draft_is_404_for_someone_outside_the_provider(client, staff, outsider, draft):
    for person in (staff, outsider):
        client.force_login(person)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(reverse("agreements:edit", args=[draft.pk])).status_code == 404
        response = client.post(reverse("agreements:propose", args=[draft.pk]), {"revision": 1})
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT


def test_an_agreement_in_force_is_readable_by_everyone(client, outsider, in_force):
    client.force_login(outsider)

    response = client.get(in_force.get_absolute_url())

    assert response.status_code == 200
    assert in_force.title in response.content.decode()


def test_starting_a_new_version_on_the_page_keeps_the_old_one_in_force(client, head, in_force):
    client.force_login(head)

    response = client.post(
        reverse("agreements:new_version", args=[in_force.pk]), {"revision": in_force.revision}
    )

    new = Agreement.objects.get(version=2)
    assert response["Location"] == new.get_absolute_url()
    in_force.refresh_from_db()
    assert in_force.status == Agreement.Status.ACTIVE
