"""Applications, admins and activity for a generated org, for the visibility bench and demos.

Everything derives from the directory's seeded ``rng``, so two runs serve the same org. The
System Log is synthesized: event ``i`` is computed when asked for, so a million events cost
no memory, and they come a little out of ``published`` order, as Okta delivers them.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_okta.directory import FakeOktaDirectory
from fake_okta.model import App, AppGroupAssignment, AppUserAssignment, iso
from fake_okta.system_log import app_ref, log_event, user_ref

SIGN_ON_MODES = ("SAML_2_0", "OPENID_CONNECT", "BROWSER_PLUGIN", "BOOKMARK", "AUTO_LOGIN")
APP_NAMES = "Salesforce Slack GitHub Jira Zoom Workday Figma Notion Datadog Snowflake Box"
ADMIN_ROLES = ("SUPER_ADMIN", "ORG_ADMIN", "APP_ADMIN", "HELP_DESK_ADMIN", "READ_ONLY_ADMIN")
FACTORS = ("push", "token:software:totp", "webauthn", "sms")


def add_application(
    directory: FakeOktaDirectory,
    label: str,
    *,
    sign_on_mode: str = "SAML_2_0",
    status: str = "ACTIVE",
    name: str | None = None,
) -> App:
    """An app as an admin adds it in Okta: its label, sign-on mode and status."""
    app = directory.add_app(label, name=name or label.lower().replace(" ", "_"))
    with directory.lock:
        app.sign_on_mode, app.status = sign_on_mode, status
        directory.version += 1
    return app


def populate_apps(
    directory: FakeOktaDirectory, *, apps: int, direct_users: int, groups_per_app: int
) -> list[str]:
    """``apps`` applications, each with about ``direct_users`` users assigned directly and
    ``groups_per_app`` groups (group sizes are the generator's skewed ones)."""
    rng, names = directory.rng, APP_NAMES.split()
    user_ids = [uid for uid, u in directory.users.items() if u.status != "DEPROVISIONED"]
    group_ids = [gid for gid, g in directory.groups.items() if g.type == "OKTA_GROUP"]
    made = []
    with directory.lock:
        for number in range(apps):
            stamp = iso(datetime(2023, 1, 1, tzinfo=UTC) + timedelta(hours=number))
            app = directory._new_app(f"{names[number % len(names)]} {number:04d}", stamp)
            app.name = f"app_{number:04d}"
            app.sign_on_mode = SIGN_ON_MODES[number % len(SIGN_ON_MODES)]
            for user_id in rng.sample(user_ids, min(direct_users, len(user_ids))):
                directory.app_users[app.id][user_id] = AppUserAssignment(stamp, stamp)
            chosen = rng.sample(group_ids, min(groups_per_app, len(group_ids)))
            for priority, group_id in enumerate(chosen):
                directory.app_groups[app.id][group_id] = AppGroupAssignment(stamp, priority)
            made.append(app.id)
        directory.version += 1
    return made


def populate_admins(directory: FakeOktaDirectory, *, admins: int) -> list[str]:
    """``admins`` users with a role (every fifth a Super Administrator), most with a factor;
    one group holds the Read Only role."""
    rng = directory.rng
    active = sorted(uid for uid, u in directory.users.items() if u.status == "ACTIVE")
    chosen = rng.sample(active, min(admins, len(active)))
    for number, user_id in enumerate(chosen):
        directory.admin_roles.grant_user(user_id, ADMIN_ROLES[number % len(ADMIN_ROLES)])
        if number % 7:
            directory.admin_roles.enroll(user_id, FACTORS[number % len(FACTORS)])
    groups = sorted(gid for gid, g in directory.groups.items() if g.type == "OKTA_GROUP")
    if groups:
        directory.admin_roles.grant_group(groups[-1], "READ_ONLY_ADMIN")
    return chosen


def synthesize_activity(
    directory: FakeOktaDirectory, *, events: int, days: float = 6.0, seed: int = 0
) -> None:
    """``events`` sign-ins to Okta and to apps over the last ``days``, computed on demand."""
    users = sorted(directory.users)
    apps = sorted(directory.apps)
    refs = {uid: user_ref(directory, uid) for uid in users}
    app_refs = {aid: app_ref(directory, aid) for aid in apps}
    start = directory.system_log.clock() - days * 86400
    step = days * 86400 / max(events, 1)

    def make(position: int) -> tuple[float, dict[str, Any]]:
        rng = random.Random(seed * 1_000_003 + position)
        stored = start + position * step
        published = datetime.fromtimestamp(stored - rng.random() * 30, UTC)  # late by <30 s
        actor = refs[users[rng.randrange(len(users))]]
        outcome = "FAILURE" if rng.random() < 0.04 else "SUCCESS"
        common = {
            "actor": actor,
            "published": published,
            "outcome": outcome,
            "event_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        }
        if position % 2:
            app = app_refs[apps[rng.randrange(len(apps))]]
            return stored, log_event("user.authentication.sso", targets=[app], **common)
        return stored, log_event("user.session.start", **common)

    directory.system_log.synthesize(events, make)
