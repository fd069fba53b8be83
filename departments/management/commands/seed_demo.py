"""`manage.py seed_demo`: fill an empty installation with a believable company; safe to rerun.

Each app that has demo data holds it in its own `demo.py` with a `seed(log)` function; they run
in the order of INSTALLED_APPS, which is the order the apps depend on each other.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Create the demo company (departments, people, logins); running it twice is harmless."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").seed(self._log)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Every demo login's password is 'demo'.")
        )

    def _log(self, line: str) -> None:
        self.stdout.write(f"  {line}")
