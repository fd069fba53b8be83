"""Real-browser journeys: Debian's headless Chromium driven by Playwright against a live server.

A test asks for `page` (a fresh browser context on the live server, English) and, as needed,
`log_in` (the real login form) and `screenshot` (saved under var/screenshots/). Every page the
test visits must stay free of Content Security Policy violations, uncaught JavaScript errors and
failed stylesheets, scripts, images or fonts; the test fails at teardown otherwise.
"""

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test.utils import override_settings
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
INSTALL_HINT = "install Debian's chromium (apt-get install chromium)"
TIMEOUT_MS = 10_000
SCREENSHOTS_DIR = settings.BASE_DIR / "var" / "screenshots"
ASSET_TYPES = {"stylesheet", "script", "image", "font"}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all browser tests, stopped after the last of them.

    Package scope, not session: the sync API keeps an asyncio loop marked as running in the test
    thread for as long as Playwright lives, and the tests that run after this package must not
    see it (Django would refuse their ORM calls, asgiref their `async_to_sync`).
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    with pytest.MonkeyPatch.context() as patch:
        # That running loop makes Django see the test code (fixtures creating the cast, checks
        # reading the database) as async code; the ORM calls are synchronous all the same.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            expect.set_options(timeout=TIMEOUT_MS)
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


@pytest.fixture(scope="package")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, with static files served by WhiteNoise as in production.

    pytest-django's static handler looks for /static/ files in the source folders, where the
    manifest's hashed names (accord.<hash>.css) do not exist; without that handler, WhiteNoise's
    middleware serves them from STATIC_ROOT, which `make test` collects before pytest starts.
    Middleware reads some settings once, when the server thread builds it: the HTTPS redirect
    must be off by then, before the `plain_http` fixture turns it off for each test.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda application: application
    with override_settings(SECURE_SSL_REDIRECT=False):
        server.start()
    yield server
    server.stop()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh English browser context on the live server; relative URLs work in `goto`."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"CSP violation on {page.url}: {message.text}")

    def on_asset_failed(failed: Request) -> None:
        # ERR_ABORTED: the browser dropped the load itself because the page went on to another
        # (a click before a deferred script arrived). A missing asset answers 404 (below).
        if failed.resource_type in ASSET_TYPES and failed.failure != "net::ERR_ABORTED":
            problems.append(f"{failed.resource_type} {failed.url} failed: {failed.failure}")

    def on_asset_finished(finished: Request) -> None:
        response = finished.response()
        if finished.resource_type in ASSET_TYPES and response and response.status >= 400:
            problems.append(f"{finished.resource_type} {finished.url} answered {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error on {page.url}: {error}"))
    page.on("requestfailed", on_asset_failed)
    page.on("requestfinished", on_asset_finished)
    yield page
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        page.screenshot(path=screenshot_path(request.node.name, "failed"), full_page=True)
    context.close()
    if problems:
        pytest.fail("The pages broke in the browser:\n" + "\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Tell the `page` fixture whether the test failed, so that it keeps a screenshot."""
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def log_in(page: Page) -> Callable[..., None]:
    """Log in through the real login form: `log_in(staff)` or `log_in("staff")`."""

    def log_in(user: AbstractBaseUser | str, password: str = "demo") -> None:
        page.goto(reverse("login"))
        page.get_by_label("Username").fill(user if isinstance(user, str) else user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return log_in


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Save the whole page as var/screenshots/<test name>[-<suffix>].png and return the path."""

    def screenshot(suffix: str = "") -> Path:
        path = screenshot_path(request.node.name, suffix)
        page.screenshot(path=path, full_page=True)
        return path

    return screenshot


def screenshot_path(test_name: str, suffix: str = "") -> Path:
    """var/screenshots/<test name>[-<suffix>].png, its folder created."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "-", f"{test_name}-{suffix}" if suffix else test_name)
    return SCREENSHOTS_DIR / f"{name}.png"
