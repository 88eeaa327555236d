"""A collection run from start to history: one at a time per lane, each dataset on its own.

A dataset that fails (a 403, a 5xx after the retries, a timeout) is recorded as such and the
next dataset is collected anyway; what an earlier collection stored for it stays. Nothing is
ever written to Okta: the client only sends GET requests.
"""

import logging
import time
from collections.abc import Callable

from django.utils import timezone

from okta import connection as okta
from okta.connection import OktaSetupError
from okta.errors import OktaError, OktaPermissionError
from okta.models import OktaOrg
from okta.runs import Listener, RunAlreadyInProgress, create_run, execute, fail_stale_runs
from okta.token_crypto import TokenUnreadable
from querypie_admin import audit
from querypie_admin.models import User

from ..models import (
    CollectionRun,
    CollectionSettings,
    Dataset,
    DatasetState,
    Readability,
    RunLane,
    RunStatus,
)
from ..signals import collection_finished
from .applications import collect_applications
from .base import DatasetSkipped, Reader
from .directory import collect_groups, collect_users
from .progress import CollectionProgress
from .roles import collect_admin_roles, collect_mfa_factors
from .system_log import collect_system_log

logger = logging.getLogger(__name__)
NOT_READABLE = "Not readable with this token"
# In this order: the reports name users and groups; MFA factors are those of the admins.
COLLECTORS: dict[str, Callable[[Reader], int]] = {
    Dataset.USERS: collect_users,
    Dataset.GROUPS: collect_groups,
    Dataset.APPLICATIONS: collect_applications,
    Dataset.ADMIN_ROLES: collect_admin_roles,
    Dataset.MFA_FACTORS: collect_mfa_factors,
    Dataset.SYSTEM_LOG: collect_system_log,
}


class CollectionAlreadyRunning(RunAlreadyInProgress):
    message = "A collection is already in progress."


class CollectionNotConfigured(Exception):
    """No Okta API URL and token saved (they are the synchronization's)."""


def start_run(
    kind: str,
    *,
    lane: str = RunLane.ALL,
    datasets: list[str] | None = None,
    started_by: User | None = None,
    label: str = "",
) -> CollectionRun:
    """Record a queued run, or raise CollectionAlreadyRunning / CollectionNotConfigured."""
    if not OktaOrg.load().connected:
        raise CollectionNotConfigured(
            "Okta is not connected: save the API URL and API Token under Use Synchronization "
            "with the Authentication System first."
        )
    chosen = [Dataset.SYSTEM_LOG.value] if lane == RunLane.SYSTEM_LOG else (datasets or [])
    ordered = [name for name in COLLECTORS if name in chosen or not chosen]
    lane_runs = CollectionRun.objects.filter(lane=lane)
    dead = fail_stale_runs(lane_runs, _finish)
    fields = {
        "lane": lane,
        "kind": kind,
        "datasets": ordered,
        "started_by": started_by,
        "started_by_label": started_by.login_id if started_by else label,
    }
    resumed = next((run for run in dead if run.started_at and run.datasets == ordered), None)
    if resumed is not None:
        fields |= _resume(resumed, ordered)
    return create_run(lane_runs, fields, CollectionAlreadyRunning)


def _resume(dead: CollectionRun, datasets: list[str]) -> dict:
    """The next collection of the same datasets after a dead one starts where it stopped:
    the datasets it collected are carried over, naming the run that collected them (the
    System Log goes on from its cursor anyway); the others are collected, failed ones again."""
    carried = {
        name: {"from_run": dead.pk} | result
        for name, result in dead.results.items()
        if result.get("status") == "collected"
    }
    rest = [name for name in datasets if name not in carried]
    return {"datasets": rest, "results": carried, "resumes": dead}


def execute_run(run_id: int, listener: Listener | None = None) -> CollectionRun | None:
    """Carry out a queued run in this process (a Celery worker or `okta_collect run`)."""
    return execute(
        CollectionRun,
        run_id,
        _collect_or_fail,
        _finish,
        progress=CollectionProgress,
        listener=listener,
    )


