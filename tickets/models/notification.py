"""The e-mail outbox of requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.alerts import Breach, Escalation, TargetWarning
from tickets.models.ticket import Approval, Event, Ticket

OPTIONAL_LINKS = ["event", "approval", "breach", "warning", "escalation", "in_digest"]


class Notification(models.Model):
    """An e-mail to send, written in the same transaction as the change it reports (an outbox):
    no e-mail for a change that rolled back, none lost while the broker is down.

    Alerts (breach, warning, escalation) are checked again just before sending: one whose target
    no longer applies is `cancelled` with a `cancel_reason`. A breach or warning for someone who
    chose the hourly digest waits in state `digest` (never sent on its own) until the digest job
    gathers it into one `digest` notification, to which `in_digest` points."""

    class Kind(models.TextChoices):
        FILED = "filed", _("New request")
        APPROVAL_NEEDED = "approval_needed", _("Your approval is needed")
        INPUT_NEEDED = "input_needed", _("Your input is needed")
        RESOLVED = "resolved", _("Resolved: please confirm and rate")
        REOPENED = "reopened", _("Reopened")
        REJECTED = "rejected", _("Rejected")
        BREACH = "breach", _("Target missed")
        WARNING = "warning", _("Target at risk")
        ESCALATION = "escalation", _("Escalation")
        DIGEST = "digest", _("Hourly digest of alerts")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DIGEST = "digest", _("Waiting for the hourly digest")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        REQUEST_CLOSED = "request_closed", _("The request is no longer open")
        TARGET_MET = "target_met", _("The target was met")
        MOVED = "moved", _("The request moved to another agreement")
        BREACHED = "breached", _("The target was breached: the breach is told instead")

    # Empty only for a digest, which gathers alerts of several requests.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # What the e-mail is about: one of these at most (none for a digest). Each is indexed only
    # where it is set (OPTIONAL_LINKS below): most rows leave most of them empty, and a full
    # index of each would take an entry for every row written.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    approval = models.ForeignKey(
        Approval, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    warning = models.ForeignKey(
        TargetWarning, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    # A digest covers the alerts queued before `digest_period` (the start of an hour, UTC).
    digest_period = models.DateTimeField(null=True, blank=True)
    in_digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gathered",
        db_index=False,
    )
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt, not tried again before this (tickets.mail.retry_delay).
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notification_unsent",
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(state="digest"),
                name="notification_awaiting_digest",
            ),
            *(
                models.Index(
                    fields=[link],
                    condition=Q(**{f"{link}__isnull": False}),
                    name=f"notification_{link}",
                )
                for link in OPTIONAL_LINKS
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "event"],
                condition=Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "approval"],
                condition=Q(approval__isnull=False),
                name="notification_once_per_approval",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "breach"],
                condition=Q(breach__isnull=False, escalation__isnull=True),
                name="notification_once_per_breach",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "warning"],
                condition=Q(warning__isnull=False),
                name="notification_once_per_warning",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "escalation"],
                condition=Q(escalation__isnull=False),
                name="notification_once_per_escalation",
            ),
            models.UniqueConstraint(
                fields=["recipient", "digest_period"],
                condition=Q(kind="digest"),
                name="notification_one_digest_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_state_display()})"

    @property
    def message_id(self) -> str:
        """Deterministic, so a resend after a crash is recognisable as the same message."""
        return f"<accord.notification.{self.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
