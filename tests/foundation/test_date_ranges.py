"""Every form with a start and an end date refuses a start after the end, says so beside
the end, and keeps both values as typed: the audit log's filter, Okta Activity's filter and
the Privilege changes report's period."""

import pytest
from django.urls import reverse

from okta_insights.reports.catalog import REPORTS

pytestmark = pytest.mark.django_db
ERROR = "The end of the period comes before its start."
FORMS = {
    "audit log": (reverse("audit_log"), "2026-03-10", "2026-03-02"),
    "activity": (reverse("okta_activity"), "2026-03-10T09:30", "2026-03-02T08:00"),
    "privilege changes": (
        reverse("okta_access_review") + f"{REPORTS['privilege-changes'].slug}/",
        "2026-03-10",
        "2026-03-02",
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_start_after_the_end_is_refused_and_what_was_typed_is_kept(as_owner, name):
    url, since, until = FORMS[name]
    response = as_owner.get(url, since=since, until=until)
    page = response.content.decode()
    end_field = page.split('id="id_until"')[1].split("</label>")[0]
    assert ERROR in end_field
    assert f'value="{since}"' in page and f'value="{until}"' in page


@pytest.mark.parametrize("name", FORMS)
def test_a_start_before_the_end_is_accepted(as_owner, name):
    url, since, until = FORMS[name]
    response = as_owner.get(url, since=until, until=since)
    assert response.status_code == 200 and ERROR not in response.content.decode()


def test_the_audit_log_says_the_refused_filter_was_not_applied(as_owner):
    response = as_owner.get(reverse("audit_log"), since="2026-03-10", until="2026-03-02")
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("The filter was not applied") and ERROR in message
