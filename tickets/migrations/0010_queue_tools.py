# The queue's tools: the round-robin cursor, saved views and canned replies.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_service_auto_assign"),
        ("departments", "0005_profile_time_zone"),
        ("tickets", "0009_queue_next_due_and_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentCursor",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="agreements.service",
                    ),
                ),
                (
                    "last_assignee",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="CannedReply",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                ("text", models.TextField(verbose_name="text")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last edited")),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="canned_replies",
                        to="departments.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last edited by",
                    ),
                ),
            ],
            options={
                "verbose_name": "canned reply",
                "verbose_name_plural": "canned replies",
                "ordering": ["department__name", "title", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("department", "title"),
                        name="canned_reply_unique_title",
                        violation_error_message="The department already has a reply of this title.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("filters", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                (
                    "shared",
                    models.BooleanField(
                        default=False,
                        help_text="The department's agents and head see it in their queue.",
                        verbose_name="shared with the department",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to="departments.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "saved view",
                "verbose_name_plural": "saved views",
                "ordering": ["name", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner", "department", "name"),
                        name="saved_view_unique_name",
                        violation_error_message="You already have a view of this name.",
                    )
                ],
            },
        ),
    ]
