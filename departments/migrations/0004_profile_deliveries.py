"""Each person chooses how each kind of message reaches them (Profile.deliveries); the hourly
digest of alerts (alert_digest) becomes the digest for breaches and warnings."""

from django.db import migrations, models

ALERTS = ("tickets.breach", "tickets.warning")


def alert_digest_to_deliveries(apps, schema_editor):
    Profile = apps.get_model("departments", "Profile")
    Profile.objects.filter(alert_digest=True).update(deliveries=dict.fromkeys(ALERTS, "digest"))


def deliveries_to_alert_digest(apps, schema_editor):
    Profile = apps.get_model("departments", "Profile")
    digest_readers = [
        profile.pk
        for profile in Profile.objects.only("deliveries")
        if profile.deliveries.get("tickets.breach") == "digest"
    ]
    Profile.objects.filter(pk__in=digest_readers).update(alert_digest=True)


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0003_profile_alert_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="deliveries",
            field=models.JSONField(blank=True, default=dict, verbose_name="deliveries"),
        ),
        migrations.RunPython(alert_digest_to_deliveries, deliveries_to_alert_digest),
        migrations.RemoveField(model_name="profile", name="alert_digest"),
    ]
