"""Alert e-mails waiting in the outbox, for a cast whose names test the writing in."""

import pytest

from agreements.models import Priority
from departments.models import Profile
from outbox.models import Message
from tickets import letters
from tickets.alerting.breach_scan import breach_scan


@pytest.fixture
def named(staff, agent, head):
    """The cast with names that test the writing in: markup, quotes, an ampersand, Chinese."""
    agent.first_name, agent.last_name = "Ann <b>O'Neil</b>", '& "Co"'
    head.first_name, head.last_name = "芳", "王"
    staff.first_name, staff.last_name = "森", "李"  # reads English
    for person in (staff, agent, head):
        person.save()
    Profile.objects.update_or_create(user=head, defaults={"language": "zh-hans"})
    return staff, agent, head


@pytest.fixture
def queued(agreement, named, file_request, payroll_extract, clock_at):
    """Run the scan at an instant without sending: the alert e-mails wait in the outbox."""

    def scan(now):
        file_request(payroll_extract, title="Payroll & <audit>", priority=Priority.P1)
        clock_at(now)
        breach_scan()
        rows = list(alert_emails())
        assert len(rows) == 3
        return rows

    return scan


def alert_emails(state=Message.State.PENDING):
    return Message.objects.filter(kind__in=[letters.BREACH, letters.WARNING], state=state).order_by(
        "pk"
    )
