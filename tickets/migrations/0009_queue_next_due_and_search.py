"""The queue at scale and search.

- `Ticket.next_due_at`: the earliest due time of an open request's unmet targets, stored (kept by
  `Ticket.save()`) and indexed with the queue's filters, filled here for existing rows with the
  expression the queue used to sort on.
- `Ticket.search_text`: title, description and form answers as one text, filled here.
- pg_trgm (a contrib extension) and GIN indexes for search: trigrams of `search_text` and of the
  comments' text (Chinese substrings, any word), and the `simple` full-text vector of
  `search_text`. On SQLite the extension and these indexes are skipped (search falls back to
  `icontains` there).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Least

OPEN_STATUSES = [
    "new", "approval_pending", "approved", "acknowledged", "in_progress", "waiting", "reopened",
]  # fmt: skip

SEARCH_INDEXES = {
    "ticket_search_trigram": (
        "CREATE INDEX IF NOT EXISTS ticket_search_trigram ON tickets_ticket "
        "USING gin (search_text gin_trgm_ops)"
    ),
    "ticket_search_vector": (
        "CREATE INDEX IF NOT EXISTS ticket_search_vector ON tickets_ticket "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
    ),
    "event_comment_trigram": (
        "CREATE INDEX IF NOT EXISTS event_comment_trigram ON tickets_event "
        "USING gin (text gin_trgm_ops) WHERE kind IN ('comment', 'note')"
    ),
}


def earliest_unmet_due():
    """What the queue sorted on before: as `Ticket.earliest_unmet_due()`."""
    first_response = Case(
        When(
            first_responded_at__isnull=True,
            first_response_due_at__isnull=False,
            then=F("first_response_due_at"),
        ),
        default=None,
    )
    resolution = Case(
        When(
            resolved_at__isnull=True, resolution_due_at__isnull=False, then=F("resolution_due_at")
        ),
        default=None,
    )
    return Case(
        When(
            status__in=OPEN_STATUSES,
            then=Least(Coalesce(first_response, resolution), Coalesce(resolution, first_response)),
        ),
        default=None,
    )


def search_document(title, description, answers):
    """As `tickets.models.ticket.search_document` (copied: a migration keeps its own)."""
    parts = [title, description]
    for value in answers.values() if isinstance(answers, dict) else []:
        parts.extend(str(item) for item in (value if isinstance(value, list) else [value]))
    return "\n".join(part for part in parts if part)


def fill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Ticket.objects.update(next_due_at=earliest_unmet_due())
    batch = []
    rows = Ticket.objects.only("title", "description", "answers").order_by("pk")
    for ticket in rows.iterator(chunk_size=2000):
        ticket.search_text = search_document(ticket.title, ticket.description, ticket.answers)
        batch.append(ticket)
        if len(batch) == 2000:
            Ticket.objects.bulk_update(batch, ["search_text"])
            batch = []
    Ticket.objects.bulk_update(batch, ["search_text"])


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_INDEXES.values():
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SEARCH_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_notifications_to_outbox"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="ticket",
            name="next_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="next due"
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="search_text",
            field=models.TextField(blank=True, db_default="", editable=False),
        ),
        migrations.RemoveIndex(model_name="ticket", name="tickets_tic_provide_e52035_idx"),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["provider", "status", "next_due_at", "id"], name="ticket_queue_status"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=Q(status__in=OPEN_STATUSES),
                fields=["provider", "next_due_at", "id"],
                name="ticket_queue_open",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=Q(status__in=OPEN_STATUSES),
                fields=["provider", "priority", "next_due_at", "id"],
                name="ticket_queue_open_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=Q(status__in=OPEN_STATUSES),
                fields=["assignee", "next_due_at", "id"],
                name="ticket_queue_open_assignee",
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
        # Last: PostgreSQL refuses CREATE INDEX on a table with rows updated earlier in the same
        # transaction ("pending trigger events").
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
