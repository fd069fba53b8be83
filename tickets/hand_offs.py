"""Hand-offs along a process (工序, Rules of the clock 10): the provider of a request opens a
child request to another department's service, as that department's customer, under the
agreement in force between them. The child keeps its own clock; the parent may pause while it
waits on it (its agreement's `pauses_for_hand_offs`, tickets.services.parent_follow_children)
and is resolved only once no child is left open, cancelled or detached. Opening or detaching a
hand-off changes the parent's version; cancelling the parent cancels its open hand-offs
(tickets.services.ticket_transition)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Service
from tickets import selectors, services
from tickets.models import Event, Ticket
from tickets.services import StaleTicket, TicketError
from tickets.workflow import HandOffAction, TransitionNotAllowed, check_hand_off


def _check(ticket: Ticket, action: HandOffAction, by) -> None:
    try:
        check_hand_off(ticket.status, action, services.roles_of(by, ticket))
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    except TransitionNotAllowed as error:
        raise StaleTicket(str(error)) from error


@transaction.atomic
def ticket_open_child(
    *,
    parent_id: int,
    by,
    service: Service,
    title: str,
    description: str = "",
    priority: str | None = None,
    answers: Mapping[str, object] | None = None,
) -> Ticket:
    """Open a hand-off: a request of the parent's provider, filed by `by` (one of its agents),
    on another department's `service`, under the agreement in force for it."""
    parent = services._locked(parent_id, None)
    _check(parent, HandOffAction.OPEN_CHILD, by)
    if service.provider_id == parent.provider_id:
        raise TicketError(
            _("A hand-off goes to another department; %(department)s works this one itself.")
            % {"department": parent.provider}
        )
    now = timezone.now()
    if Agreement.for_request(parent.provider, service, now) is None:
        raise TicketError(
            _("No agreement in force covers %(department)s as a customer of “%(service)s”: "
              "agree one with %(provider)s first.")
            % {"department": parent.provider, "service": service, "provider": service.provider}
        )  # fmt: skip
    child = services.ticket_file(
        requester=by,
        service=service,
        customer=parent.provider,
        title=title,
        description=description,
        priority=priority,
        answers=answers,
        parent=parent,
    )
    services._log(parent, Event.Kind.HAND_OFF, by, now, text=f"{child.reference} {child.title}")
    services._save(parent)  # a form showing the parent without its hand-off is stale
    services.parent_follow_children(parent_id=parent.pk, by=by, at=now)
    return child


@transaction.atomic
def ticket_detach_child(*, parent_id: int, child_id: int, by) -> Ticket:
    """Stop waiting on a hand-off (the parent's agents): it goes on alone, the parent may be
    resolved without it; both timelines say so."""
    # The child before its parent, in the order a child's own steps lock them (resolving a child
    # updates its parent's clock): the other order could deadlock with a concurrent step.
    child = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("provider")
        .filter(parent_id=parent_id, pk=child_id)
        .first()
    )
    parent = services._locked(parent_id, None)
    _check(parent, HandOffAction.DETACH, by)
    if child is None or child.detached_at is not None:
        raise StaleTicket(_("This hand-off is no longer attached to the request."))
    now = timezone.now()
    child.detached_at = now
    services._save(child)
    # The child's people read the parent's reference only, as on its page.
    services._log(parent, Event.Kind.DETACHED, by, now, text=f"{child.reference} {child.title}")
    services._log(child, Event.Kind.DETACHED, by, now, text=parent.reference, internal=True)
    services._save(parent)
    return services.parent_follow_children(parent_id=parent.pk, by=by, at=now)


@dataclass(frozen=True)
class ChildRow:
    """A hand-off as its parent's page shows it; `linked` when the reader may open it."""

    ticket: Ticket
    linked: bool
    detached: bool


def children_seen(parent: Ticket, user) -> list[ChildRow]:
    """The hand-offs of `parent`, oldest first, each with its status and time left. Whoever
    sees the parent sees what it waits on; only those who may see a child get its link."""
    children = list(
        selectors.for_lists(parent.children.order_by("filed_at", "pk")).select_related(
            "provider", "service"
        )
    )
    if not children:
        return []
    selectors.set_urgency(children, timezone.now())
    visible = set(
        Ticket.objects.visible_to(user)
        .filter(pk__in=[child.pk for child in children])
        .values_list("pk", flat=True)
    )
    return [
        ChildRow(child, child.pk in visible, child.detached_at is not None) for child in children
    ]


def parent_seen(child: Ticket, user) -> Ticket | None:
    """The parent of a hand-off, if `user` may see it (else its page names no number or
    title: the child's provider needs only the request in front of it)."""
    if child.parent_id is None:
        return None
    return (
        Ticket.objects.visible_to(user)
        .select_related("provider")
        .filter(pk=child.parent_id)
        .first()
    )
