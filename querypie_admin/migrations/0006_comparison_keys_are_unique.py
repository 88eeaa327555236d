"""The comparison keys become the unique, indexed columns behind one account per name."""

from django.db import migrations

import querypie_admin.lookups


class Migration(migrations.Migration):
    dependencies = [
        ("querypie_admin", "0005_unicode_comparison_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="login_key",
            field=querypie_admin.lookups.ComparisonKeyField(source="login_id", unique=True),
        ),
        migrations.AlterField(
            model_name="group",
            name="name_key",
            field=querypie_admin.lookups.ComparisonKeyField(source="name", unique=True),
        ),
        migrations.RemoveConstraint(model_name="user", name="user_login_id_ci_unique"),
        migrations.RemoveConstraint(model_name="group", name="group_name_ci_unique"),
    ]
