"""The request page's conversation actions: watch or stop watching, link a request, remove a
link, close as a duplicate. Each reads the request through `visible_to` (404 otherwise) and
answers as the page's other actions do (tickets.request_page._run)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import conversation
from tickets.conversation_forms import DuplicateForm, LinkForm, UnlinkForm, WatchForm
from tickets.request_page import _incomplete, _run, _visible


@require_POST
def ticket_watch(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = WatchForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    watch = form.cleaned_data["watch"]
    conversation.ticket_watch(ticket_id=ticket.pk, by=request.user, watch=watch)
    messages.success(
        request,
        _("You are watching this request.") if watch else _("You no longer watch this request."),
    )
    return redirect(ticket)


@require_POST
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: conversation.ticket_link(
            ticket_id=ticket.pk,
            other_id=form.cleaned_data["other"],
            kind=form.cleaned_data["kind"],
            by=request.user,
        ),
        _("The requests are linked."),
    )


@require_POST
def ticket_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: conversation.ticket_unlink(
            ticket_id=ticket.pk, link_id=form.cleaned_data["link"], by=request.user
        ),
        _("The link is removed."),
    )


@require_POST
def ticket_close_as_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: conversation.ticket_close_as_duplicate(
            ticket_id=ticket.pk,
            original_id=form.cleaned_data["original"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        _("Closed as a duplicate; its requester is told."),
    )
