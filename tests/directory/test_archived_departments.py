"""A department archived by the directory sync stays on record, its agreements and requests
readable, but it no longer provides, files, signs or takes part in surveys."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.forms import AgreementForm
from surveys.audience import audience
from tests.support.clock import SHANGHAI
from tickets.forms import TicketForm
from tickets.services import TicketError


def archive(department):
    department.archived_at = timezone.now()
    department.save(update_fields=["archived_at"])


@pytest.mark.django_db
def test_an_archived_provider_leaves_the_catalogue_and_its_service_pages(
    client, staff, finance, payroll_extract
):
    archive(finance)
    client.force_login(staff)

    catalogue = client.get(reverse("agreements:catalogue"))

    assert payroll_extract.name not in catalogue.content.decode()
    assert finance not in catalogue.context["providers"]
    assert client.get(reverse("agreements:service", args=[payroll_extract.pk])).status_code == 404
    assert client.get(reverse("tickets:new", args=[payroll_extract.pk])).status_code == 404


@pytest.mark.django_db
def test_nothing_is_filed_with_an_archived_provider(
    agreement, finance, payroll_extract, file_request
):
    archive(finance)
    payroll_extract.refresh_from_db()

    with pytest.raises(TicketError, match="no longer offered"):
        file_request(payroll_extract)


@pytest.mark.django_db
def test_an_archived_department_files_nothing(
    agreement, staff, sales, payroll_extract, file_request
):
    archive(sales)

    assert list(TicketForm(service=payroll_extract, user=staff).fields["customer"].queryset) == []
    with pytest.raises(TicketError, match="Sales is archived"):
        file_request(payroll_extract)


@pytest.mark.django_db
def test_requests_and_agreements_of_an_archived_department_stay_readable(
    client, agreement, staff, head, finance, sales, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    archive(finance)
    archive(sales)

    client.force_login(staff)
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    client.force_login(head)
    assert client.get(reverse("agreements:agreement", args=[agreement.pk])).status_code == 200


@pytest.mark.django_db
def test_new_agreements_neither_come_from_nor_go_to_an_archived_department(
    client, head, finance, sales, human_resources
):
    archive(sales)

    customers = AgreementForm(provider=finance).fields["customers"].queryset
    assert sales not in customers and human_resources in customers
    archive(finance)
    client.force_login(head)
    assert client.get(reverse("agreements:create", args=["FIN"])).status_code == 404


@pytest.mark.django_db
def test_the_survey_audience_leaves_archived_departments_out(
    campaign, requests_filed, staff, sales, finance, human_resources
):
    filed = datetime(2026, 9, 15, 10, tzinfo=SHANGHAI)
    requests_filed(customer=sales, provider=finance, people=[staff], filed_at=filed)
    requests_filed(customer=sales, provider=human_resources, people=[staff], filed_at=filed)
    survey = campaign()
    period = {
        "since": datetime(2026, 7, 1, tzinfo=SHANGHAI),
        "until": datetime(2026, 10, 1, tzinfo=SHANGHAI),
    }
    assert len(audience(survey, **period)) == 2

    archive(finance)

    assert audience(survey, **period) == [(staff.pk, human_resources.pk, sales.pk)]


@pytest.mark.django_db
def test_the_admin_lists_archived_departments_apart(client, admin_user, finance, sales):
    archive(sales)
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:departments_department_changelist"), {"archived_at__isempty": "0"}
    )

    assert list(response.context["cl"].result_list) == [sales]
