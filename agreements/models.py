"""Services that departments supply, the agreements (internal SLAs) that govern them, and the
business calendars their clocks run on."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.clock import BusinessClock
from agreements.form_schema import validate_form_schema
from agreements.weekly_hours import default_weekly_hours, weekly_hours_for_clock
from departments.models import Department


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a known time zone; use an IANA name such as Asia/Shanghai."),
            params={"zone": value},
        )


class Priority(models.TextChoices):
    P1 = "P1", _("P1 · Critical")
    P2 = "P2", _("P2 · High")
    P3 = "P3", _("P3 · Normal")
    P4 = "P4", _("P4 · Low")


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    weekly_hours = models.JSONField(
        _("weekly working hours"),
        default=default_weekly_hours,
        help_text=_("Local wall-clock intervals per weekday (Monday = 0)."),
    )
    country = models.CharField(
        _("country for public holidays"),
        max_length=2,
        blank=True,
        help_text=_("ISO country code (e.g. CN) used to import public holidays and make-up days."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            BusinessClock(self.time_zone, weekly_hours_for_clock(self.weekly_hours))
        except ValueError as error:
            raise ValidationError({"weekly_hours": str(error)}) from error

    def as_clock(self) -> BusinessClock:
        """The business clock of this calendar, with its holidays, make-up days and closures."""
        days = list(self.days.values_list("date", "kind"))
        return BusinessClock(
            self.time_zone,
            weekly_hours_for_clock(self.weekly_hours),
            holidays={day for day, kind in days if kind == CalendarDay.Kind.HOLIDAY},
            workdays={day for day, kind in days if kind == CalendarDay.Kind.WORKDAY},
            closures=self.closures.values_list("starts_at", "ends_at"),
        )


class CalendarDay(models.Model):
    """A date that departs from the weekly hours: a public holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (closed)")
        WORKDAY = "workday", _("Make-up working day (open with Monday's hours)")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarClosure(models.Model):
    """A one-off closure, e.g. an office move, removed from working time."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("calendar"),
    )
    starts_at = models.DateTimeField(_("closed from"))
    ends_at = models.DateTimeField(_("closed until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="calendar_closure_ends_after_start",
                violation_error_message=_("A closure must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True)


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


class ApprovalStep(models.Model):
    """One step of a service's ordered approval chain."""

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
    condition = models.CharField(
        _("when"),
        max_length=200,
        blank=True,
        help_text=_("Shown to requesters, e.g. “purchases over 10,000”."),
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
            valid_from__lte=at.date(),
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=at.date()))
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
    first_response = models.DurationField(_("first response within (working time)"))
    resolution = models.DurationField(_("resolution within (working time)"))

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
    window = models.DurationField(_("decide within (working time)"))

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
