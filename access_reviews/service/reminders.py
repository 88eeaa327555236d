"""Emails to reviewers: one at launch, one two days before the due date.

Django's email backend sends them (SMTP by EMAIL_URL, files under var/mail/ by default). The
reminder is claimed by setting `Campaign.reminded_at` in one conditional UPDATE, so two
workers running the daily task at once still send it once.
"""

import logging
import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from querypie_admin.models import User

from ..models import Campaign, CampaignStatus, ReviewItem

REMIND_DAYS_BEFORE_DUE = 2
logger = logging.getLogger(__name__)


def send_launch_emails(campaign: Campaign) -> int:
    """Tell each reviewer how many items wait for them; return how many emails were sent."""
    return _send(campaign, "access_reviews/email/launched.txt", undecided_only=False)


def send_due_reminders(today: date) -> list[int]:
    """Remind the reviewers of every active campaign due within two days, once per
    campaign; return the ids of the campaigns reminded."""
    reminded = []
    due = Campaign.objects.filter(
        status=CampaignStatus.ACTIVE,
        reminded_at__isnull=True,
        due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE_DUE),
        due_on__gte=today,
    )
    for campaign in due:
        claimed = Campaign.objects.filter(pk=campaign.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        )
        if claimed:
            _send(campaign, "access_reviews/email/reminder.txt", undecided_only=True)
            reminded.append(campaign.pk)
    return reminded


def _send(campaign: Campaign, template: str, *, undecided_only: bool) -> int:
    items = ReviewItem.objects.filter(campaign=campaign)
    counts = items.values("reviewer_id").annotate(
        total=Count("id"), left=Count("id", filter=Q(decision=""))
    )
    left = {row["reviewer_id"]: row for row in counts if row["left"] or not undecided_only}
    link = settings.CONSOLE_BASE_URL + reverse("my_reviews") + f"?campaign={campaign.pk}"
    messages = []
    for reviewer in User.objects.filter(pk__in=left, is_active=True).exclude(email=""):
        if not _deliverable(reviewer.email):
            logger.warning("Access review %s: %s has no usable email", campaign.pk, reviewer.pk)
            continue
        context = {"campaign": campaign, "reviewer": reviewer, "link": link}
        context |= {"total": left[reviewer.pk]["total"], "left": left[reviewer.pk]["left"]}
        subject, _, body = render_to_string(template, context).partition("\n")
        # One line whatever the name holds: a CR in a subject is refused by Django's mail.
        messages.append((" ".join(subject.split()), body.lstrip(), None, [reviewer.email]))
    if not messages:
        return 0
    try:
        return send_mass_mail(messages, fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        # The campaign goes on without its emails: reviewers still find it on My reviews.
        logger.warning("Access review %s: emails not sent (%s)", campaign.pk, exc)
        return 0


def _deliverable(email: str) -> bool:
    """Whether `email` is one address: an email set by SCIM or the sync with a line break in
    it would fail every email of the launch (Django refuses the header), not add a recipient."""
    try:
        validate_email(email)  # refuses CR and LF
    except ValidationError:
        return False
    return True
