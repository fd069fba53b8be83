"""Deactivating someone from the Django admin, by unticking "active" on their page or with the
action "Deactivate and hand over", hands over what they hold as deactivate_person does; the
hand-overs are read-only there; and `manage.py deactivate_person` does the same from a shell."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from departments.models import Membership
from directory.leavers import deactivate_person
from directory.models import Handover, HandoverItem
from tests.factories import UserFactory
from tests.support.admin_forms import form_data
from tickets import services
from tickets.models import Ticket

CHANGELIST = reverse("admin:auth_user_changelist")


def change_page(person) -> str:
    return reverse("admin:auth_user_change", args=[person.pk])


@pytest.fixture
def assigned(agreement, payroll_extract, file_request, agent, head):
    ticket = file_request(payroll_extract)
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    return ticket


def test_unticking_active_on_a_persons_page_hands_over_what_they_hold(
    client, admin_user, agent, assigned
):
    client.force_login(admin_user)
    data = form_data(client.get(change_page(agent)))
    del data["is_active"]

    response = client.post(change_page(agent), data)

    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    handover = Handover.objects.get(person=agent)
    assert handover.by == admin_user
    assert Ticket.objects.get(pk=assigned.pk).assignee is None
    assert not Membership.objects.filter(user=agent).exists()
    assert set(handover.items.values_list("what", flat=True)) == {
        HandoverItem.What.REQUEST,
        HandoverItem.What.MEMBERSHIP,
    }


def test_saving_a_persons_page_without_unticking_active_hands_over_nothing(
    client, admin_user, agent, assigned
):
    client.force_login(admin_user)
    data = form_data(client.get(change_page(agent)))
    data["first_name"] = "Alexander"

    assert client.post(change_page(agent), data).status_code == 302

    agent.refresh_from_db()
    assert (agent.first_name, agent.is_active) == ("Alexander", True)
    assert not Handover.objects.exists()


def test_the_action_deactivates_and_hands_over_each_person_chosen(
    client, admin_user, agent, staff, assigned
):
    client.force_login(admin_user)

    response = client.post(
        CHANGELIST,
        {"action": "deactivate_and_hand_over", "_selected_action": [agent.pk, staff.pk]},
        follow=True,
    )

    assert "2 people were deactivated" in response.content.decode()
    assert set(Handover.objects.values_list("person__username", flat=True)) == {"agent", "staff"}
    assert Ticket.objects.get(pk=assigned.pk).assignee is None


def test_the_action_does_not_deactivate_the_administrator_using_it(client, admin_user):
    client.force_login(admin_user)

    client.post(
        CHANGELIST, {"action": "deactivate_and_hand_over", "_selected_action": [admin_user.pk]}
    )

    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_staff_who_may_only_view_people_cannot_deactivate_them(client, agent):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 200

    client.post(CHANGELIST, {"action": "deactivate_and_hand_over", "_selected_action": [agent.pk]})

    agent.refresh_from_db()
    assert agent.is_active
    assert not Handover.objects.exists()


def test_hand_overs_are_read_only_in_the_admin(client, admin_user, agent, assigned):
    handover = deactivate_person(user=agent, reason="Left")
    client.force_login(admin_user)

    page = client.get(reverse("admin:directory_handover_change", args=[handover.pk]))

    assert page.status_code == 200
    assert assigned.reference in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert client.get(reverse("admin:directory_handover_add")).status_code == 403


def test_the_command_deactivates_and_says_where_things_went(agent, assigned, capsys):
    call_command("deactivate_person", "agent", "--reason", "Left the company")

    out = capsys.readouterr().out
    assert f"{assigned.reference} -> back in the queue of FIN" in out
    assert "agent of FIN -> ended" in out
    assert Handover.objects.get(person=agent).reason == "Left the company"


def test_the_command_run_twice_changes_nothing_the_second_time(agent, capsys):
    call_command("deactivate_person", "agent", "--reason", "Left")
    call_command("deactivate_person", "agent", "--reason", "Left")

    assert "agent was already inactive." in capsys.readouterr().out
    assert Handover.objects.count() == 1


def test_the_command_refuses_an_unknown_person(db):
    with pytest.raises(CommandError, match="Nobody is called 'ghost'"):
        call_command("deactivate_person", "ghost", "--reason", "Left")
