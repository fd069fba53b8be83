"""The copies of the responses, with random ids, take the place of the old table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_response_copy")]

    operations = [
        migrations.RemoveConstraint(model_name="answer", name="answer_one_per_question"),
        migrations.RemoveField(model_name="answer", name="response"),
        migrations.DeleteModel(name="Response"),
        migrations.RenameModel(old_name="NewResponse", new_name="Response"),
        migrations.RenameField(model_name="answer", old_name="new_response", new_name="response"),
        migrations.AlterField(
            model_name="answer",
            name="response",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="surveys.response",
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="wave",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="responses",
                to="surveys.wave",
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="invitation",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="response",
                to="surveys.invitation",
            ),
        ),
        migrations.AlterModelOptions(
            name="response",
            options={
                "ordering": ["wave", "pk"],
                "verbose_name": "response",
                "verbose_name_plural": "responses",
            },
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                fields=["wave", "rated_department"], name="surveys_res_wave_id_631ebb_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(
                fields=("response", "question"), name="answer_one_per_question"
            ),
        ),
    ]
