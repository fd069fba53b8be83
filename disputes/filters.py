from django_filters import rest_framework as filters

from disputes.models import Dispute


class DisputeFilter(filters.FilterSet):
    to_decide = filters.BooleanFilter(
        method="filter_to_decide", label="Only those waiting on the person's decision."
    )
    stage = filters.ChoiceFilter(choices=Dispute.Stage.choices)
    outcome = filters.ChoiceFilter(choices=Dispute.Outcome.choices)

    class Meta:
        model = Dispute
        fields = ["stage", "outcome", "to_decide"]

    def filter_to_decide(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Dispute.objects.to_decide_by(self.request.user).values("pk"))
