"""Editing a service's approval chain, in the admin and the API: conditions are checked against
the service's form, parallel groups hold together, and the form cannot drop a question that a
condition reads."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import ApprovalStep, GroupRule


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def chain_url(service) -> str:
    return f"/api/services/{service.pk}/"


HEAD_OF_FINANCE = {"approver": "department_head", "department": "FIN"}


def test_the_provider_head_sets_a_conditional_chain_with_a_parallel_group(
    head, cfo, payroll_extract
):
    body = {
        "approval_steps": [
            {"position": 1, **HEAD_OF_FINANCE, "description": "large extracts",
             "condition": {"field": "headcount", "operator": "ge", "value": "500"}},
            {"position": 2, "approver": "person", "person": "cfo", "group_rule": "any"},
            {"position": 3, "approver": "requester_head", "with_previous": True,
             "group_rule": "any",
             "condition": {"field": "format", "operator": "in", "value": "CSV, XLSX"}},
        ]
    }  # fmt: skip

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 200, response.json()
    first, second, third = payroll_extract.approval_steps.all()
    assert first.condition_text == "Number of employees ≥ 500"
    assert (second.person, second.group_rule) == (cfo, GroupRule.ANY)
    assert third.with_previous
    assert response.json()["approval_steps"][0]["condition"] == {
        "field": "headcount",
        "operator": "ge",
        "value": "500",
    }
    assert response.json()["approval_steps"][1]["condition"] is None


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"condition": {"field": "budget", "operator": "eq", "value": "1"}},
         "Step 1: The service's form has no question “budget”."),
        ({"condition": {"field": "format", "operator": "gt", "value": "CSV"}},
         "Step 1: For “File format”, use one of: =, ≠, is one of."),
        ({"condition": {"field": "headcount", "operator": "gt", "value": "many"}},
         "Step 1: “many” is not a number."),
        ({"condition": {"field": "format", "operator": "eq", "value": "PDF"}},
         "Step 1: “PDF” is not a choice of “File format” (CSV, XLSX)."),
        ({"condition": {"field": "sample", "operator": "eq", "value": "a.pdf"}},
         "Step 1: A condition cannot be about a file (“sample”)."),
        ({"with_previous": True}, "Step 1: the first step has no step before it to go with."),
    ],
)  # fmt: skip
def test_a_chain_that_does_not_fit_the_form_answers_400_on_approval_steps(
    head, payroll_extract, step, message
):
    body = {"approval_steps": [{"position": 1, **HEAD_OF_FINANCE, **step}]}

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 400
    assert response.json()["approval_steps"] == [message]
    assert not payroll_extract.approval_steps.exists()


def test_a_group_whose_steps_disagree_on_its_rule_answers_400(head, payroll_extract):
    body = {
        "approval_steps": [
            {"position": 1, **HEAD_OF_FINANCE, "group_rule": "any"},
            {"position": 2, "approver": "requester_head", "with_previous": True},
        ]
    }

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 400
    assert "need the same rule as step 1" in response.json()["approval_steps"][0]


def test_a_malformed_condition_answers_400_on_the_step(head, payroll_extract):
    body = {"approval_steps": [{"position": 1, **HEAD_OF_FINANCE, "condition": "amount > 5"}]}

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 400
    assert response.json()["approval_steps"] == {
        "0": {
            "condition": ["Give the condition as an object of field, operator and value, or null."]
        }
    }


def test_a_person_step_without_a_person_answers_400(head, payroll_extract):
    body = {"approval_steps": [{"position": 1, "approver": "person"}]}

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 400
    assert "Name a person for a person step" in response.json()["approval_steps"][0]


def test_the_form_cannot_drop_a_question_that_a_condition_reads(head, payroll_extract):
    ApprovalStep.objects.create(
        service=payroll_extract,
        position=1,
        approver=ApprovalStep.Approver.REQUESTER_HEAD,
        condition_field="headcount",
        condition_operator="gt",
        condition_value="100",
    )
    without_headcount = [f for f in payroll_extract.form_fields if f["name"] != "headcount"]

    response = api(head).patch(
        chain_url(payroll_extract), {"form_fields": without_headcount}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["form_fields"] == [
        "Step 1: The service's form has no question “headcount”."
    ]


def test_an_agent_of_the_provider_cannot_edit_the_chain(agent, payroll_extract):
    body = {"approval_steps": [{"position": 1, "approver": "requester_head"}]}

    response = api(agent).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 403
    assert not payroll_extract.approval_steps.exists()


def test_the_api_explains_a_bad_condition_in_chinese(head, payroll_extract):
    body = {
        "approval_steps": [
            {"position": 1, **HEAD_OF_FINANCE,
             "condition": {"field": "headcount", "operator": "gt", "value": "many"}}
        ]
    }  # fmt: skip

    response = api(head).patch(
        chain_url(payroll_extract), body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.json()["approval_steps"] == ["第 1 步：“many”不是数字。"]


# The admin


def admin_form(service, steps: list[dict], **overrides) -> dict:
    data = {
        "provider": service.provider_id,
        "name": service.name,
        "description": service.description,
        "form_fields": json.dumps(service.form_fields),
        "default_priority": service.default_priority,
        "is_active": "on",
        "auto_assign": "",
        "approval_steps-TOTAL_FORMS": str(len(steps)),
        "approval_steps-INITIAL_FORMS": "0",
        "approval_steps-MIN_NUM_FORMS": "0",
        "approval_steps-MAX_NUM_FORMS": "1000",
    }
    for number, step in enumerate(steps):
        base = {"approver": "requester_head", "group_rule": "all", "position": number + 1}
        for key, value in {**base, **step}.items():
            data[f"approval_steps-{number}-{key}"] = value
    data.update(overrides)
    return data


def test_an_administrator_adds_a_conditional_step(client, admin_user, payroll_extract):
    client.force_login(admin_user)
    step = {"condition_field": "format", "condition_operator": "eq", "condition_value": "XLSX"}

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [step]),
    )

    assert response.status_code == 302
    assert payroll_extract.approval_steps.get().condition_text == "File format = XLSX"


def test_the_admin_refuses_a_condition_on_a_question_the_form_lacks(
    client, admin_user, payroll_extract
):
    client.force_login(admin_user)
    step = {"condition_field": "budget", "condition_operator": "gt", "condition_value": "5"}

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [step]),
    )

    assert response.status_code == 200
    assert "The service&#x27;s form has no question “budget”." in response.content.decode()
    assert not payroll_extract.approval_steps.exists()


def test_the_admin_checks_conditions_against_the_form_being_saved(
    client, admin_user, payroll_extract
):
    client.force_login(admin_user)
    step = {"condition_field": "headcount", "condition_operator": "gt", "condition_value": "5"}
    without_headcount = [f for f in payroll_extract.form_fields if f["name"] != "headcount"]

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [step], form_fields=json.dumps(without_headcount)),
    )

    assert response.status_code == 200
    assert "no question “headcount”" in response.content.decode()


def test_the_admin_refuses_a_group_without_a_first_step(client, admin_user, payroll_extract):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [{"with_previous": "on"}]),
    )

    assert response.status_code == 200
    assert "the first step has no step before it" in response.content.decode()


# Conditions on the requesting department


def test_the_provider_head_sets_a_step_for_some_requesting_departments(
    head, sales, human_resources, payroll_extract
):
    condition = {"field": "@department", "operator": "in", "value": "SALES, Human Resources"}
    body = {"approval_steps": [{"position": 1, **HEAD_OF_FINANCE, "condition": condition}]}

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["approval_steps"][0]["condition"] == condition
    step = payroll_extract.approval_steps.get()
    assert step.condition_text == "Requesting department is one of SALES, Human Resources"


def test_a_step_for_a_department_that_does_not_exist_answers_400(head, payroll_extract):
    condition = {"field": "@department", "operator": "eq", "value": "R&D"}
    body = {"approval_steps": [{"position": 1, **HEAD_OF_FINANCE, "condition": condition}]}

    response = api(head).patch(chain_url(payroll_extract), body, format="json")

    assert response.status_code == 400
    assert response.json()["approval_steps"] == [
        "Step 1: No department “R&D”: give a department's code or name."
    ]
    assert not payroll_extract.approval_steps.exists()


def test_an_administrator_adds_a_step_for_the_sales_department(
    client, admin_user, sales, payroll_extract
):
    client.force_login(admin_user)
    step = {"condition_field": "@department", "condition_operator": "eq"}
    step["condition_value"] = "Sales"

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [step]),
    )

    assert response.status_code == 302
    assert payroll_extract.approval_steps.get().condition_text == "Requesting department = Sales"


def test_the_admin_refuses_a_step_for_a_department_that_does_not_exist(
    client, admin_user, payroll_extract
):
    client.force_login(admin_user)
    step = {"condition_field": "@department", "condition_operator": "eq"}
    step["condition_value"] = "R&D"

    response = client.post(
        reverse("admin:agreements_service_change", args=[payroll_extract.pk]),
        admin_form(payroll_extract, [step]),
    )

    assert response.status_code == 200
    assert "No department “R&amp;D”" in response.content.decode()
    assert not payroll_extract.approval_steps.exists()
