# A hand-off cancelled with its parent request says so on its timeline (tickets.services).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0018_requester_duties'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('filed', 'filed the request'), ('transition', 'changed the status'), ('comment', 'commented'), ('note', 'added an internal note'), ('assigned', 'assigned the request'), ('priority', 'changed the priority'), ('approval', 'decided an approval'), ('skipped', 'skipped an approval step'), ('closed', 'closed an approval step'), ('attachment', 'attached a file'), ('rated', 'rated the service'), ('thanked', 'said thanks'), ('autoconfirm', 'was confirmed automatically'), ('dispute', 'disputed a breach'), ('hand_off', 'opened a hand-off'), ('detached', 'detached a hand-off'), ('with_parent', 'cancelled it with its parent request')], max_length=12),
        ),
    ]
