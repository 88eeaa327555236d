"""The public face of the sso app: what other apps may ask, and how settings are saved.

The Authentication page and the saml_configure command both save through
save_configuration(), so the same validation holds for the browser and the shell.
"""

from dataclasses import dataclass

from django.db import transaction

from querypie_admin import audit
from querypie_admin.audit import Actor

from . import certificates
from .metadata import IdpMetadata
from .models import AuthenticationType, CertificateSource, SamlSettings
from .schedule import apply_schedule

LOGIN_LABELS = {
    AuthenticationType.OKTA: "Login with Okta",
    AuthenticationType.SAML: "Login with SAML",
}


def login_button_label() -> str:
    """The sign-in page's SSO button label, or "" when SAML sign-in is not configured."""
    config = SamlSettings.load()
    return LOGIN_LABELS.get(config.authentication_type, "") if config.sso_enabled else ""


@dataclass
class Options:
    sign_authn_requests: bool = False
    clock_skew_seconds: int = 120
    jit_enabled: bool = False
    allow_sha1: bool = False


def _apply_metadata(
    config: SamlSettings, metadata: IdpMetadata, xml: str, url: str, actor: Actor
) -> None:
    """Apply metadata the admin gave or confirmed; any change held for confirmation is done.

    Another entityID is another identity provider: the previous one's certificates go at once.
    The same one keeps its older certificates until the rotation rules retire them; one an
    Owner retired by hand is trusted again when the admin saves metadata that lists it.
    """
    new_idp = bool(config.idp_entity_id) and config.idp_entity_id != metadata.entity_id
    config.metadata_xml = xml
    config.metadata_url = url
    config.idp_entity_id = metadata.entity_id
    config.idp_sso_url = metadata.sso_url
    config.idp_sso_binding = metadata.sso_binding
    config.idp_slo_url = metadata.slo_url
    config.idp_slo_binding = metadata.slo_binding
    config.pending_metadata_xml, config.pending_since = "", None
    source = CertificateSource.METADATA_URL if url else CertificateSource.METADATA
    if new_idp:
        certificates.replace_all(metadata.certificates, source, actor)
    else:
        certificates.apply_metadata(metadata.certificates, source, actor, by_admin=True)


@transaction.atomic
def save_configuration(
    actor: Actor,
    *,
    authentication_type: str,
    metadata: IdpMetadata | None = None,
    metadata_xml: str = "",
    metadata_url: str = "",
    options: Options | None = None,
) -> SamlSettings:
    """Save already-validated settings; metadata=None keeps the saved metadata."""
    config = SamlSettings.objects.select_for_update().get_or_create(pk=1)[0]
    config.authentication_type = authentication_type
    if metadata is not None:
        _apply_metadata(config, metadata, metadata_xml, metadata_url, actor)
    if options is not None:
        for name, value in vars(options).items():
            setattr(config, name, value)
    config.save()
    apply_schedule(config)
    detail = {"authentication_type": authentication_type, "metadata_changed": metadata is not None}
    if metadata is not None:
        detail["idp_entity_id"] = metadata.entity_id
    audit.record("sso.settings_updated", actor=actor, target_label="Authentication", detail=detail)
    return config


def save_fetched_metadata(actor: Actor, metadata: IdpMetadata, xml: str, url: str) -> None:
    """Fetch saves the metadata only; the Authentication Type stays as it was."""
    config = SamlSettings.load()
    save_configuration(
        actor,
        authentication_type=config.authentication_type,
        metadata=metadata,
        metadata_xml=xml,
        metadata_url=url,
    )
