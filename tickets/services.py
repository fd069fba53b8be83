"""Operations on requests: filing, transitions, comments, assignment, priority, approvals,
confirmation and rating. Each is one transaction that locks the request, checks who may act
(tickets.workflow), keeps the clock (tickets.sla), writes the timeline and queues e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Service
from common.errors import DomainError
from departments.models import Department, Membership, acting_for
from tickets import approval_chain, assignment, notifications
from tickets.alerting.met_late import record_breaches_met_late
from tickets.answers import clean_answers
from tickets.confirmation import clear_confirmation, schedule_confirmation
from tickets.models import OPEN_STATUSES, Approval, Attachment, Event, Pause, Status, Ticket
from tickets.sla import due_time
from tickets.uploads import atomic_with_files, store_file, validate_upload
from tickets.workflow import VISIBLE_TO_REQUESTER, Action, Role, TransitionNotAllowed, next_status


class TicketError(DomainError):
    """An operation the request does not allow now; the message says why."""


class StaleTicket(TicketError):
    """The request changed since the person acting on it loaded it."""

    status_code = HTTPStatus.CONFLICT


@dataclass(frozen=True)
class DueTimes:
    agreement: Agreement | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response: timedelta | None = None
    resolution: timedelta | None = None
    approvals: tuple[str, ...] = ()  # the approval steps the request would wait for, in words
    approvals_skipped: bool = False  # the service has a chain, and none of it applies

    @property
    def needs_approval(self) -> bool:
        return bool(self.approvals)


def preview_due_times(
    *,
    service: Service,
    customer: Department,
    priority: str,
    at: datetime,
    answers: Mapping[str, object] | None = None,
) -> DueTimes:
    """What filing now would promise: the agreement in force, the approval steps that apply to
    the `answers` typed so far (as filing evaluates them) and the due times."""
    agreement = Agreement.for_request(customer, service, at)
    steps = list(service.approval_steps.select_related("service", "department", "person"))
    planned = approval_chain.plan(steps, dict(answers or {}), customer)
    approvals = tuple(approval_chain.waiting_text(p) for p in planned if p.verdict.applies)
    skipped = bool(planned) and not approvals
    target = agreement and agreement.targets.filter(priority=priority).first()
    if not target:
        return DueTimes(agreement, None, None, approvals=approvals, approvals_skipped=skipped)
    clock = agreement.calendar.as_clock()
    return DueTimes(
        agreement,
        clock.add(at, target.first_response),
        None if approvals else clock.add(at, target.resolution),
        target.first_response,
        target.resolution,
        approvals,
        skipped,
    )


def roles_of(user, ticket: Ticket) -> set[Role]:
    roles: set[Role] = set()
    if user.pk == ticket.requester_id:
        roles.add(Role.REQUESTER)
    if (
        user.is_superuser
        or Membership.objects.filter(
            user=user,
            department=ticket.provider_id,
            role__in=[Membership.Role.AGENT, Membership.Role.HEAD],
        ).exists()
    ):
        roles.add(Role.AGENT)
    if (
        current_approvals(ticket)
        .filter(approver__in=acting_for(user, timezone.localdate()))
        .exists()
    ):
        roles.add(Role.APPROVER)
    return roles


def current_approvals(ticket: Ticket):
    """The approvals awaiting decision now: those of the current stage not yet decided."""
    return ticket.approvals.filter(current_since__isnull=False, decision="")


def current_approval(ticket: Ticket) -> Approval | None:
    return current_approvals(ticket).first()


@transaction.atomic
def ticket_file(
    *,
    requester,
    service: Service,
    customer: Department,
    title: str,
    description: str = "",
    priority: str | None = None,
    answers: Mapping[str, object] | None = None,
    parent: Ticket | None = None,
) -> Ticket:
    """File a request: pin the agreement in force, start the clock, open the approval chain.
    A hand-off names its `parent` (tickets.hand_offs checks it may be opened)."""
    if not service.is_active or service.provider.archived_at is not None:
        raise TicketError(_("This service is no longer offered."))
    if customer.archived_at is not None:
        raise TicketError(
            _("%(department)s is archived: it no longer files requests.") % {"department": customer}
        )
    if not Membership.objects.filter(user=requester, department=customer).exists():
        raise PermissionDenied(_("You can file requests only for a department you belong to."))
    if not title.strip():
        raise ValidationError({"title": _("Give the request a title.")})
    now = timezone.now()
    cleaned = clean_answers(service.form_fields, dict(answers or {}))
    steps = list(service.approval_steps.select_related("service", "department", "person"))
    planned = approval_chain.plan(steps, cleaned, customer)
    needs_approval = approval_chain.needs_approval(planned)
    ticket = Ticket.objects.create(
        title=title.strip(),
        description=description,
        answers=cleaned,
        priority=priority or service.default_priority,
        service=service,
        provider=service.provider,
        customer=customer,
        requester=requester,
        agreement=Agreement.for_request(customer, service, now),
        status=Status.APPROVAL_PENDING if needs_approval else Status.NEW,
        filed_at=now,
        resolution_started_at=None if needs_approval else now,
        parent=parent,
    )
    event = _log(ticket, Event.Kind.FILED, requester, now, to_status=ticket.status)
    approval_chain.open_chain(ticket, planned, now)
    _recompute_due_times(ticket)
    ticket.save()
    notifications.request_filed(ticket, event)
    if not needs_approval and assignment.assign_automatically(ticket):
        ticket.save(update_fields=["assignee"])
    return ticket


@transaction.atomic
def ticket_transition(
    *, ticket_id: int, by, action: str, expected_version: int | None, comment: str = ""
) -> Ticket:
    """Move a request along its life cycle (see tickets.workflow for who may do what).
    Cancelling a request cancels its open, attached hand-offs with it."""
    hand_offs = _lock_hand_offs_to_cancel(ticket_id) if action == Action.CANCEL else []
    ticket = _locked(ticket_id, expected_version)
    if action in (Action.APPROVE, Action.REJECT):
        raise TicketError(_("Approvals are decided on their approval step."))
    roles = roles_of(by, ticket)
    try:
        new_status = next_status(ticket.status, action, roles)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    except TransitionNotAllowed as error:
        raise StaleTicket(str(error)) from error
    if action == Action.RESOLVE:
        _refuse_open_children(ticket)
    if action == Action.CANCEL:
        hand_offs = _still_to_cancel(ticket, hand_offs)
    now = timezone.now()
    old_status = ticket.status
    if Role.AGENT in roles and action in VISIBLE_TO_REQUESTER and not ticket.first_responded_at:
        ticket.first_responded_at = now
    _apply_clock_effects(ticket, action, by, now)
    record_breaches_met_late(ticket, now)
    ticket.status = new_status
    if new_status in (Status.CLOSED, Status.CANCELLED):
        ticket.closed_at = now
    _save(ticket)
    event = _log(ticket, Event.Kind.TRANSITION, by, now, old_status, new_status, comment)
    # Acknowledging an unassigned request takes it; a reopened one may need someone present.
    if action == Action.ACKNOWLEDGE and ticket.assignee_id is None and _works_queue(by, ticket):
        ticket.assignee = by
        _log(ticket, Event.Kind.ASSIGNED, by, now, text=_person(by), internal=True)
        ticket.save(update_fields=["assignee"])
    elif action == Action.REOPEN and assignment.assign_on_reopening(ticket):
        ticket.save(update_fields=["assignee"])
    notifications.status_changed(ticket, event)
    if ticket.parent_id and ticket.detached_at is None:
        parent_follow_children(parent_id=ticket.parent_id, by=by, at=now)
        if new_status == Status.RESOLVED:
            notifications.hand_off_resolved(ticket, event)
    if hand_offs:
        _cancel_with_parent(hand_offs, ticket, by, now)
        ticket = _locked(ticket.pk, None)  # following its hand-offs ended its wait on them
    return ticket


@transaction.atomic
def ticket_confirm(
    *, ticket_id: int, by, expected_version: int | None, rating: int | None, comment: str = ""
) -> Ticket:
    """The requester confirms the result and, optionally, rates the service 1-5."""
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    ticket = ticket_transition(
        ticket_id=ticket_id,
        by=by,
        action=Action.CONFIRM,
        expected_version=expected_version,
        comment="" if rating is not None else comment,
    )
    if rating is not None:
        ticket.rating, ticket.rating_comment = rating, comment.strip()
        _save(ticket)
        _log(ticket, Event.Kind.RATED, by, timezone.now(), text=f"{rating}/5 {comment}".strip())
    return ticket


@transaction.atomic
def ticket_comment(*, ticket_id: int, by, text: str, internal: bool = False) -> Event:
    """Add a comment (or an internal note, for the provider only). A public comment from the
    provider is a first response; one from the requester answers a question and resumes."""
    if not text.strip():
        raise ValidationError({"text": _("Write something first.")})
    ticket = _locked(ticket_id, None)
    roles = roles_of(by, ticket)
    if internal and Role.AGENT not in roles:
        raise PermissionDenied(_("Internal notes are for the provider department's agents."))
    if not roles & {Role.REQUESTER, Role.AGENT}:
        raise PermissionDenied(_("Only the requester and the provider's agents comment here."))
    now = timezone.now()
    if not internal and Role.AGENT in roles and not ticket.first_responded_at:
        ticket.first_responded_at = now
        record_breaches_met_late(ticket, now)
    kind = Event.Kind.NOTE if internal else Event.Kind.COMMENT
    event = _log(ticket, kind, by, now, text=text.strip(), internal=internal)
    if ticket.status == Status.WAITING and Role.REQUESTER in roles and not internal:
        _apply_clock_effects(ticket, Action.ANSWER, by, now)
        _log(ticket, Event.Kind.TRANSITION, by, now, Status.WAITING, Status.IN_PROGRESS)
        ticket.status = Status.IN_PROGRESS
    _save(ticket)
    return event


@atomic_with_files()
def ticket_attach(*, ticket_id: int, by, upload) -> Attachment:
    """Attach a file (the requester or the provider's agents), on the request's timeline; the
    file is deleted again if the transaction rolls back."""
    validate_upload(upload)
    ticket = _locked(ticket_id, None)
    if not roles_of(by, ticket) & {Role.REQUESTER, Role.AGENT}:
        raise PermissionDenied(_("Only the requester and the provider's agents attach files."))
    now = timezone.now()
    attachment = Attachment(
        ticket=ticket, name=upload.name[:200], size=upload.size, uploaded_by=by, uploaded_at=now
    )
    store_file(attachment.file, upload)
    attachment.save()
    _log(ticket, Event.Kind.ATTACHMENT, by, now, text=attachment.name)
    return attachment


@transaction.atomic
def ticket_assign(*, ticket_id: int, by, assignee, expected_version: int | None) -> Ticket:
    """Give the request to one of the provider's agents (or take it back: `assignee` None)."""
    ticket = _locked(ticket_id, expected_version)
    if Role.AGENT not in roles_of(by, ticket):
        raise PermissionDenied(_("Only the provider department's agents assign its requests."))
    if assignee is not None and not _works_queue(assignee, ticket):
        raise ValidationError({"assignee": _("Assign it to an agent of %(department)s.") % {
            "department": ticket.provider}})  # fmt: skip
    previous, ticket.assignee = ticket.assignee, assignee
    _save(ticket)
    text = _person(assignee) if assignee else ""
    _log(ticket, Event.Kind.ASSIGNED, by, timezone.now(), text=text, internal=True)
    # Given back to the queue: a service that assigns automatically finds someone else.
    if assignee is None and assignment.assign_automatically(ticket, exclude=previous):
        ticket.save(update_fields=["assignee"])
    return ticket


def _works_queue(person, ticket: Ticket) -> bool:
    """Whether `person` is an agent or the head of the request's provider."""
    return Membership.objects.agents().filter(user=person, department=ticket.provider_id).exists()


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def ticket_change_priority(
    *, ticket_id: int, by, priority: str, expected_version: int | None
) -> Ticket:
    """Change the priority; unmet due times are recomputed as if it had applied since filing."""
    ticket = _locked(ticket_id, expected_version)
    if Role.AGENT not in roles_of(by, ticket):
        raise PermissionDenied(_("Only the provider department's agents change the priority."))
    if ticket.status in (Status.CLOSED, Status.CANCELLED, Status.REJECTED):
        raise TicketError(_("The request is over; its priority stays as it was."))
    old = ticket.get_priority_display()
    ticket.priority = priority
    _recompute_due_times(ticket)
    _save(ticket)
    _log(
        ticket,
        Event.Kind.PRIORITY,
        by,
        timezone.now(),
        text=f"{old} → {ticket.get_priority_display()}",
    )
    return ticket


@transaction.atomic
def approval_decide(*, approval_id: int, by, approve: bool, comment: str = "") -> Ticket:
    """Approve or reject a current step (as its approver or their delegate). Once its stage is
    settled (tickets.approval_chain) the next stage becomes current; the last approval starts
    the resolution clock; a rejection of the stage ends the request with the reason."""
    ticket_id = Approval.objects.values_list("ticket_id", flat=True).get(pk=approval_id)
    ticket = _locked(ticket_id, None)
    approval = Approval.objects.get(pk=approval_id)
    if approval.decision == Approval.Decision.CLOSED:
        raise StaleTicket(_("This step is no longer needed: its group was settled."))
    if approval.decision or ticket.status != Status.APPROVAL_PENDING:
        raise StaleTicket(_("This approval was already decided."))
    if not approval.is_current:
        raise StaleTicket(_("This step is not the current one yet."))
    if approval.approver_id not in acting_for(by, timezone.localdate()):
        raise PermissionDenied(_("Only the approver of this step, or their delegate, decides it."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why you reject the request.")})
    now = timezone.now()
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
    approval.decided_by, approval.decided_at, approval.comment = by, now, comment.strip()
    approval.save()
    decision = approval.get_decision_display()
    _log(
        ticket, Event.Kind.APPROVAL, by, now, text=f"{decision}: {comment}" if comment else decision
    )
    outcome = approval_chain.settle_stage(ticket, approval, now)
    if outcome is None:
        return ticket
    if outcome == Approval.Decision.REJECTED:
        _finish_approvals(ticket, by, now, Status.REJECTED, comment)
    elif not approval_chain.open_next_stage(ticket, approval.stage, now):
        ticket.resolution_started_at = now
        _recompute_due_times(ticket)
        _finish_approvals(ticket, by, now, Status.APPROVED, "")
        if ticket.assignee_id is None and assignment.assign_automatically(ticket):
            ticket.save(update_fields=["assignee"])
    return ticket


def _finish_approvals(ticket: Ticket, by, now: datetime, status: str, comment: str) -> None:
    old_status, ticket.status = ticket.status, status
    if status == Status.REJECTED:
        ticket.closed_at = now
    _save(ticket)
    event = _log(ticket, Event.Kind.TRANSITION, by, now, old_status, status, comment)
    notifications.status_changed(ticket, event)
    if ticket.parent_id and ticket.detached_at is None:
        parent_follow_children(parent_id=ticket.parent_id, by=by, at=now)


def _apply_clock_effects(ticket: Ticket, action: str, by, now: datetime) -> None:
    """Pauses, due times, met times, the requester's answer duty and the confirmation period
    that an action implies (rules of the clock 3, 6, 7 and 8)."""
    if action == Action.ASK:
        Pause.objects.create(
            ticket=ticket, reason=Pause.Reason.WAITING, started_at=now, started_by=by
        )
        ticket.paused_at = now
        _start_answer_duty(ticket, now)
    elif action == Action.ANSWER:
        # A wait on a hand-off goes on after the requester answers.
        _end_pauses(ticket, by, now, reason=Pause.Reason.WAITING)
    elif action in (Action.RESOLVE, Action.REOPEN, Action.CONFIRM):
        _end_pauses(ticket, by, now)
    if action == Action.ANSWER:
        ticket.requester_answered_at = now
    if action == Action.REOPEN:
        ticket.resolved_at = None
        ticket.resolved_by = None
        clear_confirmation(ticket)
    if action == Action.CONFIRM:
        ticket.confirmed_at = now
        clear_confirmation(ticket)
    if action in (Action.ASK, Action.ANSWER, Action.RESOLVE, Action.REOPEN):
        _recompute_due_times(ticket)
    if action == Action.RESOLVE:
        ticket.resolved_at = now
        ticket.resolved_by = by
        schedule_confirmation(ticket, now)
        # Until a reopening, if any: the resolution clock resumes from here (rule 6).
        Pause.objects.create(
            ticket=ticket, reason=Pause.Reason.RESOLVED, started_at=now, started_by=by
        )


def _end_pauses(ticket: Ticket, by, now: datetime, reason: str | None = None) -> None:
    """End the open pauses of `ticket` (of one `reason` only, when given); `paused_at` is then
    the start of the one still open, if any."""
    open_pauses = ticket.pauses.filter(ended_at__isnull=True)
    (open_pauses.filter(reason=reason) if reason else open_pauses).update(ended_at=now, ended_by=by)
    ticket.paused_at = (
        ticket.pauses.filter(ended_at__isnull=True)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )


# A hand-off its parent still waits on: attached, and not yet resolved or over.
WAITED_ON = Q(detached_at__isnull=True, status__in=OPEN_STATUSES)


def open_children(ticket: Ticket):
    """The hand-offs `ticket` still waits on."""
    return ticket.children.filter(WAITED_ON)


def _refuse_open_children(ticket: Ticket) -> None:
    waiting_on = list(open_children(ticket).select_related("provider"))
    if waiting_on:
        raise TicketError(
            _("This request waits on its hand-offs %(references)s: have them resolved, cancel "
              "them or detach them first.")
            % {"references": ", ".join(child.reference for child in waiting_on)}
        )  # fmt: skip


def _open_hand_offs_below(ticket_id: int) -> list[list[int]]:
    """The ids of a request's open, attached hand-offs, then of theirs, level by level."""
    levels = []
    parents = [ticket_id]
    while parents:
        below = Ticket.objects.filter(WAITED_ON, parent__in=parents).order_by("pk")
        parents = list(below.values_list("pk", flat=True))
        if parents:
            levels.append(parents)
    return levels


def _lock_hand_offs_to_cancel(ticket_id: int) -> list[Ticket]:
    """Lock what cancelling a request would cancel with it, before the request itself and the
    deepest first: a hand-off's own steps lock it and then its parent (parent_follow_children),
    so the other order could deadlock with them. Returned parents first."""
    locked: list[Ticket] = []
    for level in reversed(_open_hand_offs_below(ticket_id)):
        rows = Ticket.objects.filter(WAITED_ON, pk__in=level).order_by("pk")
        locked = [*rows.select_for_update(of=("self",)).select_related("provider"), *locked]
    return locked


def _still_to_cancel(ticket: Ticket, locked: list[Ticket]) -> list[Ticket]:
    """The locked hand-offs `ticket` still has open; a hand-off opened since they were locked
    could not be locked before its parent any more: the request changed meanwhile."""
    below = {pk for level in _open_hand_offs_below(ticket.pk) for pk in level}
    if below - {child.pk for child in locked}:
        raise StaleTicket(
            _("This request changed since you opened it. Reload the page and try again.")
        )
    return [child for child in locked if child.pk in below]


def _cancel_with_parent(hand_offs: list[Ticket], parent: Ticket, by, now: datetime) -> None:
    """Cancel the open hand-offs of a cancelled request (parents first): each one's timeline
    names the request it was cancelled with, and it is told as any cancellation."""
    references = {parent.pk: parent.reference} | {child.pk: child.reference for child in hand_offs}
    for child in hand_offs:
        old_status = child.status
        # The hand-off may be waiting on its requester: its clock stops for good.
        child.pauses.filter(ended_at__isnull=True).update(ended_at=now, ended_by=by)
        child.status, child.closed_at, child.paused_at = Status.CANCELLED, now, None
        _save(child)
        event = _log(
            child,
            Event.Kind.CANCELLED_WITH_PARENT,
            by,
            now,
            old_status,
            Status.CANCELLED,
            text=references[child.parent_id],
        )
        notifications.status_changed(child, event)
        parent_follow_children(parent_id=child.parent_id, by=by, at=now)


@transaction.atomic
def parent_follow_children(*, parent_id: int, by, at: datetime) -> Ticket:
    """Pause the parent's resolution clock while it waits on an open hand-off, when its
    agreement says so, and resume it once none is left open (Rules of the clock 10)."""
    parent = _locked(parent_id, None)
    waits = (
        parent.status in OPEN_STATUSES
        and parent.resolution_started_at is not None
        and parent.agreement is not None
        and parent.agreement.pauses_for_hand_offs
        and open_children(parent).exists()
    )
    paused = parent.pauses.filter(reason=Pause.Reason.CHILD, ended_at__isnull=True).exists()
    if waits == paused:
        return parent
    if waits:
        Pause.objects.create(ticket=parent, reason=Pause.Reason.CHILD, started_at=at, started_by=by)
        parent.paused_at = min(filter(None, [parent.paused_at, at]))
    else:
        _end_pauses(parent, by, at, reason=Pause.Reason.CHILD)
    _recompute_due_times(parent)
    _save(parent)
    return parent


def _start_answer_duty(ticket: Ticket, asked_at: datetime) -> None:
    """The requester's answer is due within the agreement's duty, on the provider's calendar,
    from the question (rule of the clock 8); without a duty nothing is measured."""
    duty = ticket.agreement and ticket.agreement.requester_answer_within
    ticket.requester_answered_at = None
    if not duty:
        ticket.requester_answer_due_at = ticket.requester_answer_warn_at = None
        return
    clock = ticket.agreement.calendar.as_clock()
    ticket.requester_answer_due_at = clock.add(asked_at, duty)
    ticket.requester_answer_warn_at = clock.add(
        asked_at, duty * ticket.agreement.warning_threshold / 100
    )


def _recompute_due_times(ticket: Ticket) -> None:
    """Due times (and warning times) of the targets not yet met, from their start, without the
    paused spans."""
    target = ticket.agreement and ticket.agreement.targets.filter(priority=ticket.priority).first()
    if not target:
        ticket.first_response_due_at = ticket.resolution_due_at = None
        ticket.first_response_warn_at = ticket.resolution_warn_at = None
        return
    clock = ticket.agreement.calendar.as_clock()
    share = ticket.agreement.warning_threshold / 100
    spans = list(ticket.pauses.values_list("reason", "started_at", "ended_at")) if ticket.pk else []
    pauses = [(start, end) for _reason, start, end in spans]
    if ticket.first_responded_at is None:
        # Waiting on a hand-off holds the resolution clock only.
        answering = [(start, end) for reason, start, end in spans if reason != Pause.Reason.CHILD]
        ticket.first_response_due_at = due_time(
            clock, ticket.filed_at, target.first_response, answering
        )
        ticket.first_response_warn_at = due_time(
            clock, ticket.filed_at, target.first_response * share, answering
        )
    if ticket.resolved_at is None and ticket.resolution_started_at is not None:
        start = ticket.resolution_started_at
        ticket.resolution_due_at = due_time(clock, start, target.resolution, pauses)
        ticket.resolution_warn_at = due_time(clock, start, target.resolution * share, pauses)


def _locked(ticket_id: int, expected_version: int | None) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("agreement__calendar", "provider")
        .get(pk=ticket_id)
    )
    if expected_version is not None and ticket.version != expected_version:
        raise StaleTicket(
            _("This request changed since you opened it. Reload the page and try again.")
        )
    return ticket


def _save(ticket: Ticket) -> None:
    ticket.version += 1
    ticket.save()


def _log(
    ticket: Ticket,
    kind: str,
    actor,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    text: str = "",
    internal: bool = False,
) -> Event:
    return Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        text=text,
        is_internal=internal,
    )
