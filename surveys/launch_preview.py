"""What launching a campaign would do, said before it is done: how many people its first wave
e-mails and how many departments they are asked to rate, computed with the audience code the
launch itself runs (surveys.audience) over the same period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from surveys.audience import audience
from surveys.models import Campaign
from surveys.services import CADENCE_MONTHS, ONCE_PERIOD_MONTHS, add_months, first_launch_at


@dataclass(frozen=True)
class LaunchPreview:
    people: int
    invitations: int
    period_start: datetime
    period_end: datetime
    launches_at: datetime
    launches_now: bool


def launch_preview(campaign: Campaign, *, now: datetime) -> LaunchPreview:
    """The first wave of `campaign` as it would be launched now (or on its start date, counted
    with what is known now)."""
    launches_at = first_launch_at(campaign.starts_on)
    months = CADENCE_MONTHS.get(campaign.cadence, ONCE_PERIOD_MONTHS)
    period_start = add_months(launches_at, -months)
    invitees = audience(campaign, since=period_start, until=launches_at)
    return LaunchPreview(
        people=len({recipient for recipient, _rated, _group in invitees}),
        invitations=len(invitees),
        period_start=period_start,
        period_end=launches_at,
        launches_at=launches_at,
        launches_now=launches_at <= now,
    )
