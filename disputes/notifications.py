"""Who is told what about a dispute: each function writes outbox messages (disputes.letters) in
the caller's transaction; they are sent after the commit. Nobody is asked to decide a dispute
they may not decide (disputes.services.may_decide): an administrator who is a party to it is
not asked in an administrator's stead."""

from __future__ import annotations

from disputes import letters
from disputes.models import Dispute, DisputeStep
from disputes.selectors import administrators_to_decide
from outbox.services import queue


def to_decide(dispute: Dispute, step: DisputeStep) -> None:
    """The person now asked to decide (the administrators who are no party to it when nobody
    else may), and the provider's head who opened it when the dispute was sent up."""
    deciders = [dispute.decider] if dispute.decider else list(administrators_to_decide(dispute))
    queue(letters.TO_DECIDE, step, deciders)
    if step.action != DisputeStep.Action.OPENED:
        queue(letters.MOVED_ON, step, [dispute.opened_by])


def lapsed(dispute: Dispute, step: DisputeStep, asked: list) -> None:
    """Those who had it to decide when its window ended (the person asked and their delegates)
    hear that it went up, and to whom; but whoever opened it, who hears anyway, and whoever
    decides it now."""
    skipped = {dispute.opened_by_id, dispute.decider_id}
    people = {person.pk: person for person in asked if person.pk not in skipped}
    queue(letters.MOVED_ON, step, people.values())


def decided(dispute: Dispute, step: DisputeStep) -> None:
    """Everyone who took part in it but the one who decided."""
    people = {dispute.opened_by_id: dispute.opened_by}
    for earlier in dispute.steps.select_related("actor", "asked"):
        for person in (earlier.actor, earlier.asked):
            if person is not None:
                people[person.pk] = person
    people.pop(step.actor_id, None)
    queue(letters.MOVED_ON, step, people.values())
