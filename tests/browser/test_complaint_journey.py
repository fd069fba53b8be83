"""Issue 18's complaint journey: staff files an anonymous complaint about Finance, told first
who will see their name; the head of Finance, who does not, answers it; staff accepts."""

import re

from playwright.sync_api import expect

from feedback.models.complaints import Feedback, Status


def test_staff_files_an_anonymous_complaint_the_head_answers_it_and_staff_accepts(
    page, log_in, screenshot, staff, head, finance
):
    log_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    expect(page.get_by_text("No complaint or suggestion to show here.")).to_be_visible()
    page.get_by_role("link", name="File a complaint or suggestion").click()
    expect(page.get_by_text("HR always sees who filed it")).to_be_visible()
    page.get_by_label("Complaint", exact=True).check()
    page.get_by_label("About the department").select_option(label="Finance")
    page.get_by_label("Subject").fill("Payroll extracts arrive late")
    page.get_by_label("What happened, or what you suggest").fill("Three months in a row.")
    page.get_by_label("Stay anonymous towards the department").check()
    page.get_by_role("button", name="File it").click()
    expect(
        page.get_by_role("heading", name=re.compile("Payroll extracts arrive late"))
    ).to_be_visible()
    screenshot("filed")
    page.get_by_role("button", name="Log out").click()

    log_in(head)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    expect(page.get_by_text("1 waits for your response.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Payroll extracts arrive late")).click()
    expect(page.get_by_role("row", name=re.compile("Filed by"))).to_contain_text("Anonymous")
    expect(page.get_by_text("Sam Li")).to_have_count(0)
    page.get_by_label("Accepted").check()
    page.get_by_label("Response").fill("Sorry. The extract now runs on the first working day.")
    page.get_by_role("button", name="Send the response").click()
    expect(page.locator("h1")).to_contain_text("Responded")
    page.get_by_role("button", name="Log out").click()

    log_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    page.get_by_role("link", name=re.compile("Payroll extracts arrive late")).click()
    response = "Sorry. The extract now runs on the first working day."
    expect(page.get_by_text(response, exact=True)).to_be_visible()
    page.get_by_role("button", name="Accept the response").click()
    expect(page.locator("h1")).to_contain_text("Closed")
    screenshot("accepted")

    complaint = Feedback.objects.get()
    assert (complaint.status, complaint.outcome, complaint.anonymous) == (
        Status.CLOSED,
        "accepted",
        True,
    )
