"""Complaints and suggestions in the admin: read-only (they change through their life cycle on
the pages and the API, which keep the clock and the trail right). Who filed an anonymous one is
shown only to those who see it on the pages too: HR, that is the company-reports permission,
which superusers hold like every permission (see the README)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline
from departments.models import sees_company_reports
from feedback.models.action_plans import Action, ActionEvent, ActionPlan
from feedback.models.complaints import Feedback, FeedbackEvent

HIDDEN = _("Anonymous")


class FeedbackEventInline(ReadOnlyInline):
    model = FeedbackEvent
    fields = ["at", "action", "round", "actor_unless_anonymous", "text"]
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        return _for_hr(request, self.fields, "actor_unless_anonymous", "actor")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("by"))
    def actor_unless_anonymous(self, event):
        feedback = event.feedback
        if feedback.anonymous and event.actor_id == feedback.complainant_id:
            return HIDDEN
        return event.actor or "—"


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "kind", "department", "status", "outcome",
                    "filed_at", "response_due_at"]  # fmt: skip
    list_filter = ["kind", "status", "outcome", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject"]
    list_select_related = ["department"]
    date_hierarchy = "filed_at"
    inlines = [FeedbackEventInline]
    fields = ["kind", "department", "ticket", "complainant_unless_anonymous", "anonymous",
              "subject", "text", "status", "outcome", "response", "responded_at", "responded_by",
              "escalated_to", "escalated_at", "reopened_at", "closed_at", "round",
              "calendar", "round_started_at", "warn_at", "response_due_at", "escalate_at",
              "warned_at", "breached_at", "parent_told_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_fields(self, request):
        # HR may look people up; others could find an anonymous complainant by searching.
        if sees_company_reports(request.user):
            return ["subject", "complainant__username", "complainant__last_name"]
        return self.search_fields

    def get_fields(self, request, obj=None):
        return _for_hr(request, self.fields, "complainant_unless_anonymous", "complainant")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("filed by"))
    def complainant_unless_anonymous(self, feedback):
        return HIDDEN if feedback.anonymous else feedback.complainant


def _for_hr(request, fields: list[str], hidden: str, plain: str) -> list[str]:
    """HR sees the person itself where others see it unless it is anonymous."""
    if sees_company_reports(request.user):
        return [plain if name == hidden else name for name in fields]
    return list(fields)


class ActionInline(ReadOnlyInline):
    model = Action
    fields = ["question", "what", "owner", "due_on", "status", "reminded_at"]
    readonly_fields = fields


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    """Read-only like complaints: plans and actions change on the pages, which check that the
    wave is closed, the owner belongs to the department and the question to the wave."""

    list_display = ["department", "wave", "created_at"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "wave__campaign"]
    search_fields = ["department__name", "department__code"]
    date_hierarchy = "created_at"
    fields = ["wave", "department", "created_at"]
    readonly_fields = fields
    inlines = [ActionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ActionEventInline(ReadOnlyInline):
    model = ActionEvent
    fields = ["at", "change", "actor", "before", "after", "text"]
    readonly_fields = fields


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["what", "plan", "owner", "due_on", "status", "reminded_at"]
    list_filter = ["status", ("plan__department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["plan__department", "plan__wave__campaign", "owner"]
    search_fields = ["what"]
    date_hierarchy = "due_on"
    fields = ["plan", "question", "what", "owner", "due_on", "status", "created_at",
              "updated_at", "reminded_at"]  # fmt: skip
    readonly_fields = fields
    inlines = [ActionEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
