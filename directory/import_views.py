"""The admin's directory pages: import an org file (upload, preview of the plan and of every row
error, then apply: re-read, re-planned and applied only if the plan is still the one shown), the
template to download, and "Sync now" from LDAP. Superusers and holders of
`directory.sync_directory` only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.spreadsheets import csv_response, xlsx_response
from directory import sync
from directory.changes import Plan
from directory.configured import configured_source
from directory.forms import ConfirmForm, OrgFileForm
from directory.sources.orgfile import FileRefused, read_org_file, template_rows

UPLOADS = "directory-imports"
SALT = "directory.import"
# A preview is confirmed within the hour or uploaded again.
PREVIEW_MAX_AGE = 3600
# The preview of a first import of a large company lists its first changes and counts the rest.
LINES_SHOWN = 2000


def require_sync_permission(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_active and (user.is_superuser or user.has_perm("directory.sync_directory"))):
        raise PermissionDenied


def _page(request, admin_site, title: str, **context) -> TemplateResponse:
    context = {
        **admin_site.each_context(request),
        "title": title,
        "ldap_configured": configured_source() == "ldap",
        "changelist_url": reverse("admin:directory_syncrun_changelist"),
        **context,
    }
    return TemplateResponse(request, "admin/directory/import.html", context)


def _preview(
    request, admin_site, *, title, plan=None, errors=(), problem="", confirm=None, ldap=False
):
    return _page(
        request,
        admin_site,
        title,
        planned=plan is not None,
        lines=[str(change) for change in plan.changes[:LINES_SHOWN]] if plan else [],
        more=max(0, len(plan.changes) - LINES_SHOWN) if plan else 0,
        change_count=len(plan.changes) if plan else 0,
        notices=plan.notice_lines() if plan is not None else [],
        errors=[str(error) for error in errors],
        problem=problem,
        confirm=confirm,
        confirm_url=reverse("admin:directory_sync_now" if ldap else "admin:directory_import_apply"),
        form=None if ldap else OrgFileForm(),
    )


def import_org_file(request: HttpRequest, admin_site) -> HttpResponse:
    """Upload an org file and see what applying it would change, and every row error."""
    require_sync_permission(request)
    title = _("Import org file")
    if request.method != "POST":
        return _page(request, admin_site, title, form=OrgFileForm())
    form = OrgFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, admin_site, title, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    _forget_old_uploads()
    name = f"{UPLOADS}/{uuid.uuid4().hex}{PurePath(upload.name).suffix.lower()}"
    plan, errors, problem = _plan_of(content, upload.name)
    confirm = None
    if plan and not errors and plan.changes:
        stored = default_storage.save(name, ContentFile(content))
        token = signing.dumps({"name": stored, "filename": upload.name}, salt=SALT)
        confirm = ConfirmForm(initial={"token": token, "fingerprint": plan.fingerprint()})
    return _preview(
        request, admin_site, title=title, plan=plan, errors=errors, problem=problem,
        confirm=confirm,
    )  # fmt: skip


def _forget_old_uploads() -> None:
    """Uploads previewed but never applied are deleted after a day."""
    if not default_storage.exists(UPLOADS):
        return
    old = timezone.now() - timedelta(days=1)
    for name in default_storage.listdir(UPLOADS)[1]:
        path = f"{UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < old:
            default_storage.delete(path)


def _plan_of(content: bytes, filename: str) -> tuple[Plan | None, list, str]:
    """The plan of an org file, its row errors, and why it cannot be planned at all, if so."""
    try:
        result = read_org_file(content, filename)
    except FileRefused as error:
        return None, [], str(error)
    if result.snapshot is None:
        return None, result.errors, ""
    try:
        return sync.plan(result.snapshot), result.errors, ""
    except sync.SyncError as error:
        return None, result.errors, str(error)


@require_POST
def apply_org_file(request: HttpRequest, admin_site) -> HttpResponse:
    """Apply a previewed org file: read again and re-planned; applied only when the plan is
    still the one confirmed, else the new preview is shown."""
    require_sync_permission(request)
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        upload = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=PREVIEW_MAX_AGE)
        with default_storage.open(upload["name"]) as stored:
            content = stored.read()
    except (signing.BadSignature, OSError):
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("admin:directory_import")
    plan, errors, problem = _plan_of(content, upload["filename"])
    if problem or errors or plan is None:
        default_storage.delete(upload["name"])
        return _preview(
            request, admin_site, title=_("Import org file"), plan=plan, errors=errors,
            problem=problem,
        )  # fmt: skip
    if plan.fingerprint() != form.cleaned_data["fingerprint"]:
        messages.warning(
            request, _("Accord changed since the preview: check what the file would change now.")
        )
        confirm = ConfirmForm(initial={**form.cleaned_data, "fingerprint": plan.fingerprint()})
        return _preview(request, admin_site, title=_("Import org file"), plan=plan, confirm=confirm)
    result = read_org_file(content, upload["filename"])
    applied = sync.apply(result.snapshot, dry_run=False, by=request.user)
    default_storage.delete(upload["name"])
    messages.success(
        request, _("The org file is applied: %(count)s changes.") % {"count": len(applied.changes)}
    )
    return redirect("admin:directory_syncrun_changelist")


def org_file_template(request: HttpRequest, admin_site, file_format: str) -> HttpResponse:
    """The org file's template, with a small example company."""
    require_sync_permission(request)
    if file_format == "xlsx":
        return xlsx_response(template_rows(), filename="org-file.xlsx", sheet_title="Org file")
    return csv_response(template_rows(), filename="org-file.csv")


def sync_now(request: HttpRequest, admin_site) -> HttpResponse:
    """LDAP, now: what it would change (GET), then applied once confirmed (POST)."""
    require_sync_permission(request)
    if configured_source() != "ldap":
        messages.error(request, _("No LDAP directory is configured (LDAP_SERVER_URI)."))
        return redirect("admin:directory_syncrun_changelist")
    from directory.sources.ldap import read_snapshot

    title = _("Sync now from LDAP")
    try:
        snapshot = read_snapshot()
        plan = sync.plan(snapshot)
    except sync.SyncError as error:
        return _preview(request, admin_site, title=title, problem=str(error), ldap=True)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["fingerprint"] == plan.fingerprint():
            applied = sync.apply(snapshot, dry_run=False, by=request.user)
            messages.success(
                request,
                _("The directory is synced: %(count)s changes.") % {"count": len(applied.changes)},
            )
            return redirect("admin:directory_syncrun_changelist")
        messages.warning(
            request, _("Accord changed since the preview: check what the sync would change now.")
        )
    confirm = ConfirmForm(initial={"token": "ldap", "fingerprint": plan.fingerprint()})
    confirm = confirm if plan.changes else None
    return _preview(request, admin_site, title=title, plan=plan, confirm=confirm, ldap=True)
