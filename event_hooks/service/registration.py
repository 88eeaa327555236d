"""Register with Okta: create the event hook through Okta's API with the sync's saved token,
then have Okta verify it (`POST /api/v1/eventHooks`, then `…/{id}/lifecycle/verify`).

The secret Okta will send is generated here and handed to Okta in the same call, so no
secret ever has to be kept in clear: it becomes the current one (the current one, if any,
stays valid as the previous one) before Okta verifies, since verification sends it.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from okta import connection as okta
from okta.client import OktaClient
from okta.connection import OktaSetupError
from okta.errors import OktaError
from okta.models import OktaOrg
from okta.token_crypto import TokenUnreadable
from querypie_admin.directory import Caller

from ..models import HookSettings
from . import authentication
from .configure import TARGET, SettingsRefused, install_secret, rotation_refusal

HOOK_NAME = "QueryPie Admin"
CALL_SECONDS = 20.0  # the button waits for these calls: seconds, not minutes
MAX_HOOK_ID = HookSettings._meta.get_field("okta_hook_id").max_length


class RegistrationError(Exception):
    """Okta did not register or verify the hook; the message says why and what to do."""


def hook_url() -> str:
    return f"{settings.CONSOLE_BASE_URL}{reverse('okta_event_hook')}"


def create_body(hook: HookSettings, secret: str) -> dict:
    """Okta's EventHook object for this console."""
    scheme = {"type": "HEADER", "key": hook.header_name, "value": secret}
    return {
        "name": HOOK_NAME,
        "events": {"type": "EVENT_TYPE", "items": list(hook.event_types)},
        "channel": {
            "type": "HTTP",
            "version": "1.0.0",
            "config": {"uri": hook_url(), "headers": [], "authScheme": scheme},
        },
    }


def _client() -> OktaClient:
    if not OktaOrg.load().connected:
        raise RegistrationError(
            "Save the Okta API URL and API Token under Synchronization first: "
            "Register with Okta uses them."
        )
    try:
        return okta.client(max_retries=1, deadline=CALL_SECONDS)
    except (OktaSetupError, TokenUnreadable) as exc:
        raise RegistrationError(str(exc)) from None


def _explain(exc: OktaError, doing: str) -> RegistrationError:
    if exc.kind == "permission":
        return RegistrationError(
            f"Okta refused to {doing}: the API token's admin role cannot manage event hooks "
            "(a Super Administrator token can; or create the hook by hand in Okta under "
            "Workflow > Event Hooks with the URL and header below)."
        )
    return RegistrationError(f"Okta could not {doing}: {exc.user_message}")


def register(caller: Caller) -> HookSettings:
    """Create and verify the hook in Okta; returns the settings with Okta's answer."""
    hook = HookSettings.load()
    if not hook.event_types:
        raise RegistrationError("Choose at least one event type first.")
    with _client() as client:
        if hook.okta_hook_id and _still_there(client, hook.okta_hook_id):
            raise RegistrationError(
                f"This console is already registered with Okta as event hook "
                f"{hook.okta_hook_id}. To register it again, delete that hook in Okta first."
            )
        refusal = rotation_refusal(hook)  # checked before Okta is called
        if refusal:
            raise RegistrationError(refusal)
        secret = authentication.generate()
        try:
            created = client.create_event_hook(create_body(hook, secret))
        except OktaError as exc:
            raise _explain(exc, "create the event hook") from None
        _store(caller, secret, created)
        return verify(caller, client)


def _still_there(client: OktaClient, hook_id: str) -> bool:
    try:
        return client.get_event_hook(hook_id) is not None
    except OktaError as exc:
        raise _explain(exc, "read the registered event hook") from None


def _store(caller: Caller, secret: str, created: dict) -> HookSettings:
    """Commit the new secret and Okta's hook id before Okta verifies (it sends the secret)."""
    with transaction.atomic():
        HookSettings.load()
        hook = HookSettings.objects.select_for_update().get(pk=1)
        try:
            install_secret(hook, secret)
        except SettingsRefused as exc:  # a rotation slipped in since the check
            raise RegistrationError(str(exc)) from None
        hook.okta_hook_id = _hook_id(created)
        _copy_status(hook, created)
        hook.registered_at = timezone.now()
        hook.save()
        caller.record(
            "event_hook.registered",
            target_label=TARGET,
            okta_hook_id=hook.okta_hook_id,
            uri=hook_url(),
            secret_last4=hook.secret_last4,
            event_types=list(hook.event_types),
        )
    return hook


def verify(caller: Caller, client: OktaClient | None = None) -> HookSettings:
    """Have Okta verify the registered hook (it calls this console with a challenge)."""
    hook = HookSettings.load()
    if not hook.okta_hook_id:
        raise RegistrationError("No event hook is registered with Okta yet.")
    own = client is None
    client = client or _client()
    try:
        answer = client.verify_event_hook(hook.okta_hook_id)
    except OktaError as exc:
        raise _explain(exc, f"verify the event hook at {hook_url()}") from None
    finally:
        if own:
            client.close()
    return _save_status(caller, answer, "event_hook.verified")


def refresh(caller: Caller) -> HookSettings:
    """Read the registered hook's status from Okta."""
    hook = HookSettings.load()
    if not hook.okta_hook_id:
        raise RegistrationError("No event hook is registered with Okta yet.")
    with _client() as client:
        try:
            answer = client.get_event_hook(hook.okta_hook_id)
        except OktaError as exc:
            raise _explain(exc, "read the registered event hook") from None
    if answer is None:
        answer = {"status": "DELETED", "verificationStatus": ""}
    return _save_status(caller, answer, "")


def _hook_id(created: dict) -> str:
    """The new hook's id: text that fits, or the API URL is not Okta's (nothing is kept)."""
    hook_id = created.get("id")
    if not isinstance(hook_id, str) or not 0 < len(hook_id) <= MAX_HOOK_ID:
        raise RegistrationError(
            "The answer to creating the event hook has no usable event hook ID: "
            "is the API URL that of your Okta org?"
        )
    return hook_id


def _copy_status(hook: HookSettings, answer: dict) -> None:
    """Okta's status and verification status, as short as the settings keep them."""
    hook.okta_status = str(answer.get("status") or "")[:16]
    hook.okta_verification = str(answer.get("verificationStatus") or "")[:16]


def _save_status(caller: Caller, answer: dict, action: str) -> HookSettings:
    hook = HookSettings.load()
    _copy_status(hook, answer)
    hook.save(update_fields=["okta_status", "okta_verification", "updated_at"])
    if action:
        caller.record(action, target_label=TARGET, okta_hook_id=hook.okta_hook_id)
    return hook
