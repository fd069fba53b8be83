"""A person's home, "My work": what they start their day on, composed from the reads each app
offers (tickets.my_work, agreements.selectors, surveys.selectors), each permission-scoped, in a
number of queries that does not grow with the number of requests."""

from __future__ import annotations

from datetime import datetime, time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agreements.selectors import awaiting_signature
from surveys.links import answer_path
from surveys.selectors import open_invitations
from tickets import my_work
from tickets.models import Breach, Status, TargetWarning
from tickets.selectors import set_urgency

ROWS = 10


def home(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    context = {
        "open_requests": my_work.open_requests(user, ROWS),
        "questions": my_work.requests_waiting_on_requester(user, Status.WAITING, ROWS),
        "to_confirm": my_work.requests_waiting_on_requester(user, Status.RESOLVED, ROWS),
        "approvals": my_work.approvals_to_decide(user, today, ROWS),
        "to_sign": my_work.first_rows(awaiting_signature(user).order_by("pk"), ROWS),
        "surveys": my_work.first_rows(open_invitations(user, now), ROWS),
        "queues": my_work.queue_figures(user, now),
        "headed": list(my_work.headed_departments(user)),
    }
    if context["queues"]:
        departments = [figures.department for figures in context["queues"]]
        context["about_to_breach"] = my_work.about_to_breach(departments, now, ROWS)
    if context["headed"]:
        headed = context["headed"]
        context["breaches"] = my_work.alerts_since(Breach, headed, start_of_today, ROWS)
        context["warnings"] = my_work.alerts_since(TargetWarning, headed, start_of_today, ROWS)
    for invitation in context["surveys"].rows:
        invitation.answer_path = answer_path(invitation)
    listed = [
        ticket
        for name in ("open_requests", "questions", "to_confirm", "about_to_breach")
        if name in context
        for ticket in context[name].rows
    ]
    set_urgency(listed, now)
    context["live_tickets"] = listed
    context["waits_on_me"] = any(
        context[name] for name in ("questions", "to_confirm", "approvals", "to_sign", "surveys")
    )
    return render(request, "dashboards/my_work.html", context)
