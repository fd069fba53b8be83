"""Heads manage their departments' webhooks, administrators every one; anyone else finds no
such page (404). The secret is shown once; a test event and a second try are a button away."""

from datetime import timedelta

import pytest
from django.urls import reverse

from outbox import sending
from outbox.models import Message
from tests.support.clock import MONDAY_9AM
from tests.webhooks.support import send_all, subscribe, webhook_messages
from webhooks.models import Webhook


@pytest.fixture
def finance_hook(receiver, head, finance):
    return subscribe(receiver, head, finance, ["tickets.filed"])


@pytest.fixture
def sales_hook(receiver, admin_user, sales):
    return Webhook.objects.create(
        owner=admin_user, department=sales, url="https://hooks.example.com/sales",
        events=["tickets.filed"],
    )  # fmt: skip


def pages(webhook) -> list[str]:
    return [
        reverse("webhooks:edit", args=[webhook.pk]),
        reverse("webhooks:log", args=[webhook.pk]),
    ]


@pytest.mark.parametrize("person", ["staff", "agent", "outsider"])
def test_people_who_head_nothing_find_no_webhook_pages(client, request, finance_hook, person):
    client.force_login(request.getfixturevalue(person))
    for url in [reverse("webhooks:list"), reverse("webhooks:add"), *pages(finance_hook)]:
        assert client.get(url).status_code == 404, url
    for name in ("test", "delete"):
        url = reverse(f"webhooks:{name}", args=[finance_hook.pk])
        assert client.post(url).status_code == 404
    assert Webhook.objects.filter(pk=finance_hook.pk).exists()


def test_a_head_sees_only_the_webhooks_of_their_department(client, head, finance_hook, sales_hook):
    client.force_login(head)
    listing = client.get(reverse("webhooks:list")).content.decode()
    assert finance_hook.url in listing
    assert sales_hook.url not in listing
    for url in pages(sales_hook):
        assert client.get(url).status_code == 404
    assert client.post(reverse("webhooks:delete", args=[sales_hook.pk])).status_code == 404
    for url in pages(finance_hook):
        assert client.get(url).status_code == 200


def test_an_administrator_sees_every_webhook(client, admin_user, finance_hook, sales_hook):
    client.force_login(admin_user)
    listing = client.get(reverse("webhooks:list")).content.decode()
    assert finance_hook.url in listing
    assert sales_hook.url in listing


def test_a_head_adds_a_webhook_and_sees_its_secret_once(client, head, finance, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(head)
    response = client.post(
        reverse("webhooks:add"),
        {"url": "https://hooks.example.com/accord", "department": finance.pk,
         "events": ["tickets.filed", "tickets.breach"]},
    )  # fmt: skip
    webhook = Webhook.objects.get()
    assert (webhook.owner, webhook.department, webhook.active) == (head, finance, True)
    assert webhook.events == ["tickets.filed", "tickets.breach"]
    assert webhook.secret.startswith("whsec_")
    assert webhook.secret in response.content.decode()
    for url in [reverse("webhooks:list"), *pages(webhook)]:
        assert webhook.secret not in client.get(url).content.decode()


def test_a_head_cannot_add_a_webhook_for_another_department_or_the_whole_company(
    client, head, sales
):
    client.force_login(head)
    for department in (sales.pk, ""):
        response = client.post(
            reverse("webhooks:add"),
            {"url": "https://hooks.example.com/a", "department": department,
             "events": ["tickets.filed"]},
        )  # fmt: skip
        assert response.status_code == 200
        assert response.context["form"].errors["department"]
    assert not Webhook.objects.exists()


def test_a_webhook_to_a_private_address_cannot_be_added(client, head, finance, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(head)
    response = client.post(
        reverse("webhooks:add"),
        {"url": "https://10.0.0.8/hook", "department": finance.pk, "events": ["tickets.filed"]},
    )
    assert response.context["form"].errors["url"]
    assert not Webhook.objects.exists()


def test_a_test_event_shows_the_receivers_answer(client, head, finance_hook, receiver):
    client.force_login(head)
    response = client.post(reverse("webhooks:test", args=[finance_hook.pk]))
    assert response.context["outcome"].status_code == 200
    assert "ms" in response.content.decode()
    [payload] = receiver.verified
    assert payload["type"] == "webhooks.test"


def test_a_failed_delivery_is_sent_again_from_the_log_page(
    agreement, client, head, finance_hook, file_request, payroll_extract, receiver, clock_at
):
    file_request(payroll_extract)
    receiver.answer(*[500] * sending.MAX_ATTEMPTS)
    for minutes in range(sending.MAX_ATTEMPTS):
        clock_at(MONDAY_9AM + timedelta(hours=minutes))
        send_all(finance_hook)
    [message] = webhook_messages(finance_hook)
    assert message.state == Message.State.FAILED

    client.force_login(head)
    log = client.get(reverse("webhooks:log", args=[finance_hook.pk])).content.decode()
    resend = reverse("webhooks:resend", args=[finance_hook.pk, message.pk])
    assert resend in log
    assert "500" in log
    client.post(resend)
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 0)
    send_all(finance_hook)
    assert webhook_messages(finance_hook)[0].state == Message.State.SENT
    assert len(receiver.verified) == sending.MAX_ATTEMPTS + 1


def test_the_department_page_links_to_webhooks_for_its_head_only(client, head, staff, finance):
    client.force_login(head)
    assert reverse("webhooks:list") in client.get(finance.get_absolute_url()).content.decode()
    client.force_login(staff)
    assert reverse("webhooks:list") not in client.get(finance.get_absolute_url()).content.decode()
