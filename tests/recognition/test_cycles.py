"""HR runs a recognition cycle: candidates from the scorecard and the kudos of the period, awards
with a written reason, then publishing; a published cycle no longer changes."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from recognition import candidates, services
from recognition.forms import last_quarter
from recognition.models import Cycle
from recognition.services import RecognitionError
from tests.support.clock import at


def test_a_new_cycle_covers_the_last_quarter_by_default(hr, client, clock_at):
    clock_at(at(23, 9))
    client.force_login(hr)

    page = client.get(reverse("recognition:cycle_new")).content.decode()

    assert last_quarter(date(2026, 11, 23)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert 'value="2026 Q3"' in page


def test_hr_creates_a_cycle_from_the_page(hr, client, clock_at):
    clock_at(at(23, 9))
    client.force_login(hr)

    response = client.post(
        reverse("recognition:cycle_new"),
        {"name": "2026 Q3", "starts_on": "2026-07-01", "ends_on": "2026-09-30"},
    )

    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response.url == cycle.get_absolute_url()
    assert (cycle.status, cycle.created_by) == (Cycle.Status.DRAFT, hr)


def test_a_cycle_ends_after_it_starts_and_not_in_the_future(hr, clock_at):
    clock_at(at(23, 9))
    for first, last in [
        (date(2026, 9, 30), date(2026, 7, 1)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2024, 1, 1), date(2026, 1, 1)),
    ]:
        with pytest.raises(ValidationError):
            services.cycle_create(by=hr, name="Q", starts_on=first, ends_on=last)


def test_departments_are_candidates_in_scorecard_order_with_their_kudos(november, finance):
    rows = candidates.department_candidates(november, at(23, 11))

    finance_row = next(row for row in rows if row.department == finance)
    assert rows[0].department == finance
    assert finance_row.figures["compliance"] == 100.0
    assert finance_row.figures["mean_rating"] == 5.0
    assert finance_row.figures["kudos"] == 1
    assert finance_row.figures["complaints"] == finance_row.figures["waived"] == 0


def test_the_people_thanked_are_candidates_with_what_they_resolved(november, agent):
    [row] = candidates.person_candidates(november)

    assert row.person == agent
    assert row.departments == ["Finance"]
    assert row.figures == {"kudos": 1, "resolved": 1, "resolved_met": 1}


def test_an_award_keeps_the_figures_it_was_picked_on(november, hr, agent):
    award = services.award_add(
        cycle_id=november.pk, by=hr, person=agent, title="  Most   thanked ", reason="Thanks."
    )

    assert award.title == "Most thanked"
    assert award.figures == {"kudos": 1, "resolved": 1, "resolved_met": 1}


def test_an_award_goes_to_a_department_or_a_person(november, hr, agent, finance):
    for winners in ({}, {"department": finance, "person": agent}):
        with pytest.raises(ValidationError):
            services.award_add(cycle_id=november.pk, by=hr, title="T", reason="R", **winners)


def test_an_award_needs_a_written_reason(november, hr, finance):
    with pytest.raises(ValidationError):
        services.award_add(cycle_id=november.pk, by=hr, department=finance, title="T", reason=" ")


def test_publishing_needs_an_award(november, hr):
    with pytest.raises(RecognitionError, match="at least one award"):
        services.cycle_publish(cycle_id=november.pk, by=hr)


def test_a_published_cycle_no_longer_changes(published, hr, finance):
    with pytest.raises(RecognitionError, match="published"):
        services.award_add(cycle_id=published.pk, by=hr, department=finance, title="T", reason="R")
    with pytest.raises(RecognitionError):
        services.award_withdraw(award_id=published.awards.first().pk, by=hr)
    with pytest.raises(RecognitionError):
        services.cycle_publish(cycle_id=published.pk, by=hr)


def test_only_hr_runs_cycles(november, head, agent, finance):
    for person in (head, agent):
        with pytest.raises(PermissionDenied):
            services.award_add(
                cycle_id=november.pk, by=person, department=finance, title="T", reason="R"
            )
        with pytest.raises(PermissionDenied):
            services.cycle_publish(cycle_id=november.pk, by=person)


def test_hr_picks_an_award_on_the_cycle_page_and_publishes_it(november, hr, agent, client):
    client.force_login(hr)
    page = client.get(november.get_absolute_url()).content.decode()
    assert "Candidate departments" in page and "Alex Huang" in page

    added = client.post(
        reverse("recognition:award_add", args=[november.pk]),
        {"person": agent.pk, "title": "Most thanked", "reason": "Every requester said so."},
    )
    published = client.post(reverse("recognition:publish", args=[november.pk]))

    assert added.status_code == published.status_code == 302
    november.refresh_from_db()
    assert november.is_published and november.awards.get().person == agent


def test_an_incomplete_award_is_refused_with_the_form_errors(november, hr, client):
    client.force_login(hr)

    response = client.post(
        reverse("recognition:award_add", args=[november.pk]), {"title": "", "reason": ""}
    )

    assert response.status_code == 400
    assert "Give the award to a department or to a person." in response.content.decode()


def test_hr_withdraws_an_award_of_a_draft(november, hr, finance, client):
    award = services.award_add(
        cycle_id=november.pk, by=hr, department=finance, title="T", reason="R"
    )
    client.force_login(hr)

    response = client.post(reverse("recognition:award_withdraw", args=[november.pk, award.pk]))

    assert response.status_code == 302
    assert not november.awards.exists()


def test_the_cycle_list_has_an_empty_state(hr, client):
    client.force_login(hr)

    page = client.get(reverse("recognition:cycles")).content.decode()

    assert "No recognition cycle yet" in page
