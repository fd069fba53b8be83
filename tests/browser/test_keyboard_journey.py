"""The request journey with the keyboard alone: staff logs in, finds a service in the catalogue,
files a request (every field reached with Tab) and finds it under My requests; the agent logs
in, opens it from the queue, acknowledges and resolves it. No clicks and no `fill`: only Tab,
Shift+Tab, Enter, Space, arrow keys and typing, and each control used shows where the focus is.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tickets.models import Status, Ticket

pytestmark = pytest.mark.slow  # two people working in a real browser
MOST_TABS = 80  # more than any page here has focusable controls before the one a test wants

# What the focused element is, as a person using a screen reader would hear it, and whether it
# shows that it has the focus: an outline of 2 px or more (Chromium's own is 1 px), or a box shadow
# drawn as a focus ring.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    id: element.id,
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.value || "").trim(),
    visible: outlined || style.boxShadow !== "none",
  };
}"""


def tab_to(page: Page, *, text: str | None = None, id: str | None = None, back=False) -> dict:
    """Press Tab (Shift+Tab with `back`) until the focus is on the control with this visible
    text or id; fail if it is never reached, or does not show its focus."""
    seen = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused["text"][:30] or focused["id"] or focused["tag"])
        if (id is not None and focused["id"] == id) or (
            text is not None and re.fullmatch(text, focused["text"])
        ):
            assert focused["visible"], f"{text or id} has the focus but does not show it"
            return focused
    raise AssertionError(f"Tab never reached {text or id} on {page.url}; it went to {seen}")


def press(page: Page, key: str = "Enter") -> None:
    """Press a key that follows a link or submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def log_in_with_the_keyboard(page: Page, username: str) -> None:
    page.goto(reverse("login"))
    tab_to(page, id="id_username")
    page.keyboard.type(username)
    tab_to(page, id="id_password")
    page.keyboard.type("demo")
    press(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_staff_files_a_request_and_the_agent_resolves_it_with_the_keyboard_alone(
    page, agreement, payroll_extract, staff, agent
):
    log_in_with_the_keyboard(page, "staff")
    skip = tab_to(page, text="Skip to content", back=True)
    assert skip["tag"] == "a"
    tab_to(page, text="Services")
    press(page)
    expect(page.get_by_role("heading", name="Service catalogue")).to_be_visible()
    tab_to(page, text="Payroll data extract")
    press(page)
    tab_to(page, text="Request this service")
    press(page)
    expect(page.get_by_role("heading", name="Request “Payroll data extract”")).to_be_visible()

    tab_to(page, id="id_title")
    page.keyboard.type("November payroll")
    tab_to(page, id="id_description")
    page.keyboard.type("For the audit.")
    tab_to(page, id="id_answer_month")
    page.keyboard.type("11012026")  # month, day and year: Chromium moves on after each part
    tab_to(page, id="id_answer_format")
    page.keyboard.press("ArrowDown")  # from "Choose…" to the first format
    page.keyboard.press("ArrowDown")
    tab_to(page, id="id_priority")
    page.keyboard.press("ArrowUp")  # P2 (the service's default) to P1
    tab_to(page, text="Submit request")
    press(page)

    expect(page.get_by_role("heading", name=re.compile("November payroll"))).to_be_visible()
    ticket = Ticket.objects.get(title="November payroll")
    assert ticket.answers["month"] == "2026-11-01"
    assert ticket.answers["format"] == "XLSX"
    assert (ticket.priority, ticket.description, ticket.requester) == (
        "P1",
        "For the audit.",
        staff,
    )
    tab_to(page, text="My requests", back=True)
    press(page)
    expect(page.get_by_role("link", name=re.compile("November payroll"))).to_be_visible()
    tab_to(page, text="Log out")
    press(page, "Space")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    log_in_with_the_keyboard(page, "agent")
    tab_to(page, text="Queue")
    press(page)
    expect(page.get_by_role("heading", name=re.compile("Queue"))).to_be_visible()
    tab_to(page, text=r".*November payroll")
    press(page)
    expect(page.get_by_role("heading", name=re.compile("November payroll"))).to_be_visible()
    tab_to(page, text="Acknowledge")
    press(page)
    expect(page.locator("h1 .status")).to_have_text("Acknowledged")
    tab_to(page, id="comment-resolve")
    page.keyboard.type("Sent the extract.")
    tab_to(page, text="Resolve")
    press(page)

    expect(page.locator("h1 .status")).to_have_text("Resolved")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.assignee == agent  # acknowledging an unassigned request took it
