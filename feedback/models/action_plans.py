"""Action plans on survey results: what a rated department's head means to do about its weakest
questions of a closed wave (ActionPlan), each thing to do with its owner and due date (Action),
and the trail of every change to it (ActionEvent)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.models import Department, Membership, acting_for, sees_company_reports
from feedback.models.complaints import heads_at_or_above


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def visible_to(self, user) -> ActionPlanQuerySet:
        """The head of the rated department (and the heads above it), HR and administrators."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_company_reports(user):
            return self
        return self.filter(heads_at_or_above("department", user))


class ActionPlan(models.Model):
    """What a rated department's head means to do about its weakest questions in a closed survey
    wave: one plan per wave and department, holding its actions."""

    wave = models.ForeignKey(
        "surveys.Wave",
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("wave"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("created"))

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "department"], name="action_plan_one_per_wave_and_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.wave}"


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user) -> ActionQuerySet:
        """Actions of the plans `user` sees (or the head they stand in for sees), and those they
        own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_company_reports(user):
            return self
        return self.filter(
            heads_at_or_above("plan__department", user, on=timezone.localdate()) | Q(owner=user)
        )

    def movable_by(self, user, on: date) -> ActionQuerySet:
        """Actions `user` may move on `on`: those they own, and those of the departments headed
        by them or by someone whose delegate they are that day."""
        headed = Membership.objects.heads().filter(user__in=acting_for(user, on))
        return self.filter(Q(owner=user) | Q(plan__department__in=headed.values("department")))

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today) -> ActionQuerySet:
        """Open actions whose due date has passed by `today`."""
        return self.open().filter(due_on__lt=today)


class Action(models.Model):
    """One thing a department will do about one question of a wave, by an owner from the
    department, by a due date."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    question = models.ForeignKey(
        "surveys.CampaignQuestion",
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("question"),
    )
    what = models.TextField(_("what"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="actions_owned",
        verbose_name=_("owner"),
        help_text=_("A member of the department."),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus, default=ActionStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    # The owner's reminder before the due date goes out once; a new due date asks for a new one.
    reminded_at = models.DateTimeField(_("owner reminded"), null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every change; a change on an older version is refused."
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            # The reminder scan reads only open actions not yet reminded, by due date.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["planned", "in_progress"], reminded_at=None),
                name="action_to_remind",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:60]

    def clean(self) -> None:
        if (
            self.owner_id
            and self.plan_id
            and not Membership.objects.filter(
                department_id=self.plan.department_id, user_id=self.owner_id
            ).exists()
        ):
            raise ValidationError({"owner": _("The owner must be a member of the department.")})
        if (
            self.question_id
            and self.plan_id
            and self.question.campaign_id != (self.plan.wave.campaign_id)
        ):
            raise ValidationError({"question": _("The question is not one of this wave's.")})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class ActionEvent(models.Model):
    """The audit trail of an action, shaped as a complaint's (FeedbackEvent): one row per change,
    never changed afterwards; `before` and `after` hold the values a change replaced."""

    class Change(models.TextChoices):
        CREATED = "created", pgettext_lazy("action event", "Created")
        EDITED = "edited", _("Edited")
        OWNER_CHANGED = "owner", _("Owner changed")
        DUE_CHANGED = "due", _("Due date changed")
        STATUS_CHANGED = "status", _("Status changed")
        NOTE_ADDED = "note", _("Progress note")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="events")
    change = models.CharField(_("change"), max_length=10, choices=Change)
    # Empty for actions recorded before the trail existed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("action event")
        verbose_name_plural = _("action events")

    def __str__(self) -> str:
        return f"{self.action_id} {self.change} {self.at:%Y-%m-%d %H:%M}"

    def shown(self, value: str) -> str:
        """A status as its label; other values as recorded."""
        if self.change == self.Change.STATUS_CHANGED and value in ActionStatus.values:
            return ActionStatus(value).label
        return value

    @property
    def before_shown(self) -> str:
        return self.shown(self.before)

    @property
    def after_shown(self) -> str:
        return self.shown(self.after)
