"""The one outbox: every kind of message is claimed, sent once through Django's e-mail backend,
retried with back-off and withdrawn when its reason no longer holds, in the same way."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox import sending
from outbox.models import Message
from outbox.sending import MAX_ATTEMPTS, RETRY_BASE, RETRY_CAP, STALE_CLAIM, retry_delay
from tests.support.concurrency import run_at_once
from tickets import letters
from tickets.workflow import Action


@pytest.fixture
def filed(agreement, agent, head, file_request, payroll_extract):
    """A request filed by `staff`: its new-request e-mails to Finance's agent and head wait in
    the outbox (nothing runs its commit callbacks)."""
    return file_request(payroll_extract)


def filings():
    """The new-request e-mails (the agreement's own notices are left out)."""
    return Message.objects.filter(kind=letters.FILED)


def unsent() -> list[int]:
    return list(filings().filter(state=Message.State.PENDING).values_list("pk", flat=True))


def states() -> list[str]:
    return sorted(filings().values_list("state", flat=True))


def test_filing_writes_one_message_per_recipient_about_the_filing(filed, agent, head):
    messages = filings()
    assert sorted(m.recipient.username for m in messages) == ["agent", "head"]
    assert {m.about.ticket for m in messages} == {filed}


def test_sending_sends_each_message_once_and_marks_it_sent(filed):
    counts = sending.send(unsent())
    assert counts["sent"] == 2
    assert len(mail.outbox) == 2
    assert states() == ["sent", "sent"]
    assert all(m.sent_at for m in filings())


def test_sending_twice_sends_once(filed):
    ids = unsent()
    sending.send(ids)
    counts = sending.send(ids)
    assert counts["skipped"] == 2
    assert len(mail.outbox) == 2


def test_two_senders_at_once_send_each_message_once(transactional_db, filed):
    ids = unsent()
    run_at_once(lambda: sending.send(ids), lambda: sending.send(ids))
    assert len(mail.outbox) == 2


def test_a_row_another_sender_is_claiming_is_skipped_not_waited_for(transactional_db, filed):
    first, second = unsent()
    with transaction.atomic():
        Message.objects.select_for_update().filter(pk=first).get()
        # From another connection: the locked row is skipped at once.
        counts = run_at_once(lambda: sending.send([first, second]))[0]
    assert counts == {"sent": 1, "skipped": 1}


def test_each_message_has_a_deterministic_message_id(filed):
    sending.send(unsent())
    ids = sorted(message.extra_headers["Message-ID"] for message in mail.outbox)
    expected = sorted(m.message_id for m in filings())
    assert ids == expected
    assert all(i.startswith("<accord.message.") for i in ids)


def test_a_claim_left_by_a_dead_worker_is_sent_again_only_once_it_is_stale(filed):
    ids = unsent()
    filings().update(state=Message.State.SENDING, claimed_at=timezone.now(), attempts=1)
    assert sending.send(ids)["skipped"] == 2
    filings().update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))
    assert sending.send(ids)["sent"] == 2


def test_a_refused_message_waits_twice_as_long_after_each_failure_then_is_given_up(
    filed, settings, clock_at
):
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    ids = unsent()[:1]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert sending.send(ids)["failed"] == 1
        row = Message.objects.get(pk=ids[0])
        assert row.attempts == attempt
        assert "refused" in row.last_error
        assert sending.send(ids)["skipped"] == 1  # still waiting
        clock_at(timezone.now() + retry_delay(attempt))
    assert row.state == Message.State.FAILED
    assert sending.send(ids)["skipped"] == 1


def test_the_wait_between_attempts_doubles_and_is_capped():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [RETRY_BASE * f for f in (1, 2, 4, 8)]
    assert retry_delay(20) == RETRY_CAP


def test_requeue_picks_pending_messages_and_stale_claims_only(filed, monkeypatch):
    queued = []
    monkeypatch.setattr("outbox.services.enqueue", lambda ids: queued.extend(ids) or len(ids))
    first, _ = unsent()
    Message.objects.exclude(pk=first).update(state=Message.State.SENDING, claimed_at=timezone.now())
    assert sending.requeue_unsent() == 1
    assert queued == [first]


def test_a_message_about_a_request_taken_on_before_sending_is_withdrawn(filed, agent):
    from tickets import services

    services.ticket_transition(
        ticket_id=filed.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )
    counts = sending.send(unsent())
    assert counts["cancelled"] == 2
    assert mail.outbox == []
    assert set(filings().values_list("cancel_reason", flat=True)) == {"taken_on"}


def test_a_change_that_rolls_back_leaves_no_message(agreement, file_request, payroll_extract):
    with pytest.raises(RuntimeError), transaction.atomic():
        file_request(payroll_extract)
        raise RuntimeError
    assert not filings().exists()


def test_one_connection_serves_a_batch(filed, settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.CountingBackend"
    from tests.outbox.backends import CountingBackend

    CountingBackend.opened = 0
    sending.send(unsent())
    assert CountingBackend.opened == 1
