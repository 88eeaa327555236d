"""The Authentication page's buttons that post no form of their own: Refresh now, the held
change's Apply / Keep, the SP key rollover, and Retire (the certificate's pk in `certificate`).
Each one runs a service, says what happened and is audited by that service."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from . import certificates, keys, refresh
from .metadata import MetadataError
from .models import SamlSettings


def _the(labels: list[str]) -> str:
    """["SSO URL", "Single Logout binding"] -> "the SSO URL and the Single Logout binding"."""
    named = [f"the {label}" for label in labels] or ["its identity provider settings"]
    return " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


def _refresh_now(request: HttpRequest) -> None:
    result = refresh.daily_check(request.user)
    if result.metadata == "failed":
        messages.error(
            request,
            "The Metadata URL could not be refreshed; the last good configuration stays in use.",
        )
    elif result.metadata == "held":
        changed = list(refresh.held_changes(SamlSettings.load()))
        messages.warning(request, f"The metadata changed {_the(changed)}: review the change below.")
    elif result.okta_keys == "failed":
        messages.error(request, "Okta's key credentials could not be read; see the alert above.")
    else:
        messages.success(request, "The identity provider's certificates are up to date.")


def _apply_change(request: HttpRequest) -> None:
    try:
        applied = refresh.confirm_pending(request.user)
    except MetadataError as exc:  # cannot happen for metadata that parsed when held
        messages.error(request, f"The held metadata cannot be applied: {exc}")
        return
    if applied:
        messages.success(request, "The identity provider's new settings were applied.")
    else:
        messages.info(request, "No change is waiting for confirmation.")


def _keep_current(request: HttpRequest) -> None:
    if refresh.discard_pending(request.user):
        messages.success(request, "The current identity provider settings were kept.")


def _generate_next_key(request: HttpRequest) -> None:
    if keys.generate_next_key(request.user):
        messages.success(request, "The next SP key was generated and published in the SP metadata.")
    else:
        messages.info(request, "A next SP key is already waiting to be promoted.")


def _promote_next_key(request: HttpRequest) -> None:
    if keys.promote_next_key(request.user):
        messages.success(request, "The console now signs with the next SP key.")
    else:
        messages.info(request, "There is no next SP key to promote.")


def _retire_certificate(request: HttpRequest) -> None:
    try:
        cert = certificates.retire_certificate(request.user, request.POST.get("certificate", ""))
    except certificates.CertificateRefused as refusal:
        messages.error(request, str(refusal))
        return
    messages.success(request, f"{cert.subject} was retired: it verifies no sign-in from now on.")


ACTIONS: dict[str, Callable[[HttpRequest], None]] = {
    "refresh": _refresh_now,
    "apply_change": _apply_change,
    "keep_current": _keep_current,
    "sp_key_next": _generate_next_key,
    "sp_key_promote": _promote_next_key,
    "retire_certificate": _retire_certificate,
}
