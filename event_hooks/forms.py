"""The settings panel's forms: the header and event types, and the held events' buttons."""

from django import forms

from .catalog import EVENT_TYPES
from .models import DEFAULT_HEADER
from .service.authentication import header_name_problem


class HookSettingsForm(forms.Form):
    header_name = forms.CharField(
        label="Authentication header",
        max_length=64,
        initial=DEFAULT_HEADER,
        help_text="The header Okta sends the secret in (Okta's Authentication field).",
    )
    event_types = forms.MultipleChoiceField(
        label="Event types",
        choices=[(event.name, f"{event.label} ({event.name})") for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event type."},
    )

    def clean_header_name(self) -> str:
        name = self.cleaned_data["header_name"].strip()
        problem = header_name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name


class HeldForm(forms.Form):
    """Confirm or discard the held events the page listed: those up to the newest shown."""

    up_to = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    shown = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
