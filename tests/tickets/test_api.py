"""The REST API of requests: the token, filing, the life cycle with versions, comments,
approvals with delegation, attachments, the list and its filters, the errors a client gets and
the schema. Finance supplies Sales under an agreement on the China office calendar; time stands
still at Monday 23 November 2026, 09:00 in Shanghai."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.models import ApprovalStep, Priority
from departments.models import Delegation, Membership
from tests.factories import (
    CalendarFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
    agreement_in_force,
)
from tests.support.clock import HOUR, MONDAY_9AM, SHANGHAI, at
from tests.support.world import TARGETS
from tickets import services
from tickets.models import ATTACHMENT_MAX_BYTES, Attachment, Status, Ticket

QUESTIONS = [
    {"name": "amount", "label": "Amount", "type": "number", "required": True},
    {"name": "month", "label": "Which month", "type": "date"},
]


def fields(response) -> dict:
    """The messages by field of an error answer, beside its `detail` (every error has one)."""
    errors = response.json()
    assert isinstance(errors.pop("detail"), str)
    return errors


@pytest.fixture
def expense_claim(finance):
    return ServiceFactory(
        provider=finance, name="Expense claim", default_priority=Priority.P2, form_fields=QUESTIONS
    )


@pytest.fixture
def cfo(company):
    return UserFactory(username="cfo", first_name="Jun", last_name="Qian")


@pytest.fixture
def purchase(finance, head, cfo):
    """Purchases need the head of Finance, then the CFO."""
    service = ServiceFactory(provider=finance, name="Purchase request")
    ApprovalStep.objects.create(
        service=service,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
    )
    ApprovalStep.objects.create(
        service=service, position=2, approver=ApprovalStep.Approver.PERSON, person=cfo
    )
    return service


@pytest.fixture
def agreement(finance, sales, head, expense_claim, purchase, clock_at):
    clock_at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI))
    in_force = agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[expense_claim, purchase],
        targets=TARGETS,
        calendar=CalendarFactory(name="China office"),
        windows={1: 8 * HOUR, 2: 16 * HOUR},
    )
    clock_at(MONDAY_9AM)
    return in_force


@pytest.fixture
def claim(agreement, staff, sales, expense_claim):
    """`staff` asks Finance to reimburse 120.50."""
    return services.ticket_file(
        requester=staff,
        service=expense_claim,
        customer=sales,
        title="Taxi to the fair",
        answers={"amount": "120.50"},
    )


@pytest.fixture
def purchase_request(agreement, staff, sales, purchase):
    return services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="Laptops x5"
    )


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


def api(user=None) -> APIClient:
    """A client authenticated as `user` (authentication itself is tested with the token)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(ticket: Ticket, step: str = "") -> str:
    return f"/api/tickets/{ticket.pk}/" + (f"{step}/" if step else "")


