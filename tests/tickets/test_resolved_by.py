"""Who resolved a request is recorded on it (`Ticket.resolved_by`): set by every resolution,
pages and API alike (both go through tickets.services), cleared by a reopening, and filled for
the requests resolved before the column existed from their timelines."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recognition import candidates
from recognition.models import Cycle
from tickets import services
from tickets.models import Ticket
from tickets.workflow import Action

BEFORE = [("tickets", "0020_ticket_resolved_by")]
AFTER = [("tickets", "0021_fill_resolved_by_from_events")]


def step(ticket, by, action):
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=None
    )


@pytest.fixture
def taken(agreement, payroll_extract, file_request, agent):
    """A request of `staff` that `agent` acknowledged, and so took."""
    ticket = file_request(payroll_extract)
    return step(ticket, agent, Action.ACKNOWLEDGE)


def test_resolving_records_who_resolved_not_who_is_assigned(taken, agent, head):
    step(taken, head, Action.RESOLVE)

    taken.refresh_from_db()
    assert (taken.assignee, taken.resolved_by) == (agent, head)


def test_reopening_clears_who_resolved_and_resolving_again_records_anew(taken, staff, agent, head):
    step(taken, head, Action.RESOLVE)
    step(taken, staff, Action.REOPEN)
    assert Ticket.objects.get(pk=taken.pk).resolved_by is None

    step(taken, agent, Action.RESOLVE)
    assert Ticket.objects.get(pk=taken.pk).resolved_by == agent


def test_resolving_through_the_api_records_who_resolved(taken, head):
    token, _created = Token.objects.get_or_create(user=head)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    body = {"version": Ticket.objects.get(pk=taken.pk).version}
    answer = client.post(f"/api/tickets/{taken.pk}/resolve/", body, format="json")

    assert answer.status_code == 200, answer.json()
    assert Ticket.objects.get(pk=taken.pk).resolved_by == head


def test_the_candidates_credit_who_resolved_a_request(taken, agent, head, hr):
    step(taken, head, Action.RESOLVE)
    period = candidates.period_of(Cycle(starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)))

    by_person = {
        row.person: row.figures["resolved"]
        for row in candidates.people_figures([agent.pk, head.pk], period)
    }

    assert by_person == {agent: 0, head: 1}


def test_upgrading_fills_who_resolved_from_the_latest_resolution_and_back(migrator):
    old = migrator(BEFORE)
    User = old.get_model("auth", "User")
    Department = old.get_model("departments", "Department")
    Service = old.get_model("agreements", "Service")
    Ticket = old.get_model("tickets", "Ticket")
    Event = old.get_model("tickets", "Event")
    first, second = (User.objects.create(username=name) for name in ("first", "second"))
    finance = Department.objects.create(code="FIN", name="Finance")
    service = Service.objects.create(provider=finance, name="Payroll data extract")
    now = timezone.now()

    def ticket(resolved_at):
        return Ticket.objects.create(
            title="October payroll", service=service, provider=finance, customer=finance,
            requester=first, filed_at=now - timedelta(hours=5), resolved_at=resolved_at,
        )  # fmt: skip

    resolved_twice, reopened = ticket(now), ticket(None)
    for request, actor, hours_ago, to_status in [
        (resolved_twice, first, 3, "resolved"),
        (resolved_twice, first, 2, "reopened"),
        (resolved_twice, second, 1, "resolved"),
        (reopened, second, 2, "resolved"),
        (reopened, first, 1, "reopened"),
    ]:
        Event.objects.create(
            ticket=request, kind="transition", actor=actor, to_status=to_status,
            at=now - timedelta(hours=hours_ago),
        )  # fmt: skip

    new = migrator(AFTER).get_model("tickets", "Ticket")
    assert new.objects.get(pk=resolved_twice.pk).resolved_by_id == second.pk
    assert new.objects.get(pk=reopened.pk).resolved_by_id is None

    back = migrator(BEFORE).get_model("tickets", "Ticket")
    assert not back.objects.filter(resolved_by__isnull=False).exists()
