"""What agents work the queue with: the round-robin cursor of automatic assignment, saved views
of the queue's filters, and their department's canned replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Service
from departments.models import Department, Membership


def _worked_by(user) -> models.QuerySet:
    """The departments whose queue `user` works (as agent or head)."""
    return Membership.objects.agents().filter(user=user).values("department")


class AssignmentCursor(models.Model):
    """Who a service's round robin gave the last request to; its row is locked while the next
    one is chosen, so that two requests filed at once go to two people."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.service_id} → {self.last_assignee_id}"


class SavedViewQuerySet(models.QuerySet["SavedView"]):
    def visible_to(self, user) -> SavedViewQuerySet:
        """One's own views, and those shared in a department whose queue one works."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(shared=True, department__in=_worked_by(user)))


class SavedView(models.Model):
    """A department queue's filters saved under a name, for its owner or shared with the
    department's agents and head. `filters` holds the queue's query parameters."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    shared = models.BooleanField(
        _("shared with the department"),
        default=False,
        help_text=_("The department's agents and head see it in their queue."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "department", "name"],
                name="saved_view_unique_name",
                violation_error_message=_("You already have a view of this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CannedReplyQuerySet(models.QuerySet["CannedReply"]):
    def managed_by(self, user) -> CannedReplyQuerySet:
        """The replies of the departments whose queue `user` works (every one, for an
        administrator)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(department__in=_worked_by(user))


class CannedReply(models.Model):
    """A reply a department's agents often write, picked in a request's comment box."""

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "title", "pk"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "title"],
                name="canned_reply_unique_title",
                violation_error_message=_("The department already has a reply of this title."),
            )
        ]

    def __str__(self) -> str:
        return self.title
