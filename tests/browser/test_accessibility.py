"""Every page of Accord passes axe-core with no serious or critical violation, in English and in
Simplified Chinese, visited by a person allowed to see it, on the week of requests of
tests/support/dashboards.py, a launched survey and a purchase waiting for approval.

One browser context per role (logged in once through the real form), the language chosen by
Django's language cookie; each page is checked by axe-core (vendored by axe-playwright-python)
and the test fails listing every serious or critical violation with its rule, target and page.
When a URL conf gains a page, add it to `pages` below.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from agreements import services as agreement_services
from agreements.models import Agreement
from chats.models import ChatBot, Vendor
from departments.models import Profile
from surveys import services as survey_services
from surveys.links import answer_path
from surveys.models import Invitation, Wave
from tests.support.celery import redis_down
from tickets.approval_links import approval_link_path
from tickets.models import Approval, CannedReply, SavedView
from webhooks.events import Event
from webhooks.models import Webhook

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.slow  # a world of data, a hundred pages in a real browser
LANGUAGES = {"en": "en-US", "zh-hans": "zh-CN"}
SERIOUS = {"serious", "critical"}
# axe-core's options: every rule it has, only the violations back (the passes are long).
AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"


@dataclass(frozen=True)
class Visit:
    role: str
    path: str
    status: int = 200


@pytest.fixture
def accessible_world(
    request, head, hr, staff, agent, sales, finance, purchase, file_request, campaign, people,
    requests_filed,
):  # fmt: skip
    """The week of requests, a purchase waiting for the head's approval, a launched survey
    inviting staff and a colleague (one answer link per language), a draft campaign, a draft of
    the agreement's next version, a canned reply, a saved view, a webhook and a chat bot."""
    week = request.getfixturevalue("finance_week")  # time frozen at Wednesday 25 November 09:00
    colleague = people(sales, 1)[0]
    requests_filed(customer=sales, provider=finance, people=[colleague],
                   filed_at=timezone.now() - timedelta(days=2))  # fmt: skip
    Profile.objects.update_or_create(user=colleague, defaults={"language": "zh-hans"})
    waiting = file_request(purchase, title="New laptops")
    launched = campaign(name="Internal service, this quarter", starts_on=timezone.localdate())
    with redis_down():  # the invitations' e-mails are not what this test reads
        survey_services.campaign_launch(campaign_id=launched.pk, by=hr)
    draft_campaign = campaign(name="Next quarter", starts_on=timezone.localdate())
    in_force = Agreement.objects.get(provider=finance, status=Agreement.Status.ACTIVE)
    draft = agreement_services.agreement_start_new_version(agreement_id=in_force.pk, by=head)
    reply = CannedReply.objects.create(
        department=finance, title="Received", text="We are on it.", updated_by=agent
    )
    view = SavedView.objects.create(
        owner=agent, department=finance, name="Urgent", filters={"priority": "P1"}
    )
    webhook = Webhook.objects.create(
        owner=head, department=finance, url="https://hooks.example.com/accord",
        events=[Event.values[0]],
    )  # fmt: skip
    bot = ChatBot.objects.create(
        department=finance, vendor=Vendor.WECOM, name="Finance desk",
        address="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", created_by=head,
    )  # fmt: skip
    return {
        "week": week,
        "waiting": waiting,
        "approval": Approval.objects.get(ticket=waiting, approver=head),
        "wave": Wave.objects.get(campaign=launched),
        "campaign": launched,
        "draft_campaign": draft_campaign,
        "invitations": {
            "en": Invitation.objects.get(recipient=staff),
            "zh-hans": Invitation.objects.get(recipient=colleague),
        },
        "agreement": in_force,
        "draft": draft,
        "reply": reply,
        "view": view,
        "webhook": webhook,
        "bot": bot,
    }


