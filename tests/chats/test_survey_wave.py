"""A survey wave's opening reaches the group chats of the departments it rates, and nobody's
e-mail."""

from datetime import timedelta

import pytest
import time_machine

from chats.models import ChatBot
from outbox import sending
from outbox.kinds import KINDS
from outbox.models import Message
from surveys import letters, services
from surveys.models import Wave
from tests.support.clock import LAUNCH


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


def test_an_opened_wave_reaches_the_rated_departments_groups_only(
    vendor, make_bot, campaign, hr, staff, sales, finance, human_resources, requests_filed,
    frozen,
):  # fmt: skip
    for department in (finance, human_resources, sales):
        make_bot(department, "wecom", hook=f"group-{department.code}")
    make_bot(finance, "slack", kinds=["tickets.filed"])  # not chosen: hears nothing
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=30))  # fmt: skip

    services.campaign_launch(campaign_id=campaign(name="Service *care* 2026").pk, by=hr)

    wave = Wave.objects.get()
    [message] = Message.objects.filter(kind=letters.WAVE_OPENED)
    assert message.recipient is None and message.about == wave
    assert message.destination == ChatBot.objects.get(department=finance, vendor="wecom")
    sending.send([message.pk])
    sending.send([message.pk])
    [(_, hook, _)] = vendor.received
    [text] = vendor.texts()
    assert hook == "group-FIN"
    assert text.startswith("**Survey open: Service ＊care＊ 2026 (wave 1)**\n")
    assert "rate this department until" in text
    assert f"{wave.get_absolute_url()})" in text


def test_the_rated_departments_are_read_in_one_query(
    campaign, hr, staff, sales, finance, human_resources, requests_filed, frozen,
    django_assert_num_queries,
):  # fmt: skip
    for provider in (finance, human_resources):
        requests_filed(customer=sales, provider=provider, people=[staff],
                       filed_at=LAUNCH - timedelta(days=30))  # fmt: skip
    services.campaign_launch(campaign_id=campaign().pk, by=hr)
    wave = Wave.objects.get()
    with django_assert_num_queries(1):
        departments = KINDS[letters.WAVE_OPENED].departments(wave)
    assert sorted(departments) == sorted([finance.pk, human_resources.pk])
