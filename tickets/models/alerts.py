"""What the breach scan records: one breach (and one warning) per target of a request, and
when the scan last completed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Approval, Ticket


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    APPROVAL = "approval", _("Approval step")


class TargetAlert(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, verbose_name=_("request"))
    target = models.CharField(_("target"), max_length=20, choices=Target)
    step = models.PositiveSmallIntegerField(
        _("approval step"), default=0, help_text=_("0 for the request's own targets.")
    )
    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    detected_at = models.DateTimeField(_("detected"), db_index=True)

    class Meta:
        abstract = True
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_target_display()} ({self.due_at:%Y-%m-%d %H:%M})"


class Breach(TargetAlert):
    """A target missed: its due time passed unmet. Stays on record when the request is done."""

    class Meta(TargetAlert.Meta):
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        default_related_name = "breaches"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "step"], name="breach_once_per_target"
            )
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


class ScanState(models.Model):
    """One row: when the breach scan last completed, for /healthz."""

    last_completed_at = models.DateTimeField(null=True)
    last_result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"scan completed {self.last_completed_at}"
