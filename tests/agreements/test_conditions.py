"""Conditions of approval steps: one question, an operator and a value, checked against the form
schema and evaluated on a request's answers (agreements.conditions)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agreements.conditions import Condition, describe, evaluate, validate_condition

FORM = [
    {"name": "amount", "label": "Amount", "type": "number", "required": False},
    {"name": "needed_by", "label": "Needed by", "type": "date", "required": False},
    {"name": "department", "label": "Department", "type": "choice",
     "choices": ["R&D", "Sales", "Design"], "required": True},
    {"name": "item", "label": "Item", "type": "text"},
    {"name": "why", "label": "Why", "type": "long_text"},
    {"name": "quote", "label": "Quote", "type": "file"},
]  # fmt: skip


def applies(field, operator, value, answers) -> bool:
    return evaluate(FORM, answers, Condition(field, operator, value)).applies


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("eq", "10000", "10000.00", True),
        ("eq", "10000", "9999", False),
        ("ne", "10000", "9999", True),
        ("ne", "10000", "10000", False),
        ("gt", "10000", "10000.01", True),
        ("gt", "10000", "10000", False),
        ("ge", "10000", "10000", True),
        ("ge", "10000", "9999.99", False),
        ("lt", "10000", "9999.99", True),
        ("lt", "10000", "10000", False),
        ("le", "10000", "10000", True),
        ("le", "10000", "10001", False),
        ("in", "5, 10, 20", "10", True),
        ("in", "5, 10, 20", "11", False),
    ],
)
def test_each_operator_compares_numbers_as_numbers(operator, value, answer, expected):
    assert applies("amount", operator, value, {"amount": answer}) is expected


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("lt", "2026-12-01", "2026-11-30", True),
        ("lt", "2026-12-01", "2026-12-01", False),
        ("ge", "2026-12-01", "2026-12-01", True),
        ("eq", "2026-12-01", "2026-12-01", True),
        ("in", "2026-12-01, 2026-12-24", "2026-12-24", True),
    ],
)
def test_dates_compare_as_dates(operator, value, answer, expected):
    assert applies("needed_by", operator, value, {"needed_by": answer}) is expected


def test_a_choice_equals_one_of_its_choices():
    assert applies("department", "eq", "R&D", {"department": "R&D"})
    assert not applies("department", "eq", "R&D", {"department": "Sales"})
    assert applies("department", "in", "R&D, Design", {"department": "Design"})
    assert applies("department", "ne", "R&D", {"department": "Sales"})


def test_text_compares_without_regard_to_case_and_contains_finds_a_part():
    assert applies("item", "eq", "Laptop", {"item": "laptop "})
    assert applies("item", "contains", "server", {"item": "Two Servers for the lab"})
    assert not applies("why", "contains", "urgent", {"why": "No rush"})


def test_an_unanswered_question_never_skips_a_step():
    verdict = evaluate(FORM, {}, Condition("amount", "gt", "10000"))

    assert verdict.applies
    assert verdict.reason == "Amount not answered"


def test_an_answer_that_no_longer_reads_as_its_type_asks_rather_than_skips():
    assert applies("amount", "lt", "10", {"amount": "ten thousand"})


def test_a_question_removed_from_the_form_asks_rather_than_skips():
    assert applies("budget_code", "eq", "X", {"budget_code": "Y"})


def test_no_condition_always_applies():
    assert evaluate(FORM, {}, Condition("", "", "")).applies


def test_a_skipped_step_says_why_with_the_opposite_of_its_condition():
    verdict = evaluate(FORM, {"amount": "8000"}, Condition("amount", "gt", "10000"))

    assert not verdict.applies
    assert verdict.reason == "Amount ≤ 10,000"


def test_the_reason_reads_in_chinese_too():
    with translation.override("zh-hans"):
        verdict = evaluate(FORM, {"item": "Desk"}, Condition("item", "contains", "server"))
        unanswered = evaluate(FORM, {}, Condition("amount", "gt", "1"))

    assert verdict.reason == "Item 不包含 server"
    assert unanswered.reason == "Amount 未填写"


def test_a_condition_describes_itself_with_grouped_numbers():
    field = FORM[0]

    assert describe(field, Condition("amount", "ge", "1234567.5")) == "Amount ≥ 1,234,567.5"
    assert describe(FORM[2], Condition("department", "in", "R&D,Design")) == (
        "Department is one of R&D, Design"
    )


def test_an_empty_condition_is_valid():
    validate_condition(FORM, Condition("", "", ""))


@pytest.mark.parametrize(
    ("condition", "key", "message"),
    [
        (Condition("", "gt", "1"), "condition_field", "Choose the question"),
        (Condition("budget", "gt", "1"), "condition_field", "no question “budget”"),
        (Condition("quote", "eq", "a.pdf"), "condition_field", "cannot be about a file"),
        (Condition("amount", "contains", "1"), "condition_operator", "use one of"),
        (Condition("department", "gt", "R&D"), "condition_operator", "use one of"),
        (Condition("amount", "zz", "1"), "condition_operator", "use one of"),
        (Condition("amount", "gt", ""), "condition_value", "Give the value"),
        (Condition("amount", "gt", "ten"), "condition_value", "is not a number"),
        (Condition("amount", "gt", "NaN"), "condition_value", "is not a number"),
        (Condition("needed_by", "lt", "tomorrow"), "condition_value", "is not a date"),
        (Condition("department", "eq", "Legal"), "condition_value", "not a choice"),
        (Condition("department", "in", "R&D,,Sales"), "condition_value", "separated by commas"),
    ],
)
def test_a_condition_that_does_not_fit_the_form_is_refused(condition, key, message):
    with pytest.raises(ValidationError) as error:
        validate_condition(FORM, condition)

    assert message in error.value.message_dict[key][0]
