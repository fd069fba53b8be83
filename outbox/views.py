"""The notifications page, the bell in the header, and the preferences page where each person
chooses how each kind of message reaches them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.forms import DeliveriesForm, TimeZoneForm
from departments.models import Profile
from departments.time_zones import remember_time_zone
from outbox import inbox
from outbox.kinds import KINDS

NOTIFICATIONS_PER_PAGE = 25


def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first, unread ones highlighted."""
    page = Paginator(inbox.notifications_of(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outbox/notifications.html",
        {"page": page, "notifications": inbox.described(list(page))},
    )


def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with the unread count (loaded by htmx, so that no page pays for it)."""
    count = inbox.unread_count(request.user)
    return render(
        request,
        "outbox/_bell.html",
        {"unread": count, "over_cap": count > inbox.BELL_CAP, "cap": inbox.BELL_CAP},
    )


def open_notification(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark one's notification read and go to what it reports."""
    message = get_object_or_404(inbox.notifications_of(request.user), pk=message_id)
    inbox.mark_read(request.user, [message.pk])
    link = inbox.link_of(message)
    if not link:
        messages.info(request, _("What this notification reported no longer exists."))
        return redirect("notifications")
    return redirect(link)


@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(inbox.notifications_of(request.user), pk=message_id)
    inbox.mark_read(request.user, [message.pk])
    return redirect(_back_to_page(request))


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    inbox.mark_read(request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications")


class _PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)


def _back_to_page(request: HttpRequest) -> str:
    """The notifications page the form was posted from."""
    form = _PageForm(request.POST)
    page = form.cleaned_data["page"] if form.is_valid() else None
    return reverse("notifications") + (f"?page={page}" if page else "")


def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own preferences: their time zone, and how each kind of message
    reaches them (two forms on one page, each saved by its own button)."""
    profile, _created = Profile.objects.get_or_create(user=request.user)
    posted = request.POST if request.method == "POST" else None
    saving_zone = posted is not None and "time_zone" in posted
    zone_form = TimeZoneForm(posted if saving_zone else None, instance=profile)
    offered = [kind for kind in KINDS.values() if kind.label]
    form = DeliveriesForm(
        posted if posted is not None and not saving_zone else None,
        profile=profile,
        kinds={kind.name: kind.label for kind in offered if not kind.email_only},
    )
    if zone_form.is_bound and zone_form.is_valid():
        zone_form.save()
        remember_time_zone(request, profile.time_zone)
        messages.success(request, _("Your time zone is saved."))
        return redirect("preferences")
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    email_only = [kind.label for kind in offered if kind.email_only]
    return render(
        request,
        "departments/preferences.html",
        {"form": form, "zone_form": zone_form, "email_only": email_only},
    )
