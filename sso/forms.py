"""The Authentication page's forms: the SAML settings, the Metadata URL fetch, and the role
mappings (Okta group -> console role) with their switch and threshold."""

from django import forms
from django.conf import settings

from querypie_admin.directory.role_mappings import THRESHOLD_MAX
from querypie_admin.models import Role

from .fetch import fetch_metadata
from .metadata import MetadataError, parse_idp_metadata
from .models import AuthenticationType, SamlSettings
from .services import Options

MAX_SKEW_SECONDS = 300  # python3-saml's own Conditions drift; a wider skew could not apply


class SamlSettingsForm(forms.Form):
    authentication_type = forms.ChoiceField(
        label="Authentication Type", choices=AuthenticationType.choices
    )
    metadata_xml = forms.CharField(
        label="Identity Provider Metadata",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text="Paste the XML shown at the Metadata URL of the application in Okta.",
    )
    metadata_file = forms.FileField(
        label="Or upload the metadata file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    sign_authn_requests = forms.BooleanField(label="Sign AuthnRequests", required=False)
    clock_skew_seconds = forms.IntegerField(
        label="Allowed clock skew (seconds)", min_value=0, max_value=MAX_SKEW_SECONDS
    )
    jit_enabled = forms.BooleanField(label="Create users on first login", required=False)
    allow_sha1 = forms.BooleanField(label="Accept SHA-1 signatures", required=False)

    def __init__(self, *args, config: SamlSettings, **kwargs) -> None:
        self.config = config
        kwargs.setdefault(
            "initial",
            {
                "authentication_type": config.authentication_type,
                "metadata_xml": config.metadata_xml,
                "sign_authn_requests": config.sign_authn_requests,
                "clock_skew_seconds": config.clock_skew_seconds,
                "jit_enabled": config.jit_enabled,
                "allow_sha1": config.allow_sha1,
            },
        )
        super().__init__(*args, **kwargs)

    def _supplied_metadata(self) -> tuple[str, str]:
        """(field name, XML) of the metadata given, the uploaded file winning over the text;
        SSO_METADATA_MAX_BYTES caps a paste and an upload as it caps the URL fetch."""
        limit = settings.SSO_METADATA_MAX_BYTES
        too_large = f"The metadata is larger than {limit // 1024} KB."
        upload = self.cleaned_data.get("metadata_file")
        if upload:
            if upload.size > limit:
                raise forms.ValidationError({"metadata_file": too_large})
            data = upload.read()
            try:
                return "metadata_file", data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    {"metadata_file": "The file is not UTF-8 XML."}
                ) from exc
        pasted = (self.cleaned_data.get("metadata_xml") or "").strip()
        if len(pasted.encode()) > limit:
            raise forms.ValidationError({"metadata_xml": too_large})
        return "metadata_xml", pasted

    def clean(self) -> dict:
        cleaned = super().clean()
        field, xml = self._supplied_metadata()
        cleaned["metadata"] = None
        if xml and xml != self.config.metadata_xml.strip():
            try:
                cleaned["metadata"] = parse_idp_metadata(xml)
            except MetadataError as exc:
                self.add_error(field, str(exc))
        cleaned["metadata_source_xml"] = xml
        needs_idp = cleaned.get("authentication_type") not in (None, AuthenticationType.QUERYPIE)
        if needs_idp and not xml and not self.config.idp_sso_url and not self.errors:
            self.add_error("metadata_xml", "Paste or upload the Identity Provider Metadata.")
        return cleaned

    def options(self) -> Options:
        return Options(
            sign_authn_requests=self.cleaned_data["sign_authn_requests"],
            clock_skew_seconds=self.cleaned_data["clock_skew_seconds"],
            jit_enabled=self.cleaned_data["jit_enabled"],
            allow_sha1=self.cleaned_data["allow_sha1"],
        )


class MetadataUrlForm(forms.Form):
    metadata_url = forms.URLField(
        label="Metadata URL",
        max_length=1000,
        assume_scheme="https",
        help_text="Or fetch it from the Metadata URL on the application's Sign On tab in Okta.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        url = cleaned.get("metadata_url")
        if not url:
            return cleaned
        try:
            xml = fetch_metadata(url).decode("utf-8")
            cleaned["metadata"] = parse_idp_metadata(xml)
            cleaned["xml"] = xml
        except UnicodeDecodeError:
            self.add_error("metadata_url", "The metadata is not UTF-8 XML.")
        except MetadataError as exc:
            self.add_error("metadata_url", str(exc))
        return cleaned


# Role mapping (Okta group -> console role) ---------------------------------------------------


class RoleMappingForm(forms.Form):
    """Add a mapping, or change a mapping's role: the Okta group by its Okta ID, never by name.

    The directory (role_mappings) is the one validator of the ID and of who may map what;
    the role field accepts every role so that a forged Owner reaches it and is refused."""

    okta_group_id = forms.CharField(
        label="Okta group ID",
        max_length=64,
        help_text="00g… as in the group's address in Okta: /admin/group/00g…",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Console role", choices=Role.choices, initial=Role.SYSTEM_ADMIN)
    group_name = forms.CharField(
        label="Group name (optional)",
        max_length=255,
        required=False,
        help_text="Shown until the group is seen here by SCIM or the Okta sync; never matched.",
    )
    confirm_promotions = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, owner_mappable: bool, **kwargs) -> None:
        kwargs.setdefault("auto_id", "role_mapping_%s")  # ids unique among the page's forms
        super().__init__(*args, **kwargs)
        offered = [(v, label) for v, label in Role.choices if owner_mappable or v != Role.OWNER]
        self.fields["role"].widget.choices = offered


class RemoveMappingForm(forms.Form):
    okta_group_id = forms.CharField(max_length=64)
    confirm_promotions = forms.CharField(required=False, max_length=64)


class OwnerMappableForm(forms.Form):
    """The "Allow mapping to Owner" switch; "1" turns it on."""

    owner_mappable = forms.TypedChoiceField(
        choices=(("1", "On"), ("0", "Off")), coerce=lambda value: value == "1"
    )
    confirm_promotions = forms.CharField(required=False, max_length=64)


class PromotionThresholdForm(forms.Form):
    promotion_threshold = forms.IntegerField(
        label="Promotion threshold",
        min_value=0,
        max_value=THRESHOLD_MAX,
        help_text="A mapping change that would promote more users than this to System Admin "
        "or Owner at once waits for your confirmation.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "role_mapping_%s")
        super().__init__(*args, **kwargs)
