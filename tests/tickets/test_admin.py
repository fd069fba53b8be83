"""The admin lists the breach scan's alerts, read-only, with their filters, and shows which have
had their notifications written."""

import pytest
from django.urls import reverse

from agreements.models import Priority
from tests.support.clock import at
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, TargetWarning


@pytest.fixture
def alerted(agreement, file_request, payroll_extract):
    """A request whose first response was missed (and its warning at 09:45 passed)."""
    ticket = file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    breach_scan(now=at(23, 10, 1))
    return ticket


@pytest.mark.parametrize("model", [Breach, TargetWarning])
def test_the_admin_lists_alerts_with_filters_and_whether_they_were_told(
    admin_client, alerted, model
):
    url = reverse(f"admin:tickets_{model._meta.model_name}_changelist")

    page = admin_client.get(url).content.decode()
    filtered = admin_client.get(url, {"target__exact": "first_response"}).content.decode()
    emptied = admin_client.get(url, {"target__exact": "approval"}).content.decode()

    assert str(alerted) in page and "Notified" in page
    assert 'id="changelist-filter"' in page and "By target" in page
    assert str(alerted) in filtered and str(alerted) not in emptied
    alert = model.objects.get()
    assert (
        admin_client.get(reverse(f"admin:tickets_{model._meta.model_name}_add")).status_code == 403
    )
    change = reverse(f"admin:tickets_{model._meta.model_name}_change", args=[alert.pk])
    assert admin_client.post(change, {"due_at": "2026-01-01"}).status_code == 403
    alert.refresh_from_db()
    assert alert.notified_at == at(23, 10, 1)
