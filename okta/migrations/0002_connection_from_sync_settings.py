"""The Okta org's address, token (still encrypted, readable with the same SECRET_KEY),
Application ID, scope, Replication Frequency and guard threshold move from the sync's
settings row to the Okta org's, unchanged; backwards, they move back."""

from django.db import migrations

MOVED = (
    "enabled",
    "api_url",
    "api_token_encrypted",
    "api_token_last4",
    "app_id",
    "scope",
    "frequency",
    "every_minutes",
    "daily_at",
    "cron",
    "deactivation_threshold",
)


def forwards(apps, schema_editor):
    saved = apps.get_model("sync", "SyncSettings").objects.filter(pk=1).first()
    if saved is not None:
        values = {name: getattr(saved, name) for name in MOVED}
        apps.get_model("okta", "OktaOrg").objects.update_or_create(pk=1, defaults=values)


def backwards(apps, schema_editor):
    org = apps.get_model("okta", "OktaOrg").objects.filter(pk=1).first()
    if org is not None:
        values = {name: getattr(org, name) for name in MOVED}
        apps.get_model("sync", "SyncSettings").objects.update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):
    dependencies = [
        ("okta", "0001_initial"),
        ("sync", "0002_held_plan_confirmation"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
