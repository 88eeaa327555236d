"""The parallel member readers keep, together, to the configured share of Okta's bucket."""

from __future__ import annotations

import pytest

from sync.models import RunStatus

pytestmark = pytest.mark.django_db

GROUPS_LIMIT = 40  # requests per window in the fake's "groups" bucket (member lists use it)


def test_member_readers_together_use_the_configured_share_of_the_bucket(
    run_sync, org, fake_org, monkeypatch
):
    for number in range(60):
        group = org.directory.add_group(f"Team {number:02d}")
        org.directory.add_member(group.id, org.ada.id)
    limiter = fake_org.rate_limiter
    limiter.overrides["groups"] = GROUPS_LIMIT
    used_in_window: list[int] = []
    hit = limiter.hit

    def counting_hit(bucket: str, **kwargs):
        state = hit(bucket, **kwargs)
        if bucket == "groups":
            used_in_window.append(GROUPS_LIMIT - state.remaining)
        return state

    monkeypatch.setattr(limiter, "hit", counting_hit)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert not [r for r in fake_org.requests if r.status == 429]
    # 50% of 40 is 20; each of the 3 readers may have one request in flight past it.
    assert GROUPS_LIMIT * 0.5 <= max(used_in_window) <= GROUPS_LIMIT * 0.5 + 3
