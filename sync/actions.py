"""What the console's buttons and `okta_sync` do: Save Changes, Dry Run, Synchronize,
confirm a held run. Each takes who asks (a user or a Caller) and validated data."""

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.db import transaction

from okta import connection as okta
from okta.client import CONNECTION_CHECK_SECONDS
from okta.connection import OktaSetupError
from okta.errors import OktaError
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.directory import Caller
from querypie_admin.models import User

from .engine.config import RunConfig
from .engine.confirmation import confirm_held_run
from .engine.runs import start_run, start_saved_run
from .forms import SyncSettingsForm
from .models import RunKind, SyncRun
from .schedule import apply_schedule

# Which form field an Okta failure belongs beside.
FIELD_FOR_KIND = {
    "invalid_token": "api_token",
    "permission": "api_token",
    "not_found": "app_id",
    "unknown_host": "api_url",
    "tls": "api_url",
    "timeout": "api_url",
    "connection_refused": "api_url",
    "connection": "api_url",
}


def scim_provisioning_enabled() -> bool:
    """SCIM lives in another app; if it is absent or not migrated, treat it as disabled."""
    try:
        model = apps.get_model("scim", "ProvisioningSettings")
        row = model.objects.order_by("pk").first()
    except Exception:  # noqa: BLE001 - any failure here only hides a warning
        return False
    return bool(row and getattr(row, "enabled", False))


def save_settings(caller: Caller, data: Mapping[str, Any]) -> OktaOrg:
    """Save the settings and reschedule in one transaction, and audit it.

    The page and `okta_sync configure` both come here, with data that SyncSettingsForm
    validated; an empty `api_token` keeps the stored token. Saving and rescheduling together
    means beat never runs a schedule that was not saved, nor keeps one that was replaced.
    """
    token = data.get("api_token", "")
    with transaction.atomic():
        OktaOrg.load()
        org = OktaOrg.objects.select_for_update().get(pk=1)
        changed = okta.store(org, data)
        org.save()
        apply_schedule(org)
        caller.record(
            "okta_sync.settings_updated",
            target_label="Okta synchronization",
            changed=changed,
            api_token_replaced=bool(token),
        )
    return org


def check_connection(form: SyncSettingsForm) -> bool:
    """Call Okta once with the entered URL and token; put any failure beside its field."""
    encrypted = _entered_token(form.cleaned_data)
    try:
        client = okta.client(
            form.cleaned_data["api_url"],
            encrypted,
            max_retries=1,
            deadline=CONNECTION_CHECK_SECONDS,  # a web request waits for it: seconds, not minutes
        )
        with client:
            client.check_credentials()
            if form.cleaned_data["app_id"]:
                client.get_app(form.cleaned_data["app_id"])
    except OktaError as exc:
        form.add_error(FIELD_FOR_KIND.get(exc.kind), exc.user_message)
        return False
    except OktaSetupError as exc:
        form.add_error("api_token", str(exc))
        return False
    return True


def _entered_token(data: Mapping[str, Any]) -> str:
    """The token typed in the form, or the saved one when the field was left empty."""
    token = data.get("api_token")
    return encrypt_token(token) if token else OktaOrg.load().api_token_encrypted


def queue(run: SyncRun) -> SyncRun:
    """Hand the run to a Celery worker once the row is committed, so the worker sees it."""
    from .tasks import run_sync

    transaction.on_commit(lambda: run_sync.delay(run.pk))
    return run


def begin_dry_run(user: User, data: Mapping[str, Any]) -> SyncRun:
    """A Dry Run of validated settings values, saved or not."""
    config = RunConfig(
        api_url=data["api_url"],
        app_id=data["app_id"],
        scope=data["scope"],
        deactivation_threshold=data["deactivation_threshold"],
    )
    run = start_run(
        RunKind.DRY_RUN, config=config, encrypted_token=_entered_token(data), started_by=user
    )
    return queue(run)


def begin_sync(user: User) -> SyncRun:
    return queue(start_saved_run(RunKind.MANUAL, started_by=user))


def begin_confirmed_sync(caller: Caller, held_id: int) -> SyncRun:
    """Confirm and synchronize: a run bound to the held plan (see engine.confirmation)."""
    return queue(confirm_held_run(caller, held_id))
