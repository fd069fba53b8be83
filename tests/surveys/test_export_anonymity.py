"""The responses export tells apart no group that the pages hide: rows of hidden respondent groups
are pooled under "Other departments", and the rows come in a new random order each time, not in
the order people answered or any order tied to their group."""

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse

from surveys.models import Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(campaign):
    """A closed wave: its results are released."""
    return Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip


def exported(client, wave) -> list[list[str]]:
    response = client.get(reverse("surveys:export", args=[wave.pk, "responses", "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_rows_of_groups_the_pages_hide_are_pooled_as_other_departments(
    client, hr, wave, finance, sales, human_resources, company
):
    """Finance is rated by 6 of Sales, 5 of HR and 2 of the Executive Office: the 2 are hidden,
    and so is HR (the total minus Sales would give them); the 7 are one pool."""
    respond(wave, finance, [5] * 6, respondent_department=sales)
    respond(wave, finance, [3] * 5, respondent_department=human_resources)
    respond(wave, finance, [1] * 2, respondent_department=company)
    client.force_login(hr)

    rows = exported(client, wave)

    assert Counter(row[2] for row in rows) == {"Sales": 6, "Other departments": 7}
    assert Counter(row[3] for row in rows if row[2] == "Other departments") == {"3": 5, "1": 2}


def test_each_export_draws_a_new_random_order(client, hr, wave, finance, sales):
    respond(wave, finance, list(range(1, 6)) * 8, respondent_department=sales)
    client.force_login(hr)

    orders = [[row[3] for row in exported(client, wave)] for _ in range(3)]

    given = [str(score) for score in range(1, 6)] * 8
    assert all(sorted(order) == sorted(given) for order in orders)
    assert given not in orders
    assert len({tuple(order) for order in orders}) == 3
