"""Every Okta visibility page that is empty because nothing was collected yet offers
"Collect now", posting to the existing collect action (System Admin and Owner, CSRF)."""

import re

import pytest
from django.urls import reverse

from okta_insights.models import CollectionRun, OktaApp
from querypie_admin.models import Role
from tests.factories import UserFactory
from tests.foundation.conftest import Person
from tests.okta_insights.fixtures import SETTINGS

pytestmark = pytest.mark.django_db
EMPTY_PAGES = [
    reverse("okta_applications"),
    reverse("okta_activity"),
    reverse("okta_access_review") + "stale-accounts/",
    reverse("okta_access_review") + "privilege-changes/?since=2026-03-01&until=2026-03-02",
    reverse("okta_collection_history"),
]


def collect_now_form(page: str) -> str | None:
    """The Collect now form's HTML, if the page has one that posts op=collect to Settings."""
    for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
        if 'value="collect"' in form and f'action="{SETTINGS}"' in form:
            return form
    return None


@pytest.mark.parametrize("url", EMPTY_PAGES)
def test_an_empty_page_offers_collect_now(admin_client, url):
    page = admin_client.get(url).content.decode()
    form = collect_now_form(page)
    assert form is not None and "Collect now</button>" in form
    assert 'name="csrfmiddlewaretoken"' in form


def test_a_users_okta_section_offers_collect_now_before_any_collection(admin_client):
    subject = UserFactory(login_id="ada@corp.example")
    page = admin_client.get(reverse("user_detail", args=[subject.pk])).content.decode()
    assert collect_now_form(page[page.index('id="okta-user-title"') :]) is not None


def test_collect_now_from_the_empty_applications_page_fills_it(
    system_admin, connected, eager_celery, django_capture_on_commit_callbacks
):
    person = Person(system_admin)
    assert collect_now_form(person.page(reverse("okta_applications")))

    with django_capture_on_commit_callbacks(execute=True):
        response = person.post(SETTINGS, {"op": "collect"})

    run = CollectionRun.objects.get()
    assert response["Location"] == reverse("okta_collection_run", args=[run.pk])
    assert run.status == "succeeded" and run.started_by == system_admin
    filled = person.page(reverse("okta_applications"))
    assert OktaApp.objects.exists() and "Slack" in filled
    assert collect_now_form(filled) is None


def test_a_user_cannot_collect(connected):
    person = Person(UserFactory(login_id="member@corp.example", role=Role.USER))
    assert person.post(SETTINGS, {"op": "collect"}).status_code == 403
    assert not CollectionRun.objects.exists()