def step(user, ticket_id: int, name: str, **body) -> dict:
    """Take a step as `user` with the version the request has now; the answer must be 200."""
    body.setdefault("version", Ticket.objects.get(pk=ticket_id).version)
    response = api(user).post(f"/api/tickets/{ticket_id}/{name}/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# The token


def test_a_person_exchanges_their_username_and_password_for_a_token(staff):
    response = APIClient().post(
        "/api/auth/token/", {"username": "staff", "password": "demo"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=staff).key}


def test_the_token_authenticates_requests_to_the_api(staff, claim):
    token = Token.objects.create(user=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/tickets/")

    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [claim.pk]


def test_a_wrong_password_answers_400_with_a_message(staff):
    response = APIClient().post(
        "/api/auth/token/", {"username": "staff", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to log in with provided credentials."
    assert not Token.objects.exists()


def test_repeated_wrong_passwords_lock_the_token_endpoint_like_the_login_page(staff, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"username": "staff", "password": "wrong"})

    response = client.post("/api/auth/token/", {"username": "staff", "password": "demo"})

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "throttled" in response.json()["detail"]
    assert not Token.objects.exists()


def test_an_unknown_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    response = client.get("/api/tickets/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


# Filing


def test_filing_with_the_minimal_body_answers_201_with_the_due_times(
    staff, agreement, expense_claim, finance
):
    body = {
        "service": expense_claim.pk,
        "title": "Taxi to the fair",
        "description": "Receipt attached.",
        "priority": "P2",
        "answers": {"amount": "120.50", "month": "2026-10-01"},
    }

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 201, response.json()
    filed = response.json()
    assert (filed["status"], filed["version"], filed["reference"]) == (
        "new",
        0,
        f"FIN-{filed['id']}",
    )
    assert filed["customer"]["code"] == "SALES"  # staff's only department
    assert filed["provider"] == {"id": finance.pk, "code": "FIN", "name": "Finance"}
    assert filed["answers"] == {"amount": "120.50", "month": "2026-10-01"}
    assert (filed["agreement"], filed["agreement_version"]) == (agreement.pk, 1)
    assert moment(filed["first_response_due_at"]) == at(23, 14, 30)  # 4 working hours
    assert moment(filed["resolution_due_at"]) == at(24, 9, 30)  # 8 working hours
    assert moment(filed["next_due_at"]) == at(23, 14, 30)
    assert (filed["first_response_met"], filed["resolution_met"]) == (None, None)
    assert filed["actions"] == ["cancel"]
    assert [e["kind"] for e in filed["events"]] == ["filed"]


def test_the_priority_defaults_to_the_services(staff, agreement, expense_claim):
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": "1"}}

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 201
    assert response.json()["priority"] == "P2"


def test_bad_answers_answer_400_with_messages_under_answers(staff, agreement, expense_claim):
    body = {
        "service": expense_claim.pk,
        "title": "Taxi",
        "answers": {"amount": "lots", "month": "October", "colour": "red"},
    }

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 400
    assert fields(response) == {
        "answers": {
            "amount": ["Enter a number."],
            "month": ["Enter a date as YYYY-MM-DD."],
            "colour": ["This service's form has no field “colour”."],
        }
    }
    assert not Ticket.objects.exists()


def test_a_missing_required_answer_answers_400_under_answers(staff, agreement, expense_claim):
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {}}

    response = api(staff).post("/api/tickets/", body, format="json")

    assert fields(response) == {"answers": {"amount": ["This field is required."]}}


def test_an_unknown_field_of_the_body_answers_400_on_that_field(staff, agreement, expense_claim):
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": 1}, "urgent": 1}

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 400
    assert fields(response) == {"urgent": ["Unknown field."]}


def test_someone_in_several_departments_says_which_one_files(
    staff, agreement, expense_claim, human_resources
):
    MembershipFactory(user=staff, department=human_resources)
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": 1}}

    unsaid = api(staff).post("/api/tickets/", body, format="json")
    said = api(staff).post("/api/tickets/", {**body, "customer": "hr"}, format="json")

    assert unsaid.status_code == 400
    assert list(fields(unsaid)) == ["customer"]
    assert said.status_code == 201
    assert said.json()["customer"]["code"] == "HR"
    assert said.json()["agreement"] is None  # no agreement covers HR


def test_filing_for_a_department_one_is_not_in_answers_400_on_customer(
    staff, agreement, expense_claim, finance
):
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": 1}}

    response = api(staff).post("/api/tickets/", {**body, "customer": "FIN"}, format="json")

    assert response.status_code == 400
    assert fields(response) == {
        "customer": ["You can file requests only for a department you belong to."]
    }


def test_someone_in_no_department_cannot_file(outsider, agreement, expense_claim):
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": 1}}

    response = api(outsider).post("/api/tickets/", body, format="json")

    assert response.status_code == 403
    assert "department you belong to" in response.json()["detail"]


def test_an_inactive_service_answers_400_on_service(staff, agreement, expense_claim):
    expense_claim.is_active = False
    expense_claim.save()
    body = {"service": expense_claim.pk, "title": "Taxi", "answers": {"amount": 1}}

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 400
    assert fields(response) == {"service": ["This service is no longer offered."]}


LEFT_OUT = object()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "abc", "title": "Taxi"}, "service"),
        ({"service": 999999, "title": "Taxi"}, "service"),
        ({"title": "Taxi", "service": LEFT_OUT}, "service"),
        ({"service": None, "title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Taxi", "priority": "P9"}, "priority"),
        ({"title": "Taxi", "answers": ["120"]}, "answers"),
        ({"title": "Taxi", "customer": 12}, "customer"),
        ({"title": "Taxi", "customer": "NOPE"}, "customer"),
    ],
)
def test_an_invalid_filing_answers_400_on_the_field(staff, agreement, expense_claim, body, field):
    body = {"service": expense_claim.pk, "answers": {"amount": 1}, **body}
    body = {name: value for name, value in body.items() if value is not LEFT_OUT}

    response = api(staff).post("/api/tickets/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_body_that_is_not_json_answers_400(staff, agreement):
    response = api(staff).post("/api/tickets/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


# The life cycle


def test_a_request_goes_from_filing_to_a_rated_confirmation(staff, agent, agreement, expense_claim):
    body = {
        "service": expense_claim.pk,
        "title": "Taxi",
        "priority": "P2",
        "answers": {"amount": 9},
    }
    filed = api(staff).post("/api/tickets/", body, format="json").json()
    ticket_id = filed["id"]

    acknowledged = step(agent, ticket_id, "acknowledge", version=0)
    asked = step(agent, ticket_id, "ask", version=1, comment="Which fair?")
    answered = api(staff).post(
        f"/api/tickets/{ticket_id}/comments/", {"text": "The book fair."}, format="json"
    )
    resolved = step(agent, ticket_id, "resolve", version=3, comment="Paid.")
    confirmed = step(staff, ticket_id, "confirm", version=4, rating=5, comment="Quick, thanks")

    assert (acknowledged["status"], acknowledged["version"]) == ("acknowledged", 1)
    assert acknowledged["first_response_met"] is True
    assert (asked["status"], asked["paused_at"]) == ("waiting", MONDAY_9AM.isoformat())
    assert answered.status_code == 201
    assert answered.json()["text"] == "The book fair."
    assert (resolved["status"], resolved["version"]) == ("resolved", 4)
    assert resolved["resolution_met"] is True
    assert (confirmed["status"], confirmed["rating"], confirmed["rating_comment"]) == (
        "closed",
        5,
        "Quick, thanks",
    )
    assert confirmed["actions"] == []
    assert [(e["kind"], e["to_status"]) for e in confirmed["events"]] == [
        ("filed", "new"),
        ("transition", "acknowledged"),
        ("transition", "waiting"),
        ("comment", None),
        ("transition", "in_progress"),  # the requester's comment answered the question
        ("transition", "resolved"),
        ("transition", "closed"),
        ("rated", None),
    ]


def test_the_requester_answers_a_question_with_the_answer_step(staff, agent, claim):
    step(agent, claim.pk, "ask", comment="Which fair?")

    answered = step(staff, claim.pk, "answer", comment="The book fair.")

    assert answered["status"] == "in_progress"
    assert answered["paused_at"] is None


def test_the_requester_reopens_a_resolved_request(staff, agent, claim):
    step(agent, claim.pk, "resolve")

    reopened = step(staff, claim.pk, "reopen", comment="Wrong amount.")

    assert reopened["status"] == "reopened"
    assert reopened["actions"] == []  # the requester waits; the agents act
    assert step(agent, claim.pk, "start")["status"] == "in_progress"


def test_the_requester_cancels_a_new_request(staff, claim):
    assert step(staff, claim.pk, "cancel")["status"] == "cancelled"


def test_a_stale_version_answers_409(agent, claim):
    step(agent, claim.pk, "acknowledge")

    response = api(agent).post(url(claim, "start"), {"version": 0}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This request changed since you opened it. Reload the page and try again."
    }
    assert Ticket.objects.get(pk=claim.pk).status == Status.ACKNOWLEDGED


def test_a_step_the_status_does_not_allow_answers_409_with_the_reason(agent, claim):
    response = api(agent).post(url(claim, "reopen"), {"version": 0}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "“Reopen” is not possible on a request that is “New”."}


def test_a_step_of_another_role_answers_403_with_the_reason(staff, claim):
    response = api(staff).post(url(claim, "acknowledge"), {"version": 0}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the provider department's agents can do that."}


@pytest.mark.parametrize("name", ["fly", "approve", "reject", "delete"])
def test_an_unknown_step_answers_404(agent, claim, name):
    response = api(agent).post(url(claim, name), {"version": 0}, format="json")

    assert response.status_code == 404
    assert "detail" in response.json()
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (Status.NEW, 0)


@pytest.mark.parametrize(
    "body",
    [{}, {"version": "latest"}, {"version": -1}, {"version": 0, "comment": 5, "extra": 1}, []],
)
def test_a_step_with_a_bad_body_answers_400(agent, claim, body):
    response = api(agent).post(url(claim, "acknowledge"), body, format="json")

    assert response.status_code == 400
    assert "detail" in response.json()
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (Status.NEW, 0)


def test_a_rating_outside_1_to_5_answers_400_on_rating(staff, agent, claim):
    step(agent, claim.pk, "resolve")

    response = api(staff).post(url(claim, "confirm"), {"version": 2, "rating": 6}, format="json")

    assert response.status_code == 400
    assert list(fields(response)) == ["rating"]


def test_a_request_that_is_not_a_number_answers_404(agent):
    for path in ("/api/tickets/abc/", "/api/tickets/99999999999999999999999/"):
        response = api(agent).get(path)

        assert response.status_code == 404, path
        assert list(response.json()) == ["detail"], path


def test_the_detail_offers_each_reader_the_steps_they_may_take(staff, agent, claim):
    assert api(agent).get(url(claim)).json()["actions"] == [
        "acknowledge",
        "start",
        "ask",
        "resolve",
    ]
    assert api(staff).get(url(claim)).json()["actions"] == ["cancel"]
    assert api(agent).get(url(claim)).json()["roles"] == ["agent"]


def test_the_request_names_who_resolved_it_and_null_while_unresolved(agent, staff, claim):
    assert api(staff).get(url(claim)).json()["resolved_by"] is None

    resolved = step(agent, claim.pk, "resolve")
    listed = api(staff).get("/api/tickets/").json()["results"]
    reopened = step(staff, claim.pk, "reopen")

    assert resolved["resolved_by"] == "agent"
    assert [row["resolved_by"] for row in listed] == ["agent"]
    assert reopened["resolved_by"] is None


def test_an_agent_assigns_the_request_to_a_colleague_by_username(agent, head, claim):
    assigned = step(head, claim.pk, "assign", assignee="agent")
    unassigned = step(head, claim.pk, "assign", assignee=None)

    assert assigned["assignee"] == "agent"
    assert unassigned["assignee"] is None


@pytest.mark.parametrize("assignee", ["staff", "nobody"])
def test_assigning_to_someone_who_is_not_an_agent_answers_400_on_assignee(
    agent, staff, claim, assignee
):
    response = api(agent).post(
        url(claim, "assign"), {"version": 0, "assignee": assignee}, format="json"
    )

    assert response.status_code == 400
    assert list(fields(response)) == ["assignee"]


def test_a_change_of_priority_moves_the_due_times(agent, claim):
    changed = step(agent, claim.pk, "priority", priority="P1")

    assert changed["priority"] == "P1"
    assert moment(changed["first_response_due_at"]) == at(23, 10)
    assert moment(changed["resolution_due_at"]) == at(23, 14, 30)


def test_the_requester_cannot_change_the_priority(staff, claim):
    response = api(staff).post(url(claim, "priority"), {"version": 0, "priority": "P1"})

    assert response.status_code == 403
    assert "detail" in response.json()
    claim.refresh_from_db()
    assert (claim.priority, claim.version) == (Priority.P2, 0)


# Comments and notes


def test_the_requester_sees_comments_but_not_internal_notes(staff, agent, claim):
    note = api(agent).post(
        url(claim, "comments"), {"text": "Check the receipt", "internal": True}, format="json"
    )
    api(agent).post(url(claim, "comments"), {"text": "On it"}, format="json")

    seen_by_staff = api(staff).get(url(claim, "comments")).json()
    seen_by_agent = api(agent).get(url(claim, "comments")).json()
    timeline = api(staff).get(url(claim)).json()["events"]

    assert note.status_code == 201
    assert note.json()["internal"] is True
    assert [c["text"] for c in seen_by_staff] == ["On it"]
    assert [c["text"] for c in seen_by_agent] == ["Check the receipt", "On it"]
    assert "Check the receipt" not in [e["text"] for e in timeline]


def test_only_the_providers_agents_write_internal_notes(staff, claim):
    response = api(staff).post(
        url(claim, "comments"), {"text": "psst", "internal": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Internal notes are for the provider department's agents."}


def test_an_empty_comment_answers_400_on_text(staff, claim):
    response = api(staff).post(url(claim, "comments"), {"text": ""}, format="json")

    assert response.status_code == 400
    assert list(fields(response)) == ["text"]


# Approvals


def test_the_approver_finds_the_step_awaiting_them_and_approves_it(
    head, cfo, purchase_request, clock_at
):
    awaiting = api(head).get("/api/approvals/").json()["results"]
    [first] = awaiting
    clock_at(at(23, 11))

    response = api(head).post(f"/api/approvals/{first['id']}/approve/", {}, format="json")

    assert (first["position"], first["approver"], first["ticket"]["id"]) == (
        1,
        "head",
        purchase_request.pk,
    )
    assert response.status_code == 200
    approvals = response.json()["approvals"]
    assert [a["decision"] for a in approvals] == ["approved", None]
    assert approvals[1]["is_current"] is True
    assert moment(approvals[1]["due_at"]) == at(25, 12)  # 16 working hours from 11:00
    assert [a["position"] for a in api(cfo).get("/api/approvals/").json()["results"]] == [2]
    assert api(head).get("/api/approvals/").json()["results"] == []


def test_a_delegate_decides_for_someone_away(head, cfo, purchase_request, company):
    services.approval_decide(
        approval_id=purchase_request.approvals.get(position=1).pk, by=head, approve=True
    )
    stand_in = UserFactory(username="deputy")
    Delegation.objects.create(
        person=cfo, delegate=stand_in, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )

    [awaiting] = api(stand_in).get("/api/approvals/").json()["results"]
    response = api(stand_in).post(f"/api/approvals/{awaiting['id']}/approve/", format="json")

    assert awaiting["approver"] == "cfo"
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approvals"][1]["decided_by"] == "deputy"
    assert moment(response.json()["resolution_due_at"]) == at(30, 11, 30)  # P3: 40 h


def test_a_delegation_that_ended_gives_no_say(head, cfo, purchase_request):
    services.approval_decide(
        approval_id=purchase_request.approvals.get(position=1).pk, by=head, approve=True
    )
    stand_in = UserFactory(username="deputy")
    Delegation.objects.create(
        person=cfo, delegate=stand_in, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 6)
    )
    second = purchase_request.approvals.get(position=2)

    assert api(stand_in).get("/api/approvals/").json()["results"] == []
    assert api(stand_in).post(f"/api/approvals/{second.pk}/approve/").status_code == 404


def test_a_rejection_needs_a_reason(head, purchase_request):
    first = purchase_request.approvals.get(position=1)

    missing = api(head).post(f"/api/approvals/{first.pk}/reject/", {}, format="json")
    blank = api(head).post(f"/api/approvals/{first.pk}/reject/", {"comment": " "}, format="json")
    given = api(head).post(
        f"/api/approvals/{first.pk}/reject/", {"comment": "Over budget"}, format="json"
    )

    assert (missing.status_code, list(fields(missing))) == (400, ["comment"])
    assert fields(blank) == {"comment": ["Say why you reject the request."]}
    assert given.status_code == 200
    assert given.json()["status"] == "rejected"
    assert given.json()["approvals"][0]["comment"] == "Over budget"


def test_deciding_a_step_already_decided_answers_409(head, purchase_request):
    first = purchase_request.approvals.get(position=1)
    api(head).post(f"/api/approvals/{first.pk}/approve/")

    response = api(head).post(f"/api/approvals/{first.pk}/approve/")

    assert response.status_code == 409
    assert response.json() == {"detail": "This approval was already decided."}


def test_someone_who_sees_the_request_but_does_not_decide_the_step_gets_403(
    staff, purchase_request
):
    first = purchase_request.approvals.get(position=1)

    response = api(staff).post(f"/api/approvals/{first.pk}/approve/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the approver of this step, or their delegate, decides it."
    }


def test_the_agents_cannot_act_before_the_approvals(agent, purchase_request):
    response = api(agent).post(url(purchase_request, "acknowledge"), {"version": 0})

    assert response.status_code == 409
    assert "is not possible on a request that is" in response.json()["detail"]
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.APPROVAL_PENDING
    assert purchase_request.first_responded_at is None


# Attachments


def upload(name: str, content: bytes = b"name,amount\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_requester_attaches_a_file_that_those_who_see_the_request_download(staff, agent, claim):
    response = api(staff).post(
        url(claim, "attachments"), {"file": upload("receipt.csv")}, format="multipart"
    )
    listed = api(agent).get(url(claim, "attachments")).json()
    download = api(agent).get(listed[0]["download"])

    assert response.status_code == 201, response.json()
    attached = response.json()
    assert (attached["name"], attached["size"], attached["uploaded_by"]) == (
        "receipt.csv",
        12,
        "staff",
    )
    assert listed == [attached]
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"name,amount\n"
    assert 'filename="receipt.csv"' in download["Content-Disposition"]
    assert api(staff).get(url(claim)).json()["attachments"] == [attached]


def test_an_agent_attaches_a_file(agent, claim):
    response = api(agent).post(url(claim, "attachments"), {"file": upload("result.pdf")})

    assert response.status_code == 201
    attachment = claim.attachments.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("result.pdf", 12, agent)


def test_a_file_too_large_answers_400_on_file(staff, claim):
    big = upload("scan.pdf", b"x" * (ATTACHMENT_MAX_BYTES + 1))

    response = api(staff).post(url(claim, "attachments"), {"file": big}, format="multipart")

    assert response.status_code == 400
    assert "attachments are limited to 10.0" in response.json()["file"][0]
    assert not Attachment.objects.exists()


def test_a_file_of_a_forbidden_type_answers_400_on_file(staff, claim):
    response = api(staff).post(url(claim, "attachments"), {"file": upload("tool.exe", b"MZ")})

    assert response.status_code == 400
    assert "cannot be attached" in response.json()["file"][0]


def test_an_upload_without_a_file_answers_400_on_file(staff, claim):
    response = api(staff).post(url(claim, "attachments"), {}, format="multipart")

    assert response.status_code == 400
    assert list(fields(response)) == ["file"]


def test_the_customer_head_sees_the_request_but_attaches_nothing(sales_head, claim):
    response = api(sales_head).post(url(claim, "attachments"), {"file": upload("note.txt")})

    assert api(sales_head).get(url(claim)).status_code == 200
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the requester and the provider's agents attach files."
    }


def test_a_missing_attachment_answers_404(staff, claim):
    response = api(staff).get(url(claim, "attachments/12345"))

    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


# The list


@pytest.fixture
def several(agreement, staff, sales, expense_claim, purchase, agent, head):
    """Four requests of `staff`: a claim at each priority P1-P3 and a purchase; and one of a
    Sales colleague."""
    made = {}
    for priority in ["P3", "P1", "P2"]:
        made[priority] = services.ticket_file(
            requester=staff,
            service=expense_claim,
            customer=sales,
            title=f"Claim {priority}",
            priority=priority,
            answers={"amount": 1},
        )
    made["purchase"] = services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="Laptops"
    )
    colleague = MembershipFactory(department=sales).user
    made["colleague"] = services.ticket_file(
        requester=colleague, service=expense_claim, customer=sales, title="Hotel",
        answers={"amount": 2},
    )  # fmt: skip
    services.ticket_assign(ticket_id=made["P1"].pk, by=head, assignee=agent, expected_version=0)
    return made


def titles(user, **params) -> list[str]:
    response = api(user).get("/api/tickets/", params)
    assert response.status_code == 200, response.json()
    return [t["title"] for t in response.json()["results"]]


def test_the_list_shows_what_the_reader_may_see_newest_first(staff, agent, several):
    assert titles(staff) == ["Laptops", "Claim P2", "Claim P1", "Claim P3"]
    assert len(titles(agent)) == 5


def test_the_list_filters_by_status_service_provider_customer_priority_assignee_and_mine(
    agent, several, purchase, clock_at
):
    assert titles(agent, status="approval_pending") == ["Laptops"]
    assert len(titles(agent, status="open")) == 5
    assert titles(agent, service=purchase.pk) == ["Laptops"]
    assert len(titles(agent, provider="fin")) == 5
    assert titles(agent, provider="SALES") == []
    assert len(titles(agent, customer="sales")) == 5
    assert titles(agent, priority="P1") == ["Claim P1"]
    assert titles(agent, assignee="me") == ["Claim P1"]
    assert titles(agent, assignee="agent") == ["Claim P1"]
    assert titles(agent, mine=1) == []


def test_mine_lists_the_requests_i_filed(staff, several):
    assert "Hotel" not in titles(staff, mine="true")
    assert len(titles(staff, mine="true")) == 4


def test_the_list_orders_by_the_next_due_time(agent, several):
    # P1 is due first; the purchase has no clock running for resolution but a first response.
    assert titles(agent, ordering="next_due_at")[:2] == ["Claim P1", "Claim P2"]


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "lost"), ("service", "abc"), ("priority", "P9"), ("ordering", "title")],
)
def test_a_filter_of_an_unknown_value_answers_400_on_it(agent, param, value):
    response = api(agent).get("/api/tickets/", {param: value})

    assert response.status_code == 400
    assert list(fields(response)) == [param]


