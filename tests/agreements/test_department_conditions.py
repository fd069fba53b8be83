"""Conditions on the requesting department: a step may apply only to requests filed for some
departments (agreements.conditions, field "@department"), by code or name."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agreements.conditions import (
    REQUESTING_DEPARTMENT,
    Condition,
    describe,
    evaluate,
    validate_condition,
)

FORM = [{"name": "amount", "label": "Amount", "type": "number"}]


def on_department(operator: str, value: str) -> Condition:
    return Condition(REQUESTING_DEPARTMENT, operator, value)


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", "SALES", True),
        ("eq", "sales", True),
        ("eq", "Finance", False),
        ("ne", "Finance", True),
        ("ne", "Sales", False),
        ("in", "FIN, Sales", True),
        ("in", "FIN, HR", False),
    ],
)
def test_a_department_condition_tests_the_requesting_department(
    sales, finance, human_resources, operator, value, expected
):
    verdict = evaluate(FORM, {}, on_department(operator, value), sales)

    assert verdict.applies is expected


def test_a_department_not_chosen_yet_never_skips_the_step(sales):
    assert evaluate(FORM, {}, on_department("eq", "FIN"), None).applies


def test_a_skipped_department_step_says_why(sales, finance):
    verdict = evaluate(FORM, {}, on_department("in", "FIN,EXEC"), sales)

    assert not verdict.applies
    assert verdict.reason == "Requesting department is none of FIN, EXEC"


def test_a_department_condition_reads_in_chinese(sales):
    with translation.override("zh-hans"):
        text = describe(None, on_department("eq", "SALES"))

    assert text == "申请部门 = SALES"


def test_a_department_condition_is_valid_with_codes_or_names(sales, finance):
    validate_condition(FORM, on_department("in", "SALES, Finance"))


@pytest.mark.parametrize(
    ("condition", "key", "message"),
    [
        (on_department("in", "SALES, Legal"), "condition_value",
         "No department “Legal”: give a department's code or name."),
        (on_department("gt", "SALES"), "condition_operator",
         "For “Requesting department”, use one of: =, ≠, is one of."),
        (on_department("eq", ""), "condition_value", "Give the value to compare with."),
    ],
)  # fmt: skip
def test_a_department_condition_that_names_no_department_is_refused(sales, condition, key, message):
    with pytest.raises(ValidationError) as raised:
        validate_condition(FORM, condition)

    assert raised.value.message_dict == {key: [message]}


def test_a_department_condition_is_refused_in_chinese(sales):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        validate_condition(FORM, on_department("eq", "Legal"))

    message = "没有部门“Legal”：请填写部门的代码或名称。"
    assert raised.value.message_dict == {"condition_value": [message]}
