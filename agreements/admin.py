from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.forms import BusinessCalendarForm
from agreements.holidays import HolidayImportError, default_years, import_public_holidays
from agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementTarget,
    ApprovalStep,
    ApprovalWindow,
    BusinessCalendar,
    CalendarClosure,
    CalendarDay,
    Service,
    SignOff,
)
from agreements.models.catalogue import validate_approval_chain
from common.admin import ReadOnlyInline


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["name", "time_zone", "country"]
    search_fields = ["name"]
    inlines = [CalendarDayInline, CalendarClosureInline]
    actions = ["import_public_holidays"]
    fieldsets = [
        (None, {"fields": ["name", "time_zone", "country"]}),
        (
            _("Weekly working hours"),
            {"fields": [f"hours_{day}" for day in range(7)]},
        ),
    ]

    @admin.action(description=_("Import public holidays and make-up days (this year and next)"))
    def import_public_holidays(self, request, queryset):
        years = default_years(timezone.localdate())
        for calendar in queryset:
            try:
                result = import_public_holidays(calendar, years)
            except HolidayImportError as error:
                self.message_user(request, str(error), messages.WARNING)
                continue
            self.message_user(
                request,
                ngettext(
                    "%(calendar)s: %(created)d day added, %(updated)d updated.",
                    "%(calendar)s: %(created)d days added, %(updated)d updated.",
                    result.created,
                )
                % {"calendar": calendar, "created": result.created, "updated": result.updated},
                messages.SUCCESS,
            )
            if result.fallback_years:
                self.message_user(
                    request,
                    _("%(calendar)s: %(years)s computed by rule; check the make-up days once "
                      "the official schedule is published.")
                    % {"calendar": calendar, "years": ", ".join(map(str, result.fallback_years))},
                    messages.WARNING,
                )  # fmt: skip
            if result.unknown_years:
                self.message_user(
                    request,
                    _("%(calendar)s: no holiday data yet for %(years)s; add those days by hand.")
                    % {"calendar": calendar, "years": ", ".join(map(str, result.unknown_years))},
                    messages.WARNING,
                )


class ApprovalChainFormSet(BaseInlineFormSet):
    """The chain is checked whole, against the form the service has once this save is done."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        steps = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            validate_approval_chain(self.instance.form_fields, steps)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    formset = ApprovalChainFormSet
    extra = 0
    autocomplete_fields = ["person", "department"]
    fields = [
        "position",
        "approver",
        "person",
        "department",
        "condition_field",
        "condition_operator",
        "condition_value",
        "with_previous",
        "group_rule",
        "description",
    ]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "default_priority", "auto_assign", "is_active"]
    list_filter = [
        "is_active",
        "default_priority",
        "auto_assign",
        ("provider", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "description", "provider__name", "provider__code"]
    autocomplete_fields = ["provider"]
    list_select_related = ["provider"]
    inlines = [ApprovalStepInline]


class AgreementTargetInline(ReadOnlyInline):
    model = AgreementTarget


class ApprovalWindowInline(ReadOnlyInline):
    model = ApprovalWindow


class SignOffInline(ReadOnlyInline):
    model = SignOff


class AgreementEventInline(ReadOnlyInline):
    model = AgreementEvent
    fields = ["at", "actor", "action", "department", "comment"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Read-only: the life cycle runs through the pages and the API, which keep the timeline
    and the one-active-version rule; the admin shows it all."""

    list_display = ["title", "version", "provider", "status", "valid_from", "valid_until"]
    list_filter = ["status", "relationship", ("provider", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "provider__name", "provider__code"]
    list_select_related = ["provider"]
    inlines = [AgreementTargetInline, ApprovalWindowInline, SignOffInline, AgreementEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == Agreement.Status.DRAFT
            and super().has_delete_permission(request, obj)
        )
