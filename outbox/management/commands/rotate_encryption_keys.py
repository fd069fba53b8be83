"""`manage.py rotate_encryption_keys`: re-encrypt with the first key of ENCRYPTION_KEYS every
credential an older key encrypted (the chat bots' addresses and secrets, the webhooks' secrets),
after which the older keys can be dropped. Running it again changes nothing."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from common.encrypted import UndecryptableValue, encrypted_fields, rotate_column


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first encryption key."

    def handle(self, *args, **options) -> None:
        total = 0
        for model in apps.get_models():
            for name in encrypted_fields(model):
                try:
                    rotated = rotate_column(model, name)
                except UndecryptableValue as error:
                    raise CommandError(str(error)) from None
                total += rotated
                self.stdout.write(f"{model._meta.label}.{name}: {rotated} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) re-encrypted with the first key."))
