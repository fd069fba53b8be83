"""Canned replies: a department's agents and head keep them on their own page (another
department's reply is a 404) and pick one in a request's comment box, with or without
JavaScript."""

import pytest
from django.urls import reverse

from departments.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tickets.models import CannedReply

GREETING = "Hello,\nthe extract is attached. <b>Regards</b>"


@pytest.fixture
def greeting(finance, head):
    return CannedReply.objects.create(
        department=finance, title="Extract sent", text=GREETING, updated_by=head
    )


@pytest.fixture
def hr_reply(human_resources):
    return CannedReply.objects.create(
        department=human_resources, title="Payslip policy", text="See the intranet."
    )


@pytest.fixture
def hr_agent(human_resources):
    person = UserFactory(username="hr_agent")
    MembershipFactory(user=person, department=human_resources, role=Membership.Role.AGENT)
    return person


def test_an_agent_lists_the_replies_of_their_department_only(client, agent, greeting, hr_reply):
    client.force_login(agent)

    page = client.get(reverse("tickets:canned_replies")).content.decode()

    assert "Extract sent" in page
    assert "&lt;b&gt;Regards&lt;/b&gt;" in page
    assert "Payslip policy" not in page


def test_an_agent_adds_a_reply_for_their_department(client, agent, finance, human_resources):
    client.force_login(agent)

    form = client.get(reverse("tickets:canned_reply_new"))
    response = client.post(
        reverse("tickets:canned_reply_new"),
        {"department": finance.pk, "title": "Thanks", "text": "Thank you."},
    )

    assert form.status_code == 200
    assert f'<option value="{human_resources.pk}"' not in form.content.decode()
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.department, reply.title, reply.updated_by) == (finance, "Thanks", agent)


def test_a_reply_for_another_department_is_refused(client, agent, human_resources):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:canned_reply_new"),
        {"department": human_resources.pk, "title": "Sneaky", "text": "Hi."},
    )

    assert response.status_code == 400
    assert not CannedReply.objects.exists()


def test_two_replies_of_one_title_are_refused(client, agent, finance, greeting):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:canned_reply_new"),
        {"department": finance.pk, "title": "Extract sent", "text": "Again."},
    )

    assert response.status_code == 400
    assert "The department already has a reply of this title." in response.content.decode()


def test_the_head_edits_and_deletes_a_reply(client, head, finance, greeting):
    client.force_login(head)

    edited = client.post(
        reverse("tickets:canned_reply_edit", args=[greeting.pk]),
        {"department": finance.pk, "title": "Extract on its way", "text": "Soon."},
    )
    greeting.refresh_from_db()
    deleted = client.post(reverse("tickets:canned_reply_delete", args=[greeting.pk]))

    assert edited.status_code == 302
    assert (greeting.title, greeting.text) == ("Extract on its way", "Soon.")
    assert deleted.status_code == 302
    assert not CannedReply.objects.exists()


@pytest.mark.parametrize("person", ["hr_agent", "staff", "outsider", "hr"])
def test_a_reply_of_another_department_is_not_found(client, request, greeting, person):
    client.force_login(request.getfixturevalue(person))

    pages = [
        client.get(reverse("tickets:canned_reply_edit", args=[greeting.pk])),
        client.post(
            reverse("tickets:canned_reply_edit", args=[greeting.pk]),
            {"department": greeting.department_id, "title": "Mine", "text": "x"},
        ),
        client.post(reverse("tickets:canned_reply_delete", args=[greeting.pk])),
    ]

    assert [page.status_code for page in pages] == [404, 404, 404]
    greeting.refresh_from_db()
    assert greeting.title == "Extract sent"


@pytest.mark.parametrize("person", ["staff", "outsider", "hr"])
def test_the_replies_pages_are_for_agents_and_heads_only(client, request, greeting, person):
    client.force_login(request.getfixturevalue(person))

    listed = client.get(reverse("tickets:canned_replies"))
    new = client.post(
        reverse("tickets:canned_reply_new"),
        {"department": greeting.department_id, "title": "Mine", "text": "x"},
    )

    assert (listed.status_code, new.status_code) == (403, 403)
    assert "Extract sent" not in listed.content.decode()
    assert CannedReply.objects.count() == 1


def test_the_comment_box_offers_the_provider_replies_to_its_agents(
    client, agent, greeting, hr_reply, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert f'<option value="{greeting.pk}" data-text="Hello,\nthe extract is attached.' in page
    assert "Payslip policy" not in page
    assert "js/queue_tools" in page


def test_picking_a_reply_without_javascript_puts_its_text_in_the_comment_box(
    client, agent, greeting, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    page = client.get(ticket.get_absolute_url(), {"reply": greeting.pk}).content.decode()

    assert ">Hello,\nthe extract is attached. &lt;b&gt;Regards&lt;/b&gt;</textarea>" in page


@pytest.mark.parametrize("reply", ["abc", "0", "99999999999999999999"])
def test_a_malformed_or_unknown_reply_leaves_the_box_empty(
    client, agent, greeting, agreement, payroll_extract, file_request, reply
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    response = client.get(ticket.get_absolute_url(), {"reply": reply})

    assert response.status_code == 200
    assert response.context["comment_text"] == ""


def test_the_requester_is_not_offered_the_replies_nor_their_text(
    client, staff, greeting, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url(), {"reply": greeting.pk}).content.decode()

    assert "Extract sent" not in page
    assert "the extract is attached" not in page


def test_another_department_reply_is_not_put_in_the_box(
    client, agent, hr_reply, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    page = client.get(ticket.get_absolute_url(), {"reply": hr_reply.pk}).content.decode()

    assert "See the intranet." not in page
