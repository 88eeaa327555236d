"""The embedded default (SQLite under var/, as scripts/start runs it) syncs with the same
engine: SQLite has one writer, so the batches are written after the reading, each in its own
transaction, through the fallbacks of PostgreSQL's COPY paths (bulk_create, bulk_update)."""

from __future__ import annotations

import json
from pathlib import Path

from fake_okta import FakeOkta
from tests.foundation.test_embedded_default import embedded_env, manage


def synchronize(env: dict[str, str]) -> dict:
    """`okta_sync run --full` in its own process; its last line is the run as JSON."""
    result = json.loads(manage(env, "okta_sync", "run", "--full").strip().splitlines()[-1])
    assert result["status"] == "succeeded", result
    return {name: count for name, count in result["counts"].items() if count}


def test_a_sync_on_sqlite_creates_updates_and_then_writes_nothing(
    fake_org: FakeOkta, org, tmp_path: Path
) -> None:
    env = embedded_env(tmp_path / "var") | {"OKTA_API_ALLOW_LOOPBACK": "1"}
    manage(env, "migrate", "--noinput")
    token = tmp_path / "token"
    token.write_text(fake_org.token)
    manage(env, "okta_sync", "configure", "--api-url", fake_org.base_url,
           "--api-token-file", str(token), "--scope", "directory", "--enable")  # fmt: skip

    first = synchronize(env)
    org.directory.update_user(org.grace.id, firstName="Amazing Grace")
    newcomer = org.directory.add_user("newcomer@corp.example")
    org.directory.add_member(org.finance.id, newcomer.id)
    second = synchronize(env)
    third = synchronize(env)

    assert first == {"users_create": 5, "groups_create": 2, "memberships_add": 5}
    assert second == {"users_create": 1, "users_update": 1, "memberships_add": 1}
    assert third == {}
