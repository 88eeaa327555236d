"""ScimUserLink's raw attributes now live in querypie_admin's DirectoryLink (source SCIM)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scim", "0001_initial"),
        ("querypie_admin", "0003_links_from_existing_rows"),
    ]

    operations = [migrations.DeleteModel(name="ScimUserLink")]
