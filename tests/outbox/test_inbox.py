"""Notifications inside Accord: every message to a person is listed on their notifications page
and counted by the bell in the header, whatever its delivery; each person chooses per kind how
it reaches them: e-mail now (the default), the hourly digest, or in Accord only (never
e-mailed). One's own notifications only."""

import pytest
from django.core import mail
from django.urls import reverse

from agreements.models import Priority
from departments.models import Delivery, Profile
from outbox import sending
from outbox.kinds import KINDS
from outbox.models import Message
from outbox.services import queue
from tests.support.clock import at
from tickets import letters, services
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.digests import send_alert_digests
from tickets.workflow import Action


def choose(person, **deliveries):
    """`person` chooses a delivery per kind (tickets.<name>=…)."""
    Profile.objects.update_or_create(
        user=person,
        defaults={"deliveries": {f"tickets.{name}": way for name, way in deliveries.items()}},
    )


def send_pending() -> None:
    """What the workers would do after the commit."""
    sending.send(Message.objects.filter(state=Message.State.PENDING).values_list("pk", flat=True))


def emailed_to(person, subject_part: str = "") -> list:
    return [
        email
        for email in mail.outbox
        if email.to == [person.email] and subject_part in email.subject
    ]


@pytest.fixture
def filed(agreement, payroll_extract, file_request, agent, head):
    """A request filed with Finance: its agent and head are told."""
    return file_request(payroll_extract, title="Payroll & <audit>")


def test_a_person_who_chose_accord_only_gets_no_email_and_sees_it_on_the_page(
    agreement, payroll_extract, file_request, agent, head, client
):
    choose(agent, filed=Delivery.IN_APP)
    ticket = file_request(payroll_extract)
    send_pending()

    assert not emailed_to(agent)
    assert len(emailed_to(head, "new request")) == 1
    assert Message.objects.get(recipient=agent, kind=letters.FILED).state == Message.State.IN_APP
    client.force_login(agent)
    page = client.get(reverse("notifications")).content.decode()
    assert f"[{ticket.reference}] October payroll: new request" in page
    assert "In Accord only" in page


def test_an_accord_only_notification_whose_reason_has_gone_is_withdrawn_not_listed(
    agreement, payroll_extract, file_request, agent, head, client
):
    choose(agent, filed=Delivery.IN_APP)
    ticket = file_request(payroll_extract)
    services.ticket_transition(
        ticket_id=ticket.pk, by=head, action=Action.ACKNOWLEDGE, expected_version=None
    )
    client.force_login(agent)

    page = client.get(reverse("notifications")).content.decode()

    assert "new request" not in page
    notification = Message.objects.get(recipient=agent, kind=letters.FILED)
    assert (notification.state, notification.cancel_reason) == ("cancelled", "taken_on")


def test_email_now_is_the_default_and_the_email_is_listed_too(filed, head, client):
    send_pending()

    assert len(emailed_to(head, "new request")) == 1
    assert Message.objects.get(recipient=head, kind=letters.FILED).state == Message.State.SENT
    client.force_login(head)
    assert filed.reference in client.get(reverse("notifications")).content.decode()


def test_a_person_who_chose_the_digest_finds_new_requests_in_the_hourly_digest(
    agreement, payroll_extract, file_request, agent, clock_at
):
    choose(agent, filed=Delivery.DIGEST)
    ticket = file_request(payroll_extract)
    send_pending()
    assert not emailed_to(agent)

    clock_at(at(23, 10, 1))
    assert send_alert_digests() == 1
    send_pending()

    [digest] = emailed_to(agent)
    assert digest.subject == "Accord: 1 message in the last hour"
    assert f"[{ticket.reference}] October payroll: new request" in digest.body
    assert ticket.get_absolute_url() in digest.body
    assert "Here is what happened since your last digest" in digest.body


