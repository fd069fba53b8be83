"""The service catalogue: what departments supply, and the approvals a request may need."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.conditions import (
    Condition,
    Operator,
    Verdict,
    describe,
    evaluate,
    validate_condition,
)
from agreements.form_schema import validate_form_schema
from departments.models import Department


class Priority(models.TextChoices):
    P1 = "P1", _("P1 · Critical")
    P2 = "P2", _("P2 · High")
    P3 = "P3", _("P3 · Normal")
    P4 = "P4", _("P4 · Low")


class AutoAssign(models.TextChoices):
    """How a service's new requests find an agent (tickets.assignment)."""

    NONE = "", _("No: agents take requests themselves")
    ROUND_ROBIN = "round_robin", _("Round robin among the agents")
    FEWEST_OPEN = "fewest_open", _("The agent with the fewest open requests")


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        """Services offered now: active, of a provider not archived."""
        return self.filter(is_active=True, provider__archived_at__isnull=True)


class Service(models.Model):
    provider = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("provider department"),
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    form_fields = models.JSONField(
        _("request form fields"),
        default=list,
        blank=True,
        validators=[validate_form_schema],
        help_text=_("The questions a request for this service asks."),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=2, choices=Priority, default=Priority.P3
    )
    is_active = models.BooleanField(_("active"), default=True)
    auto_assign = models.CharField(
        _("automatic assignment"),
        max_length=12,
        choices=AutoAssign,
        blank=True,
        default=AutoAssign.NONE,
        db_default=AutoAssign.NONE,
        help_text=_(
            "Give each new request to an agent of the provider who is not on leave; the head "
            "only when no agent is available."
        ),
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.code})"

    def get_absolute_url(self) -> str:
        return reverse("agreements:service", args=[self.pk])


class GroupRule(models.TextChoices):
    """How a parallel group of approval steps is satisfied."""

    ALL = "all", _("All of them approve")
    ANY = "any", _("Any one of them approves")


class ApprovalStep(models.Model):
    """One step of a service's ordered approval chain. It applies when its condition on the
    form answers holds (always, without one); steps decided together form a parallel group."""

    class Approver(models.TextChoices):
        PERSON = "person", _("A named person")
        DEPARTMENT_HEAD = "department_head", _("The head of a department")
        REQUESTER_HEAD = "requester_head", _("The requester's own head")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="approval_steps", verbose_name=_("service")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    approver = models.CharField(_("approver"), max_length=20, choices=Approver)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Shown to requesters, e.g. “purchases over 10,000”."),
    )
    condition_field = models.CharField(
        _("only if the answer to"),
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The name of a question of the service's form, or @department for the requesting "
            "department; empty: the step always applies."
        ),
    )
    condition_operator = models.CharField(
        _("is"), max_length=8, choices=Operator, blank=True, default="", db_default=""
    )
    condition_value = models.CharField(
        _("value"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "For “is one of”, separate the values with commas; departments by code or name."
        ),
    )
    with_previous = models.BooleanField(
        _("together with the step before"),
        default=False,
        db_default=False,
        help_text=_("Decided at the same time as the step before it: a parallel group."),
    )
    group_rule = models.CharField(
        _("a parallel group needs"),
        max_length=3,
        choices=GroupRule,
        default=GroupRule.ALL,
        db_default=GroupRule.ALL,
        help_text=_("The same for every step of a group."),
    )

    class Meta:
        ordering = ["service", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval chain")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "position"], name="approval_step_unique_position"
            ),
            models.CheckConstraint(
                condition=(
                    Q(approver="person", person__isnull=False, department__isnull=True)
                    | Q(approver="department_head", person__isnull=True, department__isnull=False)
                    | Q(approver="requester_head", person__isnull=True, department__isnull=True)
                ),
                name="approval_step_approver_matches_kind",
                violation_error_message=_(
                    "Name a person for a person step, a department for a department head step, "
                    "and neither for the requester's head."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.approver == self.Approver.PERSON:
            return str(self.person)
        if self.approver == self.Approver.DEPARTMENT_HEAD:
            return _("Head of %(department)s") % {"department": self.department}
        return str(self.get_approver_display())

    @property
    def condition(self) -> Condition:
        return Condition(self.condition_field, self.condition_operator, self.condition_value)

    def clean(self) -> None:
        super().clean()
        if self.service_id is not None:
            validate_condition(self.service.form_fields, self.condition)

    @property
    def condition_text(self) -> str:
        """The condition in words ("Amount > 10,000"); empty when the step always applies."""
        fields = {f.get("name"): f for f in self.service.form_fields}
        return describe(fields.get(self.condition_field), self.condition)

    def verdict(self, answers: dict, department: Department | None = None) -> Verdict:
        """Whether the step applies to a request with these form answers, filed for
        `department`, and why."""
        return evaluate(self.service.form_fields, answers, self.condition, department)


def validate_approval_chain(form_fields: list[dict], steps: list[ApprovalStep]) -> None:
    """Raise a ValidationError naming the step at fault when a chain does not hold together:
    a condition that does not fit the form, a group without a first step, or a group whose
    steps disagree on its rule (all of / any of)."""
    first = None
    for step in sorted(steps, key=lambda s: s.position):
        params = {"position": step.position}
        if step.with_previous and first is None:
            raise ValidationError(
                _("Step %(position)s: the first step has no step before it to go with."),
                params=params,
            )
        if not step.with_previous:
            first = step
        elif step.group_rule != first.group_rule:
            raise ValidationError(
                _(
                    "Step %(position)s: the steps of a parallel group need the same rule as "
                    "step %(first)s, which starts it (%(rule)s)."
                ),
                params={**params, "first": first.position, "rule": first.get_group_rule_display()},
            )
        try:
            validate_condition(form_fields, step.condition)
        except ValidationError as error:
            problem = " ".join(" ".join(messages) for messages in error.message_dict.values())
            raise ValidationError(
                _("Step %(position)s: %(problem)s"), params={**params, "problem": problem}
            ) from None
