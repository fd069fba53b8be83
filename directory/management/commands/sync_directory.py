"""`manage.py sync_directory [--dry-run] [--file org.csv|org.xlsx]`: bring the org chart in line
with the directory (LDAP when LDAP_SERVER_URI is set, else DIRECTORY_ORG_FILE, or the file given)
and print what changed, or with --dry-run what would change."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import sync
from directory.configured import configured_snapshot, org_file_snapshot


class Command(BaseCommand):
    help = "Bring departments, people and memberships in line with the company's directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; change nothing."
        )
        parser.add_argument("--file", type=Path, help="An org file (.csv or .xlsx) to apply.")

    def handle(self, *args, dry_run: bool, file: Path | None, **options) -> None:
        try:
            snapshot = org_file_snapshot(file) if file else configured_snapshot()
            if snapshot is None:
                raise CommandError(
                    "No directory is configured: set LDAP_SERVER_URI or DIRECTORY_ORG_FILE, "
                    "or give --file."
                )
            plan = sync.apply(snapshot, dry_run=dry_run)
        except sync.SyncError as error:
            raise CommandError(str(error)) from error
        for line in plan.lines():
            self.stdout.write(line)
        for line in plan.notice_lines():
            self.stderr.write(line)
        count = len(plan.changes)
        if not count:
            self.stdout.write(self.style.SUCCESS("Nothing to change."))
        elif dry_run:
            self.stdout.write(self.style.WARNING(f"{count} changes planned; nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} changes applied."))
