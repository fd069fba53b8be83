"""The request page and its actions (comment, assign, change priority, decide an approval,
move the request along its workflow), and its attachments.

Every view reads the request through `Ticket.objects.visible_to`, so a request someone may not
see is a 404; operations go through tickets.services, whose errors become 409 (the request
changed meanwhile), 400 (not allowed now, or invalid) or 403 (not yours)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from agreements.models import Priority
from departments.models import Membership, acting_for
from tickets import canned_replies, conversation, hand_offs, kudos, selectors, services
from tickets.conversation_forms import CommentWithFilesForm
from tickets.forms import (
    AssignForm,
    DecisionForm,
    KudosForm,
    PriorityForm,
    TransitionForm,
)
from tickets.models import KUDOS_MAX_LENGTH, OPEN_STATUSES, Attachment, Target, Ticket
from tickets.services import StaleTicket, TicketError
from tickets.views import INCOMPLETE
from tickets.workflow import Action, HandOffAction, Role, allowed_actions, may_hand_off

# What an action asks besides its button (a comment, and its label); the others ask nothing.
ACTION_COMMENTS = {
    Action.ASK: gettext_lazy("Your question for the requester"),
    Action.ANSWER: gettext_lazy("Your answer"),
    Action.RESOLVE: gettext_lazy("What was done (optional)"),
    Action.REOPEN: gettext_lazy("Why it needs more work (optional)"),
    Action.CANCEL: gettext_lazy("Why you cancel it (optional)"),
    Action.CONFIRM: gettext_lazy("Comment on the service (optional)"),
}


# The request page and its actions -----------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Ticket:
    tickets = selectors.with_next_due(Ticket.objects.visible_to(request.user))
    return get_object_or_404(
        tickets.select_related(
            "service", "provider", "customer", "requester", "assignee", "agreement__calendar"
        ).prefetch_related("agreement__targets"),
        pk=pk,
    )


def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


def _render_detail(
    request: HttpRequest, ticket: Ticket, *, problem: str = "", stale: str = "", status=200
) -> HttpResponse:
    roles = services.roles_of(request.user, ticket)
    is_agent = Role.AGENT in roles
    now = timezone.now()
    # The agreement's business clock, read once for the targets and the request's urgency.
    clocks = {}
    if ticket.agreement is not None:
        clocks[ticket.agreement.calendar_id] = ticket.agreement.calendar.as_clock()
    selectors.set_urgency([ticket], now, clocks)
    events = ticket.events.select_related("actor").prefetch_related("files__attachment")
    if not is_agent:
        events = events.filter(is_internal=False)
    events = conversation.timeline(events)
    approvals = list(ticket.approvals.select_related("approver", "decided_by"))
    stages = Counter(a.stage for a in approvals)
    for approval in approvals:
        approval.group_size = stages[approval.stage]
    attachments = list(conversation.attachments_seen(ticket, roles))
    children = hand_offs.children_seen(ticket, request.user)
    actions = [
        {
            "action": action,
            "label": action.label,
            "comment": ACTION_COMMENTS.get(action, ""),
            "note": _cancelled_with_it(children) if action == Action.CANCEL else "",
        }
        for action in allowed_actions(ticket.status, roles)
        if action not in (Action.APPROVE, Action.REJECT)
    ]
    context = {
        "ticket": ticket,
        "is_agent": is_agent,
        "is_requester": Role.REQUESTER in roles,
        "actions": actions,
        "answers": _answers(ticket, attachments),
        "targets": selectors.target_clocks(ticket, now, next(iter(clocks.values()), None)),
        "approvals": approvals,
        # The provider's own missed targets: a dispute (disputes app) may be opened from here.
        "breaches": list(
            ticket.breaches.filter(target__in=[Target.FIRST_RESPONSE, Target.RESOLUTION])
        ),
        "current_approval": _yours(request.user, approvals) if Role.APPROVER in roles else None,
        "events": events,
        "attachments": attachments,
        "can_comment": bool(roles & {Role.REQUESTER, Role.AGENT}),
        "may_thank": kudos.may_thank(request.user, ticket),
        "kudos_max_length": KUDOS_MAX_LENGTH,
        "problem": problem,
        "stale": stale,
        "children": children,
        "waiting_on": selectors.waiting_on(ticket),
        "parent": hand_offs.parent_seen(ticket, request.user),
        "can_hand_off": may_hand_off(ticket.status, HandOffAction.OPEN_CHILD, roles),
        "can_detach": may_hand_off(ticket.status, HandOffAction.DETACH, roles),
        **conversation.page_context(request.user, ticket, roles),
    }
    if is_agent:
        agents = Membership.objects.agents().filter(department=ticket.provider_id)
        context["agents"] = [m.user for m in agents.select_related("user")]
        context["priorities"] = Priority.choices
        context["can_change_priority"] = ticket.status in OPEN_STATUSES
        context.update(canned_replies.comment_box(request, ticket))
    return render(request, "tickets/ticket_detail.html", context, status=status)


def _cancelled_with_it(children: list[hand_offs.ChildRow]) -> str:
    """What cancelling the request also cancels, said next to Cancel: its open hand-offs."""
    count = sum(1 for row in children if not row.detached and row.ticket.status in OPEN_STATUSES)
    if not count:
        return ""
    return ngettext(
        "%(count)d open hand-off will be cancelled too.",
        "%(count)d open hand-offs will be cancelled too.",
        count,
    ) % {"count": count}


def _yours(user, approvals: list) -> object:
    """The current step `user` decides (their own, or as a delegate): in a parallel group
    several steps are current at once."""
    acting = set(acting_for(user, timezone.localdate()))
    return next((a for a in approvals if a.is_current and a.approver_id in acting), None)


def _answers(ticket: Ticket, attachments: list[Attachment]) -> list[dict]:
    """The form answers with the labels of the service's questions (questions removed since
    the filing keep their name as label); a file answer links to its attachment."""
    files = {attachment.name: attachment for attachment in attachments}
    questions = {question["name"]: question for question in ticket.service.form_fields}
    rows = []
    for name in [*questions, *(name for name in ticket.answers if name not in questions)]:
        question = questions.get(name, {"label": name, "type": "text"})
        value = ticket.answers.get(name)
        if value in (None, ""):
            continue
        attachment = files.get(value) if question["type"] == "file" else None
        rows.append({"label": question["label"], "value": value, "attachment": attachment})
    return rows


def _run(request: HttpRequest, ticket: Ticket, operation: Callable, success: str) -> HttpResponse:
    """Run a service operation for the request page: back to the page with a message on
    success; the page again with the reason, and the status that says it, on failure."""
    try:
        operation()
    except StaleTicket as error:
        return _render_detail(request, ticket, stale=str(error), status=409)
    except TicketError as error:
        return _render_detail(request, ticket, problem=str(error), status=400)
    except PermissionDenied as error:
        reason = str(error) or _("You may not do that on this request.")
        return _render_detail(request, ticket, problem=reason, status=403)
    except ValidationError as error:
        return _render_detail(request, ticket, problem=" ".join(error.messages), status=400)
    messages.success(request, success)
    return redirect(ticket)


def _incomplete(request: HttpRequest, ticket: Ticket, form=None) -> HttpResponse:
    problem = str(INCOMPLETE)
    if form is not None and form.errors:
        problem = " ".join(message for errors in form.errors.values() for message in errors)
    return _render_detail(request, ticket, problem=problem, status=400)


@require_POST
def ticket_act(request: HttpRequest, pk: int) -> HttpResponse:
    """A step of the life cycle (tickets.workflow); confirming also takes a rating."""
    ticket = _visible(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket)
    data = form.cleaned_data
    action = Action(data["action"])

    def operation():
        if action == Action.CONFIRM:
            with transaction.atomic():
                services.ticket_confirm(
                    ticket_id=ticket.pk,
                    by=request.user,
                    expected_version=data["version"],
                    rating=data["rating"],
                    comment=data["comment"],
                )
                kudos.kudos_on_confirming(
                    ticket_id=ticket.pk, by=request.user, message=data["kudos"]
                )
            return
        return services.ticket_transition(
            ticket_id=ticket.pk,
            by=request.user,
            action=action,
            expected_version=data["version"],
            comment=data["comment"],
        )

    success = _("“%(action)s” done.") % {"action": action.label}
    return _run(request, ticket, operation, success)


@require_POST
def ticket_thank(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester thanks the agent and the department for a confirmed request."""
    ticket = _visible(request, pk)
    form = KudosForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: kudos.kudos_give(
            ticket_id=ticket.pk, by=request.user, message=form.cleaned_data["message"]
        ),
        _("Thank you: your thanks were passed on."),
    )


