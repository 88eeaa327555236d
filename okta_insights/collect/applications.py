"""Applications and who can reach each: people assigned directly or through a group."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from ..models import AppAssignment, AppGroupAssignment, AppSignIn, OktaApp, OktaGroup
from .base import Reader, batches, okta_time, sweep, text, upsert

APP_FIELDS = ["label", "name", "sign_on_mode", "status", "created", "last_updated", "collected_in"]
ASSIGNMENT_FIELDS = ["login", "scope", "group_okta_id", "group_name", "assigned_at", "collected_in"]


def collect_applications(reader: Reader) -> int:
    """All apps, then each app's users and groups; an app's rows change together."""
    apps = [_app(body, reader.run_id) for body in reader.client.iter_apps() if body.get("id")]
    upsert(OktaApp, apps, ["okta_id"], APP_FIELDS)
    group_names = dict(OktaGroup.objects.values_list("okta_id", "name"))
    stored = {app.okta_id: app for app in OktaApp.objects.filter(collected_in=reader.run_id)}
    for number, okta_id in enumerate(sorted(stored), start=1):
        reader.progress.phase(f"Collecting Applications ({number}/{len(stored)})")
        _collect_assignments(reader, stored[okta_id], group_names)
    sweep(OktaApp.objects.all(), reader.run_id)
    return len(stored)


def _app(body: dict, run_id: int) -> OktaApp:
    return OktaApp(
        okta_id=body["id"],
        label=text(body.get("label"), 255),
        name=text(body.get("name"), 255),
        sign_on_mode=text(body.get("signOnMode"), 64),
        status=text(body.get("status"), 32),
        created=okta_time(body.get("created")),
        last_updated=okta_time(body.get("lastUpdated")),
        collected_in=run_id,
    )


def _collect_assignments(reader: Reader, app: OktaApp, group_names: dict[str, str]) -> None:
    client, run_id = reader.client, reader.run_id
    groups = [
        AppGroupAssignment(
            app=app,
            group_okta_id=body["id"],
            priority=body.get("priority") or 0,
            assigned_at=okta_time(body.get("lastUpdated")),
            collected_in=run_id,
        )
        for body in client.iter_app_groups(app.okta_id)
        if body.get("id")
    ]
    with transaction.atomic():
        upsert(
            AppGroupAssignment,
            groups,
            ["app", "group_okta_id"],
            ["priority", "assigned_at", "collected_in"],
        )
        sweep(app.group_assignments.all(), run_id)
    people = direct = 0
    for chunk in batches(client.iter_app_users(app.okta_id)):
        rows = [_assignment(app, body, group_names, run_id) for body in chunk if body.get("id")]
        upsert(AppAssignment, rows, ["app", "user_okta_id"], ASSIGNMENT_FIELDS)
        people += len(rows)
        direct += sum(row.is_direct for row in rows)
        reader.progress.count(len(rows))
    sweep(app.assignments.all(), run_id)
    _last_sign_ins(app)
    OktaApp.objects.filter(pk=app.pk).update(
        users_count=people, direct_count=direct, groups_count=len(groups)
    )


def _assignment(app: OktaApp, body: dict, names: dict[str, str], run_id: int) -> AppAssignment:
    """Okta names the group a GROUP-scoped user came through in ``_links.group``."""
    group = (body.get("_links") or {}).get("group") or {}
    group_id = text(group.get("href"), 200).rsplit("/", 1)[-1] if group.get("href") else ""
    credentials = body.get("credentials") or {}
    profile = body.get("profile") or {}
    return AppAssignment(
        app=app,
        app_okta_id=app.okta_id,
        user_okta_id=body["id"],
        login=text(credentials.get("userName") or profile.get("email"), 255),
        scope=text(body.get("scope"), 8),
        group_okta_id=group_id,
        group_name=text(group.get("name") or names.get(group_id), 255),
        assigned_at=okta_time(body.get("created")),
        collected_in=run_id,
    )


def _last_sign_ins(app: OktaApp) -> None:
    """A new assignment gets the person's latest sign-in to the app, if the log has one."""
    latest = AppSignIn.objects.filter(
        app_okta_id=app.okta_id, user_okta_id=OuterRef("user_okta_id")
    ).values("last_at")[:1]
    app.assignments.filter(Exists(latest), last_sign_in__isnull=True).update(
        last_sign_in=Subquery(latest)
    )
