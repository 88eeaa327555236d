"""Login IDs and group names get a Unicode comparison key (NFKC + case folding), filled in
from the existing rows; 0006 makes it unique in place of the LOWER() constraints.

Rows that were separate under LOWER() but share a key (`ÖZIL` and `özil` on SQLite, the
fullwidth `ａｄｍｉｎ` and `admin`) all stay: the oldest keeps the key, each later one gets
the key plus a U+0001 and its id, which the directory never accepts in a name, so the
later ones can no longer be found by their look-alike name until someone renames them.
"""

from django.db import migrations

import querypie_admin.lookups


def _fill(model, name_field: str, key_field: str) -> None:
    seen: set[str] = set()
    changed = []
    for row in model.objects.order_by("pk").only("pk", name_field):
        key = querypie_admin.lookups.comparison_key(getattr(row, name_field))
        if key in seen:
            key = f"{key}\x01{row.pk}"
        seen.add(key)
        setattr(row, key_field, key)
        changed.append(row)
    model.objects.bulk_update(changed, [key_field], batch_size=2000)


def fill_keys(apps, schema_editor) -> None:
    _fill(apps.get_model("querypie_admin", "User"), "login_id", "login_key")
    _fill(apps.get_model("querypie_admin", "Group"), "name", "name_key")


class Migration(migrations.Migration):
    dependencies = [
        ("querypie_admin", "0004_external_id_lives_in_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="login_key",
            field=querypie_admin.lookups.ComparisonKeyField(default="", source="login_id"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="group",
            name="name_key",
            field=querypie_admin.lookups.ComparisonKeyField(default="", source="name"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
