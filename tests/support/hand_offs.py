"""A process of two steps for the hand-off tests: IT supplies Finance (a "New laptop" service,
under an agreement in force on the China office calendar), on top of tests/support/world.py's
Finance serving Sales. `it_agent` works IT's queue; `hand_off` opens a child of a Sales request
to IT as `agent`; `pausing` makes the Finance-Sales agreement pause for hand-offs."""

from datetime import datetime

import pytest

from agreements.models import Agreement, Priority
from departments.models import Membership
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
    agreement_in_force,
)
from tests.support.clock import MONDAY_9AM, SHANGHAI
from tests.support.world import TARGETS
from tickets import hand_offs


@pytest.fixture
def it(company):
    return DepartmentFactory(code="IT", name="IT", parent=company)


@pytest.fixture
def it_agent(it):
    user = UserFactory(username="it_agent", first_name="Ivy", last_name="Tan")
    MembershipFactory(user=user, department=it, role=Membership.Role.AGENT)
    return user


@pytest.fixture
def laptop(it):
    return ServiceFactory(provider=it, name="New laptop", default_priority=Priority.P2)


@pytest.fixture
def it_agreement(agreement, it, finance, laptop, calendar, clock_at):
    clock_at(datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    in_force = agreement_in_force(
        provider=it,
        customers=[finance],
        services=[laptop],
        targets=TARGETS,
        calendar=calendar,
    )
    in_force.relationship = Agreement.Relationship.PROCESS
    in_force.save(update_fields=["relationship"])
    clock_at(MONDAY_9AM)
    return in_force


@pytest.fixture
def pausing(agreement):
    """The Finance-Sales agreement pauses a request's resolution clock while it waits."""
    Agreement.objects.filter(pk=agreement.pk).update(pauses_for_hand_offs=True)
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def hand_off(agent, laptop, it_agreement):
    def open_child(parent, *, by=None, service=None, title="Laptop for the new accountant"):
        return hand_offs.ticket_open_child(
            parent_id=parent.pk, by=by or agent, service=service or laptop, title=title
        )

    return open_child
