"""seed_demo's surveys: a quarterly campaign with two past, answered waves whose results show
scores and a trend; running seed_demo again adds nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from surveys.models import Campaign, Invitation, Response, Wave

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the whole demo company


def test_seed_demo_gives_hr_two_past_waves_with_a_trend(client):
    call_command("seed_demo", stdout=StringIO())
    counts = (Campaign.objects.count(), Wave.objects.count(), Response.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (Campaign.objects.count(), Wave.objects.count(), Response.objects.count()) == counts
    campaign = Campaign.objects.get()
    assert campaign.cadence == Campaign.Cadence.QUARTERLY
    waves = list(campaign.waves.order_by("number"))
    assert [wave.number for wave in waves] == [1, 2]
    assert Response.objects.filter(invitation__isnull=False).count() == 0
    assert Invitation.objects.filter(answered=True).count() == Response.objects.count()

    client.force_login(get_user_model().objects.get(username="hr"))
    page = client.get(reverse("surveys:results", args=[waves[1].pk]))
    assert page.status_code == 200
    rows = page.context["results"].departments
    assert any(row.score is not None for row in rows)
    assert all(len(row.trend) == 2 for row in rows)
    assert any(all(point.score is not None for point in row.trend) for row in rows)
    finance = next(row for row in rows if row.department.code == "FIN")
    detail = client.get(reverse("surveys:department_results", args=[waves[1].pk, "FIN"]))
    assert detail.status_code == 200
    assert finance.respondents >= 10 and detail.context["row"].comments

    campaign_page = client.get(reverse("surveys:campaign", args=[campaign.pk]))
    for progress in campaign_page.context["progress"]:
        assert progress["sent"] == progress["total"] > 0  # every invitation went out
        assert not progress["sending"]