@require_POST
def ticket_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment or an internal note, with files and @mentions (tickets.conversation)."""
    ticket = _visible(request, pk)
    form = CommentWithFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    internal = form.cleaned_data["internal"]
    written = []

    def operation():
        written.append(
            conversation.comment_post(
                ticket_id=ticket.pk,
                by=request.user,
                text=form.cleaned_data["text"],
                internal=internal,
                files=form.cleaned_data["files"],
            )
        )

    response = _run(
        request,
        ticket,
        operation,
        _("Internal note added.") if internal else _("Comment added."),
    )
    for name in written[0].cannot_see if written else []:
        messages.warning(
            request, _("%(person)s cannot see this request and was not told.") % {"person": name}
        )
    return response


@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = AssignForm(request.POST, provider=ticket.provider)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    assignee = form.cleaned_data["assignee"]
    success = (
        _("Assigned to %(person)s.")
        % {"person": assignee.get_full_name() or assignee.get_username()}
        if assignee
        else _("Nobody is assigned now.")
    )
    return _run(
        request,
        ticket,
        lambda: services.ticket_assign(
            ticket_id=ticket.pk,
            by=request.user,
            assignee=assignee,
            expected_version=form.cleaned_data["version"],
        ),
        success,
    )


@require_POST
def ticket_priority(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    priority = form.cleaned_data["priority"]
    return _run(
        request,
        ticket,
        lambda: services.ticket_change_priority(
            ticket_id=ticket.pk,
            by=request.user,
            priority=priority,
            expected_version=form.cleaned_data["version"],
        ),
        _("Priority changed to %(priority)s; the due times follow it.")
        % {"priority": Priority(priority).label},
    )


@require_POST
def ticket_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject the current approval step from the request page."""
    ticket = _visible(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["approval"] is None:
        return _incomplete(request, ticket)
    approval = ticket.approvals.filter(pk=form.cleaned_data["approval"]).first()
    if approval is None:
        return _incomplete(request, ticket)
    approve = form.cleaned_data["decision"] == "approve"
    return _run(
        request,
        ticket,
        lambda: services.approval_decide(
            approval_id=approval.pk,
            by=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
        ),
        _("Approved.") if approve else _("Rejected."),
    )


def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """A file of a request, for those who see the request (files are not public media)."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    seen = conversation.attachments_seen(ticket, services.roles_of(request.user, ticket))
    attachment = get_object_or_404(seen, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is missing from the server.")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
