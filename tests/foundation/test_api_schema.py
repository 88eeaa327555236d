"""Schemathesis over /api/v1/, from the API's own OpenAPI schema: every operation, with
generated parameters, answers without a 5xx and as its schema says (status, content type,
body). Bounded to a few dozen examples an operation."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.factories import okta_group, okta_user
from tests.scim.conftest import in_process_requests  # noqa: F401 - used by name

from .test_api import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_token(owner) -> str:
    return issue(owner.login_id)


@pytest.fixture
def api_schema(in_process_requests, api_token):  # noqa: F811 - the fixture above
    from querypie_admin.models import LinkSource

    group = okta_group(LinkSource.SCIM, name="Engineering")
    group.members.add(okta_user(LinkSource.OKTA_SYNC, login_id="ann@corp.example"))
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        get_wsgi_application(),
        headers={"Authorization": f"Bearer {api_token}"},
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_v1_answers_as_its_own_schema_says(case, api_token):
    """Every answer is no 5xx, and its status, content type and body are documented.

    Left out: whether the schema describes the *inputs* precisely (Schemathesis's negative-
    and positive-data checks). Filters are documented as text and validated by the views,
    and DRF reads `page=` (empty) as the first page."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"},
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
    )


@pytest.mark.parametrize("path", ["/api/v1/users/1.5/", "/api/v1/nothing/", "/api/v2/"])
def test_an_address_under_the_api_that_matches_nothing_answers_json(client, api_token, path):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_elsewhere_a_missing_page_is_still_the_console_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and b"There is nothing at this address." in response.content


@pytest.mark.parametrize(
    ("path", "param"),
    [("/api/v1/audit-events/", "target"), ("/api/v1/users/", "login_id"), ("/api/v1/groups/", "q")],
)
def test_a_nul_in_a_query_parameter_is_a_400_not_a_500(client, api_token, path, param):
    response = client.get(path, {param: "a\x00b"}, HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 400
    assert response.json() == {"detail": f"{param}: a query parameter cannot hold a NUL character."}
