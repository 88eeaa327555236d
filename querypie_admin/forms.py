"""Console forms: sign-in, the directory list filters, adding a user or a group, changing a role.

The directory (querypie_admin.directory) is the one validator of what is stored; these forms
only shape the input and show its errors beside the fields.
"""

from typing import Any

from django import forms

from .models import AuthProvider, Role, User


class SignInForm(forms.Form):
    login_id = forms.CharField(label="Login ID", max_length=255)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)


STATUS_CHOICES = [("", "All statuses"), ("active", "Active"), ("inactive", "Inactive")]
PROVIDER_CHOICES = [
    ("", "Managed by anyone"),
    (AuthProvider.QUERYPIE, "Local"),
    (AuthProvider.OKTA, "Okta"),
]


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    auth_provider = forms.ChoiceField(label="Managed by", choices=PROVIDER_CHOICES, required=False)


class GroupFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    auth_provider = forms.ChoiceField(label="Managed by", choices=PROVIDER_CHOICES, required=False)


class DateRangeForm(forms.Form):
    """A form with a start (`since`) and an end (`until`): a start after the end is refused
    beside the end field, and the bound form keeps both values as typed."""

    RANGE_ERROR = "The end of the period comes before its start."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", self.RANGE_ERROR)
        return data


class AuditFilterForm(DateRangeForm):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.CharField(required=False, max_length=255)
    target = forms.CharField(required=False, max_length=255)
    outcome = forms.ChoiceField(
        choices=[("", "All outcomes"), ("success", "Success"), ("failure", "Failure")],
        required=False,
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # The events of one action, in full: the audit log's "all N events" link.
    action_id = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)


def _offer_roles(field: forms.ChoiceField, actor: User) -> None:
    """Offer the Owner role to Owners only. The field still accepts every role, so a forged
    Owner choice reaches the directory, which refuses it and audits the refusal."""
    owner = actor.role == Role.OWNER
    field.widget.choices = [(v, label) for v, label in Role.choices if owner or v != Role.OWNER]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _offer_roles(self.fields["role"], actor)


class AddUserForm(forms.Form):
    """A local account; its initial password is generated, never typed here."""

    login_id = forms.CharField(label="Login ID", max_length=255)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(max_length=255, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.USER)

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _offer_roles(self.fields["role"], actor)


class AddGroupForm(forms.Form):
    """A local group, managed only in the console; members are added on its page."""

    name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
