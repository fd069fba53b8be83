"""Agreements (internal SLAs): versions, targets, sign-offs, coverage and their timeline."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models.calendars import BusinessCalendar
from agreements.models.catalogue import Priority, Service
from departments.models import Department

# The longest target, approval window or escalation delay an agreement may set: a year of
# working time promises nothing, and far longer ones overflow the business clock's arithmetic.
MAX_WORKING_DURATION = timedelta(days=365)

# A resolved request confirms itself after this many working days unless its agreement says
# otherwise (rule of the clock 7); a month of working days is the longest wait an agreement sets.
DEFAULT_CONFIRM_WITHIN_DAYS = 3
MAX_CONFIRM_WITHIN_DAYS = 20


# Two working days of eight hours: time to look into a dispute, short enough to settle it the
# same week.
DEFAULT_DISPUTE_WINDOW = timedelta(hours=16)


def validate_working_duration(value: timedelta) -> None:
    """Refuse a duration of working time longer than MAX_WORKING_DURATION."""
    if value > MAX_WORKING_DURATION:
        raise ValidationError(
            _("Enter at most %(hours)d hours of working time."),
            code="max_value",
            params={"hours": MAX_WORKING_DURATION.total_seconds() // 3600},
        )


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, user) -> AgreementQuerySet:
        """Agreements in force or past are public inside the company; drafts belong to the
        provider; proposals to the provider and the customers asked to sign them."""
        if user.is_superuser:
            return self
        departments = user.memberships.values("department")
        return self.filter(
            ~Q(status__in=[Agreement.Status.DRAFT, Agreement.Status.PROPOSED])
            | Q(provider__in=departments)
            | Q(status=Agreement.Status.PROPOSED, customers__in=departments)
            | Q(status=Agreement.Status.PROPOSED, all_customers=True)
        ).distinct()


class Agreement(models.Model):
    """One version of an internal SLA. Versions of the same agreement share a `series`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Superseded")
        EXPIRED = "expired", _("Expired")

    class Relationship(models.TextChoices):
        HIERARCHICAL = "hierarchical", _("Hierarchical (between levels)")
        FUNCTIONAL = "functional", _("Functional (between functions)")
        PROCESS = "process", _("Process (an upstream step serving the next)")

    series = models.UUIDField(_("agreement"), default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Bumped on every change; guards against stale forms."
    )
    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="agreements_as_provider",
        verbose_name=_("provider department"),
    )
    customers = models.ManyToManyField(
        Department,
        blank=True,
        related_name="agreements_as_customer",
        verbose_name=_("customer departments"),
    )
    all_customers = models.BooleanField(
        _("every department is a customer"),
        default=False,
        help_text=_("A company-wide agreement; an administrator accepts it for the company."),
    )
    services = models.ManyToManyField(
        Service, related_name="agreements", verbose_name=_("services")
    )
    relationship = models.CharField(
        _("kind of relationship"),
        max_length=20,
        choices=Relationship,
        default=Relationship.FUNCTIONAL,
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("business calendar"),
    )
    warning_threshold = models.PositiveSmallIntegerField(
        _("warning threshold (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Warn when this share of a target's time has elapsed."),
    )
    escalation_after = models.DurationField(
        _("escalate after (working time)"),
        null=True,
        blank=True,
        validators=[validate_working_duration],
        help_text=_(
            "When a breached target is still unmet this long after its due time, the head of the "
            "provider's parent department is told, and one level further up each time again. "
            "Empty: no escalation."
        ),
    )
    confirm_within_days = models.PositiveSmallIntegerField(
        _("confirm within (working days)"),
        default=DEFAULT_CONFIRM_WITHIN_DAYS,
        db_default=DEFAULT_CONFIRM_WITHIN_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONFIRM_WITHIN_DAYS)],
        help_text=_(
            "A resolved request waits this many working days for its requester to confirm it "
            "(or reopen it); then it confirms itself, without a rating."
        ),
    )
    dispute_window = models.DurationField(
        _("disputes decided within (working time)"),
        default=DEFAULT_DISPUTE_WINDOW,
        db_default=DEFAULT_DISPUTE_WINDOW,
        validators=[MinValueValidator(timedelta(minutes=1)), validate_working_duration],
        help_text=_(
            "How long the customer's head has to accept or reject the provider's dispute of a "
            "breach, in working time on the agreement's calendar. Undecided by then, the dispute "
            "goes to the nearest head above both departments."
        ),
    )
    pauses_for_hand_offs = models.BooleanField(
        _("pause while waiting on a hand-off"),
        default=False,
        db_default=False,
        help_text=_(
            "The resolution clock of a request stops while it waits on a hand-off its provider "
            "opened to another department, and runs again once the last one is resolved."
        ),
    )
    # The customer's duties (rule of the clock 8): measured on the time a request waits on its
    # requester, counted for the customer department, never against the provider.
    requester_answer_within = models.DurationField(
        _("requester answers within (working time)"),
        null=True,
        blank=True,
        validators=[validate_working_duration],
        help_text=_(
            "The customer's duty: when the provider asks the requester a question, the answer "
            "is due within this working time. Empty: no such duty."
        ),
    )
    customer_duties = models.TextField(
        _("customer's duties"),
        blank=True,
        db_default="",
        help_text=_(
            "What the customer agrees to provide, e.g. a complete request with the figures "
            "attached; shown to requesters on the request form."
        ),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("in force until"), null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "title", "-version"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="agreement_unique_version"),
            models.UniqueConstraint(
                fields=["series"],
                condition=Q(status__in=["draft", "proposed"]),
                name="agreement_one_open_version_per_series",
                violation_error_message=_("This agreement already has a version being prepared."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_after_valid_from",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(requester_answer_within__isnull=True)
                | Q(requester_answer_within__gt=timedelta(0)),
                name="agreement_requester_answer_within_positive",
                violation_error_message=_("The requester's answer is due after a positive time."),
            ),
            models.CheckConstraint(
                condition=Q(escalation_after__isnull=True) | Q(escalation_after__gt=timedelta(0)),
                name="agreement_escalation_after_positive",
                violation_error_message=_("Escalate after a positive working time, or never."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s (v%(version)s)") % {"title": self.title, "version": self.version}

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement", args=[self.pk])

    @classmethod
    def for_request(
        cls, customer_department: Department, service: Service, at: datetime
    ) -> Agreement | None:
        """The version in force at `at` for requests from `customer_department` on `service`;
        an agreement naming the department wins over a company-wide one."""
        in_force = cls.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at),
            services=service,
            activated_at__lte=at,
            valid_from__lte=timezone.localdate(at),
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate(at)))
        named = in_force.filter(customers=customer_department).order_by("-activated_at").first()
        return named or in_force.filter(all_customers=True).order_by("-activated_at").first()

    def target_for(self, priority: str) -> AgreementTarget | None:
        return next((t for t in self.targets.all() if t.priority == priority), None)


