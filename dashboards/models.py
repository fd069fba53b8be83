"""Precomputed figures of the company scorecard (see dashboards.scorecard)."""

from django.db import models


class FactsSnapshot(models.Model):
    """The company's requests of a period (and of the one before) counted by supplier, customer,
    period and outcome, as dashboards.scorecard.live_company_facts returns them."""

    first = models.DateField()
    last = models.DateField()
    computed_at = models.DateTimeField()
    rows = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "last"], name="facts_snapshot_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.first} – {self.last} ({self.computed_at:%Y-%m-%d %H:%M})"