def test_a_digest_of_alerts_only_still_speaks_of_alerts(
    agreement, payroll_extract, file_request, agent, clock_at
):
    choose(agent, breach=Delivery.DIGEST, warning=Delivery.DIGEST)
    file_request(payroll_extract, priority=Priority.P1)
    clock_at(at(23, 10, 1))
    breach_scan()

    clock_at(at(23, 11))
    send_alert_digests()
    send_pending()

    [digest] = [email for email in emailed_to(agent) if "last hour" in email.subject]
    assert digest.subject == "Accord: 1 alert in the last hour"


def test_the_breach_scan_tells_an_accord_only_reader_in_accord_only(
    agreement, payroll_extract, file_request, agent, head, clock_at
):
    choose(agent, breach=Delivery.IN_APP)
    file_request(payroll_extract, priority=Priority.P1)
    clock_at(at(23, 10, 1))
    breach_scan()
    send_pending()

    breaches = Message.objects.filter(kind=letters.BREACH)
    assert breaches.get(recipient=agent).state == Message.State.IN_APP
    assert breaches.get(recipient=head).state == Message.State.SENT
    assert not [email for email in emailed_to(agent) if "target missed" in email.subject]


def test_survey_invitations_are_emailed_whatever_the_profile_says(staff):
    Profile.objects.create(user=staff, deliveries={"surveys.invitation": Delivery.IN_APP})
    assert KINDS["surveys.invitation"].email_only
    [message] = queue("surveys.invitation", None, [staff])
    assert message.state == Message.State.PENDING


def test_the_header_loads_the_bell(client, staff):
    client.force_login(staff)

    page = client.get(reverse("home")).content.decode()

    assert f'hx-get="{reverse("notifications_bell")}"' in page
    assert f'href="{reverse("notifications")}"' in page


def test_the_bell_counts_the_unread_notifications(filed, agent, client):
    client.force_login(agent)
    assert (
        '<span class="bell-count">1</span>'
        in client.get(reverse("notifications_bell")).content.decode()
    )

    Message.objects.filter(recipient=agent).update(state=Message.State.CANCELLED)

    assert "bell-count" not in client.get(reverse("notifications_bell")).content.decode()


def test_the_bell_says_99_plus_beyond_99(agent, client, django_assert_max_num_queries):
    Message.objects.bulk_create(
        Message(kind=letters.FILED, recipient=agent, state=Message.State.IN_APP) for _ in range(120)
    )
    client.force_login(agent)

    with django_assert_max_num_queries(3):  # the session, the user, the count
        bell = client.get(reverse("notifications_bell")).content.decode()

    assert '<span class="bell-count">99+</span>' in bell


def test_opening_a_notification_marks_it_read_and_leads_to_its_request(filed, agent, client):
    message = Message.objects.get(recipient=agent, kind=letters.FILED)
    client.force_login(agent)

    response = client.get(reverse("notification_open", args=[message.pk]))

    assert response.status_code == 302
    assert response["Location"] == filed.get_absolute_url()
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_as_read_marks_only_that_one(agreement, payroll_extract, file_request, agent, client):
    file_request(payroll_extract, title="One")
    file_request(payroll_extract, title="Two")
    first, second = Message.objects.filter(recipient=agent).order_by("pk")
    client.force_login(agent)

    response = client.post(reverse("notification_read", args=[first.pk]), {"page": "1"})

    assert response["Location"] == reverse("notifications") + "?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_all_as_read_marks_every_own_notification_and_no_one_elses(
    agreement, payroll_extract, file_request, agent, head, client
):
    file_request(payroll_extract, title="One")
    file_request(payroll_extract, title="Two")
    client.force_login(agent)

    response = client.post(reverse("notifications_read_all"))

    assert response.status_code == 302
    assert not Message.objects.filter(recipient=agent, read_at=None).exists()
    assert Message.objects.filter(recipient=head, kind=letters.FILED, read_at=None).count() == 2


