"""The outbox admin lists everything Accord sends, read-only, filtered by state and kind; failed
messages can be sent again, by those allowed to change messages."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from outbox.models import Message
from tests.factories import UserFactory
from tickets import letters

CHANGELIST = reverse("admin:outbox_message_changelist")


@pytest.fixture
def filed(agreement, agent, head, file_request, payroll_extract):
    """A request's two new-request e-mails, waiting in the outbox; the one to the agent failed
    for good."""
    file_request(payroll_extract, title="October payroll")
    messages = Message.objects.filter(kind=letters.FILED)
    messages.filter(recipient=agent).update(
        state=Message.State.FAILED, attempts=5, last_error="SMTPRecipientsRefused"
    )
    return messages


def test_the_admin_lists_messages_with_their_state_and_filters(admin_client, filed, agent, head):
    to_agent, to_head = (
        reverse("admin:outbox_message_change", args=[filed.get(recipient=person).pk])
        for person in (agent, head)
    )

    page = admin_client.get(CHANGELIST).content.decode()
    failed = admin_client.get(CHANGELIST, {"state__exact": "failed"}).content.decode()
    filings = admin_client.get(CHANGELIST, {"kind": letters.FILED}).content.decode()
    by_kind = admin_client.get(CHANGELIST, {"kind": letters.RESOLVED}).content.decode()

    assert 'id="changelist-filter"' in page and "By state" in page and "By kind" in page
    assert to_agent in page and to_head in page
    assert letters.FILED in page and "Failed" in page and "Pending" in page
    assert to_agent in failed and to_head not in failed
    assert to_agent in filings and to_head in filings
    assert to_agent not in by_kind and to_head not in by_kind


def test_the_admin_cannot_add_or_change_a_message(admin_client, filed):
    message = filed.first()

    assert admin_client.get(reverse("admin:outbox_message_add")).status_code == 403
    change = reverse("admin:outbox_message_change", args=[message.pk])
    admin_client.post(change, {"state": "sent"})
    message.refresh_from_db()
    assert message.state != Message.State.SENT


def test_sending_again_puts_failed_messages_back_in_the_outbox(admin_client, filed, agent, head):
    response = admin_client.post(
        CHANGELIST,
        {"action": "send_again", "_selected_action": [m.pk for m in filed]},
        follow=True,
    )

    assert "1 message will be sent again" in response.content.decode()
    again = filed.get(recipient=agent)
    assert (again.state, again.attempts, again.retry_at, again.last_error) == (
        Message.State.PENDING,
        0,
        None,
        "",
    )
    assert filed.get(recipient=head).state == Message.State.PENDING  # untouched


def test_only_those_who_may_change_messages_can_send_them_again(client, filed, agent):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(viewer)

    page = client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "send_again", "_selected_action": [m.pk for m in filed]})

    assert "send_again" not in page
    assert filed.get(recipient=agent).state == Message.State.FAILED
