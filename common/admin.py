from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows that change through their own life cycle, shown but never edited in the admin."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
