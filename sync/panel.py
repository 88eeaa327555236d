"""What the "Use Synchronization with the Authentication System" panel shows."""

from typing import Any

from django.http import HttpRequest

from querypie_admin.roles import can_change_trust

from .actions import scim_provisioning_enabled
from .forms import SyncSettingsForm
from .models import SyncRun, SyncSettings
from .schedule import describe


def panel_context(request: HttpRequest | None, form: SyncSettingsForm | None = None) -> dict:
    sync_settings = form.instance if form else SyncSettings.load()
    context: dict[str, Any] = {
        "sync_form": form or SyncSettingsForm(instance=sync_settings),
        "sync_settings": sync_settings,
        "schedule_text": describe(sync_settings),
        "scim_enabled": scim_provisioning_enabled(),
        "last_run": SyncRun.objects.first(),
        "request": request,
        "can_change_trust": request is not None and can_change_trust(request),
    }
    return context
