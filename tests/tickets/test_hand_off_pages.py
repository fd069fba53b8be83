"""Hand-offs on the request pages: Finance's `agent` hands part of a Sales request off to IT,
the parent lists it with its status and time left, the child names its parent only to those
who may see it; in English and in Chinese."""

import pytest
from django.urls import reverse

from agreements.models import Priority
from tests.support.clock import at
from tickets import hand_offs, services
from tickets.models import Status, Ticket
from tickets.workflow import Action


@pytest.fixture
def parent(agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    return file_request(payroll_extract, priority=Priority.P2)


def test_an_agent_opens_a_hand_off_from_the_request_page(
    client, parent, agent, laptop, it_agreement
):
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[parent.pk]))
    assert "Hand off to another department" in page.content.decode()

    chooser = client.get(reverse("tickets:hand_off", args=[parent.pk]))
    assert "IT · New laptop" in chooser.content.decode()
    form = client.get(reverse("tickets:hand_off", args=[parent.pk]), {"service": laptop.pk})
    assert "New laptop" in form.content.decode()

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + f"?service={laptop.pk}",
        {"title": "Laptop for the new accountant", "priority": "P2"},
    )

    child = Ticket.objects.get(parent=parent)
    assert response.status_code == 302 and response["Location"] == parent.get_absolute_url()
    assert child.title == "Laptop for the new accountant" and child.customer == parent.provider


def test_a_hand_off_without_an_agreement_is_refused_on_the_form(
    client, parent, agent, it, it_agreement
):
    from tests.factories import ServiceFactory

    toner = ServiceFactory(provider=it, name="Printer toner")
    client.force_login(agent)

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + f"?service={toner.pk}",
        {"title": "Toner", "priority": "P2"},
    )

    assert response.status_code == 400
    assert "No agreement in force covers Finance" in response.content.decode()


def test_a_service_that_is_not_offered_is_refused_on_the_form(client, parent, agent):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + "?service=999999",
        {"title": "Anything", "priority": "P2"},
    )

    assert response.status_code == 400
    assert not Ticket.objects.filter(parent=parent).exists()


def test_the_requester_of_the_parent_may_not_hand_it_off(client, parent, staff):
    client.force_login(staff)

    assert client.get(reverse("tickets:hand_off", args=[parent.pk])).status_code == 403
    assert (
        "Hand off to another department"
        not in client.get(parent.get_absolute_url()).content.decode()
    )


def test_the_parent_page_lists_its_hand_offs_with_status_and_time_left(
    client, parent, hand_off, staff
):
    child = hand_off(parent)
    client.force_login(staff)

    page = client.get(parent.get_absolute_url()).content.decode()

    assert child.reference in page and "Laptop for the new accountant" in page
    assert child.get_absolute_url() not in page  # the requester may not open it
    assert "of working time left" in page


def test_the_child_page_names_its_parent_to_the_parents_provider_only(
    client, parent, hand_off, agent, it_agent
):
    child = hand_off(parent)

    client.force_login(agent)
    assert parent.title in client.get(child.get_absolute_url()).content.decode()
    client.force_login(it_agent)
    page = client.get(child.get_absolute_url()).content.decode()
    assert parent.title not in page and parent.reference not in page
    assert "a request Finance works on" in page


def test_an_agent_detaches_a_hand_off_from_the_page(client, parent, hand_off, agent):
    child = hand_off(parent)
    client.force_login(agent)

    response = client.post(reverse("tickets:detach", args=[parent.pk]), {"child": child.pk})

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.detached_at is not None


def test_the_it_agent_may_not_detach_from_a_parent_they_do_not_see(
    client, parent, hand_off, it_agent
):
    child = hand_off(parent)
    client.force_login(it_agent)

    response = client.post(reverse("tickets:detach", args=[parent.pk]), {"child": child.pk})

    assert response.status_code == 404


def test_the_hand_offs_read_in_chinese(client, parent, hand_off, agent):
    hand_off(parent)
    client.force_login(agent)

    page = client.get(parent.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "转交" in page.content.decode()


def test_the_parents_requester_reads_beside_cancel_how_many_hand_offs_go_with_it(
    client, parent, hand_off, agent, staff
):
    hand_off(parent)
    detached = hand_off(parent, title="A second screen")
    hand_offs.ticket_detach_child(parent_id=parent.pk, child_id=detached.pk, by=agent)
    hand_off(parent, title="A docking station")
    client.force_login(staff)

    page = client.get(parent.get_absolute_url()).content.decode()

    assert "2 open hand-offs will be cancelled too." in page


def test_cancelling_the_parent_on_its_page_cancels_its_hand_off(client, parent, hand_off, staff):
    child = hand_off(parent)
    parent.refresh_from_db()
    client.force_login(staff)

    response = client.post(
        reverse("tickets:act", args=[parent.pk]), {"action": "cancel", "version": parent.version}
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == Status.CANCELLED


def test_the_hand_offs_page_says_it_was_cancelled_with_its_parent(
    client, parent, hand_off, agent, staff, it_agent
):
    child = hand_off(parent)
    services.ticket_transition(
        ticket_id=parent.pk, by=staff, action=Action.CANCEL, expected_version=None
    )
    client.force_login(it_agent)

    english = client.get(child.get_absolute_url()).content.decode()
    chinese = client.get(child.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "cancelled it with its parent request" in english and parent.reference in english
    assert "随上级请求一并取消了此请求" in chinese


def test_the_cancel_note_reads_in_chinese(client, parent, hand_off, staff):
    hand_off(parent)
    client.force_login(staff)

    page = client.get(parent.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "1 项未完成的转交也将一并取消。" in page.content.decode()


def test_a_form_read_before_a_hand_off_was_opened_is_refused_as_changed(
    client, parent, hand_off, agent
):
    client.force_login(agent)
    before = parent.version
    hand_off(parent)

    response = client.post(
        reverse("tickets:act", args=[parent.pk]), {"action": "acknowledge", "version": before}
    )

    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    parent.refresh_from_db()
    assert parent.status == Status.NEW


def test_a_form_read_before_a_hand_off_was_detached_is_refused_as_changed(
    client, parent, hand_off, agent
):
    child = hand_off(parent)
    parent.refresh_from_db()
    before = parent.version
    client.force_login(agent)
    client.post(reverse("tickets:detach", args=[parent.pk]), {"child": child.pk})

    response = client.post(
        reverse("tickets:priority", args=[parent.pk]), {"priority": "P1", "version": before}
    )

    assert response.status_code == 409


def test_the_parent_page_says_it_waits_on_its_requester_and_on_a_hand_off(
    client, parent, hand_off, pausing, agent, clock_at
):
    clock_at(at(23, 9, 30))
    hand_off(parent)
    clock_at(at(23, 10))
    services.ticket_transition(
        ticket_id=parent.pk, by=agent, action=Action.ASK, expected_version=None
    )
    client.force_login(agent)

    english = client.get(parent.get_absolute_url()).content.decode()
    chinese = client.get(parent.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    for reason in ("Waiting on the requester", "Waiting on a hand-off"):
        assert f"<dt>{reason}</dt>" in english
    assert "The clock waits on the requester." in english
    assert "The clock waits on a hand-off to another department." in english
    assert "计时暂停，等待申请人回复。" in chinese
    assert "计时正在等待转交给其他部门的工作。" in chinese
    assert "<dt>等待申请人</dt>" in chinese and "<dt>等待转交</dt>" in chinese
