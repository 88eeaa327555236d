"""Celery entry points of SAML sign-in; the work is in sso.refresh."""

from celery import shared_task

from .refresh import REFRESH_ACTOR, daily_check


@shared_task(name="sso.tasks.daily_certificate_check")
def daily_certificate_check() -> dict:
    """Beat's daily entry point: refresh the metadata and Okta's keys, retire, alert."""
    return daily_check(REFRESH_ACTOR).as_json()
