"""Who resolved each request already resolved: the actor of its latest move to "resolved" on
the timeline (the same reading the kudos made before the column existed)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_resolved_by(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Event = apps.get_model("tickets", "Event")
    latest_resolution = (
        Event.objects.filter(ticket=OuterRef("pk"), kind="transition", to_status="resolved")
        .order_by("-at", "-pk")
        .values("actor")[:1]
    )
    Ticket.objects.filter(resolved_at__isnull=False, resolved_by__isnull=True).update(
        resolved_by=Subquery(latest_resolution)
    )


def clear_resolved_by(apps, schema_editor):
    apps.get_model("tickets", "Ticket").objects.filter(resolved_by__isnull=False).update(
        resolved_by=None
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0020_ticket_resolved_by"),
    ]

    operations = [
        migrations.RunPython(fill_resolved_by, clear_resolved_by),
    ]
