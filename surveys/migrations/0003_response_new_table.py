"""Responses get a random id (UUID4) and lose their day of submission: a sequential id or a day
orders responses by when they were given, which lets them be matched to the people who answered.

Every response and answer is kept. A primary key cannot change type in place on every database,
so the responses are copied into a new table with fresh random ids, the answers re-pointed at
them, and the new table takes the old one's name. Not reversible: the old ids are gone.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("surveys", "0002_default_template"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="response", name="submitted_on"),
        migrations.AddField(
            model_name="response", name="new_id", field=models.UUIDField(null=True)
        ),
        migrations.CreateModel(
            name="NewResponse",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.wave",
                    ),
                ),
                (
                    "rated_department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="departments.department",
                        verbose_name="rated department",
                    ),
                ),
                (
                    "respondent_department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="departments.department",
                        verbose_name="respondent's department",
                    ),
                ),
                (
                    "invitation",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="surveys.invitation",
                    ),
                ),
                (
                    "respondent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="respondent",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="answer",
            name="new_response",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.newresponse",
            ),
        ),
    ]
