"""Headless SAML set-up with the Authentication page's validation.

python manage.py saml_configure --metadata-file F [--type okta|saml] [--jit | --no-jit]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sso.metadata import MetadataError, parse_idp_metadata
from sso.models import SamlSettings
from sso.saml import acs_url, sp_entity_id
from sso.services import Options, save_configuration


class Command(BaseCommand):
    help = "Configure SAML sign-in from an IdP metadata file, printing what it parsed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--metadata-file", required=True, type=Path)
        parser.add_argument("--type", choices=["okta", "saml"], default="okta")
        jit = parser.add_mutually_exclusive_group()
        jit.add_argument("--jit", dest="jit", action="store_true", default=None)
        jit.add_argument("--no-jit", dest="jit", action="store_false")

    def handle(self, *args, metadata_file: Path, type: str, jit: bool | None, **options) -> None:
        try:
            xml = metadata_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {metadata_file}: {exc}") from exc
        try:
            metadata = parse_idp_metadata(xml)
        except MetadataError as exc:
            raise CommandError(f"Metadata refused, nothing saved: {exc}") from exc
        config = SamlSettings.load()
        kept = Options(
            sign_authn_requests=config.sign_authn_requests,
            clock_skew_seconds=config.clock_skew_seconds,
            jit_enabled=config.jit_enabled if jit is None else jit,
            allow_sha1=config.allow_sha1,
        )
        config = save_configuration(
            "saml_configure",
            authentication_type=type,
            metadata=metadata,
            metadata_xml=xml,
            options=kept,
        )
        self._report(config, metadata)

    def _report(self, config: SamlSettings, metadata) -> None:
        out = self.stdout.write
        out(f"Authentication Type: {config.get_authentication_type_display()}")
        out(f"IdP Entity ID: {metadata.entity_id}")
        out(f"SSO URL: {metadata.sso_url} ({metadata.binding_label})")
        for cert in metadata.certificates:
            out(f"Signing certificate: {cert.subject}, expires {cert.not_after:%Y-%m-%d}")
            if cert.expiry_warning:
                out(self.style.WARNING(f"Warning: {cert.expiry_warning}"))
        out(f"Create users on first login: {'on' if config.jit_enabled else 'off'}")
        out(f"Single sign-on URL: {acs_url()}")
        out(f"Audience URI (SP Entity ID): {sp_entity_id()}")
        out(self.style.SUCCESS("SAML settings saved."))
