"""Odd input is a clear 400, never a 500: every query parameter of the survey pages goes through
a form (surveys.forms), and a value it refuses is answered with the page and the error on it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from surveys.models import Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "99999999999999999999999", "-1", "0", "abc", "1.5"]


@pytest.fixture
def wave(campaign, finance, sales):
    closed = Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip
    respond(closed, finance, [4] * 6, respondent_department=sales)
    return closed


def pages(wave, finance):
    """Each survey page with a query parameter, and that parameter."""
    return [
        (reverse("surveys:results_index"), "page"),
        (reverse("surveys:campaigns"), "page"),
        (reverse("surveys:results", args=[wave.pk]), "respondent"),
        (reverse("surveys:department_results", args=[wave.pk, finance.code]), "respondent"),
    ]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_query_value_is_a_400_with_the_error_on_the_page(
    client, hr, wave, finance, value
):
    client.force_login(hr)

    for path, parameter in pages(wave, finance):
        response = client.get(path, {parameter: value})

        assert response.status_code == 400, (path, value)
        assert 'class="errorlist' in response.text, (path, value)


@pytest.mark.parametrize("pk", ["99999999999999999999999", "9223372036854775808"])
def test_a_wave_id_beyond_any_key_is_a_404(client, hr, finance, pk):
    client.force_login(hr)

    for path in [f"/surveys/results/{pk}/", f"/surveys/results/{pk}/departments/FIN/",
                 f"/surveys/results/{pk}/responses.csv"]:  # fmt: skip
        assert client.get(path).status_code == 404, path
