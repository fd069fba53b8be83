"""A department's group chat bots: where Accord posts the events the department hears of."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.encrypted import EncryptedTextField, is_unreadable
from departments.models import Department


class Vendor(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信) group robot")
    DINGTALK = "dingtalk", _("DingTalk (钉钉) custom robot")
    FEISHU = "feishu", _("Feishu / Lark (飞书) custom bot")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams workflow webhook")


# The vendors whose bots can sign their messages with a secret of their own.
SIGNED_VENDORS = {Vendor.DINGTALK, Vendor.FEISHU}


class EventKind(models.TextChoices):
    """The message kinds a bot can receive (outbox.kinds names)."""

    FILED = "tickets.filed", _("Request filed")
    INPUT_NEEDED = "tickets.input_needed", _("Waiting on you")
    APPROVAL_NEEDED = "tickets.approval_needed", _("Approval needed")
    WARNING = "tickets.warning", _("Warning (a target at risk)")
    BREACH = "tickets.breach", _("Breach (a target missed)")
    ESCALATION = "tickets.escalation", _("Escalation (a breach under this department)")
    AGREEMENT_PROPOSED = "agreements.proposed", _("Agreement proposed")
    AGREEMENT_ACCEPTED = "agreements.accepted", _("Agreement accepted")
    AGREEMENT_REJECTED = "agreements.rejected", _("Agreement rejected")
    SURVEY_WAVE_OPENED = "surveys.wave_opened", _("Survey wave open (this department is rated)")
    AWARDED = "recognition.awarded", _("Award published (to this department)")


class ChatBotQuerySet(models.QuerySet["ChatBot"]):
    def managed_by(self, user) -> ChatBotQuerySet:
        """The bots `user` may see and change: those of the departments they head; all of them
        for an administrator."""
        if user.is_superuser:
            return self
        return self.filter(
            department__memberships__user_id=user.pk, department__memberships__role="head"
        )

    def working(self) -> ChatBotQuerySet:
        return self.filter(broken_at__isnull=True)


class ChatBot(models.Model):
    """A bot in a group chat of a department. Its `address` (the webhook URL, or WeCom's key,
    or DingTalk's access token) and `secret` are credentials: encrypted at rest, never shown
    again once saved, never logged."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="chat_bots",
    )
    vendor = models.CharField(_("app"), max_length=10, choices=Vendor)
    name = models.CharField(
        _("name"), max_length=120, help_text=_("For you: e.g. the name of the group.")
    )
    address = EncryptedTextField(_("webhook address"), max_length=500, keep_unreadable=True)
    secret = EncryptedTextField(
        _("signing secret"), max_length=200, blank=True, keep_unreadable=True
    )
    language = models.CharField(
        _("language of the group"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    kinds = models.JSONField(_("events it receives"), default=list, blank=True)
    broken_at = models.DateTimeField(_("broken since"), null=True, blank=True)
    broken_reason = models.CharField(_("why it is broken"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChatBotQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name", "pk"]
        verbose_name = _("group chat bot")
        verbose_name_plural = _("group chat bots")
        indexes = [
            models.Index(
                fields=["department"], condition=Q(broken_at__isnull=True), name="chatbot_working"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_vendor_display()})"

    def __repr__(self) -> str:
        # Never the address or the secret: both are credentials.
        return f"<ChatBot {self.pk} {self.vendor}>"

    @property
    def credentials_unreadable(self) -> bool:
        """Its address or secret cannot be decrypted (an encryption key was dropped): they
        must be entered again."""
        return is_unreadable(self.address) or is_unreadable(self.secret)

    def receives(self, kind: str) -> bool:
        return kind in self.kinds
