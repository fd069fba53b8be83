"""Invitations stop being their own outbox: what an open wave still owed is written to the one
outbox (outbox.Message) first, so that an upgrade loses no e-mail, then the invitation's sending
fields go. A message already written for the same round is kept (ignore_conflicts)."""

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone


def write_owed_emails(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Message = apps.get_model("outbox", "Message")
    ContentType = apps.get_model("contenttypes", "ContentType")
    owed = (
        Invitation.objects.filter(
            Q(emails_sent=0) | Q(answered=False),
            emails_sent__lt=F("wave__email_round"),
            wave__closes_at__gt=timezone.now(),
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .values_list("pk", "recipient_id", "emails_sent", "wave__email_round")
    )
    if not owed.exists():
        return
    invitation_type, _ = ContentType.objects.get_or_create(app_label="surveys", model="invitation")
    # Never sent: the invitation itself; sent before: the reminder of the wave's current round.
    Message.objects.bulk_create(
        (
            Message(
                kind="surveys.invitation" if emails_sent == 0 else "surveys.reminder",
                recipient_id=recipient_id,
                about_type=invitation_type,
                about_id=pk,
                round=1 if emails_sent == 0 else email_round,
            )
            for pk, recipient_id, emails_sent, email_round in owed.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("outbox", "0001_initial"),
        ("surveys", "0005_response_swap"),
    ]

    operations = [
        migrations.RunPython(write_owed_emails, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="invitation", name="surveys_inv_wave_id_357ace_idx"),
        migrations.RemoveField(model_name="invitation", name="attempts"),
        migrations.RemoveField(model_name="invitation", name="claimed_at"),
        migrations.RemoveField(model_name="invitation", name="emails_sent"),
        migrations.RemoveField(model_name="invitation", name="last_error"),
    ]
