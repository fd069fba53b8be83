"""Requests (tickets) filed against services, their clock, approvals, pauses, timeline, the
and the alerts of the breach scan."""

from tickets.models.alerts import Breach, Escalation, ScanState, Target, TargetWarning
from tickets.models.conversation import CommentFile, Link, Mention, Watcher
from tickets.models.kudos import KUDOS_MAX_LENGTH, Kudos
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
    "KUDOS_MAX_LENGTH",
    "OPEN_STATUSES",
    "Approval",
    "AssignmentCursor",
    "Attachment",
    "Breach",
    "CannedReply",
    "CommentFile",
    "Escalation",
    "Event",
    "Kudos",
    "Link",
    "Mention",
    "Pause",
    "SavedView",
    "ScanState",
    "Status",
    "Target",
    "TargetWarning",
    "Ticket",
    "TicketQuerySet",
    "Watcher",
    "attachment_path",
]