def pages(world: dict) -> list[Visit]:
    """Every page of the URL confs, with the role that may see it (GET pages; the POST-only
    actions answer with these pages or their messages)."""
    week, wave, agreement = world["week"], world["wave"], world["agreement"]
    payroll = week["A"].service
    fin = "FIN"
    return [
        Visit("anonymous", reverse("login")),
        Visit("staff", reverse("home")),
        Visit("staff", reverse("agreements:catalogue")),
        Visit("staff", reverse("agreements:service", args=[payroll.pk])),
        Visit("staff", reverse("tickets:new", args=[payroll.pk])),
        Visit("staff", reverse("tickets:mine")),
        Visit("staff", reverse("tickets:detail", args=[week["B"].pk])),
        Visit("staff", reverse("tickets:detail", args=[week["C"].pk])),
        Visit("staff", reverse("agreements:list")),
        Visit("staff", reverse("agreements:agreement", args=[agreement.pk])),
        Visit("staff", reverse("departments:list")),
        Visit("staff", reverse("departments:detail", args=[fin])),
        Visit("staff", reverse("surveys:home")),
        Visit("staff", reverse("notifications")),
        Visit("staff", reverse("tickets:my_kudos")),
        Visit("staff", reverse("preferences")),
        Visit("staff", reverse("password_change")),
        Visit("staff", reverse("password_change_done")),
        Visit("staff", reverse("agreements:create", args=["FIN"]), status=403),
        Visit("staff", reverse("tickets:detail", args=[999_999]), status=404),
        Visit("agent", reverse("home")),
        Visit("agent", reverse("tickets:queue")),
        Visit("agent", reverse("tickets:queue") + f"?view={world['view'].pk}"),
        Visit("agent", reverse("tickets:saved_view_edit", args=[world["view"].pk])),
        Visit("agent", reverse("tickets:detail", args=[week["H"].pk])),
        Visit("agent", reverse("tickets:detail", args=[week["B"].pk])),
        Visit("agent", reverse("tickets:search") + "?q=payroll"),
        Visit("agent", reverse("tickets:canned_replies")),
        Visit("head", reverse("home")),
        Visit("head", reverse("tickets:approvals")),
        Visit("head", approval_link_path(world["approval"])),
        Visit("head", reverse("tickets:detail", args=[world["waiting"].pk])),
        Visit("head", reverse("tickets:canned_reply_new")),
        Visit("head", reverse("tickets:canned_reply_edit", args=[world["reply"].pk])),
        Visit("head", reverse("agreements:create", args=[fin])),
        Visit("head", reverse("agreements:agreement", args=[world["draft"].pk])),
        Visit("head", reverse("agreements:edit", args=[world["draft"].pk])),
        Visit("head", reverse("agreements:list")),
        Visit("head", reverse("dashboards:index")),
        Visit("head", reverse("dashboards:department", args=[fin])),
        Visit("head", reverse("dashboards:requests", args=[fin]) + "?resolution=breached"),
        Visit("head", reverse("dashboards:scorecard")),
        Visit("head", reverse("webhooks:list")),
        Visit("head", reverse("webhooks:add")),
        Visit("head", reverse("webhooks:edit", args=[world["webhook"].pk])),
        Visit("head", reverse("webhooks:log", args=[world["webhook"].pk])),
        Visit("head", reverse("chats:list", args=[fin])),
        Visit("head", reverse("chats:add", args=[fin])),
        Visit("head", reverse("chats:edit", args=[fin, world["bot"].pk])),
        Visit("hr", reverse("home")),
        Visit("hr", reverse("surveys:home")),
        Visit("hr", reverse("surveys:campaigns")),
        Visit("hr", reverse("surveys:campaign_new")),
        Visit("hr", reverse("surveys:campaign", args=[world["campaign"].pk])),
        Visit("hr", reverse("surveys:campaign_edit", args=[world["draft_campaign"].pk])),
        Visit("hr", reverse("surveys:questions")),
        Visit("hr", reverse("surveys:results_index")),
        Visit("hr", reverse("surveys:results", args=[wave.pk])),
        Visit("hr", reverse("surveys:department_results", args=[wave.pk, fin])),
    ]


