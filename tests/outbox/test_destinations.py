"""Channels besides e-mail plug into the outbox: a registered kind of destination receives one
message per event it subscribes to, claimed and retried like an e-mail, held back without
losing it when it says "later", and never retried once it says it is broken."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Department
from outbox import destinations, sending
from outbox.destinations import Broken, Channel, Later
from outbox.models import Message
from tickets import letters


class Recorder:
    """A stand-in channel: departments play the destinations (each hears of its own requests)
    and deliveries are recorded, or answered with what the test asks."""

    def __init__(self):
        self.delivered: list[tuple[str, int]] = []
        self.answer: Exception | None = None

    def deliver(self, message):
        if self.answer:
            raise self.answer
        self.delivered.append((message.kind, message.destination.pk))

    def subscribers(self, kind):
        if kind != letters.FILED:
            return []
        found = list(Department.objects.all())
        for department in found:
            department.department_id = department.pk  # the department it belongs to
        return found


@pytest.fixture
def channel(monkeypatch):
    recorder = Recorder()
    monkeypatch.setitem(
        destinations.CHANNELS,
        Department,
        Channel(Department, recorder.deliver, recorder.subscribers),
    )
    return recorder


@pytest.fixture
def filed(agreement, agent, head, file_request, payroll_extract, channel):
    return file_request(payroll_extract)


def to_destinations():
    return Message.objects.filter(destination_id__isnull=False)


def test_an_event_writes_one_message_per_subscribed_destination(filed, finance):
    [message] = to_destinations()
    assert (message.kind, message.destination, message.recipient) == (letters.FILED, finance, None)
    assert message.about.ticket == filed


def test_a_destination_message_is_delivered_once(filed, channel, finance):
    ids = [message.pk for message in to_destinations()]
    assert sending.send(ids)["sent"] == 1
    sending.send(ids)
    assert channel.delivered == [(letters.FILED, finance.pk)]
    assert to_destinations().get().state == Message.State.SENT


def test_a_destination_at_its_limit_holds_the_message_back_without_counting_an_attempt(
    filed, channel
):
    channel.answer = Later(30, "rate limited")
    ids = [message.pk for message in to_destinations()]
    assert sending.send(ids)["held"] == 1
    message = to_destinations().get()
    assert (message.state, message.attempts, message.last_error) == ("pending", 0, "rate limited")
    assert message.retry_at is not None
    assert sending.send(ids)["skipped"] == 1  # not before its time


def test_a_message_held_back_is_queued_again_for_when_its_destination_can_take_it(
    filed, channel, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "outbox.services.enqueue",
        lambda ids, after_seconds=None: queued.append((list(ids), after_seconds)) or len(ids),
    )
    channel.answer = Later(12.5, "rate limited")
    [message] = to_destinations()

    sending.send([message.pk])

    assert queued == [([message.pk], 13)]


def test_a_broken_destination_is_not_retried(filed, channel):
    channel.answer = Broken("the robot was removed")
    ids = [message.pk for message in to_destinations()]
    sending.send(ids)
    message = to_destinations().get()
    assert message.state == Message.State.FAILED
    assert "the robot was removed" in message.last_error
    later = timezone.now() + timedelta(days=1)
    assert not Message.objects.filter(sending.claimable(later), pk=message.pk).exists()


def test_a_message_whose_reason_is_gone_is_withdrawn_for_destinations_too(filed, channel, agent):
    from tickets import services
    from tickets.workflow import Action

    services.ticket_transition(
        ticket_id=filed.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )
    sending.send([message.pk for message in to_destinations()])
    assert channel.delivered == []
    assert to_destinations().get().cancel_reason == "taken_on"


def test_without_channels_an_event_writes_no_destination_message(
    agreement, agent, head, file_request, payroll_extract, monkeypatch
):
    monkeypatch.setattr(destinations, "CHANNELS", {})
    file_request(payroll_extract)
    assert not to_destinations().exists()
