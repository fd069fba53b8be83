"""The complaint response limits come from the environment (COMPLAINT_RESPONSE_HOURS,
COMPLAINT_WARNING_PERCENT, COMPLAINT_PARENT_TOLD_AFTER_HOURS), default to 16 working hours, 75 %
and 8 working hours, and Accord refuses to start on nonsense."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from feedback import services
from feedback.models.complaints import Kind
from tests.support.clock import at

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps([
    settings.COMPLAINT_RESPONSE_TARGET.total_seconds() / 3600,
    settings.COMPLAINT_WARNING_SHARE,
    settings.COMPLAINT_PARENT_TOLD_AFTER.total_seconds() / 3600,
]))
"""
LIMITS = {
    "COMPLAINT_RESPONSE_HOURS", "COMPLAINT_WARNING_PERCENT", "COMPLAINT_PARENT_TOLD_AFTER_HOURS",
}  # fmt: skip


def start_with(**variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in LIMITS}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true", **variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_the_limits_default_to_sixteen_hours_three_quarters_and_eight_hours():
    started = start_with()

    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout.splitlines()[-1]) == [16, 0.75, 8]


def test_the_limits_come_from_the_environment():
    started = start_with(
        COMPLAINT_RESPONSE_HOURS="24",
        COMPLAINT_WARNING_PERCENT="50",
        COMPLAINT_PARENT_TOLD_AFTER_HOURS="4.5",
    )

    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout.splitlines()[-1]) == [24, 0.5, 4.5]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COMPLAINT_RESPONSE_HOURS", "0"),
        ("COMPLAINT_RESPONSE_HOURS", "-16"),
        ("COMPLAINT_RESPONSE_HOURS", "sixteen"),
        ("COMPLAINT_RESPONSE_HOURS", "inf"),
        ("COMPLAINT_WARNING_PERCENT", "0"),
        ("COMPLAINT_WARNING_PERCENT", "100"),
        ("COMPLAINT_WARNING_PERCENT", "150"),
        ("COMPLAINT_WARNING_PERCENT", "-5"),
        ("COMPLAINT_WARNING_PERCENT", "nan"),
        ("COMPLAINT_PARENT_TOLD_AFTER_HOURS", "0"),
        ("COMPLAINT_PARENT_TOLD_AFTER_HOURS", "-1"),
    ],
)
def test_nonsense_stops_accord_at_start_up(variable, value):
    started = start_with(**{variable: value})

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert variable in started.stderr


def test_the_configured_limits_set_a_complaints_times(agreement, staff, finance, head, settings):
    settings.COMPLAINT_RESPONSE_TARGET = timedelta(hours=8)
    settings.COMPLAINT_WARNING_SHARE = 0.5
    settings.COMPLAINT_PARENT_TOLD_AFTER = timedelta(hours=1)

    complaint = services.feedback_file(
        by=staff, kind=Kind.COMPLAINT, department=finance, subject="Late", text="Again.",
        now=at(23, 9),
    )  # fmt: skip

    assert complaint.warn_at == at(23, 14, 30)
    assert complaint.response_due_at == at(24, 9, 30)
    assert complaint.escalate_at == at(24, 10, 30)
