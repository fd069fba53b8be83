"""A webhook that chose "Award published" receives each award of its department (a company-wide
one every award) when HR publishes the cycle, signed, once, with the documented payload."""

from django.conf import settings

from recognition import services
from tests.webhooks.support import send_all, subscribe, webhook_messages


def test_a_departments_webhook_receives_its_award_once_with_the_documented_payload(
    november, hr, head, agent, finance, receiver
):
    webhook = subscribe(receiver, head, finance, ["recognition.awarded"])
    services.award_add(
        cycle_id=november.pk, by=hr, department=finance, title="Best supplier",
        reason="Met every target.",
    )  # fmt: skip
    services.award_add(cycle_id=november.pk, by=hr, person=agent, title="T", reason="R")

    services.cycle_publish(cycle_id=november.pk, by=hr)
    send_all(webhook)
    send_all(webhook)

    [received] = receiver.received
    assert received.verified
    assert received.payload["type"] == "recognition.awarded"
    award = received.payload["data"]["award"]
    assert (award["title"], award["reason"]) == ("Best supplier", "Met every target.")
    assert award["department"] == {"code": "FIN", "name": "Finance"}
    assert award["person"] is None
    assert award["cycle"]["name"] == "November 2026"
    assert (award["cycle"]["starts_on"], award["cycle"]["ends_on"]) == ("2026-11-01", "2026-11-30")
    assert award["link"] == settings.SITE_URL + "/awards/"


def test_a_company_wide_webhook_receives_every_award(november, hr, admin_user, agent, finance,
                                                     receiver):  # fmt: skip
    webhook = subscribe(receiver, admin_user, None, ["recognition.awarded"])
    services.award_add(cycle_id=november.pk, by=hr, department=finance, title="D", reason="R")
    services.award_add(cycle_id=november.pk, by=hr, person=agent, title="P", reason="R")

    services.cycle_publish(cycle_id=november.pk, by=hr)
    send_all(webhook)

    assert len(webhook_messages(webhook)) == 2
    people = [item["data"]["award"]["person"] for item in receiver.verified]
    assert {"username": "agent", "name": "Alex Huang"} in people
