"""Upgrading moves every e-mail of requests into the one outbox, unsent ones included."""

from django.utils import timezone

BEFORE = [("tickets", "0007_notification_retry_at"), ("outbox", "0001_initial")]
AFTER = [("tickets", "0008_notifications_to_outbox")]


def test_notifications_become_outbox_messages_with_their_state_and_links(migrator):
    old = migrator(BEFORE)
    User = old.get_model("auth", "User")
    Department = old.get_model("departments", "Department")
    Ticket = old.get_model("tickets", "Ticket")
    Event = old.get_model("tickets", "Event")
    Notification = old.get_model("tickets", "Notification")
    Service = old.get_model("agreements", "Service")
    person = User.objects.create(username="agent", email="agent@accord.test")
    finance = Department.objects.create(code="FIN", name="Finance")
    ticket = Ticket.objects.create(
        title="October payroll",
        service=Service.objects.create(provider=finance, name="Payroll data extract"),
        provider=finance,
        customer=finance,
        requester=person,
        filed_at=timezone.now(),
    )
    event = Event.objects.create(ticket=ticket, kind="filed", at=timezone.now())
    pending = Notification.objects.create(
        ticket=ticket, kind="filed", recipient=person, event=event
    )
    sent = Notification.objects.create(
        ticket=ticket, kind="resolved", recipient=person, event=event, state="sent",
        sent_at=timezone.now(),
    )  # fmt: skip

    new = migrator(AFTER)
    Message = new.get_model("outbox", "Message")
    ContentType = new.get_model("contenttypes", "ContentType")
    moved = {message.pk: message for message in Message.objects.all()}
    assert moved[pending.pk].kind == "tickets.filed"
    assert moved[pending.pk].state == "pending"
    assert moved[sent.pk].state == "sent"
    events = ContentType.objects.get(app_label="tickets", model="event")
    assert moved[pending.pk].about_type == events
    assert moved[pending.pk].about_id == event.pk
    # New rows continue after the copied ids.
    assert Message.objects.create(kind="tickets.filed", recipient_id=person.pk).pk > sent.pk
