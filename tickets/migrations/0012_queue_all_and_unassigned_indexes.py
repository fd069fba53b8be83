"""The queue's two pages that read more than a page at a million requests (bench/ticket_queue.py):
"all statuses" gets an index in (provider, next due) order whatever the status, and the assignee
filters ("unassigned", "assigned to me", someone's) one led by the provider, so that unassigned
requests of other departments are not read."""

from django.db import migrations, models
from django.db.models import Q

OPEN_STATUSES = [
    "new", "approval_pending", "approved", "acknowledged", "in_progress", "waiting", "reopened",
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_conversation"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_queue_open_assignee"),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=Q(status__in=OPEN_STATUSES),
                fields=["provider", "assignee", "next_due_at", "id"],
                name="ticket_queue_open_assignee",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["provider", "next_due_at", "id"], name="ticket_queue_all"),
        ),
    ]
