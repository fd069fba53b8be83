"""Requests' e-mails move to the one outbox (outbox.Message): each notification row is copied
with its id, state and history, its link becoming the message's `about`, then the table goes."""

from django.db import connection, migrations

LINKS = ["event", "approval", "breach", "warning", "escalation"]
MODELS = {"event": "event", "approval": "approval", "breach": "breach",
          "warning": "targetwarning", "escalation": "escalation"}  # fmt: skip


def copy_notifications(apps, schema_editor):
    Notification = apps.get_model("tickets", "Notification")
    Message = apps.get_model("outbox", "Message")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {
        link: ContentType.objects.get_or_create(app_label="tickets", model=model)[0]
        for link, model in MODELS.items()
    }
    batch = []
    for row in Notification.objects.order_by("pk").iterator(chunk_size=2000):
        # An escalation also names its breach: the escalation is what it reports.
        link = next((name for name in reversed(LINKS) if getattr(row, f"{name}_id")), None)
        batch.append(
            Message(
                pk=row.pk,
                kind=f"tickets.{row.kind}",
                recipient_id=row.recipient_id,
                about_type=types[link] if link else None,
                about_id=getattr(row, f"{link}_id") if link else None,
                digest_period=row.digest_period,
                in_digest_id=row.in_digest_id,
                state=row.state,
                cancel_reason=row.cancel_reason,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
                claimed_at=row.claimed_at,
                retry_at=row.retry_at,
                sent_at=row.sent_at,
            )
        )
        if len(batch) == 2000:
            Message.objects.bulk_create(batch)
            batch = []
    Message.objects.bulk_create(batch)
    if connection.vendor == "postgresql" and Message.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('outbox_message', 'id'), "
                "(SELECT MAX(id) FROM outbox_message))"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_notification_retry_at"),
        ("outbox", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_notifications, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
