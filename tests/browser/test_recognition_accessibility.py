"""The recognition pages pass axe-core with no serious or critical violation, in English and in
Simplified Chinese (as tests/browser/test_accessibility.py checks every other page): HR's cycle
list, new cycle form and a draft cycle with its candidates, and the awards page of a published
cycle as HR, as the thanked agent and as someone who sees no figures."""

from datetime import date

import pytest
from django.urls import reverse

from recognition import services

from .test_accessibility import LANGUAGES, Checker, Visit

pytestmark = pytest.mark.slow


def test_the_recognition_pages_have_no_serious_accessibility_violation(
    browser, live_server, published, hr, agent, outsider
):
    draft = services.cycle_create(
        by=hr, name="Autumn", starts_on=date(2026, 9, 1), ends_on=date(2026, 11, 30)
    )
    visits = [
        Visit("hr", reverse("recognition:cycles")),
        Visit("hr", reverse("recognition:cycle_new")),
        Visit("hr", reverse("recognition:cycle", args=[draft.pk])),
        Visit("hr", reverse("recognition:cycle", args=[published.pk])),
        Visit("hr", reverse("recognition:awards")),
        Visit("agent", reverse("recognition:awards")),
        Visit("outsider", reverse("recognition:awards")),
    ]
    violations = []
    for language in LANGUAGES:
        pages = Checker(browser, live_server.url, language)
        for visit in visits:
            violations += pages.check(visit)
        violations += pages.problems
        pages.close()

    assert not violations, f"{len(violations)} accessibility problems:\n" + "\n".join(violations)
