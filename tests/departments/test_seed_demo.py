from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from departments.models import Department, Membership
from tickets.models import Breach, Target

pytestmark = pytest.mark.slow  # the whole demo, seconds each


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def snapshot():
    User = get_user_model()
    return (
        sorted(Department.objects.values_list("code", "name", "parent__code", "email")),
        sorted(User.objects.values_list("username", "password", "is_superuser", "email")),
        sorted(Membership.objects.values_list("user__username", "department__code", "role")),
    )


def test_seed_demo_run_twice_leaves_the_same_data(db):
    seed_demo()
    first = snapshot()

    seed_demo()

    assert snapshot() == first


def test_seed_demo_creates_the_logins_of_the_readme(rf, db):
    seed_demo()
    request = rf.post("/accounts/login/")

    for username in ("staff", "agent", "head", "hr", "admin"):
        assert authenticate(request, username=username, password="demo"), username


def test_seed_demo_gives_the_logins_their_roles(db):
    seed_demo()
    User = get_user_model()

    assert Membership.objects.get(user__username="staff").department.code == "SALES"
    assert Membership.objects.get(user__username="agent").role == Membership.Role.AGENT
    assert Department.objects.get(code="FIN").head.username == "head"
    assert User.objects.get(username="hr").has_perm("departments.view_company_reports")
    assert User.objects.get(username="admin").is_superuser
    assert Department.objects.count() >= 8


def test_seed_demo_shows_a_dispute_accepted_and_one_decided_by_the_common_superior(db):
    from disputes.models import Dispute, DisputeStep

    seed_demo()

    trails = [
        list(dispute.steps.values_list("action", flat=True))
        for dispute in Dispute.objects.order_by("pk")
    ]
    Action = DisputeStep.Action
    assert trails == [
        [Action.OPENED, Action.ACCEPTED],
        [Action.OPENED, Action.REJECTED, Action.WAIVED],
    ]


def test_seed_demo_includes_an_action_plan_of_finance(db):
    from feedback.models.action_plans import ActionPlan

    seed_demo()
    seed_demo()

    plan = ActionPlan.objects.get()
    assert plan.department.code == "FIN"
    assert plan.actions.count() == 2


def test_seed_demo_records_its_late_targets_as_a_target_met_late_is_recorded(db):
    seed_demo()

    late = Breach.objects.filter(target__in=[Target.FIRST_RESPONSE, Target.RESOLUTION])
    assert late.exists()
    for breach in late.select_related("ticket"):
        ticket = breach.ticket
        met_at = "first_responded_at" if breach.target == Target.FIRST_RESPONSE else "resolved_at"
        met = getattr(ticket, met_at)
        assert (breach.step, breach.agreement_id) == (0, ticket.agreement_id)
        assert breach.agreement_id is not None and breach.escalation_ended
        assert breach.detected_at == breach.notified_at == met > breach.due_at
        assert getattr(ticket, f"{breach.target}_breached_at") == met
