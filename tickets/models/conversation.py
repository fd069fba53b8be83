"""The conversation around a request: files sent with a comment, who watches the request, whom a
comment mentions, and the links between requests ("related to", "duplicate of")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Attachment, Event, Ticket


class CommentFile(models.Model):
    """A file sent with a comment: shown under it, and hidden from whoever may not see it (the
    files of an internal note are the provider's, as the note is)."""

    comment = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="files")
    attachment = models.OneToOneField(
        Attachment, on_delete=models.CASCADE, related_name="comment_file"
    )

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.attachment_id}"


class Watcher(models.Model):
    """Someone told of a request's public comments and status changes (and of its internal
    notes when they are one of the provider's agents)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="watching",
        verbose_name=_("person"),
    )
    since = models.DateTimeField(_("watching since"))

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "person"], name="watcher_once_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.ticket_id}"


class Mention(models.Model):
    """A person a comment mentions by @username and who could see it when it was written: their
    mention is shown as a name, and they were told."""

    comment = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="mention_once_per_comment")
        ]

    def __str__(self) -> str:
        return f"@{self.person} in {self.comment_id}"


class Link(models.Model):
    """A link between two requests. "Related to" reads both ways; "duplicate of" goes from the
    duplicate (`source`) to the original (`target`)."""

    class Kind(models.TextChoices):
        RELATED = "related", _("related to")
        DUPLICATE = "duplicate", _("duplicate of")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("linked"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("linked request")
        verbose_name_plural = _("linked requests")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="link_once_per_pair"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
