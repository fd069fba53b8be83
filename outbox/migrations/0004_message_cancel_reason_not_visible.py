# A message withdrawn because its recipient can no longer see what it reported (a watcher who
# left the department, a mention in a note they may not read).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_in_app_and_notifications")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="cancel_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("request_closed", "The request is no longer open"),
                    ("target_met", "The target was met"),
                    ("moved", "The request moved to another agreement"),
                    ("breached", "The target was breached: the breach is told instead"),
                    ("taken_on", "Someone already took the request on"),
                    ("status_changed", "The request has moved on since"),
                    ("step_decided", "The approval step was decided"),
                    ("agreement_changed", "The agreement has moved on since"),
                    ("wave_closed", "The survey wave is closed"),
                    ("answered", "The survey was answered"),
                    ("gone", "What it reported no longer exists"),
                    ("not_visible", "Its recipient can no longer see what it reported"),
                ],
                max_length=20,
            ),
        ),
    ]