def test_marking_read_needs_a_post(filed, agent, client):
    message = Message.objects.get(recipient=agent)
    client.force_login(agent)

    assert client.get(reverse("notification_read", args=[message.pk])).status_code == 405
    assert client.get(reverse("notifications_read_all")).status_code == 405
    assert not Message.objects.filter(recipient=agent).exclude(read_at=None).exists()


def test_someone_elses_notification_is_not_found(filed, head, outsider, client):
    message = Message.objects.get(recipient=head, kind=letters.FILED)
    client.force_login(outsider)

    assert client.get(reverse("notification_open", args=[message.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None
    assert filed.reference not in client.get(reverse("notifications")).content.decode()


def test_a_person_with_no_notifications_reads_nothing_new(outsider, client):
    client.force_login(outsider)

    page = client.get(reverse("notifications")).content.decode()

    assert "Nothing new." in page
    assert "Mark all as read" not in page


def test_the_page_lists_the_newest_first_and_highlights_the_unread(
    agreement, payroll_extract, file_request, agent, client, clock_at
):
    file_request(payroll_extract, title="Older")
    clock_at(at(23, 9, 5))
    file_request(payroll_extract, title="Newer")
    Message.objects.filter(recipient=agent, created_at__lt=at(23, 9, 5)).update(
        read_at=at(23, 9, 6)
    )
    client.force_login(agent)

    page = client.get(reverse("notifications")).content.decode()

    assert page.index("Newer") < page.index("Older")
    assert page.count('class="notification unread"') == 1


def test_titles_are_escaped_on_the_page(filed, agent, client):
    client.force_login(agent)

    page = client.get(reverse("notifications")).content.decode()

    assert "Payroll &amp; &lt;audit&gt;" in page
    assert "<audit>" not in page


def test_cancelled_messages_and_the_digests_themselves_are_not_listed(filed, agent, client):
    Message.objects.filter(recipient=agent).update(state=Message.State.CANCELLED)
    client.force_login(agent)

    assert "Nothing new." in client.get(reverse("notifications")).content.decode()


def test_the_page_speaks_chinese(filed, agent, client):
    Profile.objects.create(user=agent, language="zh-hans")
    client.force_login(agent)

    page = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "全部标记为已读" in page


def test_the_page_reads_a_bounded_number_of_queries_however_many_notifications(
    agreement, payroll_extract, purchase, file_request, agent, head, client,
    django_assert_max_num_queries,
):  # fmt: skip
    for number in range(12):
        file_request(payroll_extract, title=f"#{number}")
    file_request(purchase, title="Laptop")  # an approval for the head
    client.force_login(head)

    with django_assert_max_num_queries(10):  # one more per kind of row listed
        page = client.get(reverse("notifications")).content.decode()

    # and the agreement's acceptance, from the `agreement` fixture
    assert page.count('class="notification unread"') == 14
    assert "#11" in page and "Laptop" in page


def test_the_page_is_paginated(agreement, payroll_extract, file_request, agent, client):
    for number in range(30):
        file_request(payroll_extract, title=f"Request {number:02}")
    client.force_login(agent)

    first = client.get(reverse("notifications")).content.decode()
    second = client.get(reverse("notifications"), {"page": 2}).content.decode()

    assert "Request 29" in first and "Request 04" not in first
    assert "Request 04" in second


def test_the_upgrade_carries_the_hourly_digest_of_alerts_over_to_breaches_and_warnings(migrator):
    old = migrator([("departments", "0003_profile_alert_digest")])
    User = old.get_model("auth", "User")
    Profile = old.get_model("departments", "Profile")
    reader = Profile.objects.create(user=User.objects.create(username="reader"), alert_digest=True)
    other = Profile.objects.create(user=User.objects.create(username="other"))

    new = migrator([("departments", "0004_profile_deliveries")])
    Profile = new.get_model("departments", "Profile")
    assert Profile.objects.get(pk=reader.pk).deliveries == {
        "tickets.breach": "digest",
        "tickets.warning": "digest",
    }
    assert Profile.objects.get(pk=other.pk).deliveries == {}
