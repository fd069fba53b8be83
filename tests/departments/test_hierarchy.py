import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import DepartmentFactory


def test_a_department_cannot_be_its_own_parent(finance):
    finance.parent = finance

    with pytest.raises(ValidationError) as raised:
        finance.full_clean()

    assert raised.value.message_dict["parent"] == ["A department cannot be its own parent."]


def test_a_department_cannot_be_placed_under_its_own_descendant(company, finance):
    payroll = DepartmentFactory(code="PAY", name="Payroll", parent=finance)
    company.parent = payroll

    with pytest.raises(ValidationError) as raised:
        company.full_clean()

    assert "would make a cycle" in raised.value.message_dict["parent"][0]


def test_ancestors_run_from_the_nearest_parent_to_the_top(company, finance):
    payroll = DepartmentFactory(code="PAY", name="Payroll", parent=finance)

    assert payroll.ancestors() == [finance, company]


def test_the_admin_shows_a_cycle_as_a_form_error_not_a_server_error(
    client, admin_user, company, finance
):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:departments_department_change", args=[company.pk]),
        {
            "name": company.name,
            "code": company.code,
            "parent": finance.pk,
            "email": "",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "would make a cycle" in response.content.decode()
    company.refresh_from_db()
    assert company.parent is None


def test_codes_are_stored_in_capitals(db):
    department = DepartmentFactory.build(code="ops", name="Operations")

    department.full_clean()

    assert department.code == "OPS"
