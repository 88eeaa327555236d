"""Upgrading from the release where the sync's settings held the Okta connection: the saved
URL, the token (still encrypted, readable with the same SECRET_KEY), the Application ID, the
scope and the Replication Frequency move to the Okta org, and the next sync runs with them."""

import pytest
from django.utils import timezone

from okta.models import OktaOrg
from okta.token_crypto import decrypt_token, encrypt_token
from querypie_admin.models import User
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from tests.migrating import migrate

# The sync's migrations before the connection moved, and no okta app yet.
BEFORE = [("sync", "0002_held_plan_confirmation"), ("okta", None)]


@pytest.mark.django_db(transaction=True)
def test_a_saved_connection_and_a_finished_sync_survive_the_upgrade_and_sync_again(fake_org, org):
    old = migrate(BEFORE)
    old.get_model("sync", "SyncSettings").objects.create(
        pk=1,
        enabled=True,
        api_url=fake_org.base_url,
        api_token_encrypted=encrypt_token(fake_org.token),
        api_token_last4=fake_org.token[-4:],
        app_id=fake_org.app_id,
        scope="directory",
        frequency="minutes",
        every_minutes=45,
        deactivation_threshold=50,
    )
    finished = old.get_model("sync", "SyncRun").objects.create(
        kind=RunKind.MANUAL,
        status=RunStatus.SUCCEEDED,
        in_progress=None,
        started_by_label="before the upgrade",
        finished_at=timezone.now(),
        counts={"users_create": 4},
    )

    migrate()

    saved = OktaOrg.load()
    assert (saved.enabled, saved.api_url, saved.app_id, saved.scope) == (
        True,
        fake_org.base_url,
        fake_org.app_id,
        "directory",
    )
    assert (saved.frequency, saved.every_minutes, saved.deactivation_threshold) == (
        "minutes",
        45,
        50,
    )
    assert decrypt_token(saved.api_token_encrypted) == fake_org.token
    assert saved.masked_token.endswith(fake_org.token[-4:])
    assert SyncRun.objects.get(pk=finished.pk).counts == {"users_create": 4}

    run = execute_run(start_saved_run(RunKind.MANUAL, label="after the upgrade").pk)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert User.objects.filter(login_id=org.ada.profile["login"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_can_be_rolled_back_with_the_connection():
    migrate()
    OktaOrg.objects.update_or_create(pk=1, defaults={"api_url": "https://acme.okta.com"})

    old = migrate(BEFORE)

    assert old.get_model("sync", "SyncSettings").objects.get(pk=1).api_url == (
        "https://acme.okta.com"
    )
    migrate()
    assert OktaOrg.load().api_url == "https://acme.okta.com"
