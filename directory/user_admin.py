"""People in the admin: unticking "active" on a person, or the action "Deactivate and hand over",
goes through directory.leavers.deactivate_person, so what they held is handed over on record;
the hand-overs are listed read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from departments.admin import AccordUserAdmin
from directory.leavers import deactivate_person
from directory.membership_admin import FlagsLostHeads
from directory.models import Handover, HandoverItem

User = get_user_model()


def _reason() -> str:
    return gettext("Deactivated in the admin")


class ReadOnly:
    """Written by deactivate_person only; read, never edited, in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HandoverItemInline(ReadOnly, admin.TabularInline):
    model = HandoverItem
    fields = ["what", "ticket", "approval", "department", "role", "to"]
    readonly_fields = fields
    extra = 0


@admin.register(Handover)
class HandoverAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["person", "at", "by", "reason"]
    search_fields = ["person__username", "person__first_name", "person__last_name", "reason"]
    date_hierarchy = "at"
    list_select_related = ["person", "by"]
    fields = ["person", "at", "by", "reason", "messages_cancelled", "api_tokens_deleted"]
    readonly_fields = fields
    inlines = [HandoverItemInline]


admin.site.unregister(User)


@admin.register(User)
class LeaverUserAdmin(FlagsLostHeads, AccordUserAdmin):
    actions = ["deactivate_and_hand_over"]

    def save_model(self, request, obj, form, change) -> None:
        # Saved active with the rest of the form; save_related then deactivates, after the
        # memberships inline, so that nothing the form saves brings back what was handed over.
        if self._leaving(form, change):
            obj.is_active = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if self._leaving(form, change):
            person = form.instance
            deactivate_person(user=person, by=request.user, reason=_reason())
            person.refresh_from_db()
            self.message_user(
                request,
                gettext("%(name)s was deactivated; what they held was handed over.")
                % {"name": person.get_username()},
            )

    @staticmethod
    def _leaving(form, change: bool) -> bool:
        return change and "is_active" in form.changed_data and not form.cleaned_data["is_active"]

    @admin.action(description=_("Deactivate and hand over"), permissions=["change"])
    def deactivate_and_hand_over(self, request, queryset) -> None:
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request, gettext("You cannot deactivate yourself here."), messages.WARNING
            )
        leavers = list(queryset.filter(is_active=True).exclude(pk=request.user.pk))
        for person in leavers:
            deactivate_person(user=person, by=request.user, reason=_reason())
        self.message_user(
            request,
            ngettext(
                "%(count)d person was deactivated; what they held was handed over.",
                "%(count)d people were deactivated; what they held was handed over.",
                len(leavers),
            )
            % {"count": len(leavers)},
        )
