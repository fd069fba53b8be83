"""Owners of open actions are reminded once, from three days before the due date: the
"feedback.action_due" message (outbox kind), written by `action_reminders` for every open action
not yet reminded. A new due date asks for a new reminder (feedback.plans.action_save); a
reminder whose action is done or dropped before it is sent is withdrawn."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models.action_plans import Action
from outbox.kinds import Kind, register
from outbox.models import Message
from outbox.services import queue_each

ACTION_DUE = "feedback.action_due"
REMIND_DAYS_BEFORE = 3


def _context(message: Message) -> dict:
    action: Action = message.about
    return {"action": action, "plan": action.plan}


def _no_longer_open(message: Message) -> str:
    return "" if message.about.is_open else Message.CancelReason.STATUS_CHANGED


def _plan_page(message: Message) -> str:
    # The owner's actions on the plans page: the plan's own page shows survey results, which
    # only the department's heads and HR see.
    return reverse("feedback:plans")


register(
    Kind(
        ACTION_DUE,
        "feedback/action_due",
        _context,
        withdrawn=_no_longer_open,
        related=("plan__department", "plan__wave__campaign", "question", "owner"),
        label=_("An action you own is due soon"),
        link=_plan_page,
    )
)


@transaction.atomic
def action_reminders(*, now: datetime | None = None) -> list[int]:
    """Remind the owner of each open action due within three days (today included) and not yet
    reminded; each action is claimed by a conditional UPDATE, so a second run sends nothing.
    Returns the ids of the actions reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        Action.objects.open()
        .filter(
            reminded_at=None,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("owner")
        .select_for_update(skip_locked=True, of=("self",))
    )
    reminded = []
    for action in due:
        if Action.objects.filter(pk=action.pk, reminded_at=None).update(reminded_at=now) != 1:
            continue  # another worker got there first
        reminded.append(action)
    queue_each(ACTION_DUE, [(action, action.owner) for action in reminded])
    return [action.pk for action in reminded]
