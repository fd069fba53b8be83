"""Complaints of the cast: `staff` (Sales) complains about Finance, whose head is `head`; the
Executive Office above both is headed by `ceo`."""

import pytest

from config.celery import app as celery_app
from departments.models import Membership
from feedback import services
from feedback.models import Kind
from tests.factories import MembershipFactory, UserFactory


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
