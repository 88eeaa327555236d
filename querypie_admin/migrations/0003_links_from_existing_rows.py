"""Turn today's Okta rows into links: SCIM-created rows get SCIM links, synced rows sync links.

Before links, a row only said `auth_provider=okta` and an `external_id`. What made it is
read from what each integration left behind: SCIM kept a ScimUserLink per user it wrote; a
user or group created one at a time by SCIM or SAML sign-in has a `*.created` audit event
naming that actor; the sync wrote in batches and set the Okta id. A row made by SCIM that
the sync later adopted (same Okta id) gets both links.
"""

from django.db import migrations

SCIM, SYNC, SAML = "scim", "okta_sync", "saml"


def _creators(AuditEvent, target_type: str) -> dict[int, str]:
    """pk -> the source that created it, from per-object `*.created` audit events."""
    found = {}
    events = AuditEvent.objects.filter(action=f"{target_type}.created", target_type=target_type)
    for target_id, actor in events.values_list("target_id", "actor_label"):
        if not target_id.isdigit():
            continue
        if actor.startswith("SCIM"):
            found[int(target_id)] = SCIM
        elif actor == "SAML sign-in":
            found[int(target_id)] = SAML
    return found


def _sync_has_run(apps) -> bool:
    SyncSettings = apps.get_model("sync", "SyncSettings")
    return SyncSettings.objects.exclude(last_sync_read_at=None).exists()


def forwards(apps, schema_editor):
    User = apps.get_model("querypie_admin", "User")
    Group = apps.get_model("querypie_admin", "Group")
    Link = apps.get_model("querypie_admin", "DirectoryLink")
    AuditEvent = apps.get_model("querypie_admin", "AuditEvent")
    ScimUserLink = apps.get_model("scim", "ScimUserLink")
    raw = dict(ScimUserLink.objects.values_list("user_id", "attributes"))
    created_by = _creators(AuditEvent, "user")
    synced = _sync_has_run(apps)
    links = []
    for pk, external_id in User.objects.filter(auth_provider="okta").values_list(
        "pk", "external_id"
    ):
        sources = set()
        if pk in raw or created_by.get(pk) == SCIM:
            sources.add(SCIM)
        elif created_by.get(pk) == SAML:
            sources.add(SAML)
        if external_id and (synced or not sources) and created_by.get(pk) != SAML:
            sources.add(SYNC)
        for source in sorted(sources):
            attributes = raw.get(pk, {}) if source == SCIM else {}
            links.append(Link(source=source, user_id=pk, external_id=external_id, attributes=attributes))
    group_creators = _creators(AuditEvent, "group")
    for pk, external_id in Group.objects.filter(auth_provider="okta").values_list(
        "pk", "external_id"
    ):
        source = group_creators.get(pk) or (SYNC if external_id else SCIM)
        links.append(Link(source=source, group_id=pk, external_id=external_id))
    Link.objects.bulk_create(links, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("querypie_admin", "0002_directory_links"),
        ("scim", "0001_initial"),
        ("sync", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