class AgreementTarget(models.Model):
    """First-response and resolution targets, in working time, for one priority."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="targets", verbose_name=_("agreement")
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    first_response = models.DurationField(
        _("first response within (working time)"), validators=[validate_working_duration]
    )
    resolution = models.DurationField(
        _("resolution within (working time)"), validators=[validate_working_duration]
    )

    class Meta:
        ordering = ["agreement", "priority"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "priority"], name="agreement_target_unique_priority"
            ),
            models.CheckConstraint(
                condition=Q(first_response__gt=timedelta(0))
                & Q(resolution__gte=models.F("first_response")),
                name="agreement_target_resolution_after_first_response",
                violation_error_message=_(
                    "Targets must be positive, and resolution cannot come before first response."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.first_response} / {self.resolution}"


class ApprovalWindow(models.Model):
    """How long (in working time) the approver of step N has, under an agreement."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="approval_windows",
        verbose_name=_("agreement"),
    )
    position = models.PositiveSmallIntegerField(_("approval step"))
    window = models.DurationField(
        _("decide within (working time)"), validators=[validate_working_duration]
    )

    class Meta:
        ordering = ["agreement", "position"]
        verbose_name = _("approval window")
        verbose_name_plural = _("approval windows")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "position"], name="approval_window_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(window__gt=timedelta(0)), name="approval_window_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.window}"


class Coverage(models.Model):
    """Which (service, customer) pairs an active agreement governs. Rows exist only while their
    agreement is active, so the database itself allows one active agreement per pair."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="coverage")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        help_text="Empty for a company-wide agreement.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "customer"], name="coverage_one_active_agreement"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(customer__isnull=True),
                name="coverage_one_active_company_wide_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.service_id} → {self.customer_id or '*'}"


class SignOff(models.Model):
    """A customer head's decision on one proposal."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("agreement")
    )
    revision = models.PositiveIntegerField()
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("for department"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["decided_at"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "revision", "department"],
                name="sign_off_once_per_department_and_revision",
            ),
            models.UniqueConstraint(
                fields=["agreement", "revision"],
                condition=Q(department__isnull=True),
                name="sign_off_once_for_the_company_per_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.department or '*'}"


class AgreementEvent(models.Model):
    """The agreement's timeline: every change and every step of the negotiation."""

    class Action(models.TextChoices):
        CREATED = "created", _("created the draft")
        EDITED = "edited", _("edited the draft")
        PROPOSED = "proposed", _("proposed the agreement")
        WITHDRAWN = "withdrawn", _("withdrew the proposal")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        ACTIVATED = "activated", _("put the agreement in force")
        SUPERSEDED = "superseded", _("replaced by a new version")
        EXPIRED = "expired", _("expired")
        NEW_VERSION = "new_version", _("started a new version")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["agreement", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
