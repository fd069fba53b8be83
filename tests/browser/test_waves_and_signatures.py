"""Nobody has to poll: the Sales head is e-mailed (a real SMTP server) when Finance proposes an
agreement, reminded two days later, opens the link from the reminder in Chromium and signs; the
Finance head is then e-mailed that it is accepted. And on a request, an agent mentions the head
in a note with a file: the head is told and finds the mention and the file on the page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from agreements import letters, services
from agreements.models import Agreement, Priority
from agreements.reminders import REMIND_EVERY, signature_reminders_send
from departments.models import Membership
from outbox import sending
from outbox.models import Message
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory, UserFactory
from tickets import conversation
from tickets import letters as ticket_letters

HOURS = timedelta(hours=1)


@pytest.fixture
def sales_head(sales):
    person = UserFactory(username="sales.head", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=person, department=sales, role=Membership.Role.HEAD)
    return person


def send_pending(kind: str) -> None:
    pending = Message.objects.filter(kind=kind, state=Message.State.PENDING)
    sending.send(list(pending.values_list("pk", flat=True)))


def path_in(message) -> str:
    """The path of the Accord address in an e-mail's text."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(re.escape(settings.SITE_URL.rstrip("/")) + r"(/\S+)", body)[0]


def test_a_head_is_told_reminded_and_signs_from_the_link(
    page, log_in, screenshot, smtp_server, head, sales_head, finance, sales
):
    draft = services.agreement_save_draft(
        agreement=Agreement(provider=finance, title="Finance services", calendar=CalendarFactory()),
        by=head,
        revision=None,
        services=[ServiceFactory(provider=finance, name="Payroll data extract")],
        customers=[sales],
        targets={Priority.P1: (1 * HOURS, 4 * HOURS)},
    )
    proposal = services.agreement_propose(agreement_id=draft.pk, by=head, revision=draft.revision)
    send_pending(letters.PROPOSED)
    signature_reminders_send(now=timezone.now() + REMIND_EVERY)
    send_pending(letters.SIGNATURE_REMINDER)

    told, reminded = smtp_server.addressed_to(sales_head.email)
    assert told["Subject"] == "Finance proposes an agreement: Finance services"
    assert reminded["Subject"] == "Reminder: Finance waits for your signature on Finance services"

    log_in(sales_head)
    page.goto(path_in(reminded))
    expect(page.get_by_role("heading", name="Sign for Sales")).to_be_visible()
    screenshot("sign-from-the-reminder")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("Accepted.")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == Agreement.Status.ACTIVE

    send_pending(letters.ACCEPTED)
    [accepted] = smtp_server.addressed_to(head.email)
    assert accepted["Subject"] == "Accepted: Finance services"


def test_a_mention_in_a_note_with_a_file_reaches_the_head_who_finds_both(
    page, log_in, smtp_server, agreement, payroll_extract, file_request, agent, head
):
    ticket = file_request(payroll_extract)
    conversation.comment_post(
        ticket_id=ticket.pk,
        by=agent,
        text="@head the totals differ, see the file",
        internal=True,
        files=[SimpleUploadedFile("totals.csv", b"month,total\n10,100\n")],
    )
    send_pending(ticket_letters.MENTIONED)
    [told] = smtp_server.addressed_to(head.email)
    assert told["Subject"] == f"[{ticket.reference}] October payroll: you are mentioned"

    log_in(head)
    page.goto(ticket.get_absolute_url())
    timeline = page.locator(".timeline")
    expect(timeline.locator("strong.mention", has_text="@head")).to_be_visible()
    with page.expect_download() as download:
        timeline.get_by_role("link", name="totals.csv").click()
    assert download.value.suggested_filename == "totals.csv"
    expect(page.get_by_role("button", name="Stop watching")).to_be_visible()
