"""Requests (tickets) filed against services, their clock, approvals, pauses, timeline, the
and the alerts of the breach scan."""

from tickets.models.alerts import Breach, Escalation, ScanState, Target, TargetWarning
from tickets.models.queue_tools import AssignmentCursor, CannedReply, SavedView
from tickets.models.ticket import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    OPEN_STATUSES,
    Approval,
    Attachment,
    Event,
    Pause,
    Status,
    Ticket,
    TicketQuerySet,
    attachment_path,
)

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ATTACHMENT_MAX_BYTES",
    "OPEN_STATUSES",
    "Approval",
    "AssignmentCursor",
    "Attachment",
    "Breach",
    "CannedReply",
    "Escalation",
    "Event",
    "Pause",
    "SavedView",
    "ScanState",
    "Status",
    "Target",
    "TargetWarning",
    "Ticket",
    "TicketQuerySet",
    "attachment_path",
]
