"""One rule for every figure (common.figures): pages, exports and the scorecard show the same
rounded numbers. Before, pages cut figures short (2/3 read 66.6 %, a mean of 3.667 read 3.66 on
the scorecard) while exports and the survey pages rounded (66.7, 3.67)."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import translation

from common import figure_filters, figures
from surveys.models import Invitation, Wave
from tests.support.clock import SHANGHAI
from tests.support.surveys import respond

WEEK = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(2, 3) * 100, 1, "66.7"),
        (200 / 3, 1, "66.7"),
        (3.905, 2, "3.91"),  # half up from the decimal it reads as, not 3.90499…
        (0.125, 2, "0.13"),  # half up, not half to even
        (86.65, 1, "86.7"),
        (22 / 6, 2, "3.67"),
        (100, 1, "100.0"),
    ],
)
def test_a_figure_is_rounded_half_up_from_its_exact_value(value, places, expected):
    assert figures.rounded(value, places) == Decimal(expected)


def test_a_share_is_computed_from_the_exact_ratio():
    assert figures.percent_of(2, 3) == Decimal("66.7")
    assert figures.percent_of(1, 8) == Decimal("12.5")
    assert figures.percent_of(5, 0) is None
    assert figures.percent_of(None, 3) is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_write_the_rounded_figure(language):
    with translation.override(language):
        assert figure_filters.percent(200 / 3) == "66.7 %"
        assert figure_filters.percent_of(2, 3) == "66.7 %"
        assert figure_filters.rating(22 / 6) == "3.67"
        assert figure_filters.rating(None) == "—"
    assert figure_filters.points(-0.04) == "±0.0 pts"
    assert figure_filters.points(3.25) == "+3.3 pts"


@pytest.fixture
def rated_wave(campaign, finance, sales, people):
    """Finance rated by 6 of the 9 people of Sales invited (66.7 %), scores 4, 4, 4, 4, 3, 3
    (a mean of 3.667); the wave closed on 24 November, in the week."""
    launched = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    wave = Wave.objects.create(
        campaign=campaign(), number=1, period_start=launched - timedelta(days=30),
        period_end=launched, launched_at=launched, closes_at=launched + timedelta(days=22),
    )  # fmt: skip
    for index, person in enumerate(people(sales, 9)):
        Invitation.objects.create(
            wave=wave, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(wave, finance, [4, 4, 4, 4, 3, 3], respondent_department=sales)
    return wave


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_survey_results_page_and_its_export_agree(client, hr, finance, rated_wave):
    client.force_login(hr)

    page = client.get(reverse("surveys:results", args=[rated_wave.pk])).content.decode()
    export = csv_rows(client.get(reverse("surveys:export", args=[rated_wave.pk, "results", "csv"])))

    header, *rows = export
    finance_row = dict(zip(header, next(r for r in rows if r[0] == finance.name), strict=True))
    assert finance_row["Response rate (%)"] == "66.7"
    assert finance_row["Score (1-5)"] == "3.67"
    assert "66.7 %" in page
    assert "3.67" in page


def test_the_scorecard_shows_the_survey_score_the_survey_results_show(
    client, hr, finance_week, rated_wave
):
    client.force_login(hr)

    page = client.get(reverse("dashboards:scorecard"), WEEK).content.decode()
    export = csv_rows(
        client.get(reverse("dashboards:scorecard_export", args=["scorecard", "csv"]), WEEK)
    )

    assert "survey responses: 3.67." in page
    header, *rows = export
    finance_row = dict(zip(header, next(r for r in rows if "Finance" in r), strict=True))
    assert finance_row["Survey score"] == "3.67"


def test_the_dashboard_page_and_its_export_show_the_same_compliance(
    client, head, finance, finance_week
):
    client.force_login(head)

    page = client.get(reverse("dashboards:department", args=[finance.code]), WEEK)
    export = csv_rows(
        client.get(reverse("dashboards:export", args=[finance.code, "summary", "csv"]), WEEK)
    )

    header, row = export
    exported = dict(zip(header, row, strict=True))
    for column in ("First response compliance (%)", "Resolution compliance (%)"):
        assert f"{exported[column]} %" in page.content.decode()
