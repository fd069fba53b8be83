"""Memberships edited in the admin: a head removed or demoted there (on the membership's own
page, in bulk, or among the memberships of a department or of a person) leaves the department
flagged to the administrators, as the directory sync, a leaver's hand-over and the API do
(directory.leavers.department_lost_head)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin

from departments.admin import DepartmentAdmin, MembershipAdmin
from departments.models import Department, Membership
from directory.leavers import department_lost_head


def _heads_among(membership_ids: Iterable[int]) -> list[Membership]:
    """The head memberships among these, as stored (before the admin saves its changes)."""
    return list(
        Membership.objects.heads()
        .filter(pk__in=list(membership_ids))
        .select_related("department", "user")
    )


def _flag_departments_left_without_head(former_heads: list[Membership]) -> None:
    for membership in former_heads:
        department_lost_head(department=membership.department, previous_head=membership.user)


class FlagsLostHeads:
    """For an admin whose inlines edit memberships (a department's, a person's)."""

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        former_heads = _heads_among(f.instance.pk for f in formset.initial_forms)
        # The former head's row is saved (or deleted) first: a department has one head at a
        # time, so handing the role to someone else in the same save must free it before.
        was_head = {membership.pk for membership in former_heads}
        count = formset.initial_form_count()
        formset.forms[:count] = sorted(
            formset.forms[:count], key=lambda f: f.instance.pk not in was_head
        )
        super().save_formset(request, form, formset, change)
        _flag_departments_left_without_head(former_heads)


class HeadAwareMembershipAdmin(MembershipAdmin):
    def save_model(self, request, obj, form, change) -> None:
        former_heads = _heads_among([obj.pk]) if change else []
        super().save_model(request, obj, form, change)
        _flag_departments_left_without_head(former_heads)

    def delete_model(self, request, obj) -> None:
        former_heads = _heads_among([obj.pk])
        super().delete_model(request, obj)
        _flag_departments_left_without_head(former_heads)

    def delete_queryset(self, request, queryset) -> None:
        former_heads = _heads_among(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        _flag_departments_left_without_head(former_heads)


class HeadAwareDepartmentAdmin(FlagsLostHeads, DepartmentAdmin):
    pass


admin.site.unregister(Membership)
admin.site.register(Membership, HeadAwareMembershipAdmin)
admin.site.unregister(Department)
admin.site.register(Department, HeadAwareDepartmentAdmin)
