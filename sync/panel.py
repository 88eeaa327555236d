"""What the Synchronization section ("Use Synchronization with the Authentication System")
shows."""

from typing import Any

from django.http import HttpRequest

from okta.models import OktaOrg
from okta.schedule import describe
from querypie_admin.roles import can_change_trust

from .actions import scim_provisioning_enabled
from .forms import SyncSettingsForm
from .models import SyncRun


def panel_context(request: HttpRequest | None, form: SyncSettingsForm | None = None) -> dict:
    org = form.instance if form else OktaOrg.load()
    context: dict[str, Any] = {
        "sync_form": form or SyncSettingsForm(instance=org),
        "draft": form.draft if form else None,
        "okta_org": org,
        "schedule_text": describe(org),
        "scim_enabled": scim_provisioning_enabled(),
        "last_run": SyncRun.objects.first(),
        "request": request,
        "can_change_trust": request is not None and can_change_trust(request),
    }
    return context
