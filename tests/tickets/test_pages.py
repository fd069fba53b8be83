"""The requests pages: filing with the agreed due times, my requests, the queue, approvals (on
the page and through e-mailed links) and the request page with its actions."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Priority
from departments.models import Delegation, Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.support.clock import MONDAY_9AM, at
from tests.support.world import filing
from tickets import services
from tickets.approval_links import approval_link_path
from tickets.models import ATTACHMENT_MAX_BYTES, Approval, Attachment, Event, Status, Ticket
from tickets.workflow import Action


def act(client, ticket, action, **data):
    """Press an action button of the request page, with the version the page showed."""
    ticket.refresh_from_db()
    return client.post(
        reverse("tickets:act", args=[ticket.pk]),
        {"action": action, "version": ticket.version, **data},
    )


def advance(ticket, by, *actions):
    for action in actions:
        ticket.refresh_from_db()
        services.ticket_transition(
            ticket_id=ticket.pk, by=by, action=action, expected_version=ticket.version
        )
    ticket.refresh_from_db()
    return ticket


def page_of(client, ticket) -> str:
    return client.get(ticket.get_absolute_url()).content.decode()


# Filing -----------------------------------------------------------------------------------------


def test_the_service_page_links_to_the_request_form(client, staff, payroll_extract):
    client.force_login(staff)

    page = client.get(payroll_extract.get_absolute_url()).content.decode()

    assert reverse("tickets:new", args=[payroll_extract.pk]) in page
    assert "Request this service" in page


def test_the_request_form_asks_the_service_questions_with_their_labels(
    client, staff, payroll_extract
):
    client.force_login(staff)

    page = client.get(reverse("tickets:new", args=[payroll_extract.pk])).content.decode()

    assert 'for="id_answer_month">Which month (required)' in page
    assert 'type="date"' in page
    assert '<option value="XLSX">XLSX</option>' in page
    assert 'for="id_answer_sample">Sample payslip' in page


def test_the_request_form_preselects_the_requesters_only_department(
    client, staff, payroll_extract, sales
):
    client.force_login(staff)

    form = client.get(reverse("tickets:new", args=[payroll_extract.pk])).context["form"]

    assert form["customer"].value() == sales.pk
    assert form["priority"].value() == Priority.P2


def test_the_request_form_shows_the_agreed_due_times_for_the_default_priority(
    client, staff, agreement, payroll_extract
):
    client.force_login(staff)

    page = client.get(reverse("tickets:new", args=[payroll_extract.pk])).content.decode()

    assert "First response due at" in page
    assert "23 Nov 2026, 14:30" in page  # 4 working hours at P2: 3 before lunch, 1 after
    assert "24 Nov 2026, 09:30" in page  # 8 working hours: 7.5 on Monday, 0.5 on Tuesday


def test_the_request_form_says_when_the_resolution_clock_waits_for_approvals(
    client, staff, agreement, purchase
):
    client.force_login(staff)

    page = client.get(reverse("tickets:new", args=[purchase.pk])).content.decode()

    assert "resolution clock starts after the last approval" in page


def test_the_request_form_says_when_no_agreement_covers_the_service(
    client, staff, unagreed_service
):
    client.force_login(staff)

    page = client.get(reverse("tickets:new", args=[unagreed_service.pk])).content.decode()

    assert "No agreement: no agreed response times." in page


def test_filing_pins_the_agreement_version_and_stores_the_due_times(
    client, staff, sales, agreement, payroll_extract
):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, answer_headcount="42")
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.agreement == agreement
    assert ticket.first_response_due_at == at(23, 14, 30)
    assert ticket.resolution_due_at == at(24, 9, 30)
    assert ticket.answers == {"month": "2026-10-01", "format": "CSV", "headcount": "42"}


def test_filing_a_service_without_agreement_files_a_request_without_a_clock(
    client, staff, sales, unagreed_service
):
    client.force_login(staff)

    client.post(reverse("tickets:new", args=[unagreed_service.pk]), filing(sales))

    ticket = Ticket.objects.get()
    assert ticket.agreement is None
    assert ticket.first_response_due_at is None
    assert "No agreement: no agreed response times." in page_of(client, ticket)


def test_a_missing_required_answer_is_a_form_error_and_nothing_is_saved(
    client, staff, sales, payroll_extract
):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, answer_month="")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["answer_month"] == ["This field is required."]
    assert not Ticket.objects.exists()


def test_a_bad_number_is_a_form_error_and_nothing_is_saved(client, staff, sales, payroll_extract):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, answer_headcount="many")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["answer_headcount"] == ["Enter a number."]
    assert "Enter a number." in response.content.decode()
    assert not Ticket.objects.exists()


def test_filing_for_a_department_one_is_not_in_is_a_form_error(
    client, staff, finance, payroll_extract
):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(finance, customer=finance.pk)
    )

    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_an_attachment_is_stored_with_the_request(client, staff, sales, payroll_extract):
    client.force_login(staff)
    upload = SimpleUploadedFile("october.csv", b"name,amount\n", content_type="text/csv")

    client.post(reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, attachment=upload))

    attachment = Attachment.objects.get()
    assert attachment.ticket == Ticket.objects.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("october.csv", 12, staff)


def test_a_file_question_is_answered_with_the_attached_file_name(
    client, staff, sales, payroll_extract
):
    client.force_login(staff)
    upload = SimpleUploadedFile("payslip.pdf", b"%PDF-1.4", content_type="application/pdf")

    client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, answer_sample=upload)
    )

    ticket = Ticket.objects.get()
    assert ticket.answers["sample"] == "payslip.pdf"
    assert ticket.attachments.get().name == "payslip.pdf"


def test_a_too_large_attachment_is_a_form_error(client, staff, sales, payroll_extract):
    client.force_login(staff)
    upload = SimpleUploadedFile("huge.pdf", b"x" * (ATTACHMENT_MAX_BYTES + 1))

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, attachment=upload)
    )

    assert response.status_code == 400
    assert "attachments are limited to 10.0" in response.context["form"].errors["attachment"][0]
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_attachment_of_a_forbidden_type_is_a_form_error(client, staff, sales, payroll_extract):
    client.force_login(staff)
    upload = SimpleUploadedFile("tool.exe", b"MZ")

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]), filing(sales, attachment=upload)
    )

    assert response.status_code == 400
    assert "cannot be attached" in response.context["form"].errors["attachment"][0]
    assert not Ticket.objects.exists()


def test_the_preview_button_shows_the_due_times_for_the_chosen_priority_without_filing(
    client, staff, sales, agreement, payroll_extract
):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]),
        filing(sales, priority=Priority.P1, preview="1"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "23 Nov 2026, 10:00" in page  # P1: 1 working hour
    assert 'value="October payroll"' in page
    assert not Ticket.objects.exists()


# The due-time preview -------------------------------------------------------------------------


def test_the_due_time_preview_answers_htmx_with_a_fragment(
    client, staff, sales, agreement, payroll_extract
):
    client.force_login(staff)

    response = client.get(
        reverse("tickets:due_preview", args=[payroll_extract.pk]),
        {"customer": sales.pk, "priority": Priority.P1},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "23 Nov 2026, 10:00" in page  # first response: 1 working hour
    assert "23 Nov 2026, 14:30" in page  # resolution: 4 working hours


def test_the_due_time_preview_without_htmx_is_a_whole_page(
    client, staff, sales, agreement, payroll_extract
):
    client.force_login(staff)

    response = client.get(
        reverse("tickets:due_preview", args=[payroll_extract.pk]),
        {"customer": sales.pk, "priority": Priority.P1},
    )

    page = response.content.decode()
    assert "<html" in page
    assert "23 Nov 2026, 10:00" in page
    assert "HX-Request" in response["Vary"]


def test_the_due_time_preview_says_so_when_no_agreement_covers_the_department(
    client, staff, agreement, payroll_extract
):
    other = DepartmentFactory(code="MKT", name="Marketing")
    MembershipFactory(user=staff, department=other)
    client.force_login(staff)

    response = client.get(
        reverse("tickets:due_preview", args=[payroll_extract.pk]),
        {"customer": other.pk, "priority": Priority.P2},
        headers={"HX-Request": "true"},
    )

    assert "No agreement: no agreed response times." in response.content.decode()


# My requests ----------------------------------------------------------------------------------


def test_my_requests_lists_my_requests_newest_first(
    client, staff, agent, agreement, payroll_extract, file_request, clock_at
):
    older = file_request(payroll_extract, title="September payroll")
    clock_at(at(23, 10))
    newer = file_request(payroll_extract, title="October payroll")
    file_request(payroll_extract, requester=agent, customer=agent.departments.get())
    client.force_login(staff)

    response = client.get(reverse("tickets:mine"))

    assert list(response.context["page"].object_list) == [newer, older]


def test_my_requests_filters_by_status(client, staff, agreement, payroll_extract, file_request):
    open_request = file_request(payroll_extract)
    cancelled = file_request(payroll_extract, title="Never mind")
    advance(cancelled, staff, Action.CANCEL)
    client.force_login(staff)

    open_only = client.get(reverse("tickets:mine"), {"status": "open"}).context["page"]
    cancelled_only = client.get(reverse("tickets:mine"), {"status": "cancelled"}).context["page"]

    assert list(open_only.object_list) == [open_request]
    assert list(cancelled_only.object_list) == [cancelled]


def test_my_requests_is_paginated_keeping_the_filter(client, staff, unagreed_service, file_request):
    for number in range(26):
        file_request(unagreed_service, title=f"Request {number}")
    client.force_login(staff)

    response = client.get(reverse("tickets:mine"), {"status": "open"})

    assert len(response.context["page"].object_list) == 25
    assert "?status=open&amp;page=2" in response.content.decode()


# The queue ------------------------------------------------------------------------------------


def queue_rows(client, **filters) -> list[Ticket]:
    return list(client.get(reverse("tickets:queue"), filters).context["page"].object_list)


def test_the_queue_sorts_by_next_due_time_with_requests_without_clock_last(
    client, agent, agreement, payroll_extract, unagreed_service, file_request, clock_at
):
    no_clock = file_request(unagreed_service, title="No clock")
    normal = file_request(payroll_extract, title="Normal", priority=Priority.P3)
    clock_at(at(23, 10))
    urgent = file_request(payroll_extract, title="Urgent", priority=Priority.P1)
    client.force_login(agent)

    assert queue_rows(client) == [urgent, normal, no_clock]


def test_the_queue_sorts_by_the_resolution_due_time_once_the_first_response_is_met(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    answered = file_request(payroll_extract, priority=Priority.P3)  # resolution Mon 30th
    advance(answered, agent, Action.ACKNOWLEDGE)
    clock_at(at(24, 9))
    waiting = file_request(payroll_extract, priority=Priority.P3)  # first response Tue 16:30
    client.force_login(agent)

    assert queue_rows(client) == [waiting, answered]


def test_the_queue_shows_open_requests_by_default_and_all_on_demand(
    client, staff, agent, agreement, payroll_extract, file_request
):
    open_request = file_request(payroll_extract)
    cancelled = file_request(payroll_extract)
    advance(cancelled, staff, Action.CANCEL)
    client.force_login(agent)

    assert queue_rows(client) == [open_request]
    assert set(queue_rows(client, status="all")) == {open_request, cancelled}
    assert queue_rows(client, status="cancelled") == [cancelled]


def test_the_queue_filters_by_service_and_priority(
    client, agent, agreement, payroll_extract, purchase, file_request
):
    payroll = file_request(payroll_extract, priority=Priority.P1)
    file_request(payroll_extract, priority=Priority.P3)
    file_request(purchase, priority=Priority.P1)
    client.force_login(agent)

    assert queue_rows(client, service=payroll_extract.pk, priority=Priority.P1) == [payroll]


def test_the_queue_filters_by_assignee(
    client, agent, head, agreement, payroll_extract, file_request
):
    mine, theirs, nobodys = (file_request(payroll_extract) for _ in range(3))
    for ticket, person in ((mine, agent), (theirs, head)):
        services.ticket_assign(
            ticket_id=ticket.pk, by=agent, assignee=person, expected_version=None
        )
    client.force_login(agent)

    assert queue_rows(client, assignee="mine") == [mine]
    assert queue_rows(client, assignee="unassigned") == [nobodys]
    assert queue_rows(client, assignee=str(head.pk)) == [theirs]


def test_the_queue_labels_an_overdue_request(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P1)  # first response due 10:00
    clock_at(at(23, 10, 30))
    client.force_login(agent)

    page = client.get(reverse("tickets:queue")).content.decode()

    assert 'class="urgency-row-overdue"' in page
    assert "overdue by 30 min</strong>" in page


def test_the_queue_labels_a_request_due_soon_from_its_warning_time(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P1)  # first response due 10:00, warning 09:45
    clock_at(at(23, 9, 44))
    client.force_login(agent)
    before = client.get(reverse("tickets:queue")).content.decode()
    clock_at(at(23, 9, 45))

    page = client.get(reverse("tickets:queue")).content.decode()

    assert "Due soon" not in before
    assert '<span class="urgency urgency-due-soon">Due soon</span>' in page


def test_the_queue_labels_a_request_with_less_than_a_quarter_of_its_target_left(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P3)  # resolution due Mon 30th 11:30
    advance(ticket, agent, Action.ACKNOWLEDGE)
    clock_at(at(26, 17))  # 11 of 40 working hours left
    client.force_login(agent)
    on_track = client.get(reverse("tickets:queue")).content.decode()
    clock_at(at(27, 10))  # 9 of 40 working hours left
    client.force_login(agent)

    due_soon = client.get(reverse("tickets:queue")).content.decode()

    assert "Due soon" not in on_track
    assert "due in 1 working day 3 h" in on_track  # working days of 7 h 30 min
    assert '<span class="urgency urgency-due-soon">Due soon</span>' in due_soon


def test_the_queue_costs_the_same_queries_for_many_requests(
    client, agent, agreement, payroll_extract, unagreed_service, file_request,
    django_assert_max_num_queries,
):  # fmt: skip
    for number in range(30):
        file_request(payroll_extract if number % 3 else unagreed_service)
    client.force_login(agent)

    # 14: the saved views and the navigation (one query) included, and the page's assignees and
    # agreements read apart (tickets.selectors.for_long_lists).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("tickets:queue"))

    assert len(response.context["page"].object_list) == 25


def test_an_agent_of_two_departments_chooses_the_queue(
    client, agent, agreement, payroll_extract, file_request, human_resources
):
    MembershipFactory(user=agent, department=human_resources, role=Membership.Role.AGENT)
    file_request(payroll_extract)
    client.force_login(agent)

    finance_queue = client.get(reverse("tickets:queue"), {"department": "FIN"})
    hr_queue = client.get(reverse("tickets:queue"), {"department": "HR"})

    assert len(finance_queue.context["page"].object_list) == 1
    assert hr_queue.context["department"] == human_resources
    assert not hr_queue.context["page"].object_list
    assert 'id="queue-department"' in finance_queue.content.decode()


def test_someone_who_is_no_agent_has_no_queue(client, staff):
    client.force_login(staff)

    response = client.get(reverse("tickets:queue"))

    assert response.status_code == 200
    assert "you are neither in any department" in response.content.decode()


# Awaiting my approval -------------------------------------------------------------------------


def test_awaiting_my_approval_lists_the_current_steps_i_decide(
    client, head, cfo, agreement, purchase, file_request
):
    ticket = file_request(purchase, title="New laptops")
    client.force_login(head)
    heads_list = client.get(reverse("tickets:approvals")).context["page"].object_list
    client.force_login(cfo)

    cfos_list = client.get(reverse("tickets:approvals")).context["page"].object_list

    assert [approval.ticket for approval in heads_list] == [ticket]
    assert cfos_list == []  # the CFO's step comes after the head's


def test_awaiting_my_approval_includes_the_steps_of_someone_who_delegated_to_me(
    client, head, agent, agreement, purchase, file_request
):
    ticket = file_request(purchase, title="New laptops")
    Delegation.objects.create(
        person=head, delegate=agent, starts_on=MONDAY_9AM.date(), ends_on=at(27, 9).date()
    )
    client.force_login(agent)

    response = client.get(reverse("tickets:approvals"))

    assert [approval.ticket for approval in response.context["page"].object_list] == [ticket]
    assert "on behalf of Fang Liu" in response.content.decode()


def test_a_delegation_that_ended_does_not_bring_the_steps(
    client, head, agent, agreement, purchase, file_request
):
    file_request(purchase)
    Delegation.objects.create(
        person=head, delegate=agent, starts_on=at(16, 9).date(), ends_on=at(20, 9).date()
    )
    client.force_login(agent)

    assert client.get(reverse("tickets:approvals")).context["page"].object_list == []


# The request page -----------------------------------------------------------------------------


@pytest.fixture
def ticket(agreement, payroll_extract, file_request):
    return file_request(payroll_extract, answers={"month": "2026-10-01", "format": "XLSX"})


@pytest.fixture
def noted(ticket, agent):
    """The agent has left a public comment and an internal note."""
    services.ticket_comment(ticket_id=ticket.pk, by=agent, text="Working on it.")
    services.ticket_comment(
        ticket_id=ticket.pk, by=agent, text="Check with payroll first.", internal=True
    )
    return ticket


def test_the_request_page_shows_the_request_and_its_answers_with_labels(client, staff, ticket):
    client.force_login(staff)

    page = page_of(client, ticket)

    assert ticket.reference in page
    assert "Payroll data extract" in page
    assert "<dt>Which month</dt>" in page
    assert "<dt>File format</dt>\n    <dd>XLSX</dd>" in page


def test_the_requester_sees_comments_but_not_internal_notes(client, staff, noted):
    client.force_login(staff)

    page = page_of(client, noted)

    assert "Working on it." in page
    assert "Check with payroll first." not in page
    assert 'name="internal"' not in page


def test_an_agent_sees_internal_notes(client, agent, noted):
    client.force_login(agent)

    page = page_of(client, noted)

    assert "Check with payroll first." in page
    assert 'name="internal"' in page


def test_the_customer_departments_head_reads_the_request_without_acting_on_it(
    client, agreement, ticket, sales
):
    sales_head = sales.head
    client.force_login(sales_head)

    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 200
    assert response.context["actions"] == []
    assert not response.context["can_comment"]


def test_the_request_page_shows_the_working_time_left(client, staff, ticket, clock_at):
    clock_at(at(23, 10))
    client.force_login(staff)

    page = page_of(client, ticket)

    assert "23 Nov 2026, 14:30" in page
    assert "3 h of working time left" in page  # 2 before lunch, 1 after


def test_the_request_page_costs_the_same_queries_however_long_its_conversation(
    client, staff, agent, ticket, django_assert_max_num_queries
):
    client.force_login(staff)
    for number in range(12):
        client.post(reverse("tickets:comment", args=[ticket.pk]), {"text": f"Note {number}"})
    client.force_login(agent)

    # 22: the session, the person and the navigation; the request with its agreement's business
    # clock read once for both its targets and its urgency; the conversation, approvals, files,
    # links, hand-offs, watchers, colleagues and canned replies one query each.
    with django_assert_max_num_queries(22):
        response = client.get(ticket.get_absolute_url())

    assert len(response.context["events"]) > 12
    assert response.context["ticket"].urgency.level == "on_track"


def test_the_request_page_shows_when_a_target_was_met(client, staff, agent, ticket, clock_at):
    clock_at(at(23, 11))
    advance(ticket, agent, Action.ACKNOWLEDGE)
    client.force_login(staff)

    assert "met at <time" in page_of(client, ticket)


def test_the_request_page_says_the_clock_is_paused_while_waiting_on_the_requester(
    client, staff, agent, ticket
):
    advance(ticket, agent, Action.ASK)
    client.force_login(staff)

    page = page_of(client, ticket)

    assert "left when it resumes" in page
    assert "The clock waits on the requester." in page


@pytest.mark.parametrize(
    ("before", "person", "action", "after"),
    [
        ([], "agent", Action.ACKNOWLEDGE, Status.ACKNOWLEDGED),
        ([], "agent", Action.START, Status.IN_PROGRESS),
        ([], "agent", Action.ASK, Status.WAITING),
        ([Action.ASK], "staff", Action.ANSWER, Status.IN_PROGRESS),
        ([], "agent", Action.RESOLVE, Status.RESOLVED),
        ([Action.RESOLVE], "staff", Action.CONFIRM, Status.CLOSED),
        ([Action.RESOLVE], "staff", Action.REOPEN, Status.REOPENED),
        ([], "staff", Action.CANCEL, Status.CANCELLED),
    ],
)
def test_an_action_button_moves_the_request(
    client, request, ticket, agent, before, person, action, after
):
    by = {Action.ASK: agent, Action.RESOLVE: agent}
    for step in before:
        advance(ticket, by[step], step)
    client.force_login(request.getfixturevalue(person))
    assert f"{Action(action).label}</button>" in page_of(client, ticket)

    response = act(client, ticket, action, comment="Noted.")

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == after


def test_confirming_stores_the_rating_and_its_comment(client, staff, agent, ticket):
    advance(ticket, agent, Action.RESOLVE)
    client.force_login(staff)
    page = page_of(client, ticket)
    assert "<legend>Rating</legend>" in page
    assert '<input type="radio" name="rating" value="4"> 4</label>' in page

    act(client, ticket, Action.CONFIRM, rating="4", comment="Quick and right.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (
        Status.CLOSED, 4, "Quick and right."
    )  # fmt: skip


def test_a_stale_version_is_a_conflict_that_asks_to_reload(client, agent, head, ticket):
    client.force_login(agent)
    version_seen = ticket.version
    services.ticket_comment(ticket_id=ticket.pk, by=head, text="I'll take it.")

    response = client.post(
        reverse("tickets:act", args=[ticket.pk]),
        {"action": Action.ACKNOWLEDGE, "version": version_seen},
    )

    ticket.refresh_from_db()
    assert response.status_code == 409
    assert "This request changed, reload" in response.content.decode()
    assert ticket.status == Status.NEW


def test_an_action_for_someone_else_is_refused_with_403(client, staff, ticket):
    client.force_login(staff)

    response = act(client, ticket, Action.RESOLVE)

    ticket.refresh_from_db()
    assert response.status_code == 403
    assert "Only the provider department&#x27;s agents can do that." in response.content.decode()
    assert ticket.status == Status.NEW


def test_an_action_without_its_version_is_a_bad_request(client, agent, ticket):
    client.force_login(agent)

    response = client.post(reverse("tickets:act", args=[ticket.pk]), {"action": "acknowledge"})

    ticket.refresh_from_db()
    assert response.status_code == 400
    assert "The form was incomplete; reload the page and try again." in response.content.decode()
    assert (ticket.status, ticket.version) == (Status.NEW, 0)


def test_a_comment_is_added_to_the_timeline(client, staff, ticket):
    client.force_login(staff)

    response = client.post(reverse("tickets:comment", args=[ticket.pk]), {"text": "Thanks!"})

    assert response.status_code == 302
    assert ticket.events.filter(kind=Event.Kind.COMMENT, text="Thanks!").exists()


def test_an_empty_comment_is_a_bad_request(client, staff, ticket):
    client.force_login(staff)

    response = client.post(reverse("tickets:comment", args=[ticket.pk]), {"text": " "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ticket.events.filter(kind=Event.Kind.COMMENT).exists()


def test_the_requester_cannot_write_an_internal_note(client, staff, ticket):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"text": "Psst", "internal": "on"}
    )

    assert response.status_code == 403
    assert not ticket.events.filter(is_internal=True).exists()


def test_an_agent_assigns_the_request(client, agent, head, ticket):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:assign", args=[ticket.pk]),
        {"assignee": head.pk, "version": ticket.version},
    )

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.assignee == head


def test_an_agent_changes_the_priority_and_the_due_times_follow(client, agent, ticket):
    client.force_login(agent)

    client.post(
        reverse("tickets:priority", args=[ticket.pk]),
        {"priority": Priority.P1, "version": ticket.version},
    )

    ticket.refresh_from_db()
    assert ticket.priority == Priority.P1
    assert ticket.first_response_due_at == at(23, 10)


def test_an_attachment_downloads_for_someone_who_sees_the_request(client, agent, ticket, staff):
    Attachment.objects.create(
        ticket=ticket,
        file=SimpleUploadedFile("october.csv", b"name,amount\n"),
        name="october.csv",
        size=12,
        uploaded_by=staff,
        uploaded_at=MONDAY_9AM,
    )
    client.force_login(agent)

    response = client.get(
        reverse("tickets:attachment", args=[ticket.pk, ticket.attachments.get().pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"name,amount\n"
    assert 'attachment; filename="october.csv"' in response["Content-Disposition"]


# Approvals on the request page -----------------------------------------------------------------


@pytest.fixture
def purchase_request(agreement, purchase, file_request):
    return file_request(purchase, title="New laptops")


def test_the_approver_approves_on_the_request_page(client, head, purchase_request):
    client.force_login(head)
    first_step = purchase_request.approvals.get(position=1)
    assert "Your decision on step 1" in page_of(client, purchase_request)

    response = client.post(
        reverse("tickets:decide", args=[purchase_request.pk]),
        {"approval": first_step.pk, "decision": "approve"},
    )

    first_step.refresh_from_db()
    assert response.status_code == 302
    assert first_step.decision == Approval.Decision.APPROVED
    assert purchase_request.approvals.get(position=2).is_current


def test_rejecting_on_the_request_page_needs_a_comment(client, head, purchase_request):
    client.force_login(head)

    response = client.post(
        reverse("tickets:decide", args=[purchase_request.pk]),
        {"approval": purchase_request.approvals.get(position=1).pk, "decision": "reject"},
    )

    assert response.status_code == 400
    assert "Say why you reject the request." in response.content.decode()


def test_the_requester_sees_the_approval_steps_but_no_decision_form(
    client, staff, purchase_request
):
    client.force_login(staff)

    page = page_of(client, purchase_request)

    assert "Awaiting decision" in page
    assert "Your decision on step" not in page


def test_a_delegate_opens_the_request_and_approves_it_for_the_approver_away(
    client, head, agent, purchase_request
):
    Delegation.objects.create(
        person=head, delegate=agent, starts_on=MONDAY_9AM.date(), ends_on=MONDAY_9AM.date()
    )
    client.force_login(agent)
    first_step = purchase_request.approvals.get(position=1)

    response = client.post(
        reverse("tickets:decide", args=[purchase_request.pk]),
        {"approval": first_step.pk, "decision": "approve"},
    )

    first_step.refresh_from_db()
    assert response.status_code == 302
    assert first_step.decided_by == agent


# Approval links -------------------------------------------------------------------------------


@pytest.fixture
def link(purchase_request):
    return approval_link_path(purchase_request.approvals.get(position=1))


def test_opening_an_approval_link_shows_the_request_and_changes_nothing(
    client, head, purchase_request, link
):
    client.force_login(head)

    response = client.get(link)

    page = response.content.decode()
    assert response.status_code == 200
    assert "New laptops" in page
    assert ">Approve</button>" in page
    assert not purchase_request.approvals.exclude(decision="").exists()


def test_posting_on_an_approval_link_approves_the_step(client, head, purchase_request, link):
    client.force_login(head)

    response = client.post(link, {"decision": "approve", "comment": "Fine."})

    step = purchase_request.approvals.get(position=1)
    assert response.status_code == 302
    assert response["Location"] == purchase_request.get_absolute_url()
    assert (step.decision, step.decided_by, step.comment) == ("approved", head, "Fine.")


def test_rejecting_through_an_approval_link_needs_a_comment(client, head, purchase_request, link):
    client.force_login(head)

    response = client.post(link, {"decision": "reject", "comment": ""})

    assert response.status_code == 400
    assert "Say why you reject the request." in response.content.decode()
    assert purchase_request.approvals.get(position=1).decision == ""


def test_an_approval_link_used_once_is_gone(client, head, link):
    client.force_login(head)
    client.post(link, {"decision": "approve"})

    response = client.get(link)

    assert response.status_code == 410
    assert "already used" in response.content.decode()


def test_an_expired_approval_link_is_gone(client, head, link, clock_at):
    clock_at(MONDAY_9AM + timedelta(days=8))
    client.force_login(head)

    response = client.post(link, {"decision": "approve"})

    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert not Approval.objects.exclude(decision="").exists()


def test_a_tampered_approval_link_is_not_found(client, head, link):
    client.force_login(head)

    response = client.get(link.rstrip("/") + "x/")

    assert response.status_code == 404
    assert "not a valid approval link" in response.content.decode()


def test_an_approval_link_sends_an_anonymous_visitor_to_log_in_and_back(client, link):
    response = client.get(link)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(link)}"


def test_someone_else_posting_on_an_approval_link_is_refused_with_403(client, cfo, link):
    client.force_login(cfo)

    response = client.post(link, {"decision": "approve"})

    assert response.status_code == 403
    assert "not yours to decide" in response.content.decode()
    assert not Approval.objects.exclude(decision="").exists()


def test_a_delegate_decides_through_the_approval_link(client, head, link):
    delegate = UserFactory(username="deputy")
    Delegation.objects.create(
        person=head, delegate=delegate, starts_on=MONDAY_9AM.date(), ends_on=MONDAY_9AM.date()
    )
    client.force_login(delegate)

    response = client.post(link, {"decision": "approve"})

    assert response.status_code == 302
    assert Approval.objects.get(position=1).decided_by == delegate
