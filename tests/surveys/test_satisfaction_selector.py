"""satisfaction_by_department, the survey score of the dashboards' company scorecard."""

from datetime import datetime, timedelta

import pytest

from surveys.models import Wave
from surveys.selectors import DepartmentSatisfaction, satisfaction_by_department
from tests.support.clock import LAUNCH, SHANGHAI
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db

OCTOBER = datetime(2026, 10, 1, tzinfo=SHANGHAI)
NOVEMBER = datetime(2026, 11, 1, tzinfo=SHANGHAI)


@pytest.fixture
def wave(campaign):
    """A wave that closes on 15 October: it counts in October."""
    return Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip


def next_wave(wave, *, closes_at):
    return Wave.objects.create(
        campaign=wave.campaign, number=wave.number + 1, period_start=wave.period_end,
        period_end=wave.launched_at, launched_at=closes_at - timedelta(days=14),
        closes_at=closes_at,
    )  # fmt: skip


def test_it_is_the_mean_of_the_likert_answers_per_rated_department(wave, finance, sales):
    respond(wave, finance, [5, 4, 4, 3, 4], respondent_department=sales)
    respond(wave, sales, [2] * 6)

    scores = satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=NOVEMBER)

    assert scores == {
        finance.pk: DepartmentSatisfaction(department_id=finance.pk, score=4.0, responses=5),
        sales.pk: DepartmentSatisfaction(department_id=sales.pk, score=2.0, responses=6),
    }


def test_a_department_under_the_threshold_is_omitted(wave, finance, sales):
    respond(wave, finance, [5] * 4)

    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=NOVEMBER) == {}


def test_a_wave_counts_in_the_period_it_closed_in(wave, finance):
    respond(wave, finance, [5] * 5)
    respond(next_wave(wave, closes_at=NOVEMBER), finance, [1] * 5)
    later = NOVEMBER + timedelta(days=30)

    assert (
        satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=later)[finance.pk].score == 5
    )
    assert satisfaction_by_department(since=NOVEMBER, until=later, now=later)[finance.pk].score == 1


def test_a_wave_still_open_does_not_count(wave, finance):
    """Its score would change with each answer: two looks would tell an answer apart."""
    respond(wave, finance, [5] * 5)

    before_closing = wave.closes_at - timedelta(minutes=1)
    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=before_closing) == {}
    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=wave.closes_at)


def test_free_text_and_recommendation_answers_do_not_count(wave, finance):
    respond(wave, finance, [3] * 5, texts=["ok"] * 5)

    assert (
        satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=NOVEMBER)[finance.pk].score
        == 3
    )


def test_it_reads_in_a_constant_number_of_queries(wave, finance, sales, human_resources,
                                                  django_assert_max_num_queries):  # fmt: skip
    for department in (finance, sales, human_resources):
        respond(wave, department, [4] * 5)

    with django_assert_max_num_queries(1):
        assert len(satisfaction_by_department(since=OCTOBER, until=NOVEMBER, now=NOVEMBER)) == 3
