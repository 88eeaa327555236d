"""`python manage.py okta_sync`: configure, run with a progress bar and JSON, status."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from querypie_admin.models import User
from sync.models import SyncRun, SyncSettings
from sync.token_crypto import decrypt_token

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
    saved = SyncSettings.load()
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
