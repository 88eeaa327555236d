"""Access reviews: campaigns, the items they freeze, reviewers' decisions, remediation.

A campaign is defined (what is reviewed, filters, dates, reviewers), then launched: launching
copies every item (person, access, how it is granted, last sign-in, risk flags) into
`ReviewItem` rows, so later Okta collections never change what was reviewed. Decisions are
an append-only chain (`Decision`, each row hashing the previous one); an item keeps only a copy
of its latest decision for lists and filters. Revocations become `Remediation` rows: calls to
Okta with the write-scoped token, or manual tasks where there is none.
"""

from django.db import models

from querypie_admin.models import User


class Subject(models.TextChoices):
    """What a campaign reviews (issue 22: a, b, c, d)."""

    APP_ACCESS = "app_access", "Who can reach an application"
    GROUP_MEMBERS = "group_members", "Members of Okta groups"
    ADMIN_ROLES = "admin_roles", "Okta admin roles"
    CONSOLE_ADMINS = "console_admins", "Console Owners and System Admins"


class ReviewerSource(models.TextChoices):
    """Who reviews an item; items that resolve to nobody, or to the person reviewed, go to
    the campaign's fallback reviewer."""

    NAMED = "named", "A named console user"
    MANAGER = "manager", "The person's manager (from Okta)"
    APP_OWNER = "app_owner", "The application's owner"


class Recurrence(models.TextChoices):
    ONCE = "once", "Once"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class RemediationTiming(models.TextChoices):
    AT_CLOSE = "at_close", "When the campaign closes"
    AT_ONCE = "at_once", "At once, per decision"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    subject = models.CharField("What is reviewed", max_length=32, choices=Subject.choices)
    # Scope: the Okta app ids (APP_ACCESS) or group ids (GROUP_MEMBERS) reviewed; empty = all.
    scope_okta_ids = models.JSONField("Applications or groups", default=list, blank=True)
    # Filters: an item is included only if it matches every filter that is set.
    only_never_signed_in = models.BooleanField("Never signed in", default=False)
    no_sign_in_for_days = models.PositiveIntegerField(
        "No sign-in for this many days", null=True, blank=True
    )
    only_admins_without_mfa = models.BooleanField("Admins without MFA", default=False)
    starts_on = models.DateField("Start date")
    due_on = models.DateField("Due date")
    reviewer_source = models.CharField(
        "Reviewers", max_length=16, choices=ReviewerSource.choices, default=ReviewerSource.NAMED
    )
    reviewer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fallback_reviewer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="Fallback reviewer"
    )
    remediation_timing = models.CharField(
        "Remove access",
        max_length=16,
        choices=RemediationTiming.choices,
        default=RemediationTiming.AT_CLOSE,
    )
    # A plan that removes more than this share of one application's people asks for a
    # second confirmation.
    guard_percent = models.PositiveSmallIntegerField(
        "Ask again when a plan removes more than this share of an application's people (%)",
        default=20,
    )
    recurrence = models.CharField(
        max_length=16, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    # A recurring campaign's occurrences point at the campaign they repeat.
    repeats = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences"
    )
    status = models.CharField(
        max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField("Due-date reminder sent", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    KEEP = "keep", "Keep"
    REVOKE = "revoke", "Revoke"
    REASSIGN = "reassign", "Reassign"


class AccessKind(models.TextChoices):
    APP = "app", "Application"
    GROUP = "group", "Okta group"
    ADMIN_ROLE = "admin_role", "Okta admin role"
    CONSOLE_ROLE = "console_role", "Console role"


class ReviewItem(models.Model):
    """One person's one access, frozen at launch; `decision` is the latest in the chain."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    person_okta_id = models.CharField(max_length=32, blank=True)
    person_login = models.CharField(max_length=255)
    person_name = models.CharField(max_length=300, blank=True)
    # The console account of the person reviewed, when there is one (self-review check,
    # console-role demotion).
    person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_kind = models.CharField(max_length=16, choices=AccessKind.choices)
    access_id = models.CharField(max_length=64)  # app id, group id, role type, console role
    access_label = models.CharField(max_length=255)
    # How it is granted: "direct", or through a group (its id and name), or the role's
    # assignment id for an Okta admin role.
    granted_via = models.CharField(max_length=16, default="direct")
    via_group_okta_id = models.CharField(max_length=32, blank=True)
    via_group_name = models.CharField(max_length=255, blank=True)
    assignment_id = models.CharField(max_length=64, blank=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField("Risk flags", default=list, blank=True)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="review_items")
    # Why this reviewer: "named", "manager", "app_owner", "fallback: …".
    reviewer_reason = models.CharField(max_length=100, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "reviewer", "id"], name="review_item_reviewer"),
            models.Index(fields=["campaign", "decision"], name="review_item_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.person_login}: {self.access_label}"

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)


class DecisionRecord(models.Model):
    """One decision or change of decision, never updated or deleted.

    `row_hash` is SHA-256 over the previous row's hash and this row's fields
    (service.chain): editing or removing a row breaks every hash after it, which the
    evidence export reports.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="history")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    reassigned_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_label = models.CharField(max_length=255)
    decided_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]


class RemediationAction(models.TextChoices):
    REMOVE_APP_ASSIGNMENT = "remove_app_assignment", "Remove the app assignment in Okta"
    REMOVE_FROM_GROUP = "remove_from_group", "Remove from the Okta group"
    UNASSIGN_ADMIN_ROLE = "unassign_admin_role", "Unassign the Okta admin role"
    DEMOTE_CONSOLE_ROLE = "demote_console_role", "Demote to User in the console"


class RemediationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Waiting for a second confirmation"
    MANUAL = "manual", "Manual task open"
    MANUAL_DONE = "manual_done", "Marked done"
    DONE = "done", "Removed, waiting for verification"
    FAILED = "failed", "Failed"
    VERIFIED = "verified", "Removed, verified in Okta"
    STILL_PRESENT = "still_present", "Still present"


class Remediation(models.Model):
    """What a revocation does; verified by the next Okta collection."""

    item = models.OneToOneField(ReviewItem, on_delete=models.PROTECT, related_name="remediation")
    action = models.CharField(max_length=32, choices=RemediationAction.choices)
    status = models.CharField(
        max_length=16, choices=RemediationStatus.choices, default=RemediationStatus.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    okta_error = models.TextField(blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]


class ApplicationOwner(models.Model):
    """The console user who reviews an application's access, set once per application."""

    app_okta_id = models.CharField(max_length=32, unique=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
