"""The e-mail outbox of requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Approval, Event, Ticket


class Notification(models.Model):
    """An e-mail to send, written in the same transaction as the change it reports (an outbox):
    no e-mail for a change that rolled back, none lost while the broker is down."""

    class Kind(models.TextChoices):
        FILED = "filed", _("New request")
        APPROVAL_NEEDED = "approval_needed", _("Your approval is needed")
        INPUT_NEEDED = "input_needed", _("Your input is needed")
        RESOLVED = "resolved", _("Resolved: please confirm and rate")
        REOPENED = "reopened", _("Reopened")
        REJECTED = "rejected", _("Rejected")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, related_name="+")
    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
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
            )
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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_state_display()})"

    @property
    def message_id(self) -> str:
        """Deterministic, so a resend after a crash is recognisable as the same message."""
        return f"<accord.notification.{self.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
