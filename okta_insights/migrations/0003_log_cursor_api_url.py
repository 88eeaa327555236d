"""The System Log cursor records the Okta API URL its `next` link belongs to (and a start
over asked for on the page). A cursor saved before has a link to one origin: that is its
API URL."""

from urllib.parse import urlsplit

from django.db import migrations, models


def origin_of_the_saved_link(apps, schema_editor) -> None:
    LogCursor = apps.get_model("okta_insights", "LogCursor")
    for cursor in LogCursor.objects.exclude(next_url=""):
        parts = urlsplit(cursor.next_url)
        cursor.api_url = f"{parts.scheme}://{parts.netloc}"[:255]
        cursor.save(update_fields=["api_url"])


class Migration(migrations.Migration):
    dependencies = [("okta_insights", "0002_partition_events_by_month")]

    operations = [
        migrations.AddField(
            model_name="logcursor",
            name="api_url",
            field=models.CharField(blank=True, max_length=255, verbose_name="API URL"),
        ),
        migrations.AddField(
            model_name="logcursor",
            name="start_from",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(origin_of_the_saved_link, migrations.RunPython.noop),
    ]
