"""Bulk actions on the queue: one action on many requests, each row through the same service and
rules as the single action, in its own transaction. A row the person may not act on, or that
changed since the page showed it, is reported with its reason; the others still apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tickets import services
from tickets.models import Ticket
from tickets.services import TicketError
from tickets.workflow import Action


@dataclass(frozen=True)
class RowOutcome:
    ticket_id: int
    reference: str  # "" for a request the person may not see
    problem: str = ""  # why it was not done; "" when done

    @property
    def done(self) -> bool:
        return not self.problem


def bulk_act(
    *,
    by,
    rows: list[tuple[int, int]],
    action: str,
    assignee=None,
    priority: str = "",
) -> list[RowOutcome]:
    """Assign, change the priority of, or acknowledge each of `rows` ((id, version the person
    saw)); returns what became of each, in the order given."""
    operations: dict[str, Callable[[int, int], object]] = {
        "assign": lambda pk, version: services.ticket_assign(
            ticket_id=pk, by=by, assignee=assignee, expected_version=version
        ),
        "priority": lambda pk, version: services.ticket_change_priority(
            ticket_id=pk, by=by, priority=priority, expected_version=version
        ),
        "acknowledge": lambda pk, version: services.ticket_transition(
            ticket_id=pk, by=by, action=Action.ACKNOWLEDGE, expected_version=version
        ),
    }
    operation = operations[action]
    visible = Ticket.objects.visible_to(by).filter(pk__in=[pk for pk, _version in rows])
    references = {ticket.pk: ticket.reference for ticket in visible.select_related("provider")}
    outcomes = []
    for pk, version in rows:
        if pk not in references:
            outcomes.append(RowOutcome(pk, "", _("No such request.")))
            continue
        outcomes.append(RowOutcome(pk, references[pk], _attempt(operation, pk, version)))
    return outcomes


def _attempt(operation: Callable[[int, int], object], pk: int, version: int) -> str:
    """Run the operation on one request: "" when done, else the reason it was refused."""
    try:
        operation(pk, version)
    except (TicketError, PermissionDenied) as error:
        return str(error) or _("You may not do that on this request.")
    except ValidationError as error:
        return " ".join(error.messages)
    return ""
