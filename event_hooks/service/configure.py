"""The settings panel's changes: the header secret (generate, rotate, remove the previous
one), the header name and the event types. Each is audited; no secret ever is, only its
last four characters. Services take who asks (a Caller) and validated values."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from querypie_admin.directory import Caller

from ..models import HookSettings
from . import authentication

TARGET = "Okta Event Hooks"


class SettingsRefused(Exception):
    """The change cannot be made now; the message says why and what to do."""


def _locked() -> HookSettings:
    HookSettings.load()
    return HookSettings.objects.select_for_update().get(pk=1)


def rotation_refusal(hook: HookSettings) -> str:
    """Why a new secret cannot be installed now, or "": two valid at once is the most."""
    if not hook.has_previous:
        return ""
    return (
        "The previous secret is still valid. Remove it once Okta sends the current one "
        f"(ending in {hook.secret_last4}), then rotate again."
    )


def install_secret(hook: HookSettings, value: str) -> None:
    """`value` becomes the current secret; the current one, if any, stays valid as the
    previous one."""
    refusal = rotation_refusal(hook)
    if refusal:
        raise SettingsRefused(refusal)
    if hook.has_secret:
        hook.previous_hash, hook.previous_last4 = hook.secret_hash, hook.secret_last4
        hook.previous_created_at = hook.secret_created_at
    hook.secret_hash, hook.secret_last4 = authentication.hash_secret(value), value[-4:]
    hook.secret_created_at = timezone.now()


def new_secret(caller: Caller) -> str:
    """Generate (or rotate to) a new secret; returns it, to be shown once."""
    value = authentication.generate()
    with transaction.atomic():
        hook = _locked()
        rotating = hook.has_secret
        install_secret(hook, value)
        hook.save()
        action = "event_hook.secret_rotated" if rotating else "event_hook.secret_generated"
        caller.record(action, target_label=TARGET, secret_last4=hook.secret_last4)
    return value


def remove_previous(caller: Caller) -> None:
    with transaction.atomic():
        hook = _locked()
        if not hook.has_previous:
            raise SettingsRefused("There is no previous secret to remove.")
        last4 = hook.previous_last4
        hook.previous_hash = hook.previous_last4 = ""
        hook.previous_created_at = None
        hook.save()
        caller.record("event_hook.previous_secret_removed", target_label=TARGET, secret_last4=last4)


def save_settings(caller: Caller, header_name: str, event_types: Iterable[str]) -> list[str]:
    """Save the header name and event types (validated by the form); returns what changed."""
    with transaction.atomic():
        hook = _locked()
        wanted = {"header_name": header_name, "event_types": sorted(event_types)}
        changed = [name for name, value in wanted.items() if getattr(hook, name) != value]
        if changed:
            for name in changed:
                setattr(hook, name, wanted[name])
            hook.save()
            caller.record(
                "event_hook.settings_updated",
                target_label=TARGET,
                changed=changed,
                header_name=header_name,
                event_types=wanted["event_types"],
            )
    return changed
