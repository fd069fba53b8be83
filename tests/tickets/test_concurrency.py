"""Two agents acting on the same request at once: one wins, the other is told to reload."""

from datetime import timedelta

import pytest

from agreements.models import Priority
from departments.models import Membership
from tests.factories import MembershipFactory, ServiceFactory, agreement_in_force
from tests.support.concurrency import run_at_once
from tickets import services
from tickets.models import Event, Ticket
from tickets.workflow import Action


@pytest.mark.django_db(transaction=True)
def test_two_agents_acting_at_once_on_a_request_let_one_win(staff, sales, agent, finance):
    colleague = MembershipFactory(department=finance, role=Membership.Role.AGENT).user
    service = ServiceFactory(provider=finance)
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P3: (timedelta(hours=8), timedelta(hours=40))},
    )
    ticket = services.ticket_file(requester=staff, service=service, customer=sales, title="Extract")

    def act(person, action):
        return lambda: services.ticket_transition(
            ticket_id=ticket.pk, by=person, action=action, expected_version=ticket.version
        )

    outcomes = run_at_once(act(agent, Action.ACKNOWLEDGE), act(colleague, Action.RESOLVE))

    assert sum(isinstance(o, Ticket) for o in outcomes) == 1
    assert sum(isinstance(o, services.StaleTicket) for o in outcomes) == 1, outcomes
    assert Event.objects.filter(ticket=ticket, kind=Event.Kind.TRANSITION).count() == 1
