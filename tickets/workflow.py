"""The life cycle of a request: every allowed transition, and who may make it, in one table.

Pages, the API and tasks all ask this module; nothing else decides what may happen next.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Status


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"  # an agent or the head of the provider department
    APPROVER = "approver"  # the approver of the current step, or their delegate


class Action(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    START = "start", _("Start work")
    ASK = "ask", _("Ask the requester")
    ANSWER = "answer", _("Answer")
    RESOLVE = "resolve", _("Resolve")
    CONFIRM = "confirm", _("Confirm the result")
    REOPEN = "reopen", _("Reopen")
    CANCEL = "cancel", _("Cancel the request")


# (status, action) -> (new status, who may do it)
TRANSITIONS: dict[tuple[Status, Action], tuple[Status, Role]] = {
    (Status.APPROVAL_PENDING, Action.APPROVE): (Status.APPROVED, Role.APPROVER),
    (Status.APPROVAL_PENDING, Action.REJECT): (Status.REJECTED, Role.APPROVER),
    (Status.APPROVAL_PENDING, Action.CANCEL): (Status.CANCELLED, Role.REQUESTER),
    (Status.NEW, Action.ACKNOWLEDGE): (Status.ACKNOWLEDGED, Role.AGENT),
    (Status.NEW, Action.START): (Status.IN_PROGRESS, Role.AGENT),
    (Status.NEW, Action.ASK): (Status.WAITING, Role.AGENT),
    (Status.NEW, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
    (Status.NEW, Action.CANCEL): (Status.CANCELLED, Role.REQUESTER),
    (Status.APPROVED, Action.ACKNOWLEDGE): (Status.ACKNOWLEDGED, Role.AGENT),
    (Status.APPROVED, Action.START): (Status.IN_PROGRESS, Role.AGENT),
    (Status.APPROVED, Action.ASK): (Status.WAITING, Role.AGENT),
    (Status.APPROVED, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
    (Status.APPROVED, Action.CANCEL): (Status.CANCELLED, Role.REQUESTER),
    (Status.ACKNOWLEDGED, Action.START): (Status.IN_PROGRESS, Role.AGENT),
    (Status.ACKNOWLEDGED, Action.ASK): (Status.WAITING, Role.AGENT),
    (Status.ACKNOWLEDGED, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
    (Status.ACKNOWLEDGED, Action.CANCEL): (Status.CANCELLED, Role.REQUESTER),
    (Status.IN_PROGRESS, Action.ASK): (Status.WAITING, Role.AGENT),
    (Status.IN_PROGRESS, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
    (Status.WAITING, Action.ANSWER): (Status.IN_PROGRESS, Role.REQUESTER),
    (Status.WAITING, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
    (Status.RESOLVED, Action.CONFIRM): (Status.CLOSED, Role.REQUESTER),
    (Status.RESOLVED, Action.REOPEN): (Status.REOPENED, Role.REQUESTER),
    (Status.REOPENED, Action.START): (Status.IN_PROGRESS, Role.AGENT),
    (Status.REOPENED, Action.ASK): (Status.WAITING, Role.AGENT),
    (Status.REOPENED, Action.RESOLVE): (Status.RESOLVED, Role.AGENT),
}


class HandOffAction(models.TextChoices):
    """Actions on a request's hand-offs (tickets.hand_offs): they change no status."""

    OPEN_CHILD = "open_child", _("Hand off to another department")
    DETACH = "detach", _("Detach the hand-off")


# Where a request may open or detach hand-offs, and who may: its provider works on it (after
# any approvals), and a request over waits on nothing.
HAND_OFFS: dict[HandOffAction, tuple[set[Status], Role]] = {
    HandOffAction.OPEN_CHILD: (
        {
            Status.NEW,
            Status.APPROVED,
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
            Status.WAITING,
            Status.REOPENED,
        },
        Role.AGENT,
    ),
    HandOffAction.DETACH: (
        {
            Status.NEW,
            Status.APPROVED,
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
            Status.WAITING,
            Status.REOPENED,
            Status.RESOLVED,
        },
        Role.AGENT,
    ),
}

# Agent actions the requester sees: the first of them is the first response.
VISIBLE_TO_REQUESTER = {Action.ACKNOWLEDGE, Action.START, Action.ASK, Action.RESOLVE}


class TransitionNotAllowed(Exception):
    """The request's status does not allow this action (it may have changed meanwhile)."""


def next_status(status: str, action: str, roles: set[Role]) -> Status:
    """The status `action` leads to; TransitionNotAllowed or PermissionError when it may not."""
    try:
        target, role = TRANSITIONS[(Status(status), Action(action))]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible on a request that is “%(status)s”.")
            % {"status": Status(status).label, "action": _action_label(action)}
        ) from None
    if role not in roles:
        raise PermissionError(_("Only the %(role)s can do that.") % {"role": ROLE_LABELS[role]})
    return target


def check_hand_off(status: str, action: HandOffAction, roles: set[Role]) -> None:
    """TransitionNotAllowed or PermissionError when `action` may not be taken now."""
    statuses, role = HAND_OFFS[action]
    if status not in statuses:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible on a request that is “%(status)s”.")
            % {"status": Status(status).label, "action": action.label}
        )
    if role not in roles:
        raise PermissionError(_("Only the %(role)s can do that.") % {"role": ROLE_LABELS[role]})


def may_hand_off(status: str, action: HandOffAction, roles: set[Role]) -> bool:
    statuses, role = HAND_OFFS[action]
    return status in statuses and role in roles


def allowed_actions(status: str, roles: set[Role]) -> list[Action]:
    """What someone with `roles` may do to a request in `status`, in the table's order."""
    return [
        action
        for (from_status, action), (_target, role) in TRANSITIONS.items()
        if from_status == status and role in roles
    ]


ROLE_LABELS = {
    Role.REQUESTER: _("requester"),
    Role.AGENT: _("provider department's agents"),
    Role.APPROVER: _("approver of the current step"),
}


def _action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action
