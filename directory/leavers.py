"""Leavers: deactivating a person hands over what they hold, in the same transaction and on
record (a `Handover` with its items), and a department left without a head is flagged.

Where an approval step waiting on a leaver goes: to their delegate in force today, else to "their
head", read as approvers are chosen (tickets.approval_chain.approver_of) once the leaver's
memberships have ended: for a step that asked the head of a department the leaver headed, that
department's acting head (now the head one level up); otherwise the acting head of the leaver's own
department (the request's customer or provider department if they belonged to it, else their
first by name). With nobody there either, it goes to an administrator. Steps not yet current
move too, so that the chain never reaches an inactive approver."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from agreements.models import ApprovalStep
from departments.heads import acting_heads
from departments.models import Delegation, Department, Membership
from directory import letters
from directory.models import Handover, HandoverItem
from outbox.models import Message
from outbox.services import queue_each
from tickets import letters as ticket_letters
from tickets.models import OPEN_STATUSES, Approval, Event, Status, Ticket

# Messages not yet sent that would reach a person: e-mailed now, gathered for a digest, or
# waiting out a retry.
UNSENT = [Message.State.PENDING, Message.State.DIGEST]


@transaction.atomic
def deactivate_person(*, user, by=None, reason: str) -> Handover | None:
    """Deactivate `user` and hand over what they hold (approval steps, assigned requests,
    memberships, API tokens, unsent messages), recording it in a Handover. A person already
    inactive who holds nothing is left alone: the result is their last hand-over, if any."""
    User = get_user_model()
    person = User.objects.select_for_update().get(pk=user.pk)
    memberships = list(
        Membership.objects.filter(user=person)
        .select_related("department")
        .order_by("department__name")
    )
    ticket_ids = set(
        Approval.objects.filter(
            approver=person, decision="", ticket__status=Status.APPROVAL_PENDING
        ).values_list("ticket_id", flat=True)
    ) | set(Ticket.objects.open().filter(assignee=person).values_list("pk", flat=True))
    # Locked like every operation on a request (tickets.services._locked), in one order.
    tickets = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update(of=("self",))
        .filter(pk__in=ticket_ids)
        .select_related("customer", "provider", "service")
        .order_by("pk")
    }
    approvals = list(
        Approval.objects.filter(
            approver=person, decision="", ticket__in=tickets.values(),
            ticket__status=Status.APPROVAL_PENDING,
        ).order_by("ticket_id", "position")
    )  # fmt: skip
    assigned = [t for t in tickets.values() if t.assignee_id == person.pk and _open(t)]
    tokens = Token.objects.filter(user=person)
    holds = memberships or approvals or assigned or tokens.exists()
    if not person.is_active and not holds:
        return Handover.objects.filter(person=person).first()

    now = timezone.now()
    handover = Handover.objects.create(
        person=person, by=by, reason=reason.strip()[:200] or _("Left the company"), at=now
    )
    headed = [m.department for m in memberships if m.role == Membership.Role.HEAD]
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
    items = [
        HandoverItem(
            handover=handover,
            what=HandoverItem.What.MEMBERSHIP,
            department=membership.department,
            role=membership.role,
        )
        for membership in memberships
    ]
    items += _hand_over_approvals(person, handover, approvals, tickets, memberships, now)
    items += _return_to_queue(person, handover, assigned, now)
    HandoverItem.objects.bulk_create(items)
    _tell_agents(handover, assigned)

    handover.api_tokens_deleted, _deleted = tokens.delete()
    handover.messages_cancelled = Message.objects.filter(recipient=person, state__in=UNSENT).update(
        state=Message.State.CANCELLED, cancel_reason=Message.CancelReason.GONE
    )
    handover.save(update_fields=["api_tokens_deleted", "messages_cancelled"])
    person.is_active = False
    # A new password hash changes the session hash every session is checked against, so each of
    # their sessions ends on its next request, whichever backend (SSO, LDAP) opened it.
    person.set_unusable_password()
    person.save(update_fields=["is_active", "password"])
    for department in headed:
        department_lost_head(department=department, previous_head=person)
    return handover


@transaction.atomic
def department_lost_head(*, department: Department, previous_head) -> None:
    """Flag to the administrators that `department` has no head any more (unless it has one
    again already). Meanwhile its approvals, escalations and head-addressed messages go to the
    head one level up (departments.heads)."""
    if Membership.objects.heads().filter(department=department).exists():
        return
    told_before = Message.objects.filter(
        kind=letters.HEAD_VACANT,
        about_type__app_label="departments",
        about_type__model="department",
        about_id=department.pk,
    ).aggregate(last=Max("round"))["last"]
    administrators = get_user_model().objects.filter(is_superuser=True, is_active=True)
    queue_each(
        letters.HEAD_VACANT,
        [(department, admin) for admin in administrators.exclude(pk=previous_head.pk)],
        round=(told_before or 0) + 1,
    )


def _open(ticket: Ticket) -> bool:
    return ticket.status in OPEN_STATUSES


def _hand_over_approvals(
    person, handover, approvals: list[Approval], tickets: dict, memberships, now
) -> list[HandoverItem]:
    """Give each step to the leaver's delegate, else their head, else an administrator; note it
    on the request's timeline and ask the new approver of a current step."""
    if not approvals:
        return []
    delegate = _delegate_in_force(person, timezone.localdate(now))
    steps = _head_steps({tickets[a.ticket_id].service_id for a in approvals})
    own = [m.department_id for m in memberships]
    heads = acting_heads(set(own) | {d for d in steps.values() if d} | _sides(tickets.values()))
    fallback = (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(pk=person.pk)
        .order_by("pk")
        .first()
    )
    items = []
    for approval in approvals:
        ticket = tickets[approval.ticket_id]
        department = _department_asked(approval, ticket, steps, own)
        new = delegate or heads.get(department) or fallback
        items.append(
            HandoverItem(
                handover=handover,
                what=HandoverItem.What.APPROVAL,
                ticket=ticket,
                approval=approval,
                department_id=department,
                to=new,
            )
        )
        if new is None:
            continue
        approval.approver = new
        approval.save(update_fields=["approver"])
        Event.objects.create(
            ticket=ticket,
            kind=Event.Kind.COMMENT,
            actor=None,
            at=now,
            text=_("Approval step %(step)s is now with %(approver)s: %(leaver)s has left.")
            % {"step": approval.position, "approver": _name(new), "leaver": _name(person)},
        )
        if approval.is_current:
            _ask_again(approval, new)
    return items


