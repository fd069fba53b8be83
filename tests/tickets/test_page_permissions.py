"""Who reaches which requests page: someone else's request is a 404 on every page about it,
whoever asks without a part in it; every page sends an anonymous visitor to log in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, get_resolver, reverse

from departments.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import MONDAY_9AM
from tickets.approval_links import approval_link_path
from tickets.models import Approval, Attachment

# Pages about one request, and how each is reached.
REQUEST_PAGES = [
    ("tickets:detail", "get"),
    ("tickets:attachment", "get"),
    ("tickets:act", "post"),
    ("tickets:comment", "post"),
    ("tickets:assign", "post"),
    ("tickets:priority", "post"),
    ("tickets:decide", "post"),
    ("tickets:queue_assign", "post"),
    ("tickets:watch", "post"),
    ("tickets:link", "post"),
    ("tickets:unlink", "post"),
    ("tickets:duplicate", "post"),
    ("tickets:hand_off", "get"),
    ("tickets:hand_off", "post"),
    ("tickets:detach", "post"),
    ("tickets:thank", "post"),
]
# Pages that list requests or file new ones.
LIST_PAGES = [
    "tickets:mine",
    "tickets:queue",
    "tickets:approvals",
    "tickets:search",
    "tickets:time_left",
    "tickets:my_kudos",
]
SERVICE_PAGES = ["tickets:new", "tickets:due_preview"]
LINK_PAGE = "tickets:approval_link"
# Signed links that work without logging in (who may use them: test_confirmation).
SIGNED_LINK_PAGES = ["tickets:confirm_link"]
# The queue's tools (who may use them: test_bulk_actions, test_saved_views and
# test_canned_replies); the number in a path is any.
QUEUE_TOOL_PAGES = [
    "tickets:queue_bulk",
    "tickets:saved_view_new",
    "tickets:saved_view_edit",
    "tickets:saved_view_delete",
    "tickets:canned_replies",
    "tickets:canned_reply_new",
    "tickets:canned_reply_edit",
    "tickets:canned_reply_delete",
]


@pytest.fixture
def colleague(sales):
    """Another member of Sales: the requester's department, but not their request."""
    user = UserFactory(username="colleague", first_name="Lin", last_name="Wu")
    MembershipFactory(user=user, department=sales, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def purchase_request(agreement, purchase, file_request, staff):
    """Someone else's request: `staff` asks for a purchase, with a file, awaiting approval."""
    ticket = file_request(purchase, title="New laptops")
    Attachment.objects.create(
        ticket=ticket,
        file=SimpleUploadedFile("quote.pdf", b"%PDF-1.4"),
        name="quote.pdf",
        size=8,
        uploaded_by=staff,
        uploaded_at=MONDAY_9AM,
    )
    return ticket


def request_page(name, ticket):
    if name == "tickets:attachment":
        return reverse(name, args=[ticket.pk, ticket.attachments.get().pk])
    return reverse(name, args=[ticket.pk])


def posted_data(name, ticket):
    """A complete form for each operation, so that only the permission can stop it."""
    first_step = ticket.approvals.get(position=1)
    return {
        "tickets:act": {"action": "cancel", "version": ticket.version},
        "tickets:comment": {"text": "Hello"},
        "tickets:assign": {"assignee": "", "version": ticket.version},
        "tickets:priority": {"priority": "P1", "version": ticket.version},
        "tickets:decide": {"approval": first_step.pk, "decision": "approve"},
        "tickets:queue_assign": {"assignee": "me", "version": ticket.version},
        "tickets:watch": {"watch": "on"},
        "tickets:link": {"other": ticket.pk + 1, "kind": "related"},
        "tickets:unlink": {"link": 1},
        "tickets:duplicate": {"original": ticket.pk + 1, "version": ticket.version},
        "tickets:detach": {"child": ticket.pk + 1},
        "tickets:thank": {"message": "Thanks!"},
    }.get(name, {})


@pytest.mark.parametrize("person", ["outsider", "colleague", "hr"])
@pytest.mark.parametrize(("name", "method"), REQUEST_PAGES)
def test_someone_elses_request_is_not_found(
    client, request, purchase_request, person, name, method
):
    client.force_login(request.getfixturevalue(person))
    path = request_page(name, purchase_request)

    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, posted_data(name, purchase_request))

    assert response.status_code == 404
    purchase_request.refresh_from_db()
    assert purchase_request.version == 0
    assert not Approval.objects.exclude(decision="").exists()


@pytest.mark.parametrize("person", ["outsider", "colleague", "hr"])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_someone_elses_request_is_not_listed(client, request, purchase_request, person, name):
    client.force_login(request.getfixturevalue(person))

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "New laptops" not in response.content.decode()


@pytest.mark.parametrize("person", ["outsider", "colleague", "hr"])
def test_someone_elses_approval_link_is_refused(client, request, purchase_request, person):
    client.force_login(request.getfixturevalue(person))
    link = approval_link_path(purchase_request.approvals.get(position=1))

    opened = client.get(link)
    posted = client.post(link, {"decision": "approve"})

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert "New laptops" not in opened.content.decode()
    assert not Approval.objects.exclude(decision="").exists()


def test_an_inactive_service_cannot_be_requested(client, staff, payroll_extract):
    payroll_extract.is_active = False
    payroll_extract.save()
    client.force_login(staff)

    response = client.get(reverse("tickets:new", args=[payroll_extract.pk]))

    assert response.status_code == 404
    assert payroll_extract.name not in response.content.decode()


def _queue_tool_path(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(name, args=[1])


def every_path(ticket, service) -> list[tuple[str, str]]:
    paths = [(name, request_page(name, ticket)) for name, _ in REQUEST_PAGES]
    paths += [(name, reverse(name)) for name in LIST_PAGES]
    paths += [(name, reverse(name, args=[service.pk])) for name in SERVICE_PAGES]
    paths.append((LINK_PAGE, approval_link_path(ticket.approvals.get(position=1))))
    paths += [(name, _queue_tool_path(name)) for name in QUEUE_TOOL_PAGES]
    return paths


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_requests_page_sends_an_anonymous_visitor_to_log_in(
    client, purchase_request, purchase, method
):
    for name, path in every_path(purchase_request, purchase):
        response = getattr(client, method)(path)

        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{reverse('login')}?next="), name


def test_the_tests_above_cover_every_requests_page():
    names = {f"tickets:{pattern.name}" for pattern in get_resolver("tickets.urls").url_patterns}

    covered = {name for name, _ in REQUEST_PAGES} | {*LIST_PAGES, *SERVICE_PAGES, LINK_PAGE}
    covered |= {*QUEUE_TOOL_PAGES, *SIGNED_LINK_PAGES}
    assert names == covered
