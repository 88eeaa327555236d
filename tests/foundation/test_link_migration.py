"""The data migration turns yesterday's Okta rows into links, by what made each of them."""

import pytest

from tests.migrating import migrate

BEFORE = [("querypie_admin", "0001_initial"), ("scim", "0001_initial"), ("sync", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_scim_rows_get_scim_links_and_synced_rows_sync_links():
    old = migrate(BEFORE)
    User = old.get_model("querypie_admin", "User")
    Group = old.get_model("querypie_admin", "Group")
    AuditEvent = old.get_model("querypie_admin", "AuditEvent")
    ScimUserLink = old.get_model("scim", "ScimUserLink")
    SyncSettings = old.get_model("sync", "SyncSettings")
    local = User.objects.create(login_id="admin", role="owner")
    pushed = User.objects.create(
        login_id="p@corp.example", auth_provider="okta", external_id="00uP"
    )
    ScimUserLink.objects.create(user=pushed, attributes={"userName": "p@corp.example"})
    synced = User.objects.create(
        login_id="s@corp.example", auth_provider="okta", external_id="00uS"
    )
    jit = User.objects.create(login_id="j@corp.example", auth_provider="okta")
    AuditEvent.objects.create(
        action="user.created", target_type="user", target_id=str(jit.pk), actor_label="SAML sign-in"
    )
    scim_group = Group.objects.create(name="Pushed", auth_provider="okta")
    AuditEvent.objects.create(
        action="group.created",
        target_type="group",
        target_id=str(scim_group.pk),
        actor_label="SCIM (token ab12…)",
    )
    sync_group = Group.objects.create(name="Synced", auth_provider="okta", external_id="00gS")
    SyncSettings.objects.create(pk=1)  # the sync never ran: a SCIM row gets no sync link

    new = migrate()
    Link = new.get_model("querypie_admin", "DirectoryLink")
    rows = Link.objects.values_list("source", "user_id", "group_id", "external_id", "attributes")
    assert sorted(rows, key=str) == sorted(
        [
            ("scim", pushed.pk, None, "00uP", {"userName": "p@corp.example"}),
            ("okta_sync", synced.pk, None, "00uS", {}),
            ("saml", jit.pk, None, "", {}),
            ("scim", None, scim_group.pk, "", {}),
            ("okta_sync", None, sync_group.pk, "00gS", {}),
        ],
        key=str,
    )
    assert not Link.objects.filter(user_id=local.pk).exists()
