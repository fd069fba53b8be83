"""Demo complaints: `staff` of Sales complained, anonymously, about a late payroll extract of
Finance; the head of Finance answered and `staff` accepted; a suggestion to IT still waits. After
the demo survey's first wave, Finance's head planned two actions against its weakest questions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from departments.models import Department
from feedback import services
from feedback.models.action_plans import ActionPlan, ActionStatus
from feedback.models.complaints import Feedback, Kind, Outcome
from feedback.plans import action_save, ranked_questions
from surveys.models import Wave


def seed(log) -> None:
    _complaints(log)
    _action_plan(log)


def _complaints(log) -> None:
    if Feedback.objects.exists():
        log("feedback: already seeded")
        return
    people = {
        u.username: u for u in get_user_model().objects.filter(username__in=["staff", "head"])
    }
    departments = {d.code: d for d in Department.objects.filter(code__in=["FIN", "IT"])}
    if len(people) < 2 or "FIN" not in departments:
        log("feedback: no demo organisation, none created")
        return
    now = timezone.now()
    with transaction.atomic():
        complaint = services.feedback_file(
            by=people["staff"],
            kind=Kind.COMPLAINT,
            department=departments["FIN"],
            subject="Payroll extracts arrive late",
            text="The monthly extract came after the 5th three months in a row.",
            anonymous=True,
            now=now - timedelta(days=6),
        )
        services.feedback_respond(
            feedback_id=complaint.pk,
            by=people["head"],
            outcome=Outcome.ACCEPTED,
            response="Sorry. The extract now runs on the first working day of the month.",
            now=now - timedelta(days=5),
        )
        services.feedback_accept(
            feedback_id=complaint.pk, by=people["staff"], now=now - timedelta(days=4)
        )
        if "IT" in departments:
            services.feedback_file(
                by=people["staff"],
                kind=Kind.SUGGESTION,
                department=departments["IT"],
                subject="Publish laptop delivery times",
                text="A page with the usual delivery time per model would save many questions.",
                now=now - timedelta(hours=3),
            )
    log("feedback: an answered anonymous complaint and an open suggestion")


def _action_plan(log) -> None:
    if ActionPlan.objects.exists():
        log("action plans: already seeded")
        return
    people = {
        u.username: u for u in get_user_model().objects.filter(username__in=["head", "agent"])
    }
    finance = Department.objects.filter(code="FIN").first()
    wave = Wave.objects.filter(number=1, closes_at__lte=timezone.now()).order_by("pk").first()
    questions = ranked_questions(wave, finance) if wave and finance else []
    if len(people) < 2 or len(questions) < 2:
        log("action plans: no closed demo wave about Finance, none created")
        return
    today = timezone.localdate()
    with transaction.atomic():
        for row, what, owner, due_on, status in [
            (questions[0], "Publish the payroll calendar on the intranet", people["agent"],
             today + timedelta(days=10), ActionStatus.IN_PROGRESS),
            (questions[1], "Answer every payroll question within one working day",
             people["head"], today - timedelta(days=20), ActionStatus.DONE),
        ]:  # fmt: skip
            action_save(
                by=people["head"],
                wave=wave,
                department=finance,
                question=row.question,
                what=what,
                owner=owner,
                due_on=due_on,
                status=status,
            )
    log("action plans: Finance's plan after the first survey wave")
