"""One sending batch holding every kind of alert at once, on PostgreSQL, through a real SMTP
server: several escalations, breaches, warnings and a digest, to readers of English and of
Chinese. Each e-mail arrives once, the first time, in its reader's language.

The bug this guards against (issue 13): rendering an escalation ran a query while the previous
row's "sent" mark was still in flight on the raw connection; of four escalations in one batch, two
failed and were retried minutes later. SQLite never showed it.

The example: four P1 requests filed Monday 09:00 (Shanghai) miss their first response at 10:00
and, the agreement escalating after 2 working hours, reach the head of the Executive Office at
12:00; two P2 requests are at risk in the afternoon; the head of Finance reads alerts in an hourly
digest."""

from collections import Counter

import pytest
from django.conf import settings

from agreements.models import Agreement, Priority
from departments.models import Membership, Profile
from outbox import sending
from outbox.models import Message
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import HOUR, at
from tickets import letters
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.digests import send_alert_digests
from tickets.alerting.escalation import escalate_breaches
from tickets.models import Escalation, TargetWarning

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="the bug was PostgreSQL's"
)

ALERTS = [letters.BREACH, letters.WARNING, letters.ESCALATION, letters.DIGEST]
SUBJECTS = {
    "en": {
        letters.BREACH: "target missed",
        letters.WARNING: "target at risk",
        letters.ESCALATION: "(escalation level 2)",
        letters.DIGEST: "alerts in the last hour",
    },
    "zh-hans": {
        letters.BREACH: "目标已违约",
        letters.WARNING: "目标有违约风险",
        letters.ESCALATION: "升级级别 2",
        letters.DIGEST: "过去一小时",
    },
}


@pytest.fixture
def ceo(company):
    """The head of the Executive Office, above Finance: told of escalations, reads Chinese."""
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    Profile.objects.create(user=user, language="zh-hans")
    return user


@pytest.fixture
def mixed(agreement, staff, agent, head, ceo, file_request, payroll_extract, clock_at):
    """Every alert of the example written, none sent: the ids of those waiting to be sent."""
    Agreement.objects.filter(pk=agreement.pk).update(escalation_after=2 * HOUR)
    Profile.objects.create(user=agent, language="zh-hans")
    Profile.objects.create(
        user=head, deliveries={"tickets.breach": "digest", "tickets.warning": "digest"}
    )
    for number in range(4):
        file_request(payroll_extract, title=f"Payroll #{number}", priority=Priority.P1)
    at_risk = [
        file_request(payroll_extract, title=f"Bonus #{number}", priority=Priority.P2)
        for number in range(2)
    ]

    clock_at(at(23, 10, 1))
    breach_scan()
    escalate_breaches()
    clock_at(at(23, 11))
    assert send_alert_digests() == 1
    clock_at(at(23, 12))
    escalate_breaches()
    clock_at(min(ticket.first_response_warn_at for ticket in at_risk))
    breach_scan()

    assert Escalation.objects.count() == 4
    assert TargetWarning.objects.filter(ticket__in=at_risk).count() == 2
    waiting = Message.objects.filter(kind__in=ALERTS, state=Message.State.PENDING)
    kinds = Counter(waiting.values_list("kind", flat=True))
    # Breaches and warnings to the agent and the requester (the head waits for the digest); at
    # the afternoon's scan the P1 requests' resolution is at risk too.
    assert kinds == {
        letters.ESCALATION: 4,
        letters.BREACH: 2 * 4,
        letters.WARNING: 2 * (2 + 4),
        letters.DIGEST: 1,
    }
    return list(waiting.order_by("?").values_list("pk", flat=True))  # mixed, not grouped


def test_a_mixed_batch_is_received_once_each_the_first_time(mixed, smtp_server):
    counts = sending.send(mixed)

    assert counts == {"sent": len(mixed), "skipped": 0}
    rows = Message.objects.filter(pk__in=mixed)
    assert set(rows.values_list("state", "attempts")) == {(Message.State.SENT, 1)}
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert received == Counter(row.message_id for row in rows)


def test_each_email_of_a_mixed_batch_is_in_its_readers_language(
    mixed, smtp_server, staff, agent, head, ceo
):
    sending.send(mixed)

    languages = {staff: "en", agent: "zh-hans", head: "en", ceo: "zh-hans"}
    by_id = {row.message_id: row for row in Message.objects.filter(pk__in=mixed)}
    for message in smtp_server.messages:
        row = by_id[message["Message-ID"]]
        language = languages[row.recipient]
        assert message["To"] == row.recipient.email
        assert SUBJECTS[language][row.kind] in message["Subject"], (language, message["Subject"])
        if language == "zh-hans":
            assert "Hello" not in message.get_body(("plain",)).get_content()
