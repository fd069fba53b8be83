"""The daily totals of the dashboards (dashboards.rollup): every request counted once, by the day
it was filed (in the company time zone) and by supplier, customer, service and priority, with the
figures the pages add up. A Celery job (dashboards.services.rollup_refresh) keeps them."""

from django.db import models

from agreements.models import Priority, Service
from departments.models import Department

FIGURES = (
    "received",
    "no_agreement",
    "first_response_met",
    "first_response_breached",
    "first_response_pending",
    "resolution_met",
    "resolution_breached",
    "resolution_pending",
    "first_response_waived",
    "resolution_waived",
    "rated",
    "rating_sum",
    "resolved",
    "confirmed",
    "auto_confirmed",
    "duty_met",
    "duty_breached",
)


class Figures(models.Model):
    """The counts of FIGURES (dashboards.compliance adds them up)."""

    received = models.PositiveIntegerField(default=0)
    no_agreement = models.PositiveIntegerField(default=0)
    first_response_met = models.PositiveIntegerField(default=0)
    first_response_breached = models.PositiveIntegerField(default=0)
    first_response_pending = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    resolution_breached = models.PositiveIntegerField(default=0)
    resolution_pending = models.PositiveIntegerField(default=0)
    # Breaches waived by a dispute: neither met nor breached, out of compliance (disputes app).
    first_response_waived = models.PositiveIntegerField(default=0, db_default=0)
    resolution_waived = models.PositiveIntegerField(default=0, db_default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # Confirmation (rule of the clock 7): requests with a result delivered (resolved, or closed
    # after one), those confirmed, and those of them that confirmed themselves.
    resolved = models.PositiveIntegerField(default=0, db_default=0)
    confirmed = models.PositiveIntegerField(default=0, db_default=0)
    auto_confirmed = models.PositiveIntegerField(default=0, db_default=0)
    # The customer's answer duty (rule of the clock 8), counted for the customer department.
    duty_met = models.PositiveIntegerField(default=0, db_default=0)
    duty_breached = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


# The totals are derived from the requests, which hold the real foreign keys: without database
# constraints here, a count of a year commits in a second rather than checking a million keys.


class DailyCount(Figures):
    """The requests filed on `day` with one supplier, by one customer, on one service and
    priority; the department dashboards add these up."""

    day = models.DateField()
    week = models.DateField(help_text="The Monday of `day`: the weekly trend groups by it.")
    provider = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    priority = models.CharField(max_length=2, choices=Priority)
    # Requests not closed, cancelled or rejected when counted: their figures can still change.
    unsettled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "provider", "customer", "service", "priority"],
                name="daily_count_one_per_group",
            )
        ]
        # Covering: a department's year is read from the index alone (its rows lie together
        # there, while in the table they are spread over every day's recount).
        indexes = [
            models.Index(
                fields=["provider", "day"],
                include=["customer", "service", "priority", "week", *FIGURES],
                name="daily_count_by_provider",
            ),
            models.Index(
                fields=["customer", "day"],
                include=["provider", "service", "priority", "week", *FIGURES],
                name="daily_count_by_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.provider_id}→{self.customer_id} {self.service_id} {self.priority}"


class DailyPairCount(Figures):
    """DailyCount summed per supplier and customer: the scorecard and heat map add these up."""

    day = models.DateField()
    provider = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "provider", "customer"], name="daily_pair_count_one_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.provider_id}→{self.customer_id}"


class CountedDay(models.Model):
    """When the requests of `day` were last counted into the daily totals, and whether they were
    all settled then (closed, cancelled or rejected, and the day over): a settled day's totals
    cannot change, so pages read them instead of the requests."""

    day = models.DateField(primary_key=True)
    counted_at = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)
    unsettled = models.PositiveIntegerField(default=0)
    settled = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.day} ({self.counted_at:%Y-%m-%d %H:%M})"


class RollupMark(models.Model):
    """One row: the newest request counted and when the job last ran, locked by each run so that
    two runs never count at once."""

    last_ticket_id = models.BigIntegerField(null=True)
    counted_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"up to request {self.last_ticket_id}, at {self.counted_at}"
