"""Recognition, on top of the world of tests/support/world.py: `thanked` is a request of
`staff` that `agent` acknowledged at 09:00 and resolved at 10:00 on Monday 23 November 2026
(both targets met), confirmed with a 5 and thanked by `staff`; `november` is HR's draft cycle
over November 2026, and `published` the same cycle published with an award to `agent` and one
to Finance. Time stands at Monday 23 November 2026, 11:00 in Shanghai."""

from datetime import date

import pytest

from recognition import services as recognition
from tests.support.clock import at
from tickets import services
from tickets.kudos import kudos_give
from tickets.workflow import Action


@pytest.fixture
def thanked(agreement, payroll_extract, file_request, staff, agent, clock_at):
    ticket = file_request(payroll_extract)
    for action in (Action.ACKNOWLEDGE, Action.RESOLVE):
        clock_at(at(23, 10))
        services.ticket_transition(
            ticket_id=ticket.pk, by=agent, action=action, expected_version=None
        )
    services.ticket_confirm(ticket_id=ticket.pk, by=staff, expected_version=None, rating=5)
    clock_at(at(23, 11))
    kudos_give(ticket_id=ticket.pk, by=staff, message="Quick and clear, thank you!")
    return ticket


@pytest.fixture
def november(thanked, hr):
    return recognition.cycle_create(
        by=hr, name="November 2026", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
    )


@pytest.fixture
def published(november, hr, agent, finance):
    recognition.award_add(
        cycle_id=november.pk,
        by=hr,
        person=agent,
        title="Most thanked agent",
        reason="Thanked for every request.",
    )
    recognition.award_add(
        cycle_id=november.pk,
        by=hr,
        department=finance,
        title="Best supplier",
        reason="Met every target.",
    )
    return recognition.cycle_publish(cycle_id=november.pk, by=hr)