def _return_to_queue(person, handover, assigned: list[Ticket], now) -> list[HandoverItem]:
    """Clear the leaver as assignee of their open requests, each noted on its timeline."""
    for ticket in assigned:
        ticket.assignee = None
        ticket.version += 1
        ticket.save()
        Event.objects.create(
            ticket=ticket,
            kind=Event.Kind.ASSIGNED,
            actor=None,
            at=now,
            text=_("Back in the queue: %(leaver)s has left.") % {"leaver": _name(person)},
            is_internal=True,
        )
    return [
        HandoverItem(handover=handover, what=HandoverItem.What.REQUEST, ticket=ticket)
        for ticket in assigned
    ]


def _tell_agents(handover: Handover, assigned: list[Ticket]) -> None:
    """One message to each agent (and head) of the providers whose requests came back, listing
    them all (letters.returned_to)."""
    if not assigned:
        return
    agents = (
        Membership.objects.agents()
        .filter(department__in={ticket.provider_id for ticket in assigned})
        .select_related("user")
        .order_by("user_id")
    )
    people = {membership.user_id: membership.user for membership in agents}
    queue_each(letters.RETURNED_TO_QUEUE, [(handover, agent) for agent in people.values()])


def _delegate_in_force(person, today):
    delegation = (
        Delegation.objects.in_force(today)
        .filter(person=person, delegate__is_active=True)
        .select_related("delegate")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return delegation.delegate if delegation else None


def _head_steps(service_ids: Iterable[int]) -> dict[tuple[int, int], int | None]:
    """(service, position in the chain) -> the department whose head the step asks (None for
    the requester's head, which is the customer's; absent for a named person)."""
    steps: dict[tuple[int, int], int | None] = {}
    positions: dict[int, int] = {}
    for step in ApprovalStep.objects.filter(service__in=service_ids).order_by(
        "service", "position"
    ):
        # Approvals are numbered 1, 2… in the chain's order (tickets.approval_chain.open_chain).
        positions[step.service_id] = positions.get(step.service_id, 0) + 1
        if step.approver == ApprovalStep.Approver.DEPARTMENT_HEAD:
            steps[(step.service_id, positions[step.service_id])] = step.department_id
        elif step.approver == ApprovalStep.Approver.REQUESTER_HEAD:
            steps[(step.service_id, positions[step.service_id])] = None
    return steps


def _department_asked(
    approval: Approval, ticket: Ticket, steps: dict, own: list[int]
) -> int | None:
    """The department whose acting head takes the step (see the module's docstring)."""
    key = (ticket.service_id, approval.position)
    if key in steps:
        asked = steps[key] or ticket.customer_id
        if asked in own:
            return asked
    for side in (ticket.customer_id, ticket.provider_id):
        if side in own:
            return side
    return own[0] if own else None


def _sides(tickets: Iterable[Ticket]) -> set[int]:
    return set(chain.from_iterable((t.customer_id, t.provider_id) for t in tickets))


def _ask_again(approval: Approval, approver) -> None:
    """The approval e-mail to the new approver of a current step (a round of its own, as the
    step may have been asked of them before)."""
    asked_before = Message.objects.filter(
        kind=ticket_letters.APPROVAL_NEEDED,
        about_type__app_label="tickets",
        about_type__model="approval",
        about_id=approval.pk,
    ).aggregate(last=Max("round"))["last"]
    queue_each(
        ticket_letters.APPROVAL_NEEDED, [(approval, approver)], round=(asked_before or 0) + 1
    )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()
