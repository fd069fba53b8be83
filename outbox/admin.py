from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Everything Accord sends, read-only; failed messages can be sent again."""

    list_display = ["created_at", "kind", "recipient", "about_type", "about_id", "state",
                    "attempts", "sent_at"]  # fmt: skip
    list_filter = ["state", "kind", "about_type"]
    search_fields = ["recipient__username", "recipient__email", "kind"]
    list_select_related = ["recipient", "about_type"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("outbox.change_message")

    @admin.action(description=_("Send again (failed messages)"), permissions=["resend"])
    def send_again(self, request, queryset):
        """Back to the outbox; the periodic outbox job sends them within a few minutes."""
        count = queryset.filter(state=Message.State.FAILED).update(
            state=Message.State.PENDING, attempts=0, retry_at=None, last_error=""
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again in a few minutes.",
                "%(count)d messages will be sent again in a few minutes.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
