"""Which directory the sync reads when nobody hands it a file: LDAP when LDAP_SERVER_URI is set,
else the org file at DIRECTORY_ORG_FILE, else none."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from directory.snapshot import Snapshot
from directory.sources.orgfile import FileRefused, read_org_file
from directory.sync import SyncError

# The first few row errors are enough to act on; the admin's import page shows them all.
ERRORS_SHOWN = 10


def configured_source() -> str:
    """ "ldap", "orgfile" or "" (no directory configured)."""
    if getattr(settings, "LDAP_SERVER_URI", ""):
        return "ldap"
    return "orgfile" if settings.DIRECTORY_ORG_FILE else ""


def configured_snapshot() -> Snapshot | None:
    """The configured directory as it is now, or None when none is configured."""
    source = configured_source()
    if source == "ldap":
        from directory.sources.ldap import read_snapshot

        return read_snapshot()
    if source == "orgfile":
        return org_file_snapshot(Path(settings.DIRECTORY_ORG_FILE))
    return None


def org_file_snapshot(path: Path) -> Snapshot:
    """The snapshot of the org file at `path`; SyncError when it cannot be read or has any row
    error (a file with errors is never applied, in part or whole)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise SyncError(
            _("The org file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": error.strerror or error}
        ) from error
    try:
        result = read_org_file(content, path.name)
    except FileRefused as error:
        raise SyncError(str(error)) from error
    if result.errors or result.snapshot is None:
        lines = [str(error) for error in result.errors[:ERRORS_SHOWN]]
        raise SyncError(
            _("The org file has %(count)s errors; nothing was changed.")
            % {"count": len(result.errors)}
            + "\n"
            + "\n".join(lines)
        )
    return result.snapshot
