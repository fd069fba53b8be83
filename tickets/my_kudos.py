"""My kudos: the thanks a person received (as the agent thanked) and those they gave, newest
first, each with its request, linked only when the person may see it now. On a page of their
own and through GET /api/kudos/; nobody reads someone else's list."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tickets.models import Kudos, Ticket

KUDOS_PER_PAGE = 25
RECEIVED, GIVEN = "received", "given"


def kudos_of(user) -> QuerySet[Kudos]:
    """The kudos `user` received or gave, newest first, with what a list shows of each."""
    if not user.is_authenticated:
        return Kudos.objects.none()
    return (
        Kudos.objects.filter(Q(agent=user) | Q(given_by=user))
        .select_related("ticket__provider", "given_by", "agent", "department")
        .order_by("-given_at", "-pk")
    )


def with_visible_requests(user, kudos: Iterable[Kudos]) -> list[Kudos]:
    """`kudos`, each with `direction` (received or given, for `user`) and `request_visible`
    (whether `user` may open its request now): one query however many."""
    kudos = list(kudos)
    visible = set(
        Ticket.objects.visible_to(user)
        .filter(pk__in=[item.ticket_id for item in kudos])
        .values_list("pk", flat=True)
    )
    for item in kudos:
        item.direction = GIVEN if item.given_by_id == user.pk else RECEIVED
        item.request_visible = item.ticket_id in visible
    return kudos


class MyKudosFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[(RECEIVED, _("Received")), (GIVEN, _("Given"))],
        empty_label=_("All"),
        method="filter_direction",
        help_text="Only the kudos received (as the agent thanked) or only those given.",
    )

    class Meta:
        model = Kudos
        fields = ["direction"]

    def filter_direction(self, queryset: QuerySet[Kudos], name: str, value: str):
        user = self.request.user
        return queryset.filter(agent=user) if value == RECEIVED else queryset.filter(given_by=user)


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)


def my_kudos(request: HttpRequest) -> HttpResponse:
    """The signed-in person's kudos, received and given."""
    filters = MyKudosFilter(request.GET, queryset=kudos_of(request.user), request=request)
    paging = PageForm(request.GET)
    context = {"filters": filters.form, "paging": paging, "direction": ""}
    if not (filters.is_valid() & paging.is_valid()):
        return render(request, "tickets/my_kudos.html", context, status=400)
    page = Paginator(filters.qs, KUDOS_PER_PAGE).get_page(paging.cleaned_data["page"] or 1)
    page.object_list = with_visible_requests(request.user, page.object_list)
    context.update(page=page, direction=filters.form.cleaned_data["direction"])
    return render(request, "tickets/my_kudos.html", context)
