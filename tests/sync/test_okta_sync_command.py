"""`python manage.py okta_sync`: configure (audited, atomic), run with a progress bar and JSON,
confirm a held run, status."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from okta.models import OktaOrg
from okta.token_crypto import decrypt_token
from querypie_admin.models import AuditEvent, User
from sync.management.commands.okta_sync import Command
from sync.models import RunStatus, SyncRun
from tests.sync.test_sync_confirmation import active_okta_logins

pytestmark = pytest.mark.django_db


def okta_sync(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("okta_sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_configure_then_run_then_status(fake_org, tmp_path, capsys):
    token_file = tmp_path / "token"
    token_file.write_text(fake_org.token + "\n")

    out, _ = okta_sync("configure", "--api-url", fake_org.base_url, "--api-token-file",
                       str(token_file), "--scope", "directory", "--enable")  # fmt: skip

    assert fake_org.token not in out and "oken" in out
    saved = OktaOrg.load()
    assert saved.enabled and decrypt_token(saved.api_token_encrypted) == fake_org.token

    out, _ = okta_sync("run", "--full")
    result = json.loads(out.strip().splitlines()[-1])
    assert result["status"] == "succeeded" and result["counts"]["users_create"] == 5
    assert "pages" in capsys.readouterr().err  # the progress bar went to stderr
    assert User.objects.filter(auth_provider="okta").count() == 5

    out, _ = okta_sync("status")
    status = json.loads(out)
    assert status["last_run"]["run"] == SyncRun.objects.first().pk
    assert status["api_token"].endswith("oken") and fake_org.token not in out


def test_run_dry_run_prints_the_plan_and_writes_nothing(sync_settings):
    out, _ = okta_sync("run", "--dry-run")

    result = json.loads(out.strip().splitlines()[-1])
    assert result["kind"] == "dry_run" and result["counts"]["groups_create"] == 2
    assert not User.objects.filter(auth_provider="okta").exists()


def test_configure_refuses_a_bad_url(tmp_path, db):
    token_file = tmp_path / "token"
    token_file.write_text("abc")

    with pytest.raises(CommandError, match="api_url"):
        okta_sync(
            "configure", "--api-url", "ftp://acme.okta.com", "--api-token-file", str(token_file)
        )


def test_run_without_settings_says_so(db):
    with pytest.raises(CommandError, match="not set up"):
        okta_sync("run")


def configure(fake_org, tmp_path, *extra: str) -> tuple[str, str]:
    token_file = tmp_path / "token"
    token_file.write_text(fake_org.token + "\n")
    return okta_sync("configure", "--api-url", fake_org.base_url, "--api-token-file",
                     str(token_file), "--scope", "directory", *extra)  # fmt: skip


def test_configure_writes_an_audit_entry_without_the_token(fake_org, tmp_path):
    configure(fake_org, tmp_path, "--enable")

    event = AuditEvent.objects.get(action="okta_sync.settings_updated")
    assert event.actor_label == "okta_sync command" and event.detail["source"] == "command"
    assert event.detail["api_token_replaced"] is True
    assert {"enabled", "api_url", "scope"} <= set(event.detail["changed"])
    assert fake_org.token not in json.dumps(event.detail) + event.target_label


def test_configure_saves_nothing_when_the_schedule_step_fails(fake_org, tmp_path):
    OktaOrg.objects.update_or_create(pk=1, defaults={"frequency": "minutes"})
    for _ in range(2):  # two identical schedules: beat's tables are in a state it cannot use
        IntervalSchedule.objects.create(every=30, period=IntervalSchedule.MINUTES)

    with pytest.raises(CommandError, match="Nothing was saved"):
        configure(fake_org, tmp_path, "--enable")

    saved = OktaOrg.load()
    assert not saved.enabled and not saved.has_token and saved.api_url == ""
    assert not PeriodicTask.objects.exists()
    assert not AuditEvent.objects.filter(action="okta_sync.settings_updated").exists()


def test_run_without_confirmation_is_held_by_the_guard_as_before(held, org):
    org.directory.delete_user(org.grace.id)

    out, _ = okta_sync("run", "--full")

    assert json.loads(out.strip().splitlines()[-1])["status"] == "needs_confirmation"
    assert len(active_okta_logins()) == 5


def test_confirm_deactivations_writes_the_held_plan_once(held):
    out, _ = okta_sync("run", "--confirm-deactivations", str(held.pk))

    result = json.loads(out.strip().splitlines()[-1])
    assert (result["status"], result["confirms"]) == ("succeeded", held.pk)
    assert active_okta_logins() == {"grace@corp.example", "linus@corp.example",
                                    "outsider@corp.example"}  # fmt: skip
    event = AuditEvent.objects.get(action="okta_sync.run_confirmed")
    assert event.detail["held_run"] == held.pk and event.actor_label == "okta_sync command"

    with pytest.raises(CommandError, match="already confirmed by okta_sync command"):
        okta_sync("run", "--confirm-deactivations", str(held.pk))


def test_confirm_deactivations_stops_again_when_okta_shrank_further(held, org):
    org.directory.delete_user(org.grace.id)

    with pytest.raises(CommandError, match="1 more user deactivated"):
        okta_sync("run", "--confirm-deactivations", str(held.pk))

    assert SyncRun.objects.first().status == RunStatus.NEEDS_CONFIRMATION
    assert len(active_okta_logins()) == 5


def test_confirm_deactivations_refuses_a_plan_older_than_an_hour(held):
    SyncRun.objects.filter(pk=held.pk).update(finished_at=held.finished_at - timedelta(minutes=61))

    with pytest.raises(CommandError, match="more than an hour old: run Synchronize again"):
        okta_sync("run", "--confirm-deactivations", str(held.pk))

    assert not SyncRun.objects.filter(confirms=held).exists()
    assert len(active_okta_logins()) == 5


@pytest.mark.parametrize("which", ["succeeded", "unknown"])
def test_confirm_deactivations_refuses_a_run_that_is_not_held(run_sync, which):
    run_id = run_sync().pk if which == "succeeded" else 999

    with pytest.raises(CommandError, match="waiting for confirmation|no synchronization #999"):
        okta_sync("run", "--confirm-deactivations", str(run_id))

    assert SyncRun.objects.count() == (1 if which == "succeeded" else 0)


def test_okta_sync_starts_without_the_system_checks(db, monkeypatch):
    """From the command line, the command starts without the system checks, which import the
    whole URL conf: 0.4 s and 30 MB of the run's peak memory before the first page."""
    checked = []
    monkeypatch.setattr(BaseCommand, "check", lambda self, *a, **kw: checked.append(self))
    out = StringIO()

    Command(stdout=out).run_from_argv(["manage.py", "okta_sync", "status"])

    assert json.loads(out.getvalue())["last_run"] is None
    assert checked == []
