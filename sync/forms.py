"""The "Use Synchronization with the Authentication System" form of the Authentication page."""

from typing import Any

from django import forms

from okta.address import is_well_formed_token, normalize_okta_base_url
from okta.connection import ORG_FIELDS
from okta.errors import InvalidOktaURL
from okta.models import Frequency, OktaOrg, Scope
from okta.schedule import parse_cron

from .draft import Draft

# Okta API tokens are 42 characters; anything much longer was not one (and a 1 MB paste
# would be encrypted, stored and sent as a header).
MAX_TOKEN_LENGTH = 200
# The form's fields, stored as they are on the Okta org (the token is encrypted on its own).
SETTING_FIELDS = ORG_FIELDS
SECRET_AGAIN = "Enter the API token again: a token is never sent back to the page."


class SyncSettingsForm(forms.Form):
    """Validates the settings; sync.actions.save_settings stores them.

    The token is write-only: the field is never filled in; left empty it keeps the token a
    Dry Run's draft holds for the same API URL (sync.draft), else the saved one.
    """

    requires_connection = False  # Dry Run needs the URL and a token even when not enabled

    enabled = forms.BooleanField(
        label="Use Synchronization with the Authentication System", required=False
    )
    api_url = forms.CharField(
        label="API URL",
        required=False,
        max_length=255,
        help_text="Your Okta domain, e.g. acme.okta.com.",
    )
    api_token = forms.CharField(
        label="API Token",
        required=False,
        max_length=MAX_TOKEN_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    app_id = forms.CharField(
        label="Application ID",
        required=False,
        max_length=64,
        help_text="Needed only if you use two or more QueryPie apps in Okta.",
    )
    scope = forms.ChoiceField(label="Scope", choices=Scope.choices)
    frequency = forms.ChoiceField(label="Replication Frequency", choices=Frequency.choices)
    every_minutes = forms.IntegerField(
        label="Every N minutes", min_value=5, max_value=1440, required=False
    )
    daily_at = forms.TimeField(
        label="Daily at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    cron = forms.CharField(
        label="Cron expression",
        required=False,
        max_length=120,
        help_text="minute hour day-of-month month day-of-week, e.g. 0 */6 * * *",
    )
    deactivation_threshold = forms.IntegerField(
        label="Mass-deactivation threshold (%)",
        min_value=1,
        max_value=100,
        help_text="A run that would deactivate, delete or remove more than this share of the "
        "users, groups or memberships the sync manages stops and asks for confirmation.",
    )

    def __init__(
        self, *args: Any, instance: OktaOrg, draft: Draft | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        self.draft = draft
        kwargs.setdefault("initial", {name: getattr(instance, name) for name in ORG_FIELDS})
        super().__init__(*args, **kwargs)
        token = self.fields["api_token"]
        if draft is not None and draft.has_token:
            token.help_text = (
                f"Kept from your Dry Run, leave empty to keep it (for {draft.api_url} only)."
            )
        elif instance.has_token:
            token.help_text = f"Saved ({instance.masked_token}), leave empty to keep."

    def ask_token_again(self) -> None:
        """A form with errors comes back with every value but the token: say so beside it."""
        if self.data.get("api_token") and "api_token" not in self.errors:
            self.add_error("api_token", SECRET_AGAIN)

    def clean_api_url(self) -> str:
        raw = self.cleaned_data["api_url"]
        if not raw:
            return ""
        try:
            return normalize_okta_base_url(raw)
        except InvalidOktaURL as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_api_token(self) -> str:
        token = self.cleaned_data["api_token"]
        if token and not is_well_formed_token(token):
            # The message never echoes the token: it is a secret even when mis-pasted.
            raise forms.ValidationError(
                "The API token contains spaces or characters an Okta token never has; "
                "paste it again."
            )
        return token

    def clean_cron(self) -> str:
        return " ".join(self.cleaned_data["cron"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("api_token") and self.draft is not None:
            data["api_token"] = self.draft.token_for(data.get("api_url") or "")
        if data.get("enabled") or self.requires_connection:
            self._require("api_url", "Enter the API URL of your Okta org.")
            if not (data.get("api_token") or self.instance.has_token):
                self.add_error("api_token", "Enter the Okta API token.")
        self._check_token_follows_url(data)
        self._check_frequency(data)
        return data

    def _check_token_follows_url(self, data: dict[str, Any]) -> None:
        """A saved token goes only to the address it was saved with.

        Otherwise anyone who can edit the settings could point the API URL at their own
        server, press Dry Run or Save, and receive the write-only token in a header.
        """
        url = data.get("api_url")
        moved = url and url != self.instance.api_url and self.instance.has_token
        if moved and not data.get("api_token") and "api_token" not in self.errors:
            self.add_error(
                "api_token",
                "The API URL changed: enter the API token again. A saved token is only "
                "sent to the API URL it was saved with.",
            )

    def _require(self, name: str, message: str) -> None:
        if name not in self.errors and not self.cleaned_data.get(name):
            self.add_error(name, message)

    def _check_frequency(self, data: dict[str, Any]) -> None:
        frequency = data.get("frequency")
        if frequency == Frequency.MINUTES:
            self._require("every_minutes", "Enter how many minutes between runs (5 to 1440).")
        elif frequency == Frequency.DAILY:
            self._require("daily_at", "Enter the time of day, e.g. 02:30.")
        elif frequency == Frequency.CRON:
            self._require("cron", "Enter a cron expression.")
            if data.get("cron") and "cron" not in self.errors:
                try:
                    parse_cron(data["cron"])
                except forms.ValidationError as exc:
                    self.add_error("cron", exc)


class ConnectionForm(SyncSettingsForm):
    """Same fields for Dry Run: the URL and a token are needed even if sync is not enabled."""

    requires_connection = True
