"""A burst (a morning of breaches) is folded into one summary per bot rather than dropped or
spread over many minutes: the bot never receives more than its app allows, every event reaches
the group on its own or in a summary, none twice."""

import re
from datetime import timedelta

from agreements.models import Priority
from chats import letters as chat_letters
from outbox import sending
from outbox.models import Message
from tests.support.clock import at
from tickets import letters
from tickets.alerting.breach_scan import breach_scan


def send_all():
    ids = Message.objects.filter(destination_id__isnull=False).values_list("pk", flat=True)
    return sending.send(list(ids))


def test_a_hundred_breaches_reach_a_dingtalk_bot_within_its_limit_each_once(
    vendor, make_bot, agreement, finance, file_request, payroll_extract, clock_at
):
    make_bot(finance, "dingtalk", secret="s3cr3t", kinds=[letters.BREACH])
    tickets = [
        file_request(payroll_extract, priority=Priority.P1, title=f"Payroll {number}")
        for number in range(100)
    ]
    clock_at(at(23, 10, 30))
    breach_scan()
    breach_scan()  # run twice: still one breach each
    breaches = Message.objects.filter(kind=letters.BREACH, destination_id__isnull=False)
    assert breaches.count() == 100

    arrivals = []  # (seconds since the first send, messages received at that moment)
    start = at(23, 10, 31)
    for step in range(0, 15 * 60, 10):
        clock_at(start + timedelta(seconds=step))
        before = len(vendor.received)
        send_all()
        arrivals.append((step, len(vendor.received) - before))

    for step, _ in arrivals:
        in_minute = sum(count for other, count in arrivals if step - 60 < other <= step)
        assert in_minute <= 20, (step, arrivals)
    assert vendor.problems == []
    texts = vendor.texts()
    for ticket in tickets:
        mentions = sum(len(re.findall(rf"\b{ticket.reference}\b", text)) for text in texts)
        assert mentions == 1, ticket.reference
    summaries = Message.objects.filter(kind=chat_letters.SUMMARY)
    assert 1 <= summaries.count() <= 3
    assert set(summaries.values_list("state", flat=True)) == {"sent"}
    assert set(breaches.values_list("state", flat=True)) == {"sent"}
    folded = breaches.filter(in_digest__isnull=False).count()
    assert len(texts) == 100 - folded + summaries.count()
    assert any("events at once" in text and "Breach (a target missed)" in text for text in texts)
    assert any("/requests/queue/" in text for text in texts)


def test_a_few_held_back_messages_are_not_folded(
    vendor, make_bot, agreement, finance, file_request, payroll_extract, clock_at
):
    make_bot(finance, "dingtalk")
    for number in range(30):
        file_request(payroll_extract, title=f"Payroll {number}")
    send_all()
    clock_at(at(23, 9, 1) + timedelta(seconds=1))
    send_all()
    assert len(vendor.received) == 30
    assert not Message.objects.filter(kind=chat_letters.SUMMARY).exists()
