"""Complaints and suggestions (投诉 / 建议): what anyone signed in files about a request or a
department, the response its head owes within a target on the business clock, and the trail of
what happened to it.

A complaint may be anonymous towards the department: its complainant is still recorded (HR sees
who it was), but every page, e-mail, chat message, API answer, export and admin page shown to
anyone else reads it through `Feedback.complainant_for(viewer)`, which hides them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import BusinessCalendar
from departments.models import Department, Membership, acting_for, sees_company_reports
from tickets.models import Ticket


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a response")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


def heads_at_or_above(department_field: str, user, *, on: date | None = None) -> Q:
    """Rows whose `department_field` is headed by `user`, or lies below a department they head
    (the hierarchy is shallow: up to five levels are looked through); with `on`, also by the
    heads whose delegate `user` is on that day."""
    people = [user.pk] if on is None else acting_for(user, on)
    headed = Membership.objects.heads().filter(user__in=people).values("department")
    condition = Q(**{f"{department_field}__in": headed})
    path = department_field
    for _level in range(5):
        path = f"{path}__parent"
        condition |= Q(**{f"{path}__in": headed})
    return condition


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user) -> FeedbackQuerySet:
        """The complainant, the heads of the department (and those above it, who are told of
        its escalations), of the department it was escalated to, each head's delegate in force
        (who sees what the head sees), HR and administrators."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_company_reports(user):
            return self
        today = timezone.localdate()
        return self.filter(
            Q(complainant=user)
            | heads_at_or_above("department", user, on=today)
            | heads_at_or_above("escalated_to", user, on=today)
        )

    def awaiting_response_from(self, user) -> FeedbackQuerySet:
        """Open items `user` may respond to, as a head or as a head's delegate in force."""
        headed = (
            Membership.objects.heads()
            .filter(user__in=acting_for(user, timezone.localdate()))
            .values("department")
        )
        return self.filter(status=Status.OPEN).filter(
            Q(escalated_to__isnull=True, department__in=headed) | Q(escalated_to__in=headed)
        )


class Feedback(models.Model):
    """A complaint about a request or a department, or a suggestion to a department."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("department"),
        help_text=_("The department it is about, whose head responds."),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("request"),
    )
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="feedback_filed",
        verbose_name=_("filed by"),
    )
    # The complainant's side, for the nearest common superior of an escalation.
    complainant_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("complainant's department"),
    )
    anonymous = models.BooleanField(
        _("anonymous towards the department"),
        default=False,
        help_text=_("The department does not see who filed it; HR does."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), max_length=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    response = models.TextField(_("response"), blank=True, max_length=5000)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responded by"),
    )
    filed_at = models.DateTimeField(_("filed"))
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
        help_text=_("The nearest common superior of both departments, whose head responds."),
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The response target of the current round: 1 when filed, one more on each reopening or
    # escalation by the complainant. Each round is warned, breached and escalated once.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business calendar"),
    )
    round_started_at = models.DateTimeField(_("round started"))
    warn_at = models.DateTimeField(_("warning at"))
    response_due_at = models.DateTimeField(_("response due"))
    # When the parent department's head is told of a response still missing after its due time.
    escalate_at = models.DateTimeField(_("escalation to the parent head at"))
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    parent_told_at = models.DateTimeField(_("parent head told"), null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        indexes = [
            # The response scan reads only open rows by their next instant.
            models.Index(
                fields=["warn_at"], condition=Q(status="open", warned_at=None), name="fb_to_warn"
            ),
            models.Index(
                fields=["response_due_at"],
                condition=Q(status="open", breached_at=None),
                name="fb_to_breach",
            ),
            models.Index(
                fields=["escalate_at"],
                condition=Q(status="open", parent_told_at=None),
                name="fb_to_escalate",
            ),
            models.Index(fields=["department", "filed_at"], name="fb_department_filed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suggestion") | Q(ticket__isnull=True),
                name="fb_suggestion_not_about_a_request",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(outcome=""), name="fb_responded_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"FB-{self.pk}"

    @property
    def responding_department(self) -> Department:
        return self.escalated_to or self.department

    def complainant_for(self, viewer):
        """Who filed it, as `viewer` may know it: None when it is anonymous and `viewer` is
        neither the complainant nor HR."""
        if not self.anonymous:
            return self.complainant
        if viewer is not None and (
            viewer.pk == self.complainant_id or sees_company_reports(viewer)
        ):
            return self.complainant
        return None


class FeedbackEvent(models.Model):
    """The audit trail of a complaint or suggestion: one row per change."""

    class Action(models.TextChoices):
        FILED = "filed", _("Filed")
        RESPONDED = "responded", _("Responded")
        REOPENED = "reopened", _("Reopened")
        ACCEPTED = "accepted", _("Response accepted")
        ESCALATED = "escalated", _("Escalated to the common superior")
        WARNED = "warned", _("Response target at risk")
        BREACHED = "breached", _("Response target missed")
        PARENT_TOLD = "parent_told", _("Parent department's head told")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action)
    # Empty for the scan's own events; for an anonymous filing, the trail keeps it too and is
    # shown through Feedback.complainant_for like the rest.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        constraints = [
            # The scan's events happen once per round, however often it runs.
            models.UniqueConstraint(
                fields=["feedback", "action", "round"],
                condition=Q(action__in=["warned", "breached", "parent_told"]),
                name="fb_alert_once_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
