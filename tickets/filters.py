"""The query parameters of the request lists, parsed and validated by django-filter."""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Priority
from common.filters import IdFilter, YesNoFilter
from tickets.models import OPEN_STATUSES, Status, Ticket

ORDERINGS = {
    "-filed_at": ("-filed_at", "-pk"),
    "filed_at": ("filed_at", "pk"),
    "next_due_at": (F("next_due_at").asc(nulls_last=True), "filed_at", "pk"),
}


class TicketFilter(django_filters.FilterSet):
    """The filters of GET /api/tickets/; the request of the filter set is the reader's."""

    status = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), *Status.choices], method="by_status"
    )
    service = IdFilter(field_name="service_id")
    provider = django_filters.CharFilter(field_name="provider__code", lookup_expr="iexact")
    customer = django_filters.CharFilter(field_name="customer__code", lookup_expr="iexact")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    assignee = django_filters.CharFilter(method="by_assignee")
    mine = YesNoFilter(method="by_requester")
    kind = django_filters.ChoiceFilter(
        field_name="agreement__relationship", choices=Agreement.Relationship.choices
    )
    parent = IdFilter(field_name="parent_id")
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS], method="order"
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def by_status(self, tickets: QuerySet[Ticket], name: str, wanted: str) -> QuerySet[Ticket]:
        if wanted == "open":
            return tickets.filter(status__in=OPEN_STATUSES)
        return tickets.filter(status=wanted)

    def by_assignee(self, tickets: QuerySet[Ticket], name: str, who: str) -> QuerySet[Ticket]:
        if who == "me":
            return tickets.filter(assignee=self.request.user)
        return tickets.filter(assignee__username=who)

    def by_requester(self, tickets: QuerySet[Ticket], name: str, mine: bool) -> QuerySet[Ticket]:
        return tickets.filter(requester=self.request.user) if mine else tickets

    def order(self, tickets: QuerySet[Ticket], name: str, ordering: str) -> QuerySet[Ticket]:
        return tickets.order_by(*ORDERINGS[ordering])
