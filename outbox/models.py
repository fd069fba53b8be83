"""One row per message to send."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """A message to send, written in the same transaction as the change it reports: none for a
    change that rolled back, none lost while the broker is down.

    `kind` names its declaration (outbox.kinds), `about` the row it reports (an event, an
    approval step, a breach, an invitation…). Before sending, the kind checks that its reason
    still holds; one that no longer does is `cancelled` with a `cancel_reason`. A row in state
    `digest` waits to be gathered into a digest message (`in_digest`), never sent on its own."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DIGEST = "digest", _("Waiting for the hourly digest")
        # Its recipient chose to read this kind in Accord only: never e-mailed.
        IN_APP = "in_app", _("In Accord only")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        REQUEST_CLOSED = "request_closed", _("The request is no longer open")
        TARGET_MET = "target_met", _("The target was met")
        MOVED = "moved", _("The request moved to another agreement")
        BREACHED = "breached", _("The target was breached: the breach is told instead")
        TAKEN_ON = "taken_on", _("Someone already took the request on")
        STATUS_CHANGED = "status_changed", _("The request has moved on since")
        STEP_DECIDED = "step_decided", _("The approval step was decided")
        AGREEMENT_CHANGED = "agreement_changed", _("The agreement has moved on since")
        WAVE_CLOSED = "wave_closed", _("The survey wave is closed")
        ANSWERED = "answered", _("The survey was answered")
        GONE = "gone", _("What it reported no longer exists")
        NOT_VISIBLE = "not_visible", _("Its recipient can no longer see what it reported")

    kind = models.CharField(_("kind"), max_length=40)
    # A message goes to a person (by e-mail, and shown in Accord), or to a destination of
    # another channel (a group chat's bot, a webhook), never both.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    destination_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    destination_id = models.PositiveBigIntegerField(null=True, blank=True)
    destination = GenericForeignKey("destination_type", "destination_id")
    about_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # The how-manieth message of this kind about the same row for the same person (a survey's
    # reminders); 1 for most kinds.
    round = models.PositiveSmallIntegerField(default=1)
    # A digest gathers the rows queued before `digest_period` (the start of an hour, UTC).
    digest_period = models.DateTimeField(null=True, blank=True)
    in_digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gathered",
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt, not tried again before this (outbox.sending.retry_delay).
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When its recipient read it in Accord (the notifications page).
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="message_unsent",
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(state="digest"),
                name="message_awaiting_digest",
            ),
            models.Index(fields=["about_type", "about_id"], name="message_about"),
            # A person's notifications in Accord, newest first, and their unread count.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(recipient__isnull=False, digest_period__isnull=True),
                name="message_notifications",
            ),
            models.Index(
                fields=["destination_type", "destination_id", "created_at"],
                condition=Q(destination_id__isnull=False),
                name="message_destination",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, destination_id__isnull=True)
                | Q(recipient__isnull=True, destination_id__isnull=False),
                name="message_to_a_person_or_a_destination",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "about_type", "about_id", "round"],
                condition=Q(about_id__isnull=False),
                name="message_once_per_subject",
            ),
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "destination_type",
                    "destination_id",
                    "about_type",
                    "about_id",
                    "round",
                ],
                condition=Q(about_id__isnull=False, destination_id__isnull=False),
                name="message_once_per_subject_and_destination",
            ),
            models.UniqueConstraint(
                fields=["recipient", "digest_period"],
                condition=Q(digest_period__isnull=False),
                name="message_one_digest_per_period",
            ),
        ]

    def __str__(self) -> str:
        to = self.recipient if self.recipient_id else self.destination
        return f"{self.kind} → {to} ({self.get_state_display()})"

    @property
    def message_id(self) -> str:
        """Deterministic, so that a resend after a crash is recognisable as the same message."""
        return f"<accord.message.{self.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
