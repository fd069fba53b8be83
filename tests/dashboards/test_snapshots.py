"""The scorecard's snapshots: a Celery job recounts the named periods every 5 minutes, the page
reads the snapshot while it is fresh and the requests otherwise."""

from datetime import date, timedelta

from django.urls import reverse

from dashboards.models import FactsSnapshot
from dashboards.periods import Period, period_of
from dashboards.scorecard import company_facts, live_company_facts, scorecard
from dashboards.services import snapshots_refresh
from dashboards.tasks import refresh_snapshots
from tests.dashboards.conftest import NOW

MONTH = period_of("30d", NOW.date())


def test_the_job_keeps_one_snapshot_per_named_period_when_run_twice(finance_week):
    assert refresh_snapshots() == 4
    assert refresh_snapshots() == 4
    assert FactsSnapshot.objects.count() == 4
    snapshot = FactsSnapshot.objects.get(first=MONTH.first, last=MONTH.last)
    assert snapshot.rows == live_company_facts(MONTH, NOW)


def test_the_scorecard_reads_a_fresh_snapshot_without_reading_the_requests(
    finance_week, django_assert_num_queries
):
    snapshots_refresh(now=NOW - timedelta(minutes=4))
    with django_assert_num_queries(1):
        company = company_facts(MONTH, NOW)
    assert company.from_snapshot
    custom = Period("custom", date(2026, 11, 1), NOW.date())
    live = company_facts(custom, NOW)  # no snapshot of a custom period: read live
    assert not live.from_snapshot
    ranked = scorecard(company)
    assert ranked[0].department.name == "Finance" and ranked[0].current.decided == 10


def test_a_stale_snapshot_is_ignored(finance_week):
    snapshots_refresh(now=NOW - timedelta(minutes=20))
    FactsSnapshot.objects.update(rows=[])
    assert not company_facts(MONTH, NOW).from_snapshot


def test_snapshots_of_past_days_are_dropped(finance_week):
    snapshots_refresh(now=NOW - timedelta(days=3))
    snapshots_refresh(now=NOW)
    assert not FactsSnapshot.objects.filter(last__lt=NOW.date()).exists()


def test_the_page_says_when_the_figures_were_counted(client, hr, finance_week):
    snapshots_refresh(now=NOW - timedelta(minutes=4))
    client.force_login(hr)
    response = client.get(reverse("dashboards:scorecard"), {"period": "30d"})
    assert "Figures as of 08:56; they are recounted every 5 minutes." in response.text
