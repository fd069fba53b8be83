"""satisfaction_by_department, the survey score of the dashboards' company scorecard."""

from datetime import date, datetime, timedelta

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
    return Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip


def test_it_is_the_mean_of_the_likert_answers_per_rated_department(wave, finance, sales):
    respond(wave, finance, [5, 4, 4, 3, 4], respondent_department=sales, day=date(2026, 10, 3))
    respond(wave, sales, [2] * 6, day=date(2026, 10, 4))

    scores = satisfaction_by_department(since=OCTOBER, until=NOVEMBER)

    assert scores == {
        finance.pk: DepartmentSatisfaction(department_id=finance.pk, score=4.0, responses=5),
        sales.pk: DepartmentSatisfaction(department_id=sales.pk, score=2.0, responses=6),
    }


def test_a_department_under_the_threshold_is_omitted(wave, finance, sales):
    respond(wave, finance, [5] * 4, day=date(2026, 10, 3))

    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER) == {}


def test_only_responses_of_the_period_count(wave, finance):
    respond(wave, finance, [5] * 5, day=date(2026, 10, 31))
    respond(wave, finance, [1] * 5, day=date(2026, 11, 1))

    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER)[finance.pk].score == 5
    assert (
        satisfaction_by_department(since=NOVEMBER, until=NOVEMBER + timedelta(days=30))[
            finance.pk
        ].score
        == 1
    )


def test_free_text_and_recommendation_answers_do_not_count(wave, finance):
    respond(wave, finance, [3] * 5, texts=["ok"] * 5, day=date(2026, 10, 3))

    assert satisfaction_by_department(since=OCTOBER, until=NOVEMBER)[finance.pk].score == 3


def test_it_reads_in_a_constant_number_of_queries(wave, finance, sales, human_resources,
                                                  django_assert_max_num_queries):  # fmt: skip
    for department in (finance, sales, human_resources):
        respond(wave, department, [4] * 5, day=date(2026, 10, 3))

    with django_assert_max_num_queries(1):
        assert len(satisfaction_by_department(since=OCTOBER, until=NOVEMBER)) == 3
