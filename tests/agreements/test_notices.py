"""Agreement notices through the outbox: a proposal reaches the heads of the customer departments
(the administrators for a company-wide agreement), each acceptance or rejection the provider's
head; in each reader's language. (Notices withdrawn before sending:
tests/outbox/test_survey_and_agreement_withdrawal.py.)"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from agreements import letters, services
from agreements.models import Agreement, Priority
from departments.models import Membership, Profile
from outbox import sending
from outbox.models import Message
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db

HOURS = timedelta(hours=1)
TARGETS = {Priority.P1: (1 * HOURS, 4 * HOURS), Priority.P3: (8 * HOURS, 40 * HOURS)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(
        datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


@pytest.fixture
def hr_head(human_resources):
    return MembershipFactory(department=human_resources, role=Membership.Role.HEAD).user


def proposed(head, finance, customers, **fields) -> Agreement:
    """Finance's head drafts an agreement for `customers` and proposes it."""
    agreement = services.agreement_save_draft(
        agreement=Agreement(
            provider=finance, title="Finance services", calendar=CalendarFactory(), **fields
        ),
        by=head,
        revision=None,
        services=[ServiceFactory(provider=finance, name="Payroll data extract")],
        customers=customers,
        targets=TARGETS,
    )
    return services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )


def send_notices(kind: str) -> list:
    """Send the pending notices of `kind`; the e-mails they became."""
    mail.outbox.clear()
    pending = Message.objects.filter(kind=kind, state=Message.State.PENDING)
    sending.send(list(pending.values_list("pk", flat=True)))
    return list(mail.outbox)


def accept(agreement, by, department) -> Agreement:
    agreement.refresh_from_db()
    return services.agreement_accept(
        agreement_id=agreement.pk, by=by, department=department, revision=agreement.revision
    )


def test_a_proposal_is_e_mailed_to_the_head_of_each_customer_department(
    head, finance, sales, human_resources, sales_head, hr_head, staff
):
    agreement = proposed(head, finance, [sales, human_resources])

    emails = send_notices(letters.PROPOSED)

    assert sorted(email.to[0] for email in emails) == sorted([sales_head.email, hr_head.email])
    email = emails[0]
    assert email.subject == "Finance proposes an agreement: Finance services"
    assert 'Finance proposes the agreement "Finance services" to your department.' in email.body
    assert f"http://127.0.0.1:8000/agreements/{agreement.pk}/" in email.body
    assert email.alternatives and "Open the agreement" in email.alternatives[0][0]


def test_a_company_wide_proposal_is_e_mailed_to_the_administrators(
    head, finance, sales_head, admin_user
):
    proposed(head, finance, [], all_customers=True)

    emails = send_notices(letters.PROPOSED)

    assert [email.to for email in emails] == [[admin_user.email]]


def test_an_acceptance_is_e_mailed_to_the_providers_head(
    head, finance, sales, human_resources, sales_head, hr_head
):
    agreement = proposed(head, finance, [sales, human_resources])

    accept(agreement, sales_head, sales)
    first = send_notices(letters.ACCEPTED)
    accept(agreement, hr_head, human_resources)
    last = send_notices(letters.ACCEPTED)

    assert [email.to for email in first + last] == [[head.email], [head.email]]
    assert first[0].subject == "Accepted: Finance services"
    assert 'Sales has accepted the agreement "Finance services".' in first[0].body
    assert "It is now in force." not in first[0].body
    assert "It is now in force." in last[0].body


def test_a_company_wide_acceptance_is_e_mailed_to_the_providers_head(head, finance, admin_user):
    agreement = proposed(head, finance, [], all_customers=True)

    accept(agreement, admin_user, None)
    [email] = send_notices(letters.ACCEPTED)

    assert email.to == [head.email]
    assert 'The company-wide agreement "Finance services" has been accepted.' in email.body


def test_a_rejection_is_e_mailed_to_the_providers_head_with_the_reason(
    head, finance, sales, sales_head
):
    agreement = proposed(head, finance, [sales])

    services.agreement_reject(
        agreement_id=agreement.pk,
        by=sales_head,
        department=sales,
        revision=agreement.revision,
        comment="P1 in one hour is too slow",
    )
    [email] = send_notices(letters.REJECTED)

    assert email.to == [head.email]
    assert email.subject == "Rejected: Finance services"
    assert "It is back to draft, for you to rework." in email.body
    assert "P1 in one hour is too slow" in email.body


def test_the_notices_are_written_in_chinese_to_a_head_who_reads_chinese(
    head, finance, sales, sales_head
):
    for person in (head, sales_head):
        Profile.objects.create(user=person, language="zh-hans")
    agreement = proposed(head, finance, [sales])

    [proposal] = send_notices(letters.PROPOSED)
    accept(agreement, sales_head, sales)
    [acceptance] = send_notices(letters.ACCEPTED)

    assert proposal.subject == "Finance 提议一份协议：Finance services"
    assert "请阅读其中的目标，然后接受或拒绝。" in proposal.body
    assert acceptance.subject == "已接受：Finance services"
    assert "该协议现已生效。" in acceptance.body
    assert "打开协议" in acceptance.alternatives[0][0]


def test_a_rejection_is_written_in_chinese_to_a_head_who_reads_chinese(
    head, finance, sales, sales_head
):
    Profile.objects.create(user=head, language="zh-hans")
    agreement = proposed(head, finance, [sales])

    services.agreement_reject(agreement_id=agreement.pk, by=sales_head, department=sales,
                              revision=agreement.revision, comment="太慢")  # fmt: skip
    [email] = send_notices(letters.REJECTED)

    assert email.subject == "已拒绝：Finance services"
    assert "原因： 太慢" in email.body
    assert "已退回草稿" in email.body
