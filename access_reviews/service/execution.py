"""Carrying out confirmed remediation rows (from the Celery task tasks.execute_remediations):
each Okta removal is one DELETE with the write-scoped token, each console demotion goes
through the directory API; every call and its outcome is audited, a failure keeps Okta's
error and may be retried. Without a write token the rows are manual tasks: a CSV to download
and a "mark done" per row."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from okta import connection
from okta.client import OktaClient
from okta.errors import OktaError, OktaNotFoundError
from okta.token_crypto import TokenUnreadable
from okta_insights.reports.base import spreadsheet_safe
from querypie_admin import audit, directory
from querypie_admin.directory import Caller, Refused, Source
from querypie_admin.models import Role, User

from ..models import Campaign
from ..models import Remediation as Row
from ..models import RemediationAction as Action
from ..models import RemediationStatus as Status
from .remediation import OKTA_ACTIONS, RemediationError, call_of

MANUAL_COLUMNS = ("task", "person", "access", "how granted", "what to do", "status")


def execute(row_ids: Iterable[int]) -> dict[str, int]:
    """Make the calls of the given PLANNED rows, in order; the counts by outcome."""
    rows = list(
        Row.objects.filter(pk__in=list(row_ids), status=Status.PLANNED)
        .select_related("item", "item__person", "item__campaign", "confirmed_by")
        .order_by("id")
    )
    outcome = {"done": 0, "failed": 0}
    okta = _write_client_or_none(rows)
    try:
        for row in rows:
            ok = _run(row, okta)
            outcome["done" if ok else "failed"] += 1
    finally:
        if okta is not None:
            okta.close()
    return outcome


def _write_client_or_none(rows: list[Row]) -> OktaClient | None:
    if not any(row.action in OKTA_ACTIONS for row in rows):
        return None
    try:
        return connection.write_client()
    except (connection.OktaSetupError, TokenUnreadable):
        return None


def _run(row: Row, okta: OktaClient | None) -> bool:
    row.attempts += 1
    try:
        if row.action == Action.DEMOTE_CONSOLE_ROLE:
            _demote(row)
        elif okta is None:
            raise RemediationError("No usable write-scoped Okta token: saved or readable.")
        else:
            _call_okta(row, okta)
    except (OktaError, Refused, RemediationError) as exc:
        row.status, row.okta_error = Status.FAILED, _error_text(exc)
        row.save(update_fields=["status", "okta_error", "attempts"])
        _audit(row, "access_review.remediation_failed", "failure", error=row.okta_error)
        return False
    row.status, row.okta_error, row.executed_at = Status.DONE, "", timezone.now()
    if row.action == Action.DEMOTE_CONSOLE_ROLE:  # the console is its own evidence
        row.status, row.verified_at = Status.VERIFIED, row.executed_at
    row.save(update_fields=["status", "okta_error", "executed_at", "verified_at", "attempts"])
    _audit(row, "access_review.remediation_called", "success")
    return True


def _call_okta(row: Row, okta: OktaClient) -> None:
    item = row.item
    try:
        if row.action == Action.REMOVE_APP_ASSIGNMENT:
            okta.remove_app_user(item.access_id, item.person_okta_id)
        elif row.action == Action.REMOVE_FROM_GROUP:
            okta.remove_group_member(item.via_group_okta_id or item.access_id, item.person_okta_id)
        else:
            okta.unassign_user_role(item.person_okta_id, item.assignment_id)
    except OktaNotFoundError:
        return  # already gone in Okta: the next collection verifies it


def _demote(row: Row) -> None:
    person = row.item.person
    if person is None:
        raise RemediationError("The person has no console account any more.")
    actor = row.confirmed_by or "Access review"
    with transaction.atomic():
        directory.update_user(Caller(Source.CONSOLE, actor), person, {"role": Role.USER})


def _error_text(exc: Exception) -> str:
    if isinstance(exc, OktaError) and exc.error_code:
        return f"{exc.status} {exc.error_code}: {exc.error_summary or exc.user_message}"
    return getattr(exc, "user_message", None) or str(exc)


def _audit(row: Row, action: str, outcome: str, **detail: str) -> None:
    audit.record(
        action,
        actor=row.confirmed_by or "Access review",
        target=row.item.campaign,
        outcome=outcome,
        detail={"remediation": row.pk, "call": call_of(row), "attempt": row.attempts} | detail,
    )


def retry(row: Row, actor: User) -> None:
    """Put a failed row back in the queue; the caller enqueues it after the commit."""
    updated = Row.objects.filter(pk=row.pk, status=Status.FAILED).update(
        status=Status.PLANNED, confirmed_by=actor
    )
    if not updated:
        raise RemediationError("Only a failed removal can be retried.")


# Manual tasks -------------------------------------------------------------------------------


def manual_rows(campaign: Campaign) -> Iterator[list[str]]:
    """The CSV of manual tasks, header first: what an admin does in Okta, row by row."""
    yield list(MANUAL_COLUMNS)
    rows = Row.objects.filter(
        item__campaign=campaign, status__in=(Status.MANUAL, Status.MANUAL_DONE)
    ).select_related("item")
    for row in rows.order_by("id"):
        item = row.item
        how = (
            f"through group {item.via_group_name or item.via_group_okta_id}"
            if item.via_group_okta_id
            else item.granted_via
        )
        what = f"{row.get_action_display()} ({call_of(row)})"
        yield [
            str(row.pk),
            item.person_login,
            item.access_label,
            how,
            what,
            row.get_status_display(),
        ]


def manual_csv(campaign: Campaign) -> str:
    buffer = io.StringIO()
    rows = ([spreadsheet_safe(cell) for cell in row] for row in manual_rows(campaign))
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def mark_done(row: Row, actor: User) -> None:
    """An admin did a manual task in Okta; the next collection still verifies it."""
    updated = Row.objects.filter(pk=row.pk, status=Status.MANUAL).update(
        status=Status.MANUAL_DONE, marked_done_by=actor, executed_at=timezone.now()
    )
    if not updated:
        raise RemediationError("Only an open manual task can be marked done.")
    audit.record(
        "access_review.manual_done",
        actor=actor,
        target=row.item.campaign,
        detail={"remediation": row.pk, "task": call_of(row)},
    )