def test_the_list_is_paginated(agent, several):
    page = api(agent).get("/api/tickets/").json()

    assert (page["count"], page["next"], page["previous"]) == (5, None, None)


def test_listing_requests_costs_as_many_queries_for_fifteen_as_for_one(
    agent, head, sales, expense_claim, claim, django_assert_max_num_queries
):
    client = api(agent)
    with django_assert_max_num_queries(3) as one:
        assert client.get("/api/tickets/").status_code == 200
    budget = len(one)  # read now: the connection keeps only the last 9,000 queries
    for number in range(14):
        requester = MembershipFactory(department=sales).user
        ticket = services.ticket_file(
            requester=requester,
            service=expense_claim,
            customer=sales,
            title=f"Claim {number}",
            answers={"amount": number},
        )
        services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=0)
        step(agent, ticket.pk, "resolve")

    with django_assert_max_num_queries(budget):
        response = client.get("/api/tickets/")

    assert len(response.json()["results"]) == 15


def test_listing_approvals_costs_as_many_queries_for_several_as_for_one(
    head, staff, sales, purchase, purchase_request, django_assert_max_num_queries
):
    client = api(head)
    with django_assert_max_num_queries(4) as one:
        assert client.get("/api/approvals/").status_code == 200
    for number in range(5):
        services.ticket_file(
            requester=MembershipFactory(department=sales).user,
            service=purchase,
            customer=sales,
            title=f"Chairs {number}",
        )

    with django_assert_max_num_queries(len(one)):
        response = client.get("/api/approvals/")

    assert len(response.json()["results"]) == 6


