"""`manage.py sync_directory [--dry-run] [--file org.csv|org.xlsx] [--confirm-deactivations]`:
bring the org chart in line with the directory (LDAP when LDAP_SERVER_URI is set, else
DIRECTORY_ORG_FILE, or the file given) and print what changed, or with --dry-run what would
change. --confirm-deactivations first confirms the deactivations a sync held back (too many at
once: directory.mass_leavers), so that this sync applies them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import sync
from directory.configured import configured_snapshot, org_file_snapshot
from directory.mass_leavers import confirm_hold
from directory.models import DeactivationHold


class Command(BaseCommand):
    help = "Bring departments, people and memberships in line with the company's directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; change nothing."
        )
        parser.add_argument("--file", type=Path, help="An org file (.csv or .xlsx) to apply.")
        parser.add_argument(
            "--confirm-deactivations",
            action="store_true",
            help="Confirm the deactivations a sync held back (too many at once), then sync.",
        )

    def handle(
        self,
        *args,
        dry_run: bool,
        file: Path | None,
        confirm_deactivations: bool,
        **options,
    ) -> None:
        try:
            snapshot = org_file_snapshot(file) if file else configured_snapshot()
            if snapshot is None:
                raise CommandError(
                    "No directory is configured: set LDAP_SERVER_URI or DIRECTORY_ORG_FILE, "
                    "or give --file."
                )
            if confirm_deactivations and not dry_run:
                self._confirm(snapshot.source)
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

    def _confirm(self, source: str) -> None:
        hold = DeactivationHold.objects.filter(source=source, closed_at__isnull=True).first()
        if hold is None:
            raise CommandError(f"No deactivations from {source} are held; nothing to confirm.")
        confirm_hold(hold_id=hold.pk, by=None)
        self.stdout.write(f"Confirmed the {hold.people.count()} deactivations held since {hold}.")
