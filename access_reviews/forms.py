"""Forms of the access review pages: the campaign definition, Extend, application owners, a
reviewer's decision and the My reviews filters. They validate; the service saves."""

from django import forms
from django.core.exceptions import ValidationError

from okta_insights.models import OktaApp, OktaGroup
from querypie_admin.models import DirectoryLink, Role, User

from .models import Campaign, Decision, ReviewerSource, Subject
from .service.campaigns import OWNERS_ONLY
from .service.items import ADMIN_WITHOUT_MFA, NEVER_SIGNED_IN

NO_SIGN_IN = "no_sign_in"
FLAG_FILTERS = [
    ("", "Any risk"),
    (NEVER_SIGNED_IN, "Never signed in"),
    (NO_SIGN_IN, "No recent sign-in"),
    (ADMIN_WITHOUT_MFA, "Admin without MFA"),
    ("flagged", "Any flag"),
]
DECISION_FILTERS = [("", "Any decision"), ("none", "Not decided"), *Decision.choices]


class ConsoleUserField(forms.CharField):
    """A console user typed by login ID (a list of 100,000 users is no <select>)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)

    def clean(self, value):
        login = super().clean(value)
        if not login:
            return None
        user = User.objects.filter(login_id__ci_exact=login, is_active=True).first()
        if user is None:
            raise ValidationError("No active console user has this login ID.")
        return user


def _no_line_breaks(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError("Write the name on one line.")


def app_choices() -> list[tuple[str, str]]:
    return list(OktaApp.objects.order_by("label", "okta_id").values_list("okta_id", "label"))


def group_choices() -> list[tuple[str, str]]:
    """Okta groups as collected, or as the console's directory knows them (synced)."""
    collected = dict(OktaGroup.objects.values_list("okta_id", "name"))
    links = DirectoryLink.objects.filter(group__isnull=False).exclude(external_id="")
    known = dict(links.values_list("external_id", "group__name"))
    return sorted((known | collected).items(), key=lambda pair: (pair[1].lower(), pair[0]))


class CampaignForm(forms.ModelForm):
    name = forms.CharField(max_length=200, validators=[_no_line_breaks])
    subject = forms.ChoiceField(
        label="What is reviewed", choices=Subject.choices, widget=forms.RadioSelect
    )
    scope_apps = forms.MultipleChoiceField(
        label="Applications",
        required=False,
        help_text="Who can reach these applications; none chosen: every application.",
    )
    scope_groups = forms.MultipleChoiceField(
        label="Groups",
        required=False,
        help_text="The members of these Okta groups; none chosen: every Okta group.",
    )
    no_sign_in_for_days = forms.IntegerField(
        label="No sign-in for this many days", required=False, min_value=1, max_value=3650
    )
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))
    reviewer_source = forms.ChoiceField(
        label="Reviewers",
        choices=ReviewerSource.choices,
        widget=forms.RadioSelect,
        initial=ReviewerSource.NAMED,
    )
    reviewer = ConsoleUserField(
        label="Reviewer (login ID)", required=False, help_text="For “A named console user”."
    )
    fallback_reviewer = ConsoleUserField(
        label="Fallback reviewer (login ID)",
        help_text="Reviews the items that resolve to nobody, and the reviewers' own access.",
    )
    guard_percent = forms.IntegerField(
        label=Campaign._meta.get_field("guard_percent").verbose_name,
        min_value=1,
        max_value=100,
        initial=Campaign._meta.get_field("guard_percent").default,
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "subject",
            "only_never_signed_in",
            "no_sign_in_for_days",
            "only_admins_without_mfa",
            "starts_on",
            "due_on",
            "reviewer_source",
            "recurrence",
            "remediation_timing",
            "guard_percent",
        ]

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["scope_apps"].choices = app_choices()
        self.fields["scope_groups"].choices = group_choices()

    def clean(self) -> dict:
        data = super().clean()
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due <= starts:
            self.add_error("due_on", "The due date must be after the start date.")
        source, subject = data.get("reviewer_source"), data.get("subject")
        if source == ReviewerSource.NAMED and not data.get("reviewer"):
            self.add_error("reviewer", "Name the console user who reviews.")
        if source == ReviewerSource.APP_OWNER and subject != Subject.APP_ACCESS:
            self.add_error(
                "reviewer_source", "Application owners review only who can reach an application."
            )
        if subject == Subject.CONSOLE_ADMINS and self.actor.role != Role.OWNER:
            self.add_error("subject", OWNERS_ONLY)
        if source == ReviewerSource.MANAGER and subject == Subject.CONSOLE_ADMINS:
            self.add_error(
                "reviewer_source", "Console roles are reviewed by a named user, not managers."
            )
        return data

    def save(self, commit: bool = False) -> Campaign:
        """The unsaved campaign; service.campaigns.create saves and audits it."""
        campaign = super().save(commit=False)
        data = self.cleaned_data
        campaign.scope_okta_ids = {
            Subject.APP_ACCESS: data["scope_apps"],
            Subject.GROUP_MEMBERS: data["scope_groups"],
        }.get(data["subject"], [])
        campaign.reviewer = data["reviewer"] if data["reviewer_source"] == "named" else None
        campaign.fallback_reviewer = data["fallback_reviewer"]
        return campaign


class ExtendForm(forms.Form):
    due_on = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))


class ApplicationOwnerForm(forms.Form):
    app = forms.ChoiceField(label="Application")
    owner = ConsoleUserField(label="Owner (login ID)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["app"].choices = [("", "Choose an application"), *app_choices()]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    reassign_to = ConsoleUserField(label="Reassign to (login ID)", required=False)


class ReviewFilterForm(forms.Form):
    """My reviews' filters; `campaigns` are the reviewer's active ones."""

    campaign = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    flag = forms.ChoiceField(choices=FLAG_FILTERS, required=False)
    decision = forms.ChoiceField(choices=DECISION_FILTERS, required=False)
    app = forms.ChoiceField(required=False, label="Access")

    def __init__(self, data, campaigns, accesses) -> None:
        super().__init__(data)
        self.fields["campaign"].choices = [("", "Every campaign")] + [
            (c.pk, c.name) for c in campaigns
        ]
        self.fields["app"].choices = [("", "Any access"), *accesses]


class BulkDecisionForm(DecisionForm):
    """A decision on every filtered item; `selection` names the items the reviewer was
    asked about (service.selection.fingerprint)."""

    selection = forms.CharField(required=False, max_length=64)


class WriteTokenForm(forms.Form):
    """The write-scoped Okta API token; empty with "clear" removes it."""

    token = forms.CharField(
        label="Write-scoped API token",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="An Okta API token of an admin with the custom role in docs/ACCESS_REVIEWS.md.",
    )
    clear = forms.BooleanField(label="Remove the saved token", required=False)

    def clean(self) -> dict:
        data = super().clean()
        token = data.get("token", "").strip()
        if not token and not data.get("clear"):
            raise ValidationError("Enter a token, or tick “Remove the saved token”.")
        if token and any(c.isspace() for c in token):
            raise ValidationError("The token contains spaces.")
        data["token"] = token
        return data
