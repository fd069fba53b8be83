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
