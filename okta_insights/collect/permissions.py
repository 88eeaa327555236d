"""The permission check: for each dataset, can the saved token read it?

One small read per dataset (the first page of each listing), so an admin following the
seed's minimal-privilege advice sees at once what a custom role still lacks. A 403 means
"not readable with this token"; anything else is reported as it is.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from okta import connection as okta
from okta.client import OktaClient
from okta.errors import OktaError, OktaPermissionError
from okta.models import OktaOrg

from ..models import Dataset, DatasetState, Readability
from .runs import NOT_READABLE, CollectionNotConfigured


def _first(items) -> dict | None:
    return next(iter(items), None)


def _apps(client: OktaClient) -> None:
    app = _first(client.iter_apps())
    if app:  # who is assigned is part of the dataset
        _first(client.iter_app_users(app["id"]))


def _factors(client: OktaClient) -> None:
    user = _first(client.iter_users())
    if user:
        client.list_factors(user["id"])


def _system_log(client: OktaClient) -> None:
    client.fetch_system_log_page(client.system_log_start(timezone.now() - timedelta(minutes=1)))


CHECKS: dict[str, Callable[[OktaClient], object]] = {
    Dataset.USERS: lambda client: client.check_credentials(),
    Dataset.GROUPS: lambda client: _first(client.iter_groups()),
    Dataset.APPLICATIONS: _apps,
    Dataset.ADMIN_ROLES: lambda client: _first(client.iter_role_assignees()),
    Dataset.MFA_FACTORS: _factors,
    Dataset.SYSTEM_LOG: _system_log,
}


def check_permissions() -> list[DatasetState]:
    """Check every dataset with the saved token; the updated states, in dataset order."""
    if not OktaOrg.load().connected:
        raise CollectionNotConfigured("Save the Okta API URL and API Token first.")
    client = okta.client(max_retries=1)
    with client:
        for name, check in CHECKS.items():
            readability, error = _check(client, check)
            DatasetState.objects.update_or_create(
                dataset=name,
                defaults={"readability": readability, "error": error, "checked_at": timezone.now()},
            )
    return dataset_states()


def _check(client: OktaClient, check: Callable[[OktaClient], object]) -> tuple[str, str]:
    try:
        check(client)
    except OktaPermissionError:
        return Readability.NOT_READABLE, NOT_READABLE
    except OktaError as exc:
        return Readability.FAILED, exc.user_message
    return Readability.READABLE, ""


def dataset_states() -> list[DatasetState]:
    """One state per dataset, in collection order (unchecked ones say so)."""
    known = {state.dataset: state for state in DatasetState.objects.all()}
    return [known.get(name) or DatasetState(dataset=name) for name in Dataset.values]
