from django.contrib import admin

from chats.forms import ChatBotForm
from chats.models import ChatBot


class ChatBotAdminForm(ChatBotForm):
    class Meta(ChatBotForm.Meta):
        fields = ["department", *ChatBotForm.Meta.fields]


@admin.register(ChatBot)
class ChatBotAdmin(admin.ModelAdmin):
    form = ChatBotAdminForm
    list_display = ["name", "department", "vendor", "language", "broken_at", "created_at"]
    list_filter = ["vendor", "language", ("broken_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "department__name", "department__code"]
    readonly_fields = ["broken_at", "broken_reason", "created_by", "created_at"]
    autocomplete_fields = ["department"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
