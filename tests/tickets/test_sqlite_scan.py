"""`make run` uses SQLite: the scan's hand-written SQL must run there too (the rest of the suite
runs on PostgreSQL)."""

import pytest

from tests.support.sqlite import run_on_sqlite

SCRIPT = """
from datetime import timedelta
from zoneinfo import ZoneInfo
from django.utils import timezone
from agreements.models import Priority
from departments.models import Membership, Profile
from tests.factories import (
    DepartmentFactory, MembershipFactory, ServiceFactory, UserFactory, agreement_in_force
)
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, Ticket
from outbox.models import Message
from outbox.sending import send

finance, sales = DepartmentFactory(code="FIN"), DepartmentFactory(code="SALES")
MembershipFactory(department=finance, role=Membership.Role.AGENT)
staff = UserFactory()
MembershipFactory(user=staff, department=sales)
# The requester reads breaches in Accord only: the preference is read from SQLite's JSON too.
Profile.objects.create(user=staff, deliveries={"tickets.breach": "in_app"})
service = ServiceFactory(provider=finance)
agreement_in_force(provider=finance, customers=[sales], services=[service],
                   targets={Priority.P1: (timedelta(hours=1), timedelta(hours=4))})
ticket = services.ticket_file(
    requester=staff, service=service, customer=sales, title="x", priority=Priority.P1
)
# Due within the hour, in UTC: not yet due at a local instant whose wall clock is past it.
soon = timezone.now() + timedelta(hours=1)
Ticket.objects.filter(pk=ticket.pk).update(
    first_response_due_at=soon, first_response_warn_at=soon,
    resolution_due_at=soon, resolution_warn_at=soon,
)
shanghai = ZoneInfo("Asia/Shanghai")
early = breach_scan(now=timezone.now().astimezone(shanghai))
later = (timezone.now() + timedelta(days=10)).astimezone(shanghai)
first, second = breach_scan(now=later), breach_scan(now=later)
send(list(Message.objects.filter(kind="tickets.breach").values_list("pk", flat=True)))
counts = [len(early.breaches) + len(early.warnings), len(first.breaches),
          len(second.breaches), Breach.objects.count()]
print(*counts, *(Message.objects.filter(kind="tickets.breach", state=state).count()
                  for state in ("sent", "in_app")))
"""


@pytest.mark.slow  # a subprocess with its own SQLite database
def test_the_breach_scan_runs_on_sqlite(tmp_path):
    completed = run_on_sqlite(tmp_path, SCRIPT)

    assert completed.returncode == 0, completed.stderr[-3000:]
    alerts_early, breaches_first, breaches_second, breaches, notifications, in_app = map(
        int, completed.stdout.split()[-6:]
    )
    assert alerts_early == 0  # nothing is due yet, whatever the time zone of `now`
    assert (breaches_first, breaches_second, breaches) == (2, 0, 2)
    assert notifications == 4  # each breach to the agent and the head, sent
    assert in_app == 2  # and to the requester, in Accord only
