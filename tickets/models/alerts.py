"""What the breach scan records: one breach (and one warning) per target of a request, and
when the scan last completed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from departments.models import Department
from tickets.models.ticket import Approval, Ticket


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    APPROVAL = "approval", _("Approval step")
    # The customer's duty: counted for the customer department, never against the provider.
    REQUESTER_ANSWER = "requester_answer", _("Requester's answer")


class TargetAlert(models.Model):
    # Not indexed on its own: the unique constraint on (ticket, target, step) serves its lookups.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, verbose_name=_("request"), db_index=False
    )
    target = models.CharField(_("target"), max_length=20, choices=Target)
    step = models.PositiveSmallIntegerField(
        _("approval step"), default=0, help_text=_("0 for the request's own targets.")
    )
    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, null=True, blank=True)
    # The request's agreement when the alert was raised: a request moved to another agreement
    # since then is not told about a target that no longer applies.
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    detected_at = models.DateTimeField(_("detected"), db_index=True)
    # Empty from the scan that records the alert until its notifications are written, by the
    # next step (tickets.alerts.notify_new_alerts), which looks for exactly these rows.
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_target_display()} ({self.due_at:%Y-%m-%d %H:%M})"


class Breach(TargetAlert):
    """A target missed: its due time passed unmet. Stays on record when the request is done.

    Escalation (tickets.escalation): the breach itself is level 1; while the target stays unmet,
    each `escalate_at` tells the head one level further up the provider's hierarchy."""

    # Database defaults too: the breach scan inserts rows in SQL.
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=1, db_default=1
    )
    escalate_at = models.DateTimeField(
        _("next escalation"),
        null=True,
        blank=True,
        help_text=_("Empty until the escalation job has computed it."),
    )
    escalation_ended = models.BooleanField(
        _("escalation ended"),
        default=False,
        db_default=False,
        help_text=_("Target met, request closed, no escalation agreed, or the top was reached."),
    )

    class Meta(TargetAlert.Meta):
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        default_related_name = "breaches"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "step"], name="breach_once_per_target"
            )
        ]
        indexes = [
            models.Index(
                fields=["escalate_at"],
                condition=Q(escalation_ended=False),
                name="breach_escalation_scan",
            ),
            models.Index(fields=["id"], condition=Q(notified_at=None), name="breach_to_notify"),
        ]


class TargetWarning(TargetAlert):
    """A target at risk: the agreement's warning threshold of its time has elapsed."""

    class Meta(TargetAlert.Meta):
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        default_related_name = "warnings"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "step"], name="warning_once_per_target"
            )
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(notified_at=None), name="warning_to_notify")
        ]


class Escalation(models.Model):
    """A breach told one level further up: level 2 is the provider's parent department's head,
    level 3 the grandparent's, and so on; each level once."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    escalated_at = models.DateTimeField(_("escalated"))

    class Meta:
        ordering = ["breach", "level"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["breach", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id} level {self.level} → {self.department_id}"


class ScanState(models.Model):
    """One row: when the breach scan last completed, for /healthz."""

    last_completed_at = models.DateTimeField(null=True)
    last_result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"scan completed {self.last_completed_at}"
