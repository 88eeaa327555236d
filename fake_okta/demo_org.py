"""The demo's org: a generated org furnished so that every page of the console has something
to show once it is connected (``python -m fake_okta --demo``, scripts/demo).

Beside the QueryPie app it has a few other applications; some of QueryPie's people are Okta
admins, directly or through an "Okta Admins" group, some with MFA factors and some without;
most active people signed in to Okta and to their apps in the last weeks, a few long ago and
a few never, and the System Log holds those sign-ins and the admin role grants.

The QueryPie app's users, groups and memberships are the generated ones, untouched: the SCIM
push (another process, the same arguments) pushes exactly what the server serves. Everything
here derives from the seed, so two processes furnish the same org.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fake_okta.apps import populate_apps
from fake_okta.directory import FakeOktaDirectory
from fake_okta.model import iso
from fake_okta.system_log import sign_in_event, sso_event

ADMIN_GROUP = "Okta Admins"
# (role, factor or None): who holds which role directly; None leaves them without MFA.
DIRECT_ADMINS = (
    ("SUPER_ADMIN", "push"),
    ("SUPER_ADMIN", None),
    ("ORG_ADMIN", "token:software:totp"),
    ("APP_ADMIN", None),
    ("HELP_DESK_ADMIN", "webauthn"),
)
GROUP_ADMINS = 3  # members of ADMIN_GROUP, which holds the Read Only role
RECENT, LONG_AGO = 0.7, 0.15  # shares of active people by last sign-in; the rest never did


def demo_org(*, users: int, groups: int, memberships: int, seed: int) -> FakeOktaDirectory:
    """A generated org (FakeOktaDirectory.generate's arguments), furnished."""
    directory = FakeOktaDirectory.generate(
        users=users, groups=groups, memberships=memberships, seed=seed
    )
    furnish(directory, seed=seed)
    return directory


def furnish(directory: FakeOktaDirectory, *, seed: int, now: datetime | None = None) -> None:
    """Other apps, admins with and without MFA, and sign-ins, as of ``now``."""
    rng = random.Random(f"demo-{seed}")
    populate_apps(directory, apps=4, direct_users=6, groups_per_app=2)
    _admins(directory, rng)
    _sign_ins(directory, rng, now or datetime.now(UTC))


def app_people(directory: FakeOktaDirectory) -> list[str]:
    """The QueryPie app's active people, by id: they can sign in to the console too."""
    scopes = directory.app_user_scopes(directory.app_id)
    return sorted(uid for uid in scopes if directory.users[uid].status == "ACTIVE")


def demo_examples(directory: FakeOktaDirectory) -> dict[str, str]:
    """Whom the demo's printed commands name: a QueryPie user to deactivate, and another, no
    admin, with a group of the app they are not in (to map to a role, then add them to)."""
    admins = set(directory.admin_roles.assignee_ids())
    user_id, member_id = [uid for uid in app_people(directory) if uid not in admins][:2]
    group = next(
        directory.groups[gid]
        for gid in directory.app_groups[directory.app_id]
        if directory.groups[gid].type == "OKTA_GROUP"
        and member_id not in directory.groups[gid].members
    )
    return {
        "Example user": str(directory.users[user_id].profile["login"]),
        "Example member": str(directory.users[member_id].profile["login"]),
        "Example group": group.name,
        "Example group ID": group.id,
    }


def _admins(directory: FakeOktaDirectory, rng: random.Random) -> None:
    roles = directory.admin_roles
    people = app_people(directory)
    chosen = rng.sample(people, min(len(people), len(DIRECT_ADMINS) + GROUP_ADMINS))
    for user_id, (role, factor) in zip(chosen, DIRECT_ADMINS, strict=False):
        roles.grant_user(user_id, role)
        if factor:
            roles.enroll(user_id, factor)
    group = directory.add_group(ADMIN_GROUP, description="Okta administrators (Read Only)")
    for number, user_id in enumerate(chosen[len(DIRECT_ADMINS) :]):
        directory.add_member(group.id, user_id)
        if number % 2 == 0:
            roles.enroll(user_id, "sms")
    roles.grant_group(group.id, "READ_ONLY_ADMIN")


def _sign_ins(directory: FakeOktaDirectory, rng: random.Random, now: datetime) -> None:
    """Each active person's last sign-in to Okta, and to each app they reach, logged."""
    with directory.lock:
        apps = {app_id: directory.app_user_scopes(app_id) for app_id in directory.apps}
        for user_id, user in sorted(directory.users.items()):
            draw = rng.random()
            if user.status != "ACTIVE" or draw >= RECENT + LONG_AGO:
                continue  # never signed in
            days = rng.uniform(0.1, 30) if draw < RECENT else rng.uniform(120, 400)
            moment = now - timedelta(days=days)
            user.last_login = iso(moment)
            directory.system_log.append(sign_in_event(directory, user_id, published=moment))
            for app_id, scopes in sorted(apps.items()):
                if user_id in scopes and rng.random() < 0.6:
                    used = moment - timedelta(minutes=rng.uniform(1, 600))
                    event = sso_event(directory, user_id, app_id, published=used)
                    directory.system_log.append(event)
        directory.version += 1
