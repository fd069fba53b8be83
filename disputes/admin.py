from django.contrib import admin

from common.admin import ReadOnlyInline
from disputes.models import Dispute, DisputeStep


class DisputeStepInline(ReadOnlyInline):
    model = DisputeStep
    fields = ["at", "action", "actor", "on_behalf_of", "text", "asked"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Read-only: a dispute is an audit trail; it moves on through its pages and API only."""

    list_display = ["ticket", "breach", "reason", "stage", "outcome", "decider", "opened_at"]
    list_filter = ["stage", "outcome", "reason"]
    list_select_related = ["ticket__provider", "breach", "decider"]
    search_fields = ["ticket__title", "text"]
    date_hierarchy = "opened_at"
    inlines = [DisputeStepInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
