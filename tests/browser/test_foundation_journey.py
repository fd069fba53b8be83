"""The foundation journey in a browser: log in, find a department, read it in Chinese, log out."""

import re

from django.urls import reverse
from playwright.sync_api import Error, Page, expect


def switch_language(page: Page, language: str) -> None:
    """Pick a language in the header's switcher, as a person would, with or without JavaScript.

    accord.js submits the switcher as soon as the choice changes; without it, the person presses
    "Switch language". The form's request tells which of the two happened.
    """
    try:
        with page.expect_request("**/i18n/setlang/", timeout=2_000):
            page.get_by_label("Language").select_option(label=language)
    except Error:
        page.get_by_role("button", name="Switch language").click()


def test_staff_finds_a_department_reads_it_in_chinese_and_logs_out(
    page, staff, head, agent, screenshot
):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")

    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px", "CSS did not load"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Departments").click()
    expect(page.get_by_role("heading", name="Departments")).to_be_visible()
    page.get_by_label("Search by name or code").fill("fin")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?q=fin$"))
    expect(page.get_by_role("link", name="Sales", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Finance", exact=True).click()

    expect(page.get_by_role("heading", name="Finance")).to_be_visible()
    expect(page.get_by_role("definition").first).to_contain_text("Fang Liu")
    members = page.get_by_role("table")
    expect(members.get_by_role("row", name=re.compile("Fang Liu.*Head"))).to_be_visible()
    expect(members.get_by_role("row", name=re.compile("Alex Huang.*Agent"))).to_be_visible()

    switch_language(page, "简体中文")
    main_navigation = page.get_by_role("navigation", name="主导航")
    expect(main_navigation.get_by_role("link", name="部门")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/departments/FIN/$"))
    expect(page.get_by_role("heading", name="Finance")).to_be_visible()
    screenshot("finance-in-chinese")

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="登录 Accord")).to_be_visible()


def test_an_anonymous_visit_lands_back_on_the_page_it_asked_for_after_login(page, staff):
    page.goto(reverse("departments:list"))

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/departments/$"))
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/departments/$"))
    expect(page.get_by_role("heading", name="Departments")).to_be_visible()
