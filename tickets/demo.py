"""Demo requests: a few hundred over the last 90 days, in every state, some on time and some
late, so that queues and dashboards have something to show. Written as rows (not through the
services) because they happen in the past; due times still come from the business clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from agreements.models import Agreement, Coverage, GroupRule, Service
from departments.models import Department, Membership
from tickets import approval_chain
from tickets.alerting.met_late import record_breaches_met_late
from tickets.models import Approval, Breach, Event, Pause, Status, Target, Ticket
from tickets.sla import due_time

DAYS = 90
PER_WORKING_DAY = 6
PRIORITIES = ["P1", "P2", "P3", "P3", "P3", "P4"]
# How long work takes, as a share of the target: most on time, some late.
PACE = [0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.3, 2.0]
AMOUNTS = [800, 4_500, 9_800, 12_000, 36_000]
COMMENTS = ["Please use the template from last quarter.", "Attached the details.", "Thanks!"]


def seed(log) -> None:
    if Ticket.objects.exists():
        log("requests: already seeded")
        return
    rng = random.Random(20261124)
    now = timezone.now()
    pairs = _service_customer_pairs()
    if not pairs:
        log("requests: no services in the catalogue, none created")
        return
    created = 0
    for days_ago in range(DAYS, -1, -1):
        day = now - timedelta(days=days_ago)
        if timezone.localtime(day).weekday() >= 5:
            continue
        for _ in range(PER_WORKING_DAY):
            service, customer = rng.choice(pairs)
            filed_at = timezone.localtime(day).replace(
                hour=rng.randint(9, 17), minute=rng.randint(0, 59)
            )
            if filed_at < now and _file(rng, service, customer, filed_at, now):
                created += 1
    log(f"requests: {created} over the last {DAYS} days")
    _seed_chain(log)


def _seed_chain(log) -> None:
    """A chain to follow (Rules of the clock 10): `staff` asks Finance for a payroll extract for
    a new hire; `agent` acknowledges it and hands the laptop off to IT, which `it.agent` can
    resolve; Finance's agreement with Sales pauses the extract's clock meanwhile. Filed now,
    through the services, as people would."""
    from django.contrib.auth import get_user_model

    from tickets import hand_offs, services
    from tickets.workflow import Action

    people = get_user_model().objects.in_bulk(["staff", "agent"], field_name="username")
    extract = Service.objects.filter(provider__code="FIN", name="Payroll data extract").first()
    laptop = Service.objects.filter(provider__code="IT", name="New laptop").first()
    sales = Department.objects.filter(code="SALES").first()
    if len(people) < 2 or not (extract and laptop and sales):
        log("requests: no chain (the demo company is incomplete)")
        return
    staff, agent = people["staff"], people["agent"]
    today = timezone.localdate().isoformat()
    parent = services.ticket_file(
        requester=staff,
        service=extract,
        customer=sales,
        title="Payroll data for the new sales engineer",
        answers=_answers(extract, today),
    )
    services.ticket_transition(
        ticket_id=parent.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )
    child = hand_offs.ticket_open_child(
        parent_id=parent.pk,
        by=agent,
        service=laptop,
        title="Laptop for the new sales engineer",
        answers=_answers(laptop, today),
    )
    log(f"requests: a chain, {parent.reference} waiting on its hand-off {child.reference}")


def _answers(service: Service, today: str) -> dict:
    """An answer to each required question of a demo service."""
    samples = {"date": today, "number": "1", "long_text": "For the new hire.", "file": ""}
    answers = {}
    for question in service.form_fields:
        if question.get("required") and question["type"] != "file":
            kind = question["type"]
            answers[question["name"]] = (
                question["choices"][0] if kind == "choice" else samples.get(kind, "Li Wei")
            )
    return answers


def _service_customer_pairs() -> list[tuple[Service, Department]]:
    """Every (service, customer department) an agreement in force covers."""
    staffed = list(Department.objects.filter(memberships__isnull=False).distinct())
    pairs = []
    for coverage in Coverage.objects.select_related("service__provider", "customer"):
        customers = [coverage.customer] if coverage.customer else staffed
        pairs += [(coverage.service, c) for c in customers if c.pk != coverage.service.provider_id]
    return pairs


def _file(
    rng: random.Random, service: Service, customer, filed_at: datetime, now: datetime
) -> bool:
    requester = (
        Membership.objects.filter(department=customer)
        .exclude(user__is_superuser=True)
        .order_by("?")
        .first()
    )
    if requester is None:
        return False
    agreement = Agreement.for_request(customer, service, filed_at)
    priority = rng.choice(PRIORITIES)
    target = agreement and agreement.target_for(priority)
    agents = list(
        Membership.objects.agents()
        .filter(department=service.provider)
        .values_list("user", flat=True)
    )
    ticket = Ticket.objects.create(
        title=f"{service.name} for {customer.name}",
        description="Demo request.",
        answers=_demo_answers(service, filed_at),
        priority=priority,
        service=service,
        provider=service.provider,
        customer=customer,
        requester_id=requester.user_id,
        agreement=agreement,
        assignee_id=rng.choice(agents) if agents else None,
        filed_at=filed_at,
        resolution_started_at=filed_at,
        status=Status.NEW,
    )
    events = [
        Event(
            ticket=ticket,
            kind=Event.Kind.FILED,
            actor_id=requester.user_id,
            at=filed_at,
            to_status=Status.NEW,
        )
    ]
    if target:
        _play(rng, ticket, target, agreement.calendar.as_clock(), now, events)
    Event.objects.bulk_create(events)
    _late_targets_on_record(ticket)
    ticket.save()
    _approvals(ticket, service, filed_at)
    return True


def _late_targets_on_record(ticket: Ticket) -> None:
    """Targets met late are on record as breaches, as the code that records a target met late
    writes them (tickets.alerting.met_late: the moment it is met, the request's agreement);
    those still open are left to the first scan."""
    for met in sorted({ticket.first_responded_at, ticket.resolved_at} - {None}):
        record_breaches_met_late(ticket, met)


def _play(rng, ticket: Ticket, target, clock, now: datetime, events: list[Event]) -> None:
    """Advance the request through its life until `now`, as an agent and the requester would."""
    agent = ticket.assignee_id
    ticket.first_response_due_at = due_time(clock, ticket.filed_at, target.first_response, [])
    ticket.resolution_due_at = due_time(clock, ticket.filed_at, target.resolution, [])
    first = clock.add(ticket.filed_at, target.first_response * rng.choice(PACE))
    if first > now:
        return
    ticket.first_responded_at = first
    _move(ticket, events, agent, first, Status.ACKNOWLEDGED)
    pauses = []
    if rng.random() < 0.25:  # the agent needs something from the requester
        asked = clock.add(first, timedelta(minutes=30))
        answered = clock.add(asked, timedelta(hours=rng.choice([1, 2, 4, 8])))
        if asked > now:
            return
        _move(ticket, events, agent, asked, Status.WAITING)
        if answered > now:
            ticket.paused_at = asked
            Pause.objects.create(ticket=ticket, reason=Pause.Reason.WAITING, started_at=asked)
            ticket.resolution_due_at = None
            return
        Pause.objects.create(
            ticket=ticket, reason=Pause.Reason.WAITING, started_at=asked, ended_at=answered
        )
        pauses.append((asked, answered))
        _answer_duty(ticket, clock, asked, answered)
        events.append(
            Event(
                ticket=ticket,
                kind=Event.Kind.COMMENT,
                actor=ticket.requester,
                at=answered,
                text=rng.choice(COMMENTS),
            )
        )
        _move(ticket, events, ticket.requester_id, answered, Status.IN_PROGRESS)
        ticket.resolution_due_at = due_time(clock, ticket.filed_at, target.resolution, pauses)
    resolved = clock.add(
        ticket.filed_at,
        target.resolution * rng.choice(PACE)
        + sum((clock.between(a, b) for a, b in pauses), timedelta()),
    )
    if resolved > now:
        if ticket.status == Status.ACKNOWLEDGED:
            _move(
                ticket, events, agent, clock.add(first, timedelta(minutes=15)), Status.IN_PROGRESS
            )
        return
    ticket.resolved_at = resolved
    ticket.resolved_by_id = agent
    _move(ticket, events, agent, resolved, Status.RESOLVED)
    days = ticket.agreement.confirm_within_days
    confirm_due = clock.end_of_working_days(resolved, days)
    confirmed = resolved + timedelta(hours=rng.choice([2, 20, 30]))
    # Some requesters never answer: their requests confirm themselves (rule of the clock 7).
    silent = ticket.pk % 6 == 0
    if silent:
        confirmed = confirm_due
    if confirmed > now:
        Pause.objects.create(ticket=ticket, reason=Pause.Reason.RESOLVED, started_at=resolved)
        ticket.confirm_due_at = confirm_due
        ticket.confirm_remind_at = (
            clock.end_of_working_days(resolved, days - 1) if days > 1 else None
        )
        return
    Pause.objects.create(
        ticket=ticket, reason=Pause.Reason.RESOLVED, started_at=resolved, ended_at=confirmed
    )
    ticket.closed_at = ticket.confirmed_at = confirmed
    rated = rng.random() < 0.7
    if silent:
        ticket.confirmed_automatically = True
        events.append(
            Event(
                ticket=ticket,
                kind=Event.Kind.AUTO_CONFIRMED,
                at=confirmed,
                from_status=ticket.status,
                to_status=Status.CLOSED,
                text=f"No confirmation or reopening within {days} working days.",
            )
        )
        ticket.status = Status.CLOSED
        return
    _move(ticket, events, ticket.requester_id, confirmed, Status.CLOSED)
    if rated:
        ticket.rating = rng.choice([3, 4, 4, 5, 5, 2])
        events.append(
            Event(
                ticket=ticket,
                kind=Event.Kind.RATED,
                actor_id=ticket.requester_id,
                at=confirmed,
                text=f"{ticket.rating}/5",
            )
        )


def _answer_duty(ticket: Ticket, clock, asked: datetime, answered: datetime) -> None:
    """The requester's answer against the agreement's duty; a late one is the customer's
    breach on record (rule of the clock 8)."""
    duty = ticket.agreement.requester_answer_within
    if not duty:
        return
    due = clock.add(asked, duty)
    ticket.requester_answer_due_at, ticket.requester_answered_at = due, answered
    if answered > due:
        Breach.objects.create(
            ticket=ticket,
            target=Target.REQUESTER_ANSWER,
            agreement=ticket.agreement,
            due_at=due,
            detected_at=due,
            notified_at=due,
            escalation_ended=True,
        )
        ticket.requester_answer_breached_at = due


def _move(ticket: Ticket, events: list[Event], actor_id, at: datetime, status: str) -> None:
    events.append(
        Event(
            ticket=ticket,
            kind=Event.Kind.TRANSITION,
            actor_id=actor_id,
            at=at,
            from_status=ticket.status,
            to_status=status,
        )
    )
    ticket.status = status


def _approvals(ticket: Ticket, service: Service, filed_at: datetime) -> None:
    """Past approval chains: the steps whose condition is false skipped, the others approved
    within the hour (the demo keeps approvers prompt); in an "any of" group the first approver
    decides and the others' steps are closed."""
    steps = list(service.approval_steps.select_related("service", "person", "department"))
    settled: set[int] = set()
    for planned in approval_chain.plan(steps, ticket.answers, ticket.customer):
        step = planned.step
        if not planned.verdict.applies:
            Event.objects.create(
                ticket=ticket,
                kind=Event.Kind.SKIPPED,
                at=filed_at,
                text=approval_chain.skipped_text(planned),
            )
            continue
        approver = step.person or (step.department or ticket.customer).head
        if approver is None:
            continue
        closed = planned.group_rule == GroupRule.ANY and planned.stage in settled
        Approval.objects.create(
            ticket=ticket,
            position=planned.position,
            stage=planned.stage,
            group_rule=planned.group_rule,
            description=step.description,
            approver=approver,
            current_since=filed_at,
            decision=Approval.Decision.CLOSED if closed else Approval.Decision.APPROVED,
            decided_by=None if closed else approver,
            decided_at=filed_at + timedelta(minutes=10 * planned.position),
        )
        settled.add(planned.stage)


def _demo_answers(service: Service, filed_at: datetime) -> dict:
    """Amounts and counts for the number questions (a purchase over 10,000 or not), read off
    the filing time so that the random sequence of the rest of the demo stays as it was."""
    amount = AMOUNTS[(filed_at.hour * 60 + filed_at.minute) % len(AMOUNTS)]
    return {
        field["name"]: str(amount) for field in service.form_fields if field.get("type") == "number"
    }
