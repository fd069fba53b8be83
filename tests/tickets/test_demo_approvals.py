"""The demo shows the approval rules: purchases of 10,000 or less skip the Finance step, and
larger ones are approved by the head of Finance or the CFO, whoever is first."""

from io import StringIO

import pytest
from django.core.management import call_command

from tickets.models import Approval, Event

pytestmark = pytest.mark.slow  # the whole demo


def test_the_demo_has_purchases_that_skipped_a_step_and_groups_settled_by_one(db):
    call_command("seed_demo", stdout=StringIO())

    skipped = Event.objects.filter(
        kind=Event.Kind.SKIPPED, ticket__service__name="Purchase request"
    )
    assert skipped.exists()
    assert "Estimated amount (CNY) ≤ 10,000" in skipped.first().text
    closed = Approval.objects.filter(decision=Approval.Decision.CLOSED)
    assert closed.exists()
    assert {a.approver.username for a in closed} == {"cfo"}