# The schema


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )


def test_the_schema_documents_the_requests_api(staff):
    response = api(staff).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    for path in [
        "/api/auth/token/",
        "/api/tickets/",
        "/api/tickets/{id}/",
        "/api/tickets/{id}/acknowledge/",
        "/api/tickets/{id}/confirm/",
        "/api/tickets/{id}/comments/",
        "/api/tickets/{id}/attachments/{attachment_id}/",
        "/api/approvals/",
        "/api/approvals/{id}/reject/",
    ]:
        assert path in paths
    assert "security" not in paths["/api/auth/token/"]["post"]  # open to anonymous clients


@pytest.mark.parametrize(
    ("step", "shown"),
    [
        ("", "Taxi to the fair"),
        ("comments", 'name="text"'),
        ("attachments", 'type="file"'),
        ("confirm", 'name="rating"'),  # GET is not allowed (405), the form to POST is there
    ],
)
def test_the_browsable_api_renders_a_request_and_the_forms_of_its_operations(
    staff, claim, step, shown
):
    response = api(staff).get(url(claim, step), HTTP_ACCEPT="text/html")

    assert response.status_code == (405 if step == "confirm" else 200)
    assert shown in response.content.decode()


def test_nul_characters_answer_400_rather_than_failing_in_the_database(
    staff, agent, claim, expense_claim
):
    filing = {"service": expense_claim.pk, "title": "Taxi"}

    answers = api(staff).post(
        "/api/tickets/", {**filing, "answers": {"amount": "1\x00"}}, format="json"
    )
    customer = api(staff).post(
        "/api/tickets/",
        {**filing, "answers": {"amount": 1}, "customer": "SALES\x00"},
        format="json",
    )
    assignee = api(agent).post(
        url(claim, "assign"), {"version": 0, "assignee": "agent\x00"}, format="json"
    )
    listed = api(agent).get("/api/tickets/", {"assignee": "agent\x00"})

    assert fields(answers) == {"answers": {"amount": ["Null characters are not allowed."]}}
    assert fields(customer) == {"customer": ["Null characters are not allowed."]}
    assert fields(assignee) == {"assignee": ["Null characters are not allowed."]}
    assert listed.status_code == 400
    assert listed.json() == {"detail": "The address contains a NUL character."}
