"""Writing messages to the outbox, and handing them to the workers after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from departments.models import Delivery, chosen_deliveries
from outbox import destinations
from outbox.kinds import KINDS
from outbox.models import Message

logger = logging.getLogger(__name__)

# How many messages one sending task takes: a few seconds of a worker's time.
BATCH = 100

# The state of a person's message for each way they may choose to receive its kind.
DELIVERY_STATES = {
    Delivery.EMAIL: Message.State.PENDING,
    Delivery.DIGEST: Message.State.DIGEST,
    Delivery.IN_APP: Message.State.IN_APP,
}


def queue(
    kind: str,
    about: models.Model | None,
    recipients: Iterable,
    *,
    round: int = 1,
    state: str = Message.State.PENDING,
) -> list[Message]:
    """Write a message of `kind` about `about` to each active recipient with an e-mail address
    (once each), in the caller's transaction, and send them after its commit."""
    people = {person.pk: person for person in recipients}
    addressed = [(about, person) for person in people.values()]
    messages = queue_each(kind, addressed, round=round, state=state)
    if about is not None:
        messages += fan_out(kind, [about])
    return messages


def queue_each(
    kind: str,
    addressed: Iterable[tuple[models.Model | None, object]],
    *,
    round: int = 1,
    state: str = Message.State.PENDING,
) -> list[Message]:
    """Write a message of `kind` for each (about, recipient) pair whose recipient is active and
    has an e-mail address, in the caller's transaction, and send them after its commit. Each
    recipient's preference for the kind decides its state: e-mailed now (`state`), gathered
    into the hourly digest, or shown in Accord only."""
    declared = KINDS.get(kind)
    if declared is None:
        raise ValueError(f"undeclared message kind {kind!r}")
    addressed = [
        (about, person) for about, person in addressed if person.is_active and person.email
    ]
    states = dict.fromkeys((person.pk for _about, person in addressed), state)
    if declared.label and not declared.email_only and state == Message.State.PENDING and states:
        for person_id, delivery in chosen_deliveries(kind, states).items():
            states[person_id] = DELIVERY_STATES[delivery]
    messages = Message.objects.bulk_create(
        Message(
            kind=kind,
            recipient=person,
            about_type=ContentType.objects.get_for_model(about) if about is not None else None,
            about_id=about.pk if about is not None else None,
            round=round,
            state=states[person.pk],
        )
        for about, person in addressed
    )
    send_after_commit(
        [message.pk for message in messages if message.state == Message.State.PENDING]
    )
    return messages


def fan_out(kind: str, abouts: Iterable[models.Model]) -> list[Message]:
    """Write a message of `kind` about each of `abouts` to every destination of the other
    channels (group chats, webhooks) that receives that kind, in the caller's transaction, and
    send them after its commit. Nothing is read when no channel is registered."""
    if not destinations.CHANNELS:
        return []
    messages = Message.objects.bulk_create(
        Message(
            kind=kind,
            about_type=ContentType.objects.get_for_model(about),
            about_id=about.pk,
            destination_type=ContentType.objects.get_for_model(destination),
            destination_id=destination.pk,
        )
        for about, destination in destinations.destinations_for(kind, abouts)
    )
    send_after_commit([message.pk for message in messages])
    return messages


def send_after_commit(message_ids: list[int]) -> None:
    """After the commit, hand the ids to sending tasks of BATCH messages each; with the broker
    down they wait in the outbox for the periodic `outbox.send_unsent`."""
    if message_ids:
        transaction.on_commit(lambda: enqueue(message_ids))


def enqueue(message_ids: list[int], *, after_seconds: float | None = None) -> int:
    """Queue sending tasks for `message_ids`, now or `after_seconds` from now; return how many
    ids were queued. Stops at the first refusal: with the broker down each attempt waits out the
    same timeout (the periodic `outbox.send_unsent` takes them up later)."""
    from outbox.tasks import send_messages

    for start in range(0, len(message_ids), BATCH):
        batch = message_ids[start : start + BATCH]
        try:
            send_messages.apply_async((batch,), countdown=after_seconds, retry=False)
        except Exception as error:  # the change is committed; its messages only wait
            logger.warning("%s messages not queued (%s); they will be retried", len(batch), error)
            return start
    return len(message_ids)
