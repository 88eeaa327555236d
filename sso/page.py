"""What the Authentication page shows: its forms, the parsed IdP and the values for Okta."""

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from django import forms as django_forms
from django.http import HttpRequest
from django.utils import timezone

from querypie_admin.directory import role_mappings
from querypie_admin.models import Role, RoleMappingSettings

from .attributes import GROUPS, STATEMENTS, groups_expression
from .forms import MetadataUrlForm, PromotionThresholdForm, RoleMappingForm, SamlSettingsForm
from .keys import certificate_facts, ensure_sp_key_pair
from .mapping_actions import MappingPost
from .metadata import BINDING_LABELS
from .models import IdpCertificate, SamlSettings, unlisted_grace
from .refresh import held_changes
from .saml import acs_url, slo_url, sp_entity_id

RETIRED_SHOWN = 5


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


@dataclass(frozen=True)
class CertificateRow:
    """One row of the certificates table: what the certificate does today."""

    cert: IdpCertificate
    state: str  # trusted, okta_next, grace, next, expired, unnamed, retired
    until: datetime.datetime | None = None  # the end of the grace

    @property
    def verifies(self) -> bool:
        return self.state in ("trusted", "okta_next", "grace")

    @property
    def serial(self) -> str:
        """The serial number in hex, as Okta's key credentials and openssl show it: with the
        dates, it tells apart two certificates of the same subject during a rotation."""
        try:
            der = base64.b64decode(self.cert.der_b64)
            return format(x509.load_der_x509_certificate(der).serial_number, "x")
        except ValueError:  # a broken row still lets the page open, to fix it
            return ""


def _trusted_row(cert: IdpCertificate) -> CertificateRow:
    if cert.unlisted_since is not None:
        return CertificateRow(cert, "grace", cert.unlisted_since + unlisted_grace())
    return CertificateRow(cert, "trusted" if cert.in_metadata else "okta_next")


def certificate_rows() -> list[CertificateRow]:
    """The trusted certificates, the next ones (notBefore ahead), those kept that verify
    nothing (expired in the metadata, or no longer named until the check retires them), then
    the last few retired. Trust is IdpCertificate.objects.trusted(), as for every signature."""
    now = timezone.now()
    rows = [_trusted_row(cert) for cert in IdpCertificate.objects.trusted(now)]
    rows += [CertificateRow(cert, "next") for cert in IdpCertificate.objects.upcoming(now)]
    shown = {row.cert.pk for row in rows}
    rows += [
        CertificateRow(cert, "expired" if cert.not_after < now else "unnamed")
        for cert in IdpCertificate.objects.current().exclude(pk__in=shown)
    ]
    retired = IdpCertificate.objects.exclude(retired_at=None).order_by("-retired_at")
    return rows + [CertificateRow(cert, "retired") for cert in retired[:RETIRED_SHOWN]]


def identity_provider_context(config: SamlSettings, forms: dict[str, django_forms.Form]) -> dict:
    """The Identity provider section: metadata, type, options, values to copy, attributes."""
    return {
        "config": config,
        "form": forms["save"],
        "url_form": forms["fetch"],
        "binding_label": BINDING_LABELS.get(config.idp_sso_binding, config.idp_sso_binding),
        "pending_changes": held_changes(config),
        "acs_url": acs_url(),
        "sp_entity_id": sp_entity_id(),
        "attribute_statements": STATEMENTS,
    }


def single_logout_context(config: SamlSettings) -> dict:
    """The Single Logout and certificates section: the IdP's certificates, the SP key."""
    return {
        "config": config,
        "certificate_rows": certificate_rows(),
        "slo_binding_label": BINDING_LABELS.get(config.idp_slo_binding, ""),
        "slo_url": slo_url(),
        "sp_entity_id": sp_entity_id(),
        "sp_current": certificate_facts(ensure_sp_key_pair(config)[0]),
        "sp_next": certificate_facts(config.sp_next_certificate_pem)
        if config.sp_next_certificate_pem
        else None,
    }


def role_mapping_context(post: MappingPost | None = None) -> dict:
    """The "Role mapping" section: the mappings with their groups' current names, and the
    forms, which the template shows where `can_change_trust` (a System Admin reads them). A
    POST that was not saved comes back with its bound form, or with the promotions the guard
    holds for confirmation."""
    config = RoleMappingSettings.load()
    mappings = role_mappings.listing()
    bound = post.form if post is not None else None
    op = post.op if post is not None else ""
    return {
        "role_mappings": mappings,
        "mapping_settings": config,
        "mapping_form": bound
        if op == "mapping_add"
        else RoleMappingForm(owner_mappable=config.owner_mappable),
        "threshold_form": bound
        if op == "mapping_threshold"
        else PromotionThresholdForm(initial={"promotion_threshold": config.promotion_threshold}),
        "mapping_roles": [
            (v, label) for v, label in Role.choices if config.owner_mappable or v != Role.OWNER
        ],
        "held": post.held if post is not None else None,
        "held_op": op,
        "held_fields": post.resend_fields() if post is not None and post.held else [],
        "groups_statement": GROUPS,
        "groups_expression": groups_expression([m.okta_group_id for m in mappings]),
    }
