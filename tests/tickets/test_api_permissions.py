"""Who reaches which request through the API: someone else's request is a 404 on every endpoint
and action about it, whoever asks without a part in it, and never shows in their lists; an
anonymous client is refused everywhere but at the token endpoint."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import ApprovalStep
from config.api import router
from departments.models import Membership
from tests.factories import MembershipFactory, ServiceFactory, UserFactory
from tickets import services
from tickets.models import Approval, Attachment, Event, Ticket

# Every endpoint about one request (router name, method, a complete body), so that only the
# permission can stop it.
REQUEST_ENDPOINTS = [
    ("ticket-detail", "get", None),
    *[
        (f"ticket-{step}", "post", {"version": 0, "comment": "Done"})
        for step in ["acknowledge", "start", "ask", "answer", "resolve", "reopen", "cancel"]
    ],
    ("ticket-confirm", "post", {"version": 0, "rating": 5, "comment": "Thanks"}),
    ("ticket-assign", "post", {"version": 0, "assignee": None}),
    ("ticket-priority", "post", {"version": 0, "priority": "P1"}),
    ("ticket-take", "post", {"version": 0}),
    ("ticket-comments", "get", None),
    ("ticket-comments", "post", {"text": "Hello", "internal": False}),
    ("ticket-attachments", "get", None),
    ("ticket-attachments", "post", "a file"),
    ("ticket-attachment", "get", None),
    ("ticket-watch", "post", {"watch": True}),
    ("ticket-links", "get", None),
    ("ticket-links", "post", {"other": 1, "kind": "related"}),
    ("ticket-children", "get", None),
    ("ticket-children", "post", {"service": 1, "title": "A laptop"}),
    ("ticket-detach", "post", {"child": 1}),
    ("ticket-kudos", "post", {"message": "Thanks!"}),
    ("approval-approve", "post", {"comment": ""}),
    ("approval-reject", "post", {"comment": "Too expensive"}),
]
LIST_ENDPOINTS = ["ticket-list", "approval-list"]
# Endpoints about many requests at once (test_bulk_actions checks each row's permission).
BULK_BODY = {"tickets": [{"id": 1, "version": 0}], "action": "acknowledge"}
PEOPLE = ["outsider", "colleague", "provider_member"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def colleague(sales):
    """Another member of Sales: the requester's department, but not their request."""
    return MembershipFactory(
        user=UserFactory(username="colleague"), department=sales, role=Membership.Role.MEMBER
    ).user


@pytest.fixture
def provider_member(finance):
    """A member of Finance who works no queue, with access to the admin site."""
    return MembershipFactory(
        user=UserFactory(username="clerk", is_staff=True),
        department=finance,
        role=Membership.Role.MEMBER,
    ).user


@pytest.fixture
def purchase_request(staff, sales, finance, head):
    """Someone else's request: `staff` asks Finance for a purchase, with a file; the head of
    Finance, then the CFO, approve. (No agreement: the clock plays no part here.)"""
    purchase = ServiceFactory(provider=finance, name="Purchase request")
    ApprovalStep.objects.create(
        service=purchase,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
    )
    ApprovalStep.objects.create(
        service=purchase,
        position=2,
        approver=ApprovalStep.Approver.PERSON,
        person=UserFactory(username="cfo"),
    )
    ticket = services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="New laptops"
    )
    Attachment.objects.create(
        ticket=ticket,
        file=SimpleUploadedFile("quote.pdf", b"%PDF-1.4"),
        name="quote.pdf",
        size=8,
        uploaded_by=staff,
        uploaded_at=ticket.filed_at,
    )
    return ticket


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def path_of(name: str, ticket: Ticket) -> str:
    if name in LIST_ENDPOINTS or name == "ticket-bulk":
        return reverse(f"api:{name}")
    if name.startswith("approval-"):
        return reverse(f"api:{name}", args=[ticket.approvals.get(position=1).pk])
    if name == "ticket-attachment":
        return reverse(f"api:{name}", args=[ticket.pk, ticket.attachments.get().pk])
    return reverse(f"api:{name}", args=[ticket.pk])


def call(client: APIClient, method: str, path: str, body):
    if body == "a file":
        upload = SimpleUploadedFile("note.txt", b"hello")
        return client.post(path, {"file": upload}, format="multipart")
    return getattr(client, method)(path, body, format="json" if body is not None else None)


def assert_untouched(ticket: Ticket) -> None:
    ticket.refresh_from_db()
    assert ticket.version == 0
    assert not Approval.objects.exclude(decision="").exists()
    assert ticket.attachments.count() == 1
    assert list(Event.objects.values_list("kind", flat=True)) == [Event.Kind.FILED]


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("name", "method", "body"), REQUEST_ENDPOINTS)
def test_someone_elses_request_is_not_found(request, purchase_request, person, name, method, body):
    client = api(request.getfixturevalue(person))

    response = call(client, method, path_of(name, purchase_request), body)

    assert response.status_code == 404
    assert "New laptops" not in response.content.decode()
    assert_untouched(purchase_request)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_someone_elses_request_is_not_listed(request, purchase_request, person, name):
    response = api(request.getfixturevalue(person)).get(reverse(f"api:{name}"))

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_the_requester_and_the_approver_find_it_listed(staff, head, purchase_request, name):
    reader = staff if name == "ticket-list" else head

    response = api(reader).get(reverse(f"api:{name}"))

    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "name", ["ticket-detail", "ticket-comments", "ticket-attachments", "ticket-attachment"]
)
def test_the_requester_reads_what_others_cannot_find(staff, purchase_request, name):
    response = api(staff).get(path_of(name, purchase_request))

    assert response.status_code == 200
    if name == "ticket-attachment":
        assert b"".join(response.streaming_content) == b"%PDF-1.4"
    elif name == "ticket-detail":
        assert response.json()["title"] == "New laptops"
    elif name == "ticket-attachments":
        assert [attachment["name"] for attachment in response.json()] == ["quote.pdf"]
    else:
        assert response.json() == []  # the list of comments, none yet


@pytest.mark.parametrize(
    ("name", "method", "body"),
    [
        *REQUEST_ENDPOINTS,
        *[(name, "get", None) for name in LIST_ENDPOINTS],
        ("ticket-list", "post", {"service": 1, "title": "Hello"}),
        ("ticket-bulk", "post", BULK_BODY),
    ],
)
def test_an_anonymous_client_is_refused(purchase_request, name, method, body):
    response = call(api(), method, path_of(name, purchase_request), body)

    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert_untouched(purchase_request)


def test_every_endpoint_of_requests_and_approvals_is_checked_above():
    checked = {name for name, _method, _body in REQUEST_ENDPOINTS} | set(LIST_ENDPOINTS)
    checked.add("ticket-bulk")
    routed = {
        pattern.name
        for pattern in router.urls
        if pattern.name.startswith(("ticket-", "approval-")) and pattern.name != "api-root"
    }

    assert routed == checked
