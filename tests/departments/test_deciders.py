"""Who decides between two departments: the nearest department above both, and its acting head,
never someone who is a party to the matter or has already decided it."""

from departments.heads import deciding_head, nearest_common_superior
from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


def make_head(department, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, department=department, role=Membership.Role.HEAD)
    return user


def test_the_nearest_common_superior_of_two_siblings_is_their_parent(company, sales, finance):
    assert nearest_common_superior(sales, finance) == company


def test_the_nearest_common_superior_is_the_lowest_department_above_both(company, finance):
    payroll = DepartmentFactory(code="PAY", name="Payroll", parent=finance)
    treasury = DepartmentFactory(code="TRE", name="Treasury", parent=finance)
    pensions = DepartmentFactory(code="PEN", name="Pensions", parent=payroll)

    assert nearest_common_superior(pensions, treasury) == finance
    assert nearest_common_superior(treasury, pensions) == finance


def test_a_department_inside_the_other_has_the_outer_one_as_common_superior(company, finance):
    payroll = DepartmentFactory(code="PAY", name="Payroll", parent=finance)

    assert nearest_common_superior(payroll, finance) == finance
    assert nearest_common_superior(finance, payroll) == finance
    assert nearest_common_superior(finance, finance) == finance


def test_two_departments_under_different_tops_have_no_common_superior(finance):
    elsewhere = DepartmentFactory(code="SUB", name="Subsidiary")

    assert nearest_common_superior(finance, elsewhere) is None


def test_the_decider_is_the_departments_own_head(company, finance):
    make_head(company, "ceo")
    cfo = make_head(finance, "cfo")

    assert deciding_head(finance) == cfo


def test_a_department_without_a_head_is_decided_for_by_the_head_above(company, finance):
    ceo = make_head(company, "ceo")

    assert deciding_head(finance) == ceo


def test_a_head_who_is_a_party_does_not_decide_and_the_head_above_does(company, finance):
    ceo = make_head(company, "ceo")
    cfo = make_head(finance, "cfo")

    assert deciding_head(finance, excluding=[cfo.pk]) == ceo


def test_a_head_who_left_does_not_decide(company, finance):
    ceo = make_head(company, "ceo")
    cfo = make_head(finance, "cfo")
    cfo.is_active = False
    cfo.save()

    assert deciding_head(finance) == ceo


def test_nobody_decides_when_every_head_up_to_the_top_is_excluded(company, finance):
    ceo = make_head(company, "ceo")
    cfo = make_head(finance, "cfo")

    assert deciding_head(finance, excluding=[cfo.pk, ceo.pk]) is None
