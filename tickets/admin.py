from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline
from tickets.models import (
    Approval,
    Attachment,
    Breach,
    Event,
    Notification,
    Pause,
    TargetWarning,
    Ticket,
)


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = [
        "position",
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
    list_filter = ["status", "priority", ("provider", admin.RelatedOnlyFieldListFilter),
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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "ticket", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["recipient__username", "recipient__email", "ticket__title"]
    list_select_related = ["recipient", "ticket__provider"]
    readonly_fields = ["ticket", "kind", "recipient", "event", "approval", "state", "attempts",
                       "last_error", "created_at", "claimed_at", "sent_at"]  # fmt: skip
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again (failed notifications)"))
    def send_again(self, request, queryset):
        """Back to the outbox; the periodic outbox job sends them within a few minutes."""
        count = queryset.filter(state=Notification.State.FAILED).update(
            state=Notification.State.PENDING, attempts=0, last_error=""
        )
        self.message_user(
            request,
            _("%(count)d notifications will be sent again in a few minutes.") % {"count": count},
        )


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
