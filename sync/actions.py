"""What the console's buttons do: Save Changes, Dry Run, Synchronize, confirm a guarded run."""

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest

from querypie_admin import audit
from querypie_admin.models import User

from .engine.config import RunConfig, SyncSetupError, make_client
from .engine.runs import start_run, start_saved_run
from .forms import SyncSettingsForm
from .models import RunKind, SyncRun, SyncSettings
from .okta_errors import OktaError
from .schedule import apply_schedule
from .token_crypto import encrypt_token

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


def save_settings(form: SyncSettingsForm, request: HttpRequest) -> SyncSettings:
    """Save and reschedule together, so beat never runs a schedule that was not saved."""
    with transaction.atomic():
        instance = form.save()
        apply_schedule(instance)
        detail = {"changed": sorted(set(form.changed_data) - {"api_token"})}
        detail["api_token_replaced"] = bool(form.new_token)
        audit.record(
            "okta_sync.settings_updated",
            actor=request.user,
            target_label="Okta synchronization",
            detail=detail,
            request=request,
        )
    return instance


def check_connection(form: SyncSettingsForm) -> bool:
    """Call Okta once with the entered URL and token; put any failure beside its field."""
    encrypted = _entered_token(form)
    try:
        client = make_client(form.cleaned_data["api_url"], encrypted, max_retries=1)
        with client:
            client.check_credentials()
            if form.cleaned_data["app_id"]:
                client.get_app(form.cleaned_data["app_id"])
    except OktaError as exc:
        form.add_error(FIELD_FOR_KIND.get(exc.kind), exc.user_message)
        return False
    except SyncSetupError as exc:
        form.add_error("api_token", str(exc))
        return False
    return True


def _entered_token(form: SyncSettingsForm) -> str:
    return encrypt_token(form.new_token) if form.new_token else form.instance.api_token_encrypted


def queue(run: SyncRun) -> SyncRun:
    """Hand the run to a Celery worker once the row is committed, so the worker sees it."""
    from .tasks import run_sync

    transaction.on_commit(lambda: run_sync.delay(run.pk))
    return run


def begin_dry_run(form: SyncSettingsForm, user: User) -> SyncRun:
    """A Dry Run of the values in the form, saved or not."""
    data = form.cleaned_data
    config = RunConfig(
        api_url=data["api_url"],
        app_id=data["app_id"],
        scope=data["scope"],
        deactivation_threshold=data["deactivation_threshold"],
    )
    run = start_run(
        RunKind.DRY_RUN, config=config, encrypted_token=_entered_token(form), started_by=user
    )
    return queue(run)


def begin_sync(user: User, *, allow_mass_deactivation: bool = False) -> SyncRun:
    run = start_saved_run(
        RunKind.MANUAL, started_by=user, allow_mass_deactivation=allow_mass_deactivation
    )
    return queue(run)
