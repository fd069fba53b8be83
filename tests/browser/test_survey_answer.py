"""The survey an e-mailed link opens, on a phone, without logging in: staff answers it; the
link then says it has been answered."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from surveys import services
from surveys.links import answer_path
from surveys.models import Invitation, Response
from tests.support.celery import redis_down

PHONE = {"width": 390, "height": 844}


def test_staff_answers_the_survey_on_a_phone_without_logging_in(
    page, screenshot, campaign, hr, staff, sales, finance, requests_filed
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=timezone.now() - timedelta(days=3))  # fmt: skip
    with redis_down():  # the e-mail is not what this test follows
        services.campaign_launch(campaign_id=campaign(starts_on=timezone.localdate()).pk, by=hr)
    invitation = Invitation.objects.get()
    page.set_viewport_size(PHONE)

    page.goto(answer_path(invitation))
    expect(page.get_by_role("heading", name="How is Finance serving you?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for question in page.get_by_role("group").all():
        question.get_by_label("4", exact=True).check()
    page.get_by_label(re.compile("What could they do better")).fill("Answer the phone sooner.")
    screenshot("answering")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    response = Response.objects.get()
    assert sorted(response.answers.exclude(value=None).values_list("value", flat=True)) == [4] * 5
    page.goto(answer_path(invitation))
    expect(
        page.get_by_role("heading", name="This survey has already been answered")
    ).to_be_visible()
