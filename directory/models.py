"""What ties Accord to the company's directory: each synced person's key in the source, and a
record of every sync that changed something. (A department's key sits on the department.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectoryAccount(models.Model):
    """A person kept in step with a directory: `key` is their stable id in `source`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="directory_accounts",
    )
    source = models.CharField(_("source"), max_length=20)
    key = models.CharField(_("key"), max_length=255)

    class Meta:
        ordering = ["source", "key"]
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="directory_account_one_per_key"),
            models.UniqueConstraint(
                fields=["source", "user"], name="directory_account_one_per_person_and_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.source}: {self.key})"


class SyncRun(models.Model):
    """A directory sync that changed something, with the changes it made (a sync that finds
    nothing to change leaves no row: a second run writes nothing)."""

    source = models.CharField(_("source"), max_length=20)
    finished_at = models.DateTimeField(_("finished"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the nightly job and the command."),
    )
    change_count = models.PositiveIntegerField(_("changes"))
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("directory sync")
        verbose_name_plural = _("directory syncs")
        permissions = [
            ("sync_directory", _("Can import org files and sync the directory")),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.finished_at:%Y-%m-%d %H:%M}"


class Handover(models.Model):
    """A leaver's hand-over, written in the transaction that deactivated them: what they held and
    where each piece went (its `items`). Kept for the record; read-only in the admin."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deactivated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the directory sync deactivated them."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("when"))
    messages_cancelled = models.PositiveIntegerField(
        _("messages cancelled"),
        default=0,
        help_text=_("Messages to them not yet sent (invitations, reminders, notices)."),
    )
    api_tokens_deleted = models.PositiveIntegerField(_("API tokens deleted"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")

    def __str__(self) -> str:
        return f"{self.person} {self.at:%Y-%m-%d %H:%M}"


class HandoverItem(models.Model):
    """One thing a leaver held: an approval step (and who has it now), an assigned request (back
    to its provider's queue), or a membership (ended)."""

    class What(models.TextChoices):
        APPROVAL = "approval", _("Approval step handed over")
        REQUEST = "request", _("Assigned request returned to the queue")
        MEMBERSHIP = "membership", _("Membership ended")

    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="items", verbose_name=_("hand-over")
    )
    what = models.CharField(_("what"), max_length=12, choices=What)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approval = models.ForeignKey(
        "tickets.Approval",
        verbose_name=_("approval step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=10, blank=True)
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The new approver; empty for a request back in the queue or an ended role."),
    )

    class Meta:
        ordering = ["handover", "what", "pk"]
        verbose_name = _("hand-over item")
        verbose_name_plural = _("hand-over items")

    def __str__(self) -> str:
        return self.get_what_display()


class DeactivationHold(models.Model):
    """Deactivations a sync held back because there were too many at once (a broken source looks
    like a mass exodus): nobody in `people` is deactivated until an administrator confirms, after
    which the next sync deactivates them. Closed when a sync applies it or no longer needs it."""

    source = models.CharField(_("source"), max_length=20)
    held_at = models.DateTimeField(_("held"))
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people held"), related_name="+"
    )
    active_count = models.PositiveIntegerField(
        _("active people"), help_text=_("The active people the source manages.")
    )
    limit = models.PositiveIntegerField(
        _("limit"), help_text=_("The most one sync may deactivate without a confirmation.")
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("held deactivation")
        verbose_name_plural = _("held deactivations")
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(closed_at__isnull=True),
                name="directory_one_open_deactivation_hold_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.held_at:%Y-%m-%d %H:%M}"
