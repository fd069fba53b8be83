from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline
from tickets.models import (
    Approval,
    Attachment,
    Breach,
    CannedReply,
    Event,
    Kudos,
    Pause,
    SavedView,
    TargetWarning,
    Ticket,
)


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = [
        "position",
        "stage",
        "group_rule",
        "approver",
        "current_since",
        "due_at",
        "decision",
        "decided_by",
        "decided_at",
        "comment",
    ]


class PauseInline(ReadOnlyInline):
    model = Pause
    fields = ["reason", "started_at", "ended_at", "started_by", "ended_by"]


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["at", "actor", "kind", "from_status", "to_status", "text", "is_internal"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["name", "size", "uploaded_by", "uploaded_at"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: requests change through their life cycle (pages and API), which keeps the
    clock and the timeline right."""

    list_display = ["reference", "title", "service", "customer", "status", "priority",
                    "filed_at", "first_response_due_at", "resolution_due_at"]  # fmt: skip
    list_filter = ["status", "priority", "agreement__relationship",
                   ("provider", admin.RelatedOnlyFieldListFilter),
                   ("customer", admin.RelatedOnlyFieldListFilter)]  # fmt: skip
    search_fields = ["title", "requester__username", "requester__last_name", "service__name"]
    list_select_related = ["provider", "customer", "service__provider"]
    date_hierarchy = "filed_at"
    inlines = [ApprovalInline, PauseInline, EventInline, AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, ticket: Ticket) -> str:
        return ticket.reference


class AlertAdmin(admin.ModelAdmin):
    list_display = ["detected_at", "ticket", "target", "step", "due_at", "notified_at"]
    list_filter = ["target", ("ticket__provider", admin.RelatedOnlyFieldListFilter), "detected_at"]
    search_fields = ["ticket__title", "ticket__service__name"]
    list_select_related = ["ticket__provider"]
    date_hierarchy = "detected_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Breach, AlertAdmin)
admin.site.register(TargetWarning, AlertAdmin)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "department", "shared", "created_at"]
    list_filter = ["shared", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "owner__username", "department__code"]
    autocomplete_fields = ["owner", "department"]
    list_select_related = ["owner", "department"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "updated_by", "updated_at"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "text", "department__code"]
    autocomplete_fields = ["department"]
    list_select_related = ["department", "updated_by"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    """Read-only: thanks are given by requesters and counted for recognition as given."""

    list_display = ["ticket", "given_by", "agent", "department", "given_at"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["message", "agent__username", "given_by__username"]
    list_select_related = ["ticket__provider", "given_by", "agent", "department"]
    raw_id_fields = ["ticket"]
    date_hierarchy = "given_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
