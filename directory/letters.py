"""The messages of leavers (outbox kinds): the provider's agents told, once each, which requests
came back to their queue when a colleague left; and the administrators told that a department
has no head any more (meanwhile its head's part goes one level up: departments.heads), and that
a sync held back too many deactivations at once (directory.mass_leavers)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.heads import acting_head
from departments.models import Membership
from directory.models import Handover, HandoverItem
from outbox.kinds import Kind, register
from outbox.models import Message
from tickets.models import OPEN_STATUSES, Ticket

RETURNED_TO_QUEUE = "directory.returned_to_queue"
HEAD_VACANT = "directory.head_vacant"
DEACTIVATIONS_HELD = "directory.deactivations_held"
# The e-mail names the first few; the admin's page of the hold lists them all.
HELD_NAMES_SHOWN = 20


def returned_to(handover: Handover, agent) -> list[Ticket]:
    """The requests `handover` put back in a queue that `agent` works, by provider and number."""
    worked = Membership.objects.agents().filter(user=agent).values("department")
    return list(
        Ticket.objects.filter(
            pk__in=handover.items.filter(what=HandoverItem.What.REQUEST).values("ticket"),
            provider__in=worked,
        )
        .select_related("provider")
        .order_by("provider__code", "pk")
    )


def _returned_context(message: Message) -> dict:
    handover = message.about
    return {
        "handover": handover,
        "leaver": handover.person,
        "tickets": returned_to(handover, message.recipient),
        "queue_path": reverse("tickets:queue"),
    }


def _returned_withdrawn(message: Message) -> str:
    """Withdrawn once every request it lists was taken on again, or closed."""
    waiting = [
        ticket
        for ticket in returned_to(message.about, message.recipient)
        if ticket.status in OPEN_STATUSES and ticket.assignee_id is None
    ]
    return "" if waiting else Message.CancelReason.TAKEN_ON


register(
    Kind(
        RETURNED_TO_QUEUE,
        "directory/returned_to_queue",
        _returned_context,
        _returned_withdrawn,
        ("person",),
        label=_("A colleague left: their requests are back in your queue"),
        link=lambda message: reverse("tickets:queue"),
    )
)


def _vacant_context(message: Message) -> dict:
    department = message.about
    stand_in = acting_head(department.parent) if department.parent_id else None
    return {
        "department": department,
        "stand_in": stand_in,
        "memberships_path": reverse("admin:departments_membership_changelist")
        + f"?department__id__exact={department.pk}",
    }


register(
    Kind(
        HEAD_VACANT,
        "directory/head_vacant",
        _vacant_context,
        related=("parent",),
        link=lambda message: reverse("admin:departments_membership_changelist"),
    )
)


def _held_context(message: Message) -> dict:
    hold = message.about
    people = hold.people.order_by("username")
    return {
        "hold": hold,
        "count": people.count(),
        "people": [person.get_username() for person in people[:HELD_NAMES_SHOWN]],
        "hold_path": reverse("admin:directory_deactivationhold_change", args=[hold.pk]),
    }


register(
    Kind(
        DEACTIVATIONS_HELD,
        "directory/deactivations_held",
        _held_context,
        link=lambda message: reverse(
            "admin:directory_deactivationhold_change", args=[message.about_id]
        ),
    )
)
