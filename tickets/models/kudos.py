"""Kudos: the requester's thanks, once a request is confirmed, to the agent who served it and to
the provider department; counted per person and per department for recognition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tickets.models.ticket import Ticket

KUDOS_MAX_LENGTH = 500


class Kudos(models.Model):
    # One per request: the database keeps the rule, whatever door the thanks come through.
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="kudos", verbose_name=_("request")
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kudos_given",
        verbose_name=_("given by"),
    )
    # Whoever resolved the request (else its assignee); empty when nobody did.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kudos_received",
        verbose_name=_("agent thanked"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="kudos_received",
        verbose_name=_("department thanked"),
    )
    message = models.CharField(_("message"), max_length=KUDOS_MAX_LENGTH)
    given_at = models.DateTimeField(_("given"))

    class Meta:
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        ordering = ["-given_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "given_at"]),
            models.Index(fields=["agent", "given_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.message[:40]}"
