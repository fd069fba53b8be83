"""Exports stream in constant memory: the CSV and the XLSX are written as they are read, a chunk
of responses at a time, so 100,000 responses take no more memory than a few thousand
(PostgreSQL: the rows are made with generate_series)."""

import resource
import tracemalloc
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from surveys.models import Answer, Response, Wave
from tests.support.clock import LAUNCH

pytestmark = [
    pytest.mark.slow,  # large volumes
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="generate_series"),
]


@pytest.fixture
def wave(campaign, finance, sales):
    return Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip


def add_responses(wave, count: int, rated, group) -> None:
    """`count` responses about `rated`, each answering every question (free text starting
    with "=")."""
    responses, answers = Response._meta.db_table, Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {responses} (id, wave_id, rated_department_id, respondent_department_id)"
            " SELECT gen_random_uuid(), %s, %s, %s FROM generate_series(1, %s) RETURNING id",
            [wave.pk, rated.pk, group.pk, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for question in wave.campaign.questions.all():
            text = question.kind == "text"
            cursor.execute(
                f"INSERT INTO {answers} (response_id, question_id, value, text) "
                "SELECT id, %s, CASE WHEN %s THEN NULL ELSE 1 + n %% 5 END, "
                "CASE WHEN %s THEN '=1+1 comment ' || n ELSE '' END "
                "FROM unnest(%s::uuid[]) WITH ORDINALITY AS t(id, n)",
                [question.pk, text, text, ids],
            )


def export_peak(client, wave, extension: str) -> tuple[int, int]:
    """The peak of Python memory while the export is produced and read, and its lines."""
    tracemalloc.start()
    try:
        response = client.get(reverse("surveys:export", args=[wave.pk, "responses", extension]))
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    return peak, lines


# Responses, then ten times as many; fewer for XLSX, which tracemalloc makes slow to write.
SIZES = {"csv": 2_000, "xlsx": 800}


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_ten_times_the_responses_take_no_more_memory(client, hr, wave, finance, sales, extension):
    client.force_login(hr)
    count = SIZES[extension]
    add_responses(wave, count, finance, sales)
    small, lines = export_peak(client, wave, extension)

    add_responses(wave, 9 * count, finance, sales)
    large, more_lines = export_peak(client, wave, extension)

    if extension == "csv":
        assert (lines, more_lines) == (count + 1, 10 * count + 1)
    assert large < small * 1.5 + 2 * 2**20, f"{small / 2**20:.1f} MB, then {large / 2**20:.1f} MB"


def test_100000_responses_export_to_csv(client, hr, wave, finance, sales):
    client.force_login(hr)
    add_responses(wave, 100_000, finance, sales)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    response = client.get(reverse("surveys:export", args=[wave.pk, "responses", "csv"]))
    first = next(response.streaming_content)
    lines = first.count(b"\n") + sum(chunk.count(b"\n") for chunk in response.streaming_content)

    assert lines == 100_001
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100 * 1024, f"the process grew by {grown_kb / 1024:.0f} MB"
