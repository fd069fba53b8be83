"""seed_demo's recognition: thanks on some confirmed requests, and one past quarter's cycle,
published with a department's and a person's award that everyone sees; running it again adds
nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from recognition.models import Award, Cycle
from tickets.models import Kudos

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the whole demo company


def test_seed_demo_publishes_a_past_cycle_and_some_thanks(client):
    call_command("seed_demo", stdout=StringIO())
    counts = (Cycle.objects.count(), Award.objects.count(), Kudos.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (Cycle.objects.count(), Award.objects.count(), Kudos.objects.count()) == counts
    cycle = Cycle.objects.get()
    assert cycle.is_published and Kudos.objects.exists()
    assert cycle.awards.filter(department__isnull=False).exists()
    client.force_login(get_user_model().objects.get(username="staff"))
    page = client.get(reverse("recognition:awards")).content.decode()
    assert "Best internal supplier" in page
