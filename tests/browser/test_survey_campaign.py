"""Issue 6's HR journey: hr creates a campaign from the default template, launches it, watches
the invitations go out (a real worker on Redis, a real SMTP server), and downloads the XLSX."""

import io
import re
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from outbox.models import Message
from surveys import letters
from surveys.models import Campaign, Invitation, Wave
from tests.support.celery import redis_worker


def test_hr_creates_a_campaign_launches_it_watches_progress_and_downloads_the_xlsx(
    page, log_in, screenshot, smtp_server, hr, staff, sales, finance, people, requests_filed,
    default_questions,
):  # fmt: skip
    requesters = [staff, *people(sales, 2)]
    requests_filed(customer=sales, provider=finance, people=requesters,
                   filed_at=timezone.now() - timedelta(days=3))  # fmt: skip

    log_in(hr)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Internal service, this quarter")
    for question in ("They respond to our requests quickly.", "Overall, we are satisfied"):
        expect(page.get_by_label(re.compile(re.escape(question)))).to_be_checked()
    screenshot("form")
    page.get_by_role("button", name="Save campaign").click()

    expect(
        page.get_by_role("heading", name=re.compile("Internal service, this quarter"))
    ).to_be_visible()
    page.get_by_role("link", name="Launch…").click()
    # "Launch" first says how many people will be e-mailed.
    expect(page.get_by_text("Launching now e-mails 3 people.")).to_be_visible()
    with redis_worker():
        page.get_by_role("button", name="Launch").click()
        expect(page.get_by_text("Launched: the invitations are being sent.")).to_be_visible()
        # The progress updates in place (htmx polling) until every invitation is sent.
        expect(page.get_by_text("Sent 3 of 3")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Answered 0 of 3 sent")).to_be_visible()
    screenshot("progress")
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(
        person.email for person in requesters
    )
    invitations = Message.objects.filter(kind=letters.INVITATION, state=Message.State.SENT)
    assert invitations.count() == Invitation.objects.count() == 3

    page.get_by_role("link", name="Results", exact=True).last.click()
    expect(page.get_by_role("rowheader", name="Finance")).to_be_visible()
    # An anonymous wave shows only its counts while it is open.
    expect(page.get_by_text(re.compile("Results appear when this wave closes"))).to_be_visible()
    expect(page.get_by_role("link", name="Results (XLSX)")).to_have_count(0)
    Wave.objects.update(closes_at=timezone.now())
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Results (XLSX)").click()
    download = download_info.value
    campaign = Campaign.objects.get()
    assert re.fullmatch(
        rf"internal-service-this-quarter-wave-1-results-{timezone.localdate():%Y-%m-%d}\.xlsx",
        download.suggested_filename,
    )
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Rated department"
    assert rows[0][:4] == ("Finance", "All", 3, None)  # nobody has answered yet: no figures
    assert campaign.status == Campaign.Status.ACTIVE
