from django.contrib import admin, messages
from django.urls import path
from django.utils.translation import gettext_lazy as _

from directory import import_views
from directory.changes import Change
from directory.configured import configured_source
from directory.mass_leavers import HoldClosed, confirm_hold
from directory.models import DeactivationHold, DirectoryAccount, SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """Every sync that changed something, and the directory's pages: import an org file (with a
    preview), its template, and "Sync now" from LDAP."""

    list_display = ["finished_at", "source", "change_count", "by"]
    list_filter = ["source"]
    date_hierarchy = "finished_at"
    fields = ["finished_at", "source", "by", "change_count", "change_lines"]
    readonly_fields = fields
    change_list_template = "admin/directory/syncrun_change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm(
            "directory.sync_directory"
        )

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or request.user.has_perm(
            "directory.sync_directory"
        )

    @admin.display(description=_("changes"))
    def change_lines(self, run: SyncRun) -> str:
        lines = [str(Change.from_json(change)) for change in run.changes]
        if run.change_count > len(lines):
            lines.append(_("… and %(count)s more.") % {"count": run.change_count - len(lines)})
        return "\n".join(lines)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"ldap_configured": configured_source() == "ldap", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        site = self.admin_site

        def view(function, **kwargs):
            return site.admin_view(lambda request, **more: function(request, site, **more))

        return [
            path("import/", view(import_views.import_org_file), name="directory_import"),
            path("import/apply/", view(import_views.apply_org_file), name="directory_import_apply"),
            path(
                "import/template.<str:file_format>",
                view(import_views.org_file_template),
                name="directory_import_template",
            ),
            path("sync-now/", view(import_views.sync_now), name="directory_sync_now"),
            *super().get_urls(),
        ]


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(admin.ModelAdmin):
    """Who is kept in step with which directory (written by the sync only)."""

    list_display = ["user", "source", "key"]
    list_filter = ["source"]
    search_fields = ["user__username", "user__email", "key"]
    list_select_related = ["user"]
    readonly_fields = ["user", "source", "key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeactivationHold)
class DeactivationHoldAdmin(admin.ModelAdmin):
    """Deactivations a sync held back (too many at once), and the action that confirms them."""

    list_display = ["held_at", "source", "people_count", "limit", "confirmed_at", "closed_at"]
    list_filter = ["source"]
    fields = [
        "source", "held_at", "active_count", "limit", "held_people",
        "confirmed_at", "confirmed_by", "closed_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["confirm_deactivations"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self.has_sync_permission(request)

    def has_sync_permission(self, request) -> bool:
        return request.user.has_perm("directory.sync_directory")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("people")

    @admin.display(description=_("people held"))
    def people_count(self, hold: DeactivationHold) -> int:
        return len(hold.people.all())

    @admin.display(description=_("people held"))
    def held_people(self, hold: DeactivationHold) -> str:
        return ", ".join(sorted(person.get_username() for person in hold.people.all()))

    @admin.action(
        description=_("Confirm the held deactivations (the next sync applies them)"),
        permissions=["sync"],
    )
    def confirm_deactivations(self, request, queryset) -> None:
        confirmed = 0
        for hold in queryset:
            try:
                confirm_hold(hold_id=hold.pk, by=request.user)
            except HoldClosed as error:
                self.message_user(request, f"{hold}: {error}", messages.WARNING)
            else:
                confirmed += 1
        if confirmed:
            self.message_user(
                request,
                _("Confirmed: the next sync deactivates the people held."),
                messages.SUCCESS,
            )


# Registered on import: a head removed there is flagged; deactivating a person hands over.
from directory import membership_admin, user_admin  # noqa: E402, F401
