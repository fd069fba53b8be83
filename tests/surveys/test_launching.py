"""The launcher: due campaigns launch one wave each, with one invitation per recipient and rated
department drawn from the requests of the period; running it twice launches nothing twice."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError

from surveys import services
from surveys.audience import audience
from surveys.models import Campaign, Invitation, Wave
from tests.support.clock import LAUNCH, SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


def test_each_person_who_filed_a_request_in_the_period_rates_that_department(
    campaign, hr, staff, sales, finance, human_resources, requests_filed, people, frozen
):
    colleagues = people(sales, 2)
    requests_filed(customer=sales, provider=finance, people=[staff, *colleagues],
                   filed_at=LAUNCH - timedelta(days=30))  # fmt: skip
    requests_filed(customer=sales, provider=human_resources, people=[staff],
                   filed_at=LAUNCH - timedelta(days=10))  # fmt: skip
    # Twice with Finance: still one invitation. Before the quarter: not in this wave.
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=5))  # fmt: skip
    late = people(sales, 1, prefix="early")
    requests_filed(customer=sales, provider=finance, people=late,
                   filed_at=LAUNCH - timedelta(days=120))  # fmt: skip

    services.campaign_launch(campaign_id=campaign().pk, by=hr)

    wave = Wave.objects.get()
    assert (wave.period_start, wave.period_end) == (
        datetime(2026, 7, 1, tzinfo=SHANGHAI),
        datetime(2026, 10, 1, tzinfo=SHANGHAI),
    )
    assert sorted(
        Invitation.objects.values_list(
            "recipient__username", "rated_department__code", "respondent_department__code"
        )
    ) == [
        ("sales1", "FIN", "SALES"),
        ("sales2", "FIN", "SALES"),
        ("staff", "FIN", "SALES"),
        ("staff", "HR", "SALES"),
    ]


def test_nobody_rates_their_own_department(campaign, hr, agent, finance, sales, requests_filed,
                                           frozen):  # fmt: skip
    requests_filed(customer=finance, provider=finance, people=[agent],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip

    services.campaign_launch(campaign_id=campaign().pk, by=hr)

    assert not Invitation.objects.exists()


def test_chosen_departments_rate_chosen_suppliers(
    campaign, hr, sales, finance, human_resources, staff, head, agent, frozen
):
    chosen = campaign(
        audience=Campaign.Audience.CHOSEN,
        respondent_departments=[sales, finance],
        rated_departments=[finance, human_resources],
    )

    services.campaign_launch(campaign_id=chosen.pk, by=hr)

    assert sorted(
        Invitation.objects.values_list("recipient__username", "rated_department__code")
    ) == [("agent", "HR"), ("head", "HR"), ("staff", "FIN"), ("staff", "HR")]


def test_everyone_rates_the_departments_their_department_works_with(
    campaign, hr, sales, finance, staff, agent, people, requests_filed, frozen
):
    colleague = people(sales, 1)
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    wave_campaign = campaign(audience=Campaign.Audience.EVERYONE)

    services.campaign_launch(campaign_id=wave_campaign.pk, by=hr)

    assert sorted(
        Invitation.objects.values_list("recipient__username", "rated_department__code")
    ) == [(colleague[0].username, "FIN"), ("staff", "FIN")]


def test_the_database_keeps_one_invitation_per_recipient_and_department(
    campaign, hr, staff, finance, sales, requests_filed, frozen
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign().pk, by=hr)
    invitation = Invitation.objects.get()

    with pytest.raises(IntegrityError):
        Invitation.objects.create(wave=invitation.wave, recipient=staff, rated_department=finance)


def test_the_launcher_run_twice_launches_one_wave(
    campaign, hr, staff, finance, sales, requests_filed, frozen
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    quarterly = campaign(starts_on=date(2026, 10, 2))
    services.campaign_launch(campaign_id=quarterly.pk, by=hr)
    assert not Wave.objects.exists()  # its day has not come

    frozen.move_to(datetime(2026, 10, 2, 0, 30, tzinfo=SHANGHAI))
    first = services.launch_due_campaigns()
    second = services.launch_due_campaigns()

    assert len(first) == 1
    assert second == []
    assert Invitation.objects.count() == 1
    quarterly.refresh_from_db()
    assert quarterly.next_launch_at == datetime(2027, 1, 2, tzinfo=SHANGHAI)


def test_a_quarterly_campaign_launches_its_next_wave_three_months_later(
    campaign, hr, staff, finance, sales, requests_filed, frozen
):
    quarterly = campaign()
    services.campaign_launch(campaign_id=quarterly.pk, by=hr)
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH + timedelta(days=40))  # fmt: skip

    frozen.move_to(datetime(2027, 1, 1, 1, tzinfo=SHANGHAI))
    services.launch_due_campaigns()

    waves = list(Wave.objects.order_by("number"))
    assert [wave.number for wave in waves] == [1, 2]
    assert waves[1].period_start == datetime(2026, 10, 1, tzinfo=SHANGHAI)
    assert Invitation.objects.filter(wave=waves[1]).count() == 1


def test_a_one_off_campaign_ends_after_its_wave(campaign, hr, frozen):
    once = campaign(cadence=Campaign.Cadence.ONCE)

    launched = services.campaign_launch(campaign_id=once.pk, by=hr)

    assert launched.status == Campaign.Status.ENDED
    assert launched.next_launch_at is None
    assert Wave.objects.count() == 1


def test_the_thresholds_are_fixed_once_the_campaign_launches(campaign, hr, default_questions,
                                                             frozen):  # fmt: skip
    launched = services.campaign_launch(campaign_id=campaign().pk, by=hr)
    launched.min_respondents = 3

    with pytest.raises(services.SurveyError):
        services.campaign_save(campaign=launched, by=hr, questions=default_questions)
    assert Campaign.objects.get().min_respondents == 5


def test_only_hr_and_administrators_manage_campaigns(campaign, head, frozen):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.campaign_launch(campaign_id=campaign().pk, by=head)


def test_audience_reads_only_the_period(staff, sales, finance, requests_filed, campaign, db):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH)  # fmt: skip

    assert audience(campaign(), since=LAUNCH - timedelta(days=1), until=LAUNCH) == []
    assert audience(campaign(), since=LAUNCH, until=LAUNCH + timedelta(seconds=1)) == [
        (staff.pk, finance.pk, sales.pk)
    ]
