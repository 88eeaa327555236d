"""The sync form's limits: a token of sane length, and no cron schedule faster than the
5 minutes that "Every N minutes" allows."""

import pytest
from django.core.exceptions import ValidationError

from okta.models import OktaOrg
from okta.schedule import parse_cron
from tests.sync.test_sync_console import SETTINGS_URL, form_data

pytestmark = pytest.mark.django_db


def test_a_1_mb_api_token_is_refused_without_echoing_it(admin_client):
    token = "A" * (1024 * 1024)
    response = admin_client.post(SETTINGS_URL, form_data(api_token=token))
    assert response.status_code == 400
    error = response.context["sync_form"].errors["api_token"][0]
    assert "at most 200 characters" in error and token[:50] not in error
    assert not OktaOrg.load().has_token


@pytest.mark.parametrize(
    ("cron", "gap"),
    [("* * * * *", 1), ("*/2 * * * *", 2), ("0,4 * * * *", 4), ("58 * * * *,", None),
     ("0,58 3-4 * * *", 2), ("0,59 23,0 * * *", 1)],
)  # fmt: skip
def test_a_cron_schedule_faster_than_every_5_minutes_is_refused(admin_client, cron, gap):
    response = admin_client.post(SETTINGS_URL, form_data(frequency="cron", cron=cron))
    assert response.status_code == 400
    error = response.context["sync_form"].errors["cron"][0]
    if gap is not None:
        assert f"runs {gap} minute" in error and "at least 5 minutes apart" in error
    assert OktaOrg.load().cron == ""


@pytest.mark.parametrize(
    "cron", ["*/5 * * * *", "0 */6 * * *", "0,59 3 * * *", "58 * * * *", "30 2 * * 1-5"]
)
def test_a_cron_schedule_5_minutes_apart_or_more_is_accepted(cron):
    assert parse_cron(cron)


def test_parse_cron_says_why_when_runs_are_too_close():
    with pytest.raises(ValidationError, match="runs 1 minute apart"):
        parse_cron("0-1 * * * *")
