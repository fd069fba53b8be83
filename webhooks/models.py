"""Outgoing webhooks: an HTTPS endpoint of another system that receives signed JSON payloads of
the events it subscribes to, and the log of each attempt to deliver one."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.addresses import validate_webhook_url
from common.encrypted import EncryptedTextField
from departments.models import Membership
from webhooks.events import Event

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookQuerySet(models.QuerySet["Webhook"]):
    def manageable_by(self, user) -> WebhookQuerySet:
        """Administrators manage every webhook; a department head those of their departments."""
        if user.is_superuser:
            return self
        headed = Membership.objects.heads().filter(user_id=user.pk).values("department_id")
        return self.filter(department_id__in=headed)


class Webhook(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhooks",
        verbose_name=_("owner"),
    )
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("department"),
        help_text=_("Events of this department; none for the whole company."),
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    # Shown once, when the webhook is created; kept (encrypted) to sign every payload, never logged.
    secret = EncryptedTextField(max_length=100, default=new_secret, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    messages = GenericRelation(
        "outbox.Message",
        content_type_field="destination_type",
        object_id_field="destination_id",
    )

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "url", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        indexes = [models.Index(fields=["active"], condition=Q(active=True), name="webhook_active")]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:edit", args=[self.pk])

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(name, name)) for name in self.events]


class Delivery(models.Model):
    """One attempt to deliver a payload to a webhook: what was sent and how the receiver
    answered. `message_id` is the outbox message's (none for a test event)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("at"))
    payload = models.TextField(_("payload"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [models.Index(fields=["message_id", "-at"], name="delivery_of_message")]

    def __str__(self) -> str:
        return f"{self.webhook} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
