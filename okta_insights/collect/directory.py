"""Users and groups as Okta lists them: status, last sign-in and names for the reports."""

from ..models import OktaGroup, OktaUser
from .base import Reader, batches, okta_time, sweep, text, upsert

USER_FIELDS = [
    "login",
    "email",
    "first_name",
    "last_name",
    "status",
    "created",
    "last_login",
    "manager_id",
    "manager",
    "collected_in",
]


def collect_users(reader: Reader) -> int:
    """Every user Okta lists (its listing leaves out DEPROVISIONED ones, which are not
    active in Okta and so never stale); users gone from Okta are removed."""
    count = 0
    for chunk in batches(reader.client.iter_users()):
        rows = [_user(body, reader.run_id) for body in chunk if body.get("id")]
        upsert(OktaUser, rows, ["okta_id"], USER_FIELDS)
        count += len(rows)
        reader.progress.count(len(rows))
    sweep(OktaUser.objects.all(), reader.run_id)
    return count


def _user(body: dict, run_id: int) -> OktaUser:
    profile = body.get("profile") or {}
    return OktaUser(
        okta_id=body["id"],
        login=text(profile.get("login"), 255),
        email=text(profile.get("email"), 255),
        first_name=text(profile.get("firstName"), 150),
        last_name=text(profile.get("lastName"), 150),
        status=text(body.get("status"), 32),
        created=okta_time(body.get("created")),
        last_login=okta_time(body.get("lastLogin")),
        manager_id=text(profile.get("managerId"), 255),
        manager=text(profile.get("manager"), 255),
        collected_in=run_id,
    )


def collect_groups(reader: Reader) -> int:
    """Every group, app groups and Everyone included: assignments and roles name them."""
    count = 0
    for chunk in batches(reader.client.iter_groups()):
        rows = [
            OktaGroup(
                okta_id=body["id"],
                name=text((body.get("profile") or {}).get("name"), 255),
                group_type=text(body.get("type"), 32),
                collected_in=reader.run_id,
            )
            for body in chunk
            if body.get("id")
        ]
        upsert(OktaGroup, rows, ["okta_id"], ["name", "group_type", "collected_in"])
        count += len(rows)
        reader.progress.count(len(rows))
    sweep(OktaGroup.objects.all(), reader.run_id)
    return count
