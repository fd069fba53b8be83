"""Surveys in the admin: the question bank and campaigns are editable; waves and invitations are
read-only records. The admin shows nothing the results pages hide: no invitation says whether or
when its person answered, and the responses of anonymous campaigns are not listed one by one (their
results pages and exports are where they are read, with the anonymity threshold applied)."""

from django.contrib import admin

from surveys.models import Answer, Campaign, CampaignQuestion, Invitation, Question, Response, Wave


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "dimension", "required", "in_default_template", "archived"]
    list_filter = ["kind", "in_default_template", "archived"]
    search_fields = ["text", "text_zh_hans", "dimension"]


class CampaignQuestionInline(admin.TabularInline):
    model = CampaignQuestion
    extra = 0
    fields = ["position", "text", "kind", "required"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "cadence", "audience", "anonymous", "next_launch_at"]
    list_filter = ["status", "cadence", "audience", "anonymous"]
    search_fields = ["name"]
    readonly_fields = ["launched_at", "next_launch_at", "created_by", "created_at"]
    filter_horizontal = ["respondent_departments", "rated_departments"]
    inlines = [CampaignQuestionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            # The thresholds (and everything else) are fixed once the campaign launches.
            return [field.name for field in Campaign._meta.fields] + [
                "respondent_departments",
                "rated_departments",
            ]
        return self.readonly_fields


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "number", "launched_at", "closes_at", "email_round"]
    list_filter = ["campaign"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["wave", "recipient", "rated_department"]
    list_filter = ["wave__campaign"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["wave__campaign", "recipient", "rated_department"]
    # Who answered an anonymous survey is not the admin's business; the campaign page counts them.
    exclude = ["answered"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "value", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """The responses of named campaigns only, in no order of their giving."""

    list_display = ["wave", "rated_department", "respondent", "respondent_department"]
    list_filter = ["wave__campaign", "rated_department"]
    list_select_related = ["wave__campaign", "rated_department", "respondent_department"]
    fields = ["wave", "rated_department", "respondent_department", "respondent"]
    ordering = ["wave", "rated_department__name", "respondent__username"]
    inlines = [AnswerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(wave__campaign__anonymous=False)
