"""The IdP's id of a row now lives in its links only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("querypie_admin", "0003_links_from_existing_rows"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='group',
            name='external_id',
        ),
        migrations.RemoveField(
            model_name='user',
            name='external_id',
        ),
    ]
