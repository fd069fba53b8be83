# The data step apart from the column change: PostgreSQL refuses to alter a table in the
# transaction that updated its rows (pending trigger events), which the reverse would do.

from django.db import migrations

from common.encrypted import decrypt_column, encrypt_column

FIELDS = ["secret"]


def encrypt_existing(apps, schema_editor):
    model = apps.get_model("webhooks", "Webhook")
    for name in FIELDS:
        encrypt_column(model, name)


def decrypt_existing(apps, schema_editor):
    model = apps.get_model("webhooks", "Webhook")
    for name in FIELDS:
        decrypt_column(model, name)


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0002_secret_as_text"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
