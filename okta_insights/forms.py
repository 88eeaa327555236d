"""Forms of the Okta visibility pages: the collection settings and the page filters.

The reports' own parameter forms live with each report (okta_insights/reports/)."""

from django import forms

from querypie_admin.forms import DateRangeForm

from .models import CollectionSettings

OUTCOMES = ("SUCCESS", "FAILURE", "SKIPPED", "ALLOW", "DENY", "CHALLENGE", "UNKNOWN")
SETTING_FIELDS = (
    "enabled",
    "log_every_minutes",
    "first_read_days",
    "retention_days",
    "stale_after_days",
    "unused_after_days",
    "super_admin_warning",
)


class CollectionSettingsForm(forms.ModelForm):
    """Validated here, saved by okta_insights.actions.save_settings (audited, rescheduled)."""

    log_every_minutes = forms.IntegerField(
        label="Read the System Log every N minutes",
        min_value=1,
        max_value=1440,
        help_text="Okta's System Log bucket is small (tens of requests a minute): 5 is plenty.",
    )
    first_read_days = forms.IntegerField(
        label="First read of the System Log goes back (days)",
        min_value=1,
        max_value=90,
        help_text="Okta keeps 90 days of System Log.",
    )
    retention_days = forms.IntegerField(
        label="Keep activity for (days)",
        min_value=1,
        max_value=3650,
        help_text="Older events are deleted every night.",
    )
    stale_after_days = forms.IntegerField(
        label="Stale account: no sign-in for (days)", min_value=1, max_value=3650
    )
    unused_after_days = forms.IntegerField(
        label="Unused assignment: no sign-in to the app for (days)", min_value=1, max_value=3650
    )
    super_admin_warning = forms.IntegerField(
        label="Warn when super admins are more than", min_value=0, max_value=10000
    )

    class Meta:
        model = CollectionSettings
        fields = SETTING_FIELDS


class StartOverForm(forms.Form):
    """Read the System Log again from N days back, at the next collection."""

    days = forms.IntegerField(
        label="Start over from (days back)",
        min_value=1,
        max_value=90,
        help_text="Okta keeps 90 days of System Log. Events already stored are kept once.",
    )


class ActivityForm(DateRangeForm):
    actor = forms.CharField(label="Actor", required=False, max_length=255)
    target = forms.CharField(label="Target", required=False, max_length=255)
    event_type = forms.CharField(
        label="Event type",
        required=False,
        max_length=128,
        help_text="Exact, or a prefix ending in * (user.authentication.*).",
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome")] + [(o, o) for o in OUTCOMES]
    )
    since = forms.DateTimeField(
        label="From", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        label="To", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), ("ACTIVE", "Active"), ("INACTIVE", "Inactive")],
    )
