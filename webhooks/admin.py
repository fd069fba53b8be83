from django.contrib import admin

from webhooks.models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    # The secret is neither shown nor editable here: it is shown once, to whoever adds it.
    list_display = ["url", "department", "owner", "active", "consecutive_failures", "disabled_at"]
    list_filter = ["active", "department"]
    search_fields = ["url", "owner__username"]
    raw_id_fields = ["owner"]
    readonly_fields = ["consecutive_failures", "disabled_at", "created_at"]
    fields = ["url", "department", "owner", "events", "active", *readonly_fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["at", "webhook", "message_id", "status_code", "duration_ms"]
    list_filter = ["status_code"]
    list_select_related = ["webhook"]
    readonly_fields = ["webhook", "message_id", "at", "payload", "status_code", "duration_ms",
                       "error"]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