def _collect_or_fail(run: CollectionRun, progress: CollectionProgress) -> None:
    try:
        _collect(run, progress)
    except (OktaSetupError, TokenUnreadable) as exc:
        _finish(run, RunStatus.FAILED, error=str(exc))


def _collect(run: CollectionRun, progress: CollectionProgress) -> None:
    client = okta.client(on_page=progress.on_page)
    progress.stats = client.stats
    reader = Reader(client, run.pk, progress, CollectionSettings.load())
    with client:
        for name in run.datasets:
            progress.phase(f"Collecting {Dataset(name).label}")
            run.results[name] = collect_dataset(name, reader)
            CollectionRun.objects.filter(pk=run.pk).update(results=run.results)
    statuses = {result["status"] for result in run.results.values()}
    if statuses <= {"collected", "skipped"}:
        status = RunStatus.SUCCEEDED
    else:
        status = RunStatus.PARTIAL if "collected" in statuses else RunStatus.FAILED
    _finish(run, status)


def collect_dataset(name: str, reader: Reader) -> dict:
    """Collect one dataset; its outcome, never an exception (the next dataset goes on)."""
    started = time.monotonic()
    reader.notes.clear()
    try:
        count = COLLECTORS[name](reader)
        outcome = {"status": "collected", "count": count}
        _note(name, Readability.READABLE, count=count, collected=True)
    except OktaPermissionError:
        outcome = {"status": "not_readable", "error": NOT_READABLE}
        _note(name, Readability.NOT_READABLE, error=NOT_READABLE)
    except DatasetSkipped as exc:
        outcome = {"status": "skipped", "error": str(exc)}
    except OktaError as exc:
        where = f" ({exc.path}, page {exc.page})" if exc.path else ""
        outcome = {"status": "failed", "error": f"{exc.user_message}{where}", "kind": exc.kind}
        _note(name, Readability.FAILED, error=outcome["error"])
    except Exception:
        logger.exception("Collecting %s failed", name)
        outcome = {"status": "failed", "error": "Unexpected error; see the server log."}
        _note(name, Readability.FAILED, error=outcome["error"])
    if reader.notes:
        outcome["note"] = " ".join(reader.notes)
    return outcome | {"seconds": round(time.monotonic() - started, 1)}


def _note(
    name: str, readability: str, *, count: int = 0, collected: bool = False, error: str = ""
) -> None:
    now = timezone.now()
    fields = {"readability": readability, "checked_at": now, "error": error}
    if collected:
        fields |= {"collected_at": now, "count": count}
    DatasetState.objects.update_or_create(dataset=name, defaults=fields)


def _finish(run: CollectionRun, status: str, *, error: str = "") -> None:
    run.close(status, error=error or run.error)
    if status == RunStatus.SUCCEEDED:
        collected = [name for name, v in run.results.items() if v.get("status") == "collected"]
        # A listener's failure must not fail the collection: it is logged instead.
        answers = collection_finished.send_robust(CollectionRun, run=run, datasets=collected)
        for receiver, answer in answers:
            if isinstance(answer, Exception):
                logger.error("%s failed after collection #%s: %r", receiver, run.pk, answer)
    if run.lane == RunLane.SYSTEM_LOG and status != RunStatus.FAILED:
        return  # every few minutes: the history shows it; the audit log only its failures
    audit.record(
        "okta_insights.collection_finished",
        actor=run.started_by or run.started_by_label,
        target=run,
        target_label=f"Okta collection #{run.pk}",
        outcome="failure" if status == RunStatus.FAILED else "success",
        detail={
            "lane": run.lane,
            "kind": run.kind,
            "status": status,
            "results": {k: v.get("status") for k, v in run.results.items()},
            "error": run.error[:500],
        },
    )
