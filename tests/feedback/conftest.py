"""Complaints of the cast: `staff` (Sales) complains about Finance, whose head is `head`; the
Executive Office above both is headed by `ceo`. Action plans are made on a closed wave rating
Finance and HR."""

from datetime import date, timedelta

import pytest

from config.celery import app as celery_app
from departments.models import Membership
from feedback import services
from feedback.models.action_plans import Action, ActionPlan
from feedback.models.complaints import Kind
from surveys.models import Invitation, Wave
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import LAUNCH
from tests.support.surveys import respond


@pytest.fixture(autouse=True)
def tasks_run_inline():
    """The outbox's sending task runs in the test (after the commits it captures)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def ceo(company):
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def file_complaint(staff, finance, head):
    def file(*, anonymous=False, by=None, **options):
        options.setdefault("department", finance)
        return services.feedback_file(
            by=by or staff,
            kind=options.pop("kind", Kind.COMPLAINT),
            subject=options.pop("subject", "Payroll extract late again"),
            text=options.pop("text", "Third month in a row."),
            anonymous=anonymous,
            **options,
        )

    return file


@pytest.fixture
def closed_wave(campaign, finance, sales, human_resources, people):
    """Finance is rated by 6 of Sales, HR by 9; the wave closed 14 days after LAUNCH."""
    wave = Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip
    for index, person in enumerate(people(sales, 10)):
        Invitation.objects.create(
            wave=wave, recipient=person, rated_department=finance, answered=index < 6
        )
    respond(wave, finance, [4, 4, 5, 3, 4, 4], respondent_department=sales)
    respond(wave, human_resources, [3] * 9, respondent_department=sales)
    return wave


@pytest.fixture
def finance_plan(closed_wave, finance, agent):
    """Finance's plan with one action owned by `agent`, due 2027-01-15."""
    plan = ActionPlan.objects.create(
        wave=closed_wave, department=finance, created_at=LAUNCH + timedelta(days=15)
    )
    Action.objects.create(
        plan=plan,
        question=closed_wave.campaign.questions.first(),
        what="Answer every payroll question within a day",
        owner=agent,
        due_on=date(2027, 1, 15),
        created_at=plan.created_at,
        updated_at=plan.created_at,
    )
    return plan
