"""Recognition cycles: HR picks awards for departments and people over a period (a quarter by
default), from the scorecard and the kudos of that period, then publishes the cycle for
everyone to see. An award keeps the figures it was picked on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department

TITLE_MAX_LENGTH = 100
REASON_MAX_LENGTH = 2000


class CycleQuerySet(models.QuerySet["Cycle"]):
    def published(self) -> CycleQuerySet:
        return self.filter(status=Cycle.Status.PUBLISHED)


class Cycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("recognition cycle")
        verbose_name_plural = _("recognition cycles")
        ordering = ["-ends_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cycle_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="cycle_published_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recognition:cycle", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Award(models.Model):
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="awards", verbose_name=_("cycle")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("department"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("person"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    # The candidate's figures when the award was picked (recognition.candidates), so that a
    # published award keeps showing what it was given for.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("awarded by"),
    )
    awarded_at = models.DateTimeField(_("awarded"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["cycle", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True, person__isnull=False)
                | Q(department__isnull=False, person__isnull=True),
                name="award_to_a_department_or_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.winner_name}"

    @property
    def winner_name(self) -> str:
        if self.department_id:
            return self.department.name
        return self.person.get_full_name() or self.person.get_username()
