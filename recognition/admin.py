from django.contrib import admin

from common.admin import ReadOnlyInline
from recognition.models import Award, Cycle


class AwardInline(ReadOnlyInline):
    model = Award
    fields = ["title", "department", "person", "reason", "awarded_by", "awarded_at"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    """Read-only: HR runs cycles on the Recognition pages, which keep the figures each award
    was picked on; a published cycle is a record."""

    list_display = ["name", "starts_on", "ends_on", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [AwardInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "department", "person", "awarded_at"]
    list_filter = [("cycle", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "reason", "department__name", "person__username"]
    list_select_related = ["cycle", "department", "person"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
