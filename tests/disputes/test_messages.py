"""Who gets which dispute message, step by step, each person once: the person asked to decide
(`disputes.to_decide`), and the others taking part when it moves on (`disputes.moved_on`). An
administrator is asked in nobody's stead for a dispute they are a party to."""

from datetime import date

from django.template.loader import render_to_string

from departments.models import Delegation, Membership
from disputes import services
from disputes.models import Dispute, Reason
from outbox.kinds import KINDS
from outbox.models import Message
from tests.factories import UserFactory
from tests.support.clock import at


def open_dispute(breach, head):
    return services.dispute_open(
        breach_id=breach.pk, by=head, reason=Reason.CUSTOMER, text="We waited on their data."
    )


def messages(dispute) -> list[tuple[str, str, str]]:
    """(step action, kind, recipient) of every message about the dispute's steps."""
    steps = {step.pk: step.action for step in dispute.steps.all()}
    rows = Message.objects.filter(kind__startswith="disputes.", about_id__in=steps)
    return sorted(
        (steps[about], kind.removeprefix("disputes."), username)
        for about, kind, username in rows.values_list("about_id", "kind", "recipient__username")
    )


def test_each_step_tells_each_person_once(breach, head, sales_head, ceo):
    dispute = open_dispute(breach, head)
    services.dispute_decide(dispute_id=dispute.pk, by=sales_head, waive=False, comment="No.")
    services.dispute_decide(dispute_id=dispute.pk, by=ceo, waive=True, comment="Fair.")

    assert messages(dispute) == [
        ("opened", "to_decide", "sales_head"),
        ("rejected", "moved_on", "head"),
        ("rejected", "to_decide", "ceo"),
        ("waived", "moved_on", "head"),
        ("waived", "moved_on", "sales_head"),
    ]


def test_an_administrator_heading_the_customer_is_asked_to_decide_once(
    breach, head, sales_head, ceo, admin_user
):
    sales_head.is_superuser = True
    sales_head.save()
    Membership.objects.filter(user=ceo).delete()  # nobody above both departments
    dispute = open_dispute(breach, head)

    sent_up = services.disputes_send_up_lapsed(now=at(25, 12))

    assert sent_up == 1
    assert messages(dispute) == [
        ("lapsed", "moved_on", "head"),
        ("lapsed", "moved_on", "sales_head"),
        ("lapsed", "to_decide", "admin"),
        ("opened", "to_decide", "sales_head"),
    ]
    dispute.refresh_from_db()
    assert not services.may_decide(sales_head, dispute)
    assert list(Dispute.objects.to_decide_by(sales_head)) == []
    assert list(Dispute.objects.to_decide_by(admin_user)) == [dispute]


def test_a_lapsed_window_tells_the_customers_head_and_their_delegate_once_where_it_went(
    breach, head, sales_head, ceo
):
    deputy = UserFactory(username="deputy")
    Delegation.objects.create(
        person=sales_head, delegate=deputy, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )
    dispute = open_dispute(breach, head)

    services.disputes_send_up_lapsed(now=at(25, 12))
    services.disputes_send_up_lapsed(now=at(25, 12))

    assert messages(dispute) == [
        ("lapsed", "moved_on", "deputy"),
        ("lapsed", "moved_on", "head"),
        ("lapsed", "moved_on", "sales_head"),
        ("lapsed", "to_decide", "ceo"),
        ("opened", "to_decide", "sales_head"),
    ]
    told = Message.objects.get(kind="disputes.moved_on", recipient=sales_head)
    body = render_to_string(
        "emails/disputes/moved_on-body.txt", KINDS[told.kind].template_context(told)
    )
    assert "did not decide the dispute within the agreed window" in body
    assert "Wei Zhang, the nearest head above both departments, decides it now." in body


def test_an_administrator_who_opened_the_dispute_is_never_asked(
    breach, head, sales_head, ceo, admin_user
):
    head.is_superuser = True
    head.save()
    Membership.objects.filter(user__in=[sales_head, ceo]).delete()  # nobody heads the customer

    dispute = open_dispute(breach, head)

    assert dispute.decider is None
    assert messages(dispute) == [("opened", "to_decide", "admin")]
    assert list(Dispute.objects.to_decide_by(head)) == []
