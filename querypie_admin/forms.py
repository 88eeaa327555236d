"""Console forms: sign-in and the directory list filters."""

from django import forms

from .models import AuthProvider


class SignInForm(forms.Form):
    login_id = forms.CharField(label="Login ID", max_length=255)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)


STATUS_CHOICES = [("", "All statuses"), ("active", "Active"), ("inactive", "Inactive")]
PROVIDER_CHOICES = [("", "All providers"), *AuthProvider.choices]


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    auth_provider = forms.ChoiceField(
        label="Auth provider", choices=PROVIDER_CHOICES, required=False
    )


class GroupFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    auth_provider = forms.ChoiceField(
        label="Auth provider", choices=PROVIDER_CHOICES, required=False
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.CharField(required=False, max_length=255)
    target = forms.CharField(required=False, max_length=255)
    outcome = forms.ChoiceField(
        choices=[("", "All outcomes"), ("success", "Success"), ("failure", "Failure")],
        required=False,
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
