"""Pages to manage webhooks: heads manage their departments', administrators every one.
Another person's webhook is not found (404), never forbidden: its existence is not told."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from departments.models import Membership
from outbox.models import Message
from outbox.services import send_after_commit
from webhooks.delivery import send_test
from webhooks.forms import WebhookForm
from webhooks.models import Delivery, Webhook

MESSAGES_PER_PAGE = 25


def _may_add(user) -> bool:
    return user.is_superuser or Membership.objects.heads().filter(user_id=user.pk).exists()


def _webhook(request: HttpRequest, pk: int) -> Webhook:
    return get_object_or_404(
        Webhook.objects.manageable_by(request.user).select_related("department", "owner"), pk=pk
    )


def webhook_list(request: HttpRequest) -> HttpResponse:
    if not _may_add(request.user):
        raise Http404
    webhooks = Webhook.objects.manageable_by(request.user).select_related("department", "owner")
    return render(request, "webhooks/webhook_list.html", {"webhooks": webhooks})


@never_cache
def webhook_add(request: HttpRequest) -> HttpResponse:
    if not _may_add(request.user):
        raise Http404
    form = WebhookForm(request.POST or None, user=request.user)
    if form.is_valid():
        webhook = form.save(commit=False)
        webhook.owner = request.user
        webhook.save()
        # The only time the secret is shown: the page is answered, not redirected to.
        return render(request, "webhooks/webhook_created.html", {"webhook": webhook})
    return render(request, "webhooks/webhook_form.html", {"form": form})


def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk)
    form = WebhookForm(request.POST or None, instance=webhook, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("The webhook was saved."))
        return redirect("webhooks:list")
    return render(request, "webhooks/webhook_form.html", {"form": form, "webhook": webhook})


@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk)
    webhook.delete()  # its messages in the outbox and its log go with it
    messages.success(request, _("The webhook was deleted."))
    return redirect("webhooks:list")


@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk)
    outcome = send_test(webhook)
    return render(request, "webhooks/webhook_tested.html", {"webhook": webhook, "outcome": outcome})


def webhook_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The webhook's messages, newest first, each with its last attempt; then test events."""
    webhook = _webhook(request, pk)
    page = Paginator(webhook.messages.order_by("-created_at", "-pk"), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    attempts: dict[int, Delivery] = {}
    for delivery in webhook.deliveries.filter(
        message_id__in=[message.pk for message in page.object_list]
    ).order_by("at", "pk"):
        attempts[delivery.message_id] = delivery  # the last one wins
    rows = [(message, attempts.get(message.pk)) for message in page.object_list]
    tests = webhook.deliveries.filter(message_id__isnull=True)[:5]
    return render(
        request,
        "webhooks/webhook_log.html",
        {"webhook": webhook, "page": page, "rows": rows, "tests": tests},
    )


@require_POST
def webhook_resend(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    """Queue a failed message again as new: pending, its attempts counted from zero."""
    webhook = _webhook(request, pk)
    if not webhook.active:
        messages.error(request, _("Enable the webhook before sending its messages again."))
        return redirect("webhooks:log", pk=webhook.pk)
    with transaction.atomic():
        again = webhook.messages.filter(state=Message.State.FAILED, pk=message_id).update(
            state=Message.State.PENDING, attempts=0, retry_at=None
        )
        if not again:
            raise Http404
        send_after_commit([message_id])
    messages.success(request, _("The message will be sent again."))
    return redirect("webhooks:log", pk=webhook.pk)
