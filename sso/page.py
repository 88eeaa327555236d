"""What the Authentication page shows: its forms, the parsed IdP and the values for Okta."""

from django import forms as django_forms
from django.http import HttpRequest

from .attributes import STATEMENTS
from .forms import MetadataUrlForm, SamlSettingsForm
from .metadata import BINDING_LABELS, MetadataError, certificates_from_saved
from .models import AuthenticationType, SamlSettings
from .saml import acs_url, sp_entity_id


def bound_forms(request: HttpRequest, config: SamlSettings) -> dict[str, django_forms.Form]:
    """Both forms; only the one whose `op` was posted is bound to the POST."""
    op = request.POST.get("op") if request.method == "POST" else None
    save_data = (request.POST, request.FILES) if op == "save" else (None, None)
    return {
        "save": SamlSettingsForm(*save_data, config=config),
        "fetch": MetadataUrlForm(
            request.POST if op == "fetch" else None,
            initial={"metadata_url": config.metadata_url},
        ),
    }


def _certificates(config: SamlSettings) -> list:
    try:
        return certificates_from_saved(config.idp_certificates)
    except MetadataError:
        return []


def context(config: SamlSettings, forms: dict[str, django_forms.Form]) -> dict:
    return {
        "config": config,
        "form": forms["save"],
        "url_form": forms["fetch"],
        "certificates": _certificates(config),
        "binding_label": BINDING_LABELS.get(config.idp_sso_binding, config.idp_sso_binding),
        "acs_url": acs_url(),
        "sp_entity_id": sp_entity_id(),
        "attribute_statements": STATEMENTS,
        "show_sync_panel": config.authentication_type == AuthenticationType.OKTA,
    }
