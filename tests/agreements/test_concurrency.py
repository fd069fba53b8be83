"""Two heads acting on the same proposal at the same moment: one wins, the other is told."""

from datetime import timedelta

import pytest

from agreements import services
from agreements.models import Agreement, Priority, SignOff
from departments.models import Membership
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory
from tests.support.concurrency import run_at_once


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_of_the_same_proposal_let_one_win(head, finance, sales, admin_user):
    sales_head = MembershipFactory(department=sales, role=Membership.Role.HEAD).user
    agreement = services.agreement_save_draft(
        agreement=Agreement(provider=finance, title="Finance services", calendar=CalendarFactory()),
        by=head,
        revision=None,
        services=[ServiceFactory(provider=finance)],
        customers=[sales],
        targets={Priority.P1: (timedelta(hours=1), timedelta(hours=4))},
    )
    proposal = services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )

    def accept_as(person):
        return lambda: services.agreement_accept(
            agreement_id=proposal.pk, by=person, department=sales, revision=proposal.revision
        )

    outcomes = run_at_once(accept_as(sales_head), accept_as(admin_user))

    winners = [o for o in outcomes if isinstance(o, Agreement)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], services.StaleAgreement), losers
    assert SignOff.objects.count() == 1
    assert Agreement.objects.get(pk=proposal.pk).status == Agreement.Status.ACTIVE
