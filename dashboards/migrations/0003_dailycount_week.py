import datetime

from django.db import migrations, models


def forget_the_counts(apps, schema_editor):
    """The totals are derived data: dropped here, the next run of the job counts every day again
    (with the new column)."""
    for name in ("DailyCount", "DailyPairCount", "CountedDay", "RollupMark"):
        apps.get_model("dashboards", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_countedday_dailycount_dailypaircount_rollupmark_and_more"),
    ]

    operations = [
        migrations.RunPython(forget_the_counts, migrations.RunPython.noop),
        migrations.AddField(
            model_name="dailycount",
            name="week",
            field=models.DateField(
                default=datetime.date(1970, 1, 1),
                help_text="The Monday of `day`: the weekly trend groups by it.",
            ),
            preserve_default=False,
        ),
    ]
