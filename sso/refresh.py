"""The scheduled refresh of the IdP's trust: its Metadata URL and the Okta app's keys.

New certificates apply at once (each verifies from its notBefore); a changed entityID, SSO URL,
Single Logout URL or Single Logout binding is never applied silently: it is held until an
admin confirms it on the Authentication page. A fetch that fails or brings malformed metadata
keeps the last good configuration and raises an alert (a banner, an audit event, a /healthz
warning).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.audit import Actor

from . import certificates, okta_keys
from .alerts import announce_expiries
from .fetch import fetch_metadata
from .metadata import BINDING_LABELS, IdpMetadata, MetadataError, parse_idp_metadata
from .models import CertificateSource, SamlSettings

REFRESH_ACTOR = "SAML metadata refresh"


@dataclass
class CheckResult:
    """What one check did, for the page's message and the task's result."""

    metadata: str = "no Metadata URL"  # applied, unchanged, held, failed
    okta_keys: str = "not configured"  # read, failed
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"metadata": self.metadata, "okta_keys": self.okta_keys, "notes": self.notes}


def _binding(binding: str) -> str:
    return BINDING_LABELS.get(binding, binding)


def identity_changes(config: SamlSettings, metadata: IdpMetadata) -> dict[str, list[str]]:
    """The identity fields the metadata would change: {label: [saved, new]}."""
    pairs = {
        "IdP Entity ID": (config.idp_entity_id, metadata.entity_id),
        "SSO URL": (config.idp_sso_url, metadata.sso_url),
        "Single Logout URL": (config.idp_slo_url, metadata.slo_url),
        "Single Logout binding": (
            _binding(config.idp_slo_binding),
            _binding(metadata.slo_binding),
        ),
    }
    return {label: [old, new] for label, (old, new) in pairs.items() if old != new}


def held_changes(config: SamlSettings) -> dict[str, list[str]]:
    """What the held metadata would change, for the page; {} when nothing is held."""
    if not config.pending_metadata_xml:
        return {}
    try:
        return identity_changes(config, parse_idp_metadata(config.pending_metadata_xml))
    except MetadataError:
        return {}


def _failed(config: SamlSettings, error: str, actor: Actor) -> None:
    config.metadata_refresh_error = error
    config.metadata_refresh_failed_at = timezone.now()
    config.save(update_fields=["metadata_refresh_error", "metadata_refresh_failed_at"])
    audit.record(
        "sso.metadata_refresh_failed",
        actor=actor,
        target_label="Authentication",
        outcome="failure",
        detail={"metadata_url": config.metadata_url, "error": error},
    )


def _hold(config: SamlSettings, xml: str, changes: dict, actor: Actor) -> None:
    """Keep the changed metadata for an admin to confirm; audited once per distinct change."""
    if config.pending_metadata_xml == xml:
        return
    config.pending_metadata_xml, config.pending_since = xml, timezone.now()
    config.save(update_fields=["pending_metadata_xml", "pending_since"])
    audit.record(
        "sso.metadata_change_held",
        actor=actor,
        target_label="Authentication",
        detail={"metadata_url": config.metadata_url, "changes": changes},
    )


@transaction.atomic
def _apply(config: SamlSettings, metadata: IdpMetadata, xml: str, actor: Actor) -> str:
    changes = identity_changes(config, metadata)
    if "IdP Entity ID" not in changes:  # the same IdP: its certificates are trusted at once
        certificates.apply_metadata(metadata.certificates, CertificateSource.METADATA_URL, actor)
    if changes:
        _hold(config, xml, changes, actor)
        outcome = "held"
    else:
        config.metadata_xml, config.pending_metadata_xml, config.pending_since = xml, "", None
        outcome = "applied"
    config.metadata_checked_at = timezone.now()
    config.metadata_refresh_error, config.metadata_refresh_failed_at = "", None
    config.save()
    return outcome


def refresh_metadata(actor: Actor) -> str:
    """Fetch the saved Metadata URL and apply what may be applied without an admin."""
    config = SamlSettings.load()
    if not config.metadata_url:
        return "no Metadata URL"
    try:
        xml = fetch_metadata(config.metadata_url).decode("utf-8")
        metadata = parse_idp_metadata(xml)
    except UnicodeDecodeError:
        _failed(config, "The metadata is not UTF-8 XML.", actor)
        return "failed"
    except MetadataError as exc:
        _failed(config, str(exc), actor)
        return "failed"
    return _apply(config, metadata, xml, actor)


def _okta_keys_error(message: str, actor: Actor) -> None:
    config = SamlSettings.load()
    if config.okta_keys_error == message:
        return
    SamlSettings.objects.filter(pk=config.pk).update(okta_keys_error=message)
    if message:
        audit.record(
            "sso.okta_keys_failed",
            actor=actor,
            target_label="Authentication",
            outcome="failure",
            detail={"error": message},
        )


def refresh_okta_keys(actor: Actor) -> str:
    """Trust the certificates of the Okta app's key credentials, when the API is set up.
    Without it no key list names any certificate any more; a failed read keeps the last one
    (Okta being down must not retire its next certificate)."""
    if not okta_keys.configured():
        certificates.apply_okta_keys([], actor)
        return "not configured"
    try:
        found = okta_keys.read_certificates()
    except okta_keys.OktaKeysUnavailable as exc:
        _okta_keys_error(str(exc), actor)
        return "failed"
    certificates.apply_okta_keys(found, actor)
    _okta_keys_error("", actor)
    return "read"


def daily_check(actor: Actor) -> CheckResult:
    """Everything the daily task does; "Refresh now" does the same."""
    if not SamlSettings.load().idp_entity_id:
        return CheckResult(metadata="not configured")
    result = CheckResult(metadata=refresh_metadata(actor), okta_keys=refresh_okta_keys(actor))
    result.notes = [f"retired {c.subject}" for c in certificates.retire_unlisted(actor)]
    result.notes += [f"expiring {c.subject}" for c in announce_expiries(actor)]
    return result


def confirm_pending(actor: Actor) -> bool:
    """Apply the held metadata as the admin confirmed it; False when nothing is held."""
    from .services import save_configuration

    config = SamlSettings.load()
    xml = config.pending_metadata_xml
    if not xml:
        return False
    metadata = parse_idp_metadata(xml)  # it parsed when it was held
    changes = identity_changes(config, metadata)
    save_configuration(
        actor,
        authentication_type=config.authentication_type,
        metadata=metadata,
        metadata_xml=xml,
        metadata_url=config.metadata_url,
    )
    detail = {"changes": changes}
    audit.record(
        "sso.metadata_change_confirmed", actor=actor, target_label="Authentication", detail=detail
    )
    return True


def discard_pending(actor: Actor) -> bool:
    """Keep the current settings; the next refresh holds the change again if it is still there."""
    updated = SamlSettings.objects.exclude(pending_metadata_xml="").update(
        pending_metadata_xml="", pending_since=None
    )
    if updated:
        audit.record("sso.metadata_change_discarded", actor=actor, target_label="Authentication")
    return bool(updated)
