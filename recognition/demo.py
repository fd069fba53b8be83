"""Demo recognition: thanks on some of the demo requests that were confirmed with a good rating,
and one past recognition cycle (the last quarter), published with an award to the best
department and one to the most thanked agent."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from recognition import candidates, services
from recognition.forms import last_quarter, quarter_name
from recognition.models import Cycle
from tickets.models import Event, Kudos, Status, Ticket

THANKS = [
    "Thank you, that was quick!",
    "Exactly what we needed, thanks.",
    "Clear and on time. Much appreciated.",
    "谢谢，处理得又快又好！",
    "Thanks for walking us through it.",
]


def seed(log) -> None:
    if Cycle.objects.exists():
        log("recognition: already seeded")
        return
    hr = get_user_model().objects.filter(username="hr").first()
    if hr is None:
        log("recognition: no demo HR, no cycle created")
        return
    with transaction.atomic():
        thanked = _kudos()
        cycle = _past_cycle(hr)
    log(f"recognition: {thanked} thanks and the published cycle {cycle}")


def _kudos() -> int:
    """Thanks on about half of the requests confirmed with a 4 or a 5."""
    rng = random.Random(20261204)
    well_rated = Ticket.objects.filter(
        status=Status.CLOSED, rating__gte=4, assignee__isnull=False, closed_at__isnull=False
    ).order_by("pk")
    kudos, events = [], []
    for ticket in well_rated:
        if rng.random() < 0.5:
            continue
        at = ticket.closed_at + timedelta(minutes=5)
        message = rng.choice(THANKS)
        kudos.append(
            Kudos(
                ticket=ticket,
                given_by_id=ticket.requester_id,
                agent_id=ticket.assignee_id,
                department_id=ticket.provider_id,
                message=message,
                given_at=at,
            )
        )
        events.append(
            Event(
                ticket=ticket,
                kind=Event.Kind.THANKED,
                actor_id=ticket.requester_id,
                at=at,
                text=message,
            )
        )
    Kudos.objects.bulk_create(kudos)
    Event.objects.bulk_create(events)
    return len(kudos)


def _past_cycle(hr) -> Cycle:
    first, last = last_quarter(timezone.localdate())
    cycle = services.cycle_create(by=hr, name=quarter_name(first), starts_on=first, ends_on=last)
    departments = candidates.department_candidates(cycle, timezone.now())
    best = next((c for c in departments if c.figures["rank"] == 1), departments[0])
    services.award_add(
        cycle_id=cycle.pk,
        by=hr,
        department=best.department,
        title="Best internal supplier",
        reason="Highest compliance of the quarter, and thanked by its customers.",
    )
    people = candidates.person_candidates(cycle)
    if people:
        services.award_add(
            cycle_id=cycle.pk,
            by=hr,
            person=people[0].person,
            title="Most thanked colleague",
            reason="More requesters said thank you to them than to anyone else this quarter.",
        )
    return services.cycle_publish(cycle_id=cycle.pk, by=hr)
