import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from departments.models import Department, Membership
from tests.factories import MembershipFactory, UserFactory


def test_a_person_can_belong_to_several_departments_with_different_roles(sales, finance):
    person = UserFactory()
    MembershipFactory(user=person, department=sales, role=Membership.Role.MEMBER)
    MembershipFactory(user=person, department=finance, role=Membership.Role.AGENT)

    assert set(person.departments.all()) == {sales, finance}
    assert person.memberships.get(department=finance).role == Membership.Role.AGENT


def test_a_person_has_one_membership_per_department(finance, agent):
    with pytest.raises(IntegrityError):
        MembershipFactory(user=agent, department=finance, role=Membership.Role.HEAD)


def test_the_database_allows_one_head_per_department(finance, head):
    with pytest.raises(IntegrityError):
        MembershipFactory(department=finance, role=Membership.Role.HEAD)


def test_a_second_head_is_a_validation_error_with_a_clear_message(finance, head):
    second = Membership(user=UserFactory(), department=finance, role=Membership.Role.HEAD)

    with pytest.raises(ValidationError) as raised:
        second.full_clean()

    assert "This department already has a head." in raised.value.messages


def test_the_head_of_a_department_comes_from_its_memberships(finance, head, agent):
    assert finance.head == head


def test_a_department_without_a_head_says_so(sales, staff):
    assert sales.head is None


def test_with_head_prefetches_the_head_for_a_list_of_departments(
    finance, sales, head, django_assert_num_queries
):
    with django_assert_num_queries(2):
        heads = {department.code: department.head for department in Department.objects.with_head()}

    assert heads["FIN"] == head
    assert heads["SALES"] is None


def test_agents_of_a_department_include_its_head_but_not_plain_members(finance, head, agent):
    member = MembershipFactory(department=finance, role=Membership.Role.MEMBER).user

    agents = {m.user for m in finance.memberships.agents()}

    assert agents == {head, agent}
    assert member not in agents