class Checker:
    """Browser contexts per role in one language, and the violations axe finds on their pages."""

    def __init__(self, browser: Browser, base_url: str, language: str) -> None:
        self.browser, self.base_url, self.language = browser, base_url, language
        self.contexts: dict[str, Page] = {}
        self.problems: list[str] = []

    def page_for(self, role: str) -> Page:
        if role not in self.contexts:
            context = self.browser.new_context(
                base_url=self.base_url, locale=LANGUAGES[self.language]
            )
            context.add_cookies([self._language_cookie()])
            context.add_init_script(script=AXE_SCRIPT)  # in every page, before its own scripts
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            self._watch(page)
            if role != "anonymous":
                page.goto(reverse("login"))
                page.locator("#id_username").fill(role)
                page.locator("#id_password").fill("demo")
                page.locator("#id_password").press("Enter")
                expect(page.locator("form[action$='/logout/'] button")).to_be_visible()
            self.contexts[role] = page
        return self.contexts[role]

    def _language_cookie(self) -> dict:
        return {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "value": self.language,
            "url": self.base_url,
        }

    def _watch(self, page: Page) -> None:
        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                self.problems.append(f"CSP violation on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"JS error on {page.url}: {error}"))

    def check(self, visit: Visit) -> list[str]:
        """Open the page and list its serious and critical violations, one line per target."""
        page = self.page_for(visit.role)
        where = f"{visit.path} ({visit.role}, {self.language})"
        response = page.goto(visit.path)
        found = []
        if response is None or response.status != visit.status:
            status = response.status if response else "no response"
            found.append(f"{where}: answered {status}, not {visit.status}")
        return found + self.audit(page, where)

    def audit(self, page: Page, where: str) -> list[str]:
        """The serious and critical violations axe finds on the page as it stands."""
        found = []
        language = page.evaluate("document.documentElement.lang")
        if language != self.language:
            found.append(f"{where}: <html lang={language!r}>")
        for violation in page.evaluate(AXE_RUN)["violations"]:
            if violation["impact"] not in SERIOUS:
                continue
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                summary = " ".join(node.get("failureSummary", "").split())
                found.append(
                    f"{where}: {violation['id']} ({violation['impact']}) at {target}: {summary}"
                )
        return found

    def close(self) -> None:
        for page in self.contexts.values():
            page.context.close()


@pytest.fixture
def checker(browser: Browser, live_server, request) -> Iterator[Callable[[str], Checker]]:
    made: list[Checker] = []

    def make(language: str) -> Checker:
        made.append(Checker(browser, live_server.url, language))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_every_page_has_no_serious_or_critical_accessibility_violation_in_either_language(
    checker, accessible_world, settings
):
    violations = []
    for language in LANGUAGES:
        violations += every_page_checked(checker(language), accessible_world, settings)
    assert not violations, f"{len(violations)} accessibility problems:\n" + "\n".join(violations)


def every_page_checked(pages_checked: Checker, world: dict, settings) -> list[str]:
    """The problems of every page in one language."""
    settings.SINGLE_SIGN_ON = False
    violations = []
    for visit in pages(world):
        violations += pages_checked.check(visit)

    # The survey an e-mailed link opens (in its recipient's language), its thanks page once
    # answered, then the link's page saying it has been answered.
    link = answer_path(world["invitations"][pages_checked.language])
    violations += pages_checked.check(Visit("anonymous", link))
    survey = pages_checked.page_for("anonymous")
    for question in survey.locator("fieldset.survey-question").all():
        if question.locator("input[type=radio]").count():
            question.locator("input[type=radio][value='4']").check()
    survey.locator(".survey-form button[type=submit]").click()
    expect(survey.locator("form.survey-form")).to_have_count(0)
    violations += pages_checked.audit(survey, f"{link} thanks ({pages_checked.language})")
    violations += pages_checked.check(Visit("anonymous", link, status=410))

    # The sign-in pages under /sign-in/, single sign-on on with a provider out of reach.
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.SINGLE_SIGN_ON = True
    for visit in (
        Visit("anonymous", reverse("login")),
        Visit("anonymous", reverse("directory:oidc_start"), status=502),
        Visit("anonymous", reverse("directory:oidc_callback") + "?error=denied", status=400),
    ):
        violations += pages_checked.check(visit)
    return violations + pages_checked.problems
