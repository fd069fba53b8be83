from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from departments.models import Delegation, Department, Membership


class OneHeadFormSet(BaseInlineFormSet):
    """A department's memberships keep at most one head (the database's constraint, checked
    here for the whole form: the rows are saved one by one)."""

    def clean(self) -> None:
        super().clean()
        heads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Membership.Role.HEAD
        ]
        if len(heads) > 1:
            raise ValidationError(_("This department already has a head."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = OneHeadFormSet
    extra = 0
    autocomplete_fields = ["user"]


class DepartmentMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]
    verbose_name_plural = _("departments")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "head", "member_count", "email", "archived_at"]
    list_filter = [
        ("parent", admin.RelatedOnlyFieldListFilter),
        ("archived_at", admin.EmptyFieldListFilter),
        "directory_source",
    ]
    search_fields = ["name", "code", "email"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .with_head()
            .annotate(member_count=Count("memberships"))
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, department: Department) -> int:
        return department.member_count

    @admin.display(description=_("head"))
    def head(self, department: Department):
        return department.head or "—"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role", "title"]
    list_filter = ["role", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "department__name",
        "department__code",
    ]
    autocomplete_fields = ["user", "department"]
    list_select_related = ["user", "department"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccordUserAdmin(UserAdmin):
    inlines = [DepartmentMembershipInline]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["person", "delegate", "starts_on", "ends_on", "reason"]
    list_filter = ["starts_on"]
    search_fields = [
        "person__username",
        "person__last_name",
        "delegate__username",
        "delegate__last_name",
    ]
    autocomplete_fields = ["person", "delegate"]
    date_hierarchy = "starts_on"
