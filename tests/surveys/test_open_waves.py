"""Differencing over time: while a wave of an anonymous campaign is open, two looks at its
results would differ by exactly the answers given in between. So its pages show only response
counts and say when results appear, its exports are refused, and no trend or score reads it;
everything appears when it closes."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from surveys.models import Invitation, Wave
from surveys.results import score_trend
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db

CLOSES = LAUNCH + timedelta(days=14)
NOTICE = "Results appear when this wave closes on"


@pytest.fixture
def wave(campaign, finance, sales, people):
    """Finance is rated by 10 people of Sales; 6 have answered, one with a comment."""
    open_wave = Wave.objects.create(
        campaign=campaign(min_comment_group=5), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=CLOSES,
    )  # fmt: skip
    for index, person in enumerate(people(sales, 10)):
        Invitation.objects.create(
            wave=open_wave, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(open_wave, finance, [4, 4, 5, 3, 4, 4], respondent_department=sales,
            texts=["The new form is slow"])  # fmt: skip
    return open_wave


@pytest.fixture
def before_closing():
    with time_machine.travel(CLOSES - timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def after_closing():
    with time_machine.travel(CLOSES, tick=False):
        yield


def test_an_open_wave_shows_only_its_response_counts(client, hr, wave, before_closing):
    client.force_login(hr)

    page = client.get(reverse("surveys:results", args=[wave.pk]))

    assert page.status_code == 200
    assert NOTICE in page.text
    assert "so that no single answer can be worked out by comparing two moments" in page.text
    assert "results" not in page.context
    [finance] = page.context["progress"]
    assert (finance.invited, finance.answered) == (10, 6)
    assert "4.00" not in page.text
    assert "Results (CSV)" not in page.text


def test_an_open_waves_department_page_shows_no_scores_or_comments(
    client, head, wave, finance, before_closing
):
    client.force_login(head)

    page = client.get(reverse("surveys:department_results", args=[wave.pk, finance.code]))

    assert page.status_code == 200
    assert NOTICE in page.text
    assert "The new form is slow" not in page.text
    assert "row" not in page.context


@pytest.mark.parametrize("what", ["results", "responses"])
def test_an_open_waves_exports_are_refused_with_the_reason(client, hr, wave, what, before_closing):
    client.force_login(hr)

    export = client.get(reverse("surveys:export", args=[wave.pk, what, "csv"]), follow=True)

    assert export.redirect_chain == [(reverse("surveys:results", args=[wave.pk]), 302)]
    assert NOTICE in export.text


def test_results_appear_when_the_wave_closes(client, hr, head, wave, finance, after_closing):
    client.force_login(hr)
    page = client.get(reverse("surveys:results", args=[wave.pk]))
    export = client.get(reverse("surveys:export", args=[wave.pk, "responses", "csv"]))
    client.force_login(head)
    detail = client.get(reverse("surveys:department_results", args=[wave.pk, finance.code]))

    assert NOTICE not in page.text
    assert page.context["results"].departments[0].score == pytest.approx(4.0)
    assert export.status_code == 200 and export.streaming
    assert detail.context["row"].comments == ["The new form is slow"]


def test_a_named_campaigns_results_show_while_its_wave_is_open(client, hr, campaign, finance):
    named = Wave.objects.create(
        campaign=campaign(anonymous=False), number=1, period_start=LAUNCH, period_end=LAUNCH,
        launched_at=LAUNCH, closes_at=CLOSES,
    )  # fmt: skip
    respond(named, finance, [4] * 5)
    client.force_login(hr)

    with time_machine.travel(CLOSES - timedelta(hours=1), tick=False):
        page = client.get(reverse("surveys:results", args=[named.pk]))

    assert NOTICE not in page.text
    assert page.context["results"].departments[0].score == 4


def test_the_trend_leaves_out_a_wave_still_open(wave, finance):
    later = Wave.objects.create(
        campaign=wave.campaign, number=2, period_start=LAUNCH, period_end=CLOSES,
        launched_at=CLOSES, closes_at=CLOSES + timedelta(days=14),
    )  # fmt: skip
    respond(later, finance, [1] * 5)

    trend = score_trend(later, now=CLOSES + timedelta(days=1))[finance.pk]

    assert [point.wave.number for point in trend] == [1]
