"""A head removed or demoted in the Django admin leaves the department flagged to the
administrators, as the directory sync, a leaver's hand-over and the API do; removing anyone else
flags nothing."""

import pytest
from django.urls import reverse

from departments.models import Membership
from directory import letters
from outbox.models import Message
from tests.factories import MembershipFactory, UserFactory
from tests.support.admin_forms import form_data


def flagged(department) -> list[str]:
    return list(
        Message.objects.filter(kind=letters.HEAD_VACANT, about_id=department.pk).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.fixture
def head_membership(head, finance):
    return Membership.objects.get(user=head, department=finance)


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_deleting_the_heads_membership_flags_the_department(signed_in, head_membership, finance):
    page = reverse("admin:departments_membership_delete", args=[head_membership.pk])

    assert signed_in.post(page, {"post": "yes"}).status_code == 302

    assert flagged(finance) == ["admin"]


def test_deleting_memberships_in_bulk_flags_each_department_left_without_head(
    signed_in, head_membership, finance, agent
):
    agents_membership = Membership.objects.get(user=agent, department=finance)
    chosen = [head_membership.pk, agents_membership.pk]

    response = signed_in.post(
        reverse("admin:departments_membership_changelist"),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=chosen).exists()
    assert flagged(finance) == ["admin"]


def test_making_the_head_an_agent_on_the_membership_page_flags_the_department(
    signed_in, head_membership, finance
):
    page = reverse("admin:departments_membership_change", args=[head_membership.pk])
    data = form_data(signed_in.get(page))
    data["role"] = Membership.Role.AGENT

    assert signed_in.post(page, data).status_code == 302

    assert flagged(finance) == ["admin"]


def test_removing_the_head_among_a_departments_members_flags_it(
    signed_in, head_membership, finance
):
    page = reverse("admin:departments_department_change", args=[finance.pk])
    data = form_data(signed_in.get(page))
    forms = int(data["memberships-TOTAL_FORMS"])
    (index,) = [i for i in range(forms) if data[f"memberships-{i}-id"] == str(head_membership.pk)]
    data[f"memberships-{index}-DELETE"] = "on"

    assert signed_in.post(page, data).status_code == 302

    assert not Membership.objects.filter(pk=head_membership.pk).exists()
    assert flagged(finance) == ["admin"]


def test_removing_the_head_role_from_a_persons_page_flags_the_department(signed_in, head, finance):
    page = reverse("admin:auth_user_change", args=[head.pk])
    data = form_data(signed_in.get(page))
    data["memberships-0-role"] = Membership.Role.MEMBER

    assert signed_in.post(page, data).status_code == 302

    assert Membership.objects.get(user=head, department=finance).role == Membership.Role.MEMBER
    assert flagged(finance) == ["admin"]


def test_removing_an_agent_flags_nothing(signed_in, agent, finance):
    membership = Membership.objects.get(user=agent, department=finance)
    page = reverse("admin:departments_membership_delete", args=[membership.pk])

    assert signed_in.post(page, {"post": "yes"}).status_code == 302

    assert flagged(finance) == []


def test_handing_the_head_role_to_someone_else_in_one_save_flags_nothing(
    signed_in, head_membership, finance, agent
):
    agents_membership = Membership.objects.get(user=agent, department=finance)
    page = reverse("admin:departments_department_change", args=[finance.pk])
    data = form_data(signed_in.get(page))
    for index in range(int(data["memberships-TOTAL_FORMS"])):
        member = data[f"memberships-{index}-id"]
        if member == str(head_membership.pk):
            data[f"memberships-{index}-role"] = Membership.Role.MEMBER
        elif member == str(agents_membership.pk):
            data[f"memberships-{index}-role"] = Membership.Role.HEAD

    assert signed_in.post(page, data).status_code == 302

    agents_membership.refresh_from_db()
    head_membership.refresh_from_db()
    assert (agents_membership.role, head_membership.role) == ("head", "member")
    assert flagged(finance) == []


def test_two_heads_in_one_save_are_a_form_error(signed_in, head_membership, finance, agent):
    agents_membership = Membership.objects.get(user=agent, department=finance)
    page = reverse("admin:departments_department_change", args=[finance.pk])
    data = form_data(signed_in.get(page))
    for index in range(int(data["memberships-TOTAL_FORMS"])):
        if data[f"memberships-{index}-id"] == str(agents_membership.pk):
            data[f"memberships-{index}-role"] = Membership.Role.HEAD

    response = signed_in.post(page, data)

    assert response.status_code == 200
    assert "This department already has a head." in response.text
    agents_membership.refresh_from_db()
    assert agents_membership.role == Membership.Role.AGENT


def test_adding_a_member_flags_nothing(signed_in, finance):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, department=finance, role=Membership.Role.MEMBER)

    assert flagged(finance) == []
