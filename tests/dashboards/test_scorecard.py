"""The company scorecard: ranking by compliance as supplier, the trend against the previous
period, and the survey score next to the requesters' ratings."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from dashboards.periods import Period
from dashboards.scorecard import company_facts, heat_class, scorecard
from surveys.models import Wave
from tests.support.clock import NOW, SHANGHAI
from tests.support.surveys import respond

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))


@pytest.fixture
def survey_wave(request):
    """A wave of a satisfaction campaign that closed on 24 November, in the week (a wave counts
    in the period it closed in)."""
    new_campaign = request.getfixturevalue("campaign")
    launched = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    return Wave.objects.create(
        campaign=new_campaign(),
        number=1,
        period_start=launched - timedelta(days=30),
        period_end=launched,
        launched_at=launched,
        closes_at=launched + timedelta(days=22),
    )


def test_the_survey_score_stands_beside_the_ratings(finance_week, finance, sales, survey_wave):
    respond(survey_wave, finance, [4, 4, 5, 5, 2])
    earlier = Wave.objects.create(
        campaign=survey_wave.campaign, number=2, period_start=survey_wave.period_start,
        period_end=survey_wave.period_end, launched_at=survey_wave.launched_at,
        closes_at=datetime(2026, 11, 20, 9, tzinfo=SHANGHAI),
    )  # fmt: skip
    respond(earlier, sales, [1] * 5)  # closed before the period
    rows = {row.department.name: row for row in scorecard(company_facts(WEEK, NOW))}
    assert rows["Finance"].survey.score == pytest.approx(4.0)
    assert rows["Finance"].survey.responses == 5
    assert rows["Finance"].current.mean_rating == pytest.approx(3.0)
    assert rows["Sales"].survey is None


def test_the_scorecard_page_explains_the_survey_score(client, hr, finance_week, survey_wave):
    respond(survey_wave, finance_week["A"].provider, [4] * 5)
    client.force_login(hr)
    query = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}
    response = client.get(reverse("dashboards:scorecard"), query)
    assert "Mean of the 1–5 answers of 5 survey responses: 4.00." in response.text


def test_the_trend_compares_with_the_previous_period_of_the_same_length(finance_week):
    this_week = Period("custom", date(2026, 11, 24), date(2026, 11, 25))  # G and H: pending
    rows = {row.department.name: row for row in scorecard(company_facts(this_week, NOW))}
    finance = rows["Finance"]
    assert finance.current.decided == 0 and finance.rank is None
    assert finance.previous.rate == pytest.approx(50.0)  # Monday: A to F, 5 of 10 targets met
    assert finance.trend is None


def test_a_department_ranks_above_one_with_lower_compliance(finance_week, finance, sales):
    from tickets.models import Ticket

    Ticket.objects.filter(title="A").update(provider=sales)  # Sales: 2 of 2 targets met
    rows = scorecard(company_facts(WEEK, NOW))
    assert [(row.department.name, row.rank) for row in rows[:2]] == [
        ("Sales", 1),
        ("Finance", 2),
    ]


@pytest.mark.parametrize(
    ("met", "breached", "css"),
    [(19, 1, "heat-5"), (9, 1, "heat-4"), (3, 1, "heat-3"), (1, 1, "heat-2"), (1, 3, "heat-1")],
)
def test_heat_map_cells_are_coloured_by_compliance_band(met, breached, css):
    from dashboards.compliance import Compliance

    assert heat_class(Compliance(first_response_met=met, first_response_breached=breached)) == css
    assert heat_class(Compliance()) == "heat-none"
    assert heat_class(None) == "heat-none"
