"""Forms of the Provisioning page."""

from django import forms


class SwitchForm(forms.Form):
    """The Enable / Disable switch; "1" turns provisioning on."""

    enabled = forms.TypedChoiceField(
        choices=(("1", "Enable"), ("0", "Disable")), coerce=lambda value: value == "1"
    )
