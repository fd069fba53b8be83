"""Copies every response under a new random id and points its answers at the copy (its own
migration, so that the rows are written and checked before the tables change)."""

import uuid

from django.db import migrations
from django.db.models import OuterRef, Subquery

CHUNK = 2000


def copy_responses(apps, schema_editor):
    """Each response is copied with a new random id, remembered on the old row for its answers."""
    OldResponse = apps.get_model("surveys", "Response")
    NewResponse = apps.get_model("surveys", "NewResponse")
    batch = []
    columns = ["pk", "wave_id", "rated_department_id", "respondent_department_id",
               "invitation_id", "respondent_id"]  # fmt: skip
    # In random order: rows are stored in the order they are written, which must not be the
    # order people answered in.
    rows = OldResponse.objects.order_by("?").values_list(*columns)
    for old_pk, wave, rated, group, invitation, respondent in rows.iterator(chunk_size=CHUNK):
        new_id = uuid.uuid4()
        batch.append((old_pk, NewResponse(
            id=new_id, wave_id=wave, rated_department_id=rated, respondent_department_id=group,
            invitation_id=invitation, respondent_id=respondent,
        )))  # fmt: skip
        if len(batch) >= CHUNK:
            _flush(OldResponse, NewResponse, batch)
    _flush(OldResponse, NewResponse, batch)


def _flush(OldResponse, NewResponse, batch):
    if not batch:
        return
    NewResponse.objects.bulk_create([new for _old, new in batch])
    OldResponse.objects.bulk_update(
        [OldResponse(pk=old_pk, new_id=new.id) for old_pk, new in batch], ["new_id"]
    )
    batch.clear()


def link_answers(apps, schema_editor):
    OldResponse = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    Answer.objects.update(
        new_response_id=Subquery(
            OldResponse.objects.filter(pk=OuterRef("response_id")).values("new_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_response_new_table")]

    operations = [
        migrations.RunPython(copy_responses, elidable=False),
        migrations.RunPython(link_answers, elidable=False),
    ]
