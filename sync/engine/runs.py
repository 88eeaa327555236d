"""A run from start to history: one at a time, read, plan, guard, write, record.

Starting a run inserts a SyncRun with in_progress=True; a unique constraint on that column
makes a second start fail in any process, so two syncs never write at once.
"""

from datetime import datetime

from django.utils import timezone

from okta.connection import OktaSetupError
from okta.errors import OktaError
from okta.models import OktaOrg
from okta.runs import (
    Listener,
    Progress,
    RunAlreadyInProgress,
    create_run,
    execute,
    fail_stale_runs,
)
from okta.token_crypto import TokenUnreadable
from querypie_admin import audit, directory
from querypie_admin.models import User

from ..models import RunKind, RunMode, RunStatus, SyncRun, SyncSettings, destructive_text
from .apply import Writes
from .apply_roles import write_roles
from .config import RunConfig, config_from_settings, incremental_since
from .guard import guard_message
from .pending import PendingWrites
from .plan import Plan
from .streaming import read_and_plan


class SyncAlreadyRunning(RunAlreadyInProgress):
    """Another run is queued or running; `run` is that run."""

    message = "A synchronization is already in progress."


class SyncNotConfigured(Exception):
    """Synchronization is not enabled or lacks its API URL or token."""


def start_run(
    kind: str,
    *,
    config: RunConfig,
    encrypted_token: str,
    started_by: User | None = None,
    label: str = "",
    confirms: SyncRun | None = None,
) -> SyncRun:
    """Record a queued run, or raise SyncAlreadyRunning.

    `confirms` is the held run this one confirms: it may write only within that run's plan.
    """
    fail_stale_runs(SyncRun.objects.all(), _finish)
    fields = {
        "kind": kind,
        "mode": RunMode.INCREMENTAL if config.incremental else RunMode.FULL,
        "config": config.as_json(),
        "api_token_encrypted": encrypted_token,
        "started_by": started_by,
        "started_by_label": started_by.login_id if started_by else label,
        "confirms": confirms,
    }
    return create_run(SyncRun.objects.all(), fields, SyncAlreadyRunning)


def start_saved_run(
    kind: str,
    *,
    started_by: User | None = None,
    label: str = "",
    full: bool = True,
    confirms: SyncRun | None = None,
) -> SyncRun:
    """A run of the saved settings; `full=False` lets it be incremental when allowed."""
    s, org = SyncSettings.load(), OktaOrg.load()
    if not (org.enabled and org.connected):
        raise SyncNotConfigured(
            "Okta synchronization is not set up: enable it and save the API URL and API Token."
        )
    since = None if full else incremental_since(s, timezone.now())
    config = config_from_settings(org, since=since)
    return start_run(
        kind,
        config=config,
        encrypted_token=org.api_token_encrypted,
        started_by=started_by,
        label=label,
        confirms=confirms,
    )


def execute_run(run_id: int, listener: Listener | None = None) -> SyncRun | None:
    """Carry out a queued run in this process (a Celery worker or `okta_sync run`)."""
    return execute(SyncRun, run_id, _carry_out_or_fail, _finish, listener=listener)


def _carry_out_or_fail(run: SyncRun, progress: Progress) -> None:
    """The failures a run expects end it with their own reason."""
    try:
        _carry_out(run, progress)
    except (OktaError, OktaSetupError, TokenUnreadable) as exc:
        _fail(run, progress, exc)
    except (directory.Refused, directory.DirectoryConflict, directory.DirectoryInvalid) as exc:
        _refused_while_writing(run, progress, exc)


def _carry_out(run: SyncRun, progress: Progress) -> None:
    """Read, plan and write; the writes that start while Okta is read (pending.py) commit
    only once everything was read and the guard let the plan through."""
    config = RunConfig.from_json(run.config)
    read_started = timezone.now()
    caller = directory.Caller.okta_sync(f"Okta sync (run #{run.pk})")
    pending = PendingWrites()
    writes = Writes(caller, pending) if run.kind != RunKind.DRY_RUN else None

    def may_write(partial: Plan) -> bool:
        return not _hold_message(run, partial, config, partial.destructive())

    try:
        plan = read_and_plan(run, config, progress, writes, may_write)
    except BaseException:
        pending.rollback()  # a read failed: nothing written
        raise
    if writes is None:
        _finish(run, RunStatus.SUCCEEDED, plan=plan, message=guard_message(plan, config))
        return
    destructive = plan.destructive()
    message = _hold_message(run, plan, config, destructive)
    if message:
        pending.rollback()  # a held run writes nothing
        _finish(run, RunStatus.NEEDS_CONFIRMATION, plan=plan, message=message, held=destructive)
        return
    writes.rest(plan)
    pending.submit(lambda: write_roles(plan.roles, caller, run.pk, pending.note))  # after members
    pending.commit(progress.phase)
    _record_watermarks(run, read_started)
    _finish(run, RunStatus.SUCCEEDED, plan=plan, extra_conflicts=writes.late)


def _hold_message(run: SyncRun, plan: Plan, config: RunConfig, destructive: dict) -> str:
    """Why this run must wait for a confirmation, or "" when it may write.

    A run that confirms a held one may write exactly what was shown, or less, whatever the
    guard says; anything beyond it stops the run again, so Okta shrinking further between
    the guard and the confirmation never deactivates more than the administrator saw.
    """
    held = run.confirms
    if held is None:
        return guard_message(plan, config)
    beyond = held.changes_beyond_held(destructive)
    if not any(beyond.values()):
        return ""
    return (
        f"Okta changed since the plan confirmed in run #{held.pk}: this plan has "
        f"{destructive_text(beyond, more=True)} than the one shown. Nothing was written; "
        "check this new plan and confirm it to proceed."
    )


def _record_watermarks(run: SyncRun, read_started: datetime) -> None:
    fields = {"last_sync_read_at": read_started}
    if run.mode == RunMode.FULL:
        fields["last_full_sync_at"] = read_started
    SyncSettings.load()
    SyncSettings.objects.filter(pk=1).update(**fields)


def _refused_while_writing(run: SyncRun, progress: Progress, exc: Exception) -> None:
    """The directory refused a batch the plan said was fine: a row changed hands (an Owner
    took it back) or changed between reading and writing. That batch wrote nothing; the
    batches before it stay, and the next run plans from what is there now."""
    if isinstance(exc, directory.Refused):
        exc.record()
    _finish(
        run,
        RunStatus.FAILED,
        error=f"The directory refused a change: {exc} Batches written before it were kept; "
        "run Synchronize again to finish from the current state.",
        error_kind="refused",
        stopped_at=f"Stopped during “{progress.text}”",
    )


def _fail(run: SyncRun, progress: Progress, exc: Exception) -> None:
    """Say what failed and where; nothing was written because reading comes first."""
    where = ""
    if isinstance(exc, OktaError) and exc.path:
        where = f"{exc.path}, page {exc.page}"
    error = getattr(exc, "user_message", str(exc))
    stopped = f"Stopped during “{progress.text}”" + (f" at {where}" if where else "")
    _finish(
        run,
        RunStatus.FAILED,
        error=f"{error} Nothing was changed.",
        error_kind=getattr(exc, "kind", "error"),
        stopped_at=stopped,
    )


def _finish(
    run: SyncRun,
    status: str,
    *,
    plan: Plan | None = None,
    extra_conflicts: list | None = None,
    held: dict | None = None,
    **fields: str,
) -> None:
    """Close the run (its token snapshot wiped) with what it found, and audit it."""
    if plan is not None:
        run.counts = plan.counts()
        run.samples = plan.samples()
        run.conflicts = plan.conflicts + (extra_conflicts or [])
    if held is not None:
        run.held_changes = held
    run.close(status, api_token_encrypted="", **fields)
    _audit_finished(run)


def _audit_finished(run: SyncRun) -> None:
    """One audit event per run, so the audit log shows every sync next to what it changed."""
    audit.record(
        "okta_sync.run_finished",
        actor=run.started_by or run.started_by_label,
        target=run,
        target_label=f"Okta synchronization #{run.pk}",
        outcome="failure" if run.status == RunStatus.FAILED else "success",
        detail={
            "kind": run.kind,
            "mode": run.mode,
            "status": run.status,
            "counts": run.counts,
            "error": run.error[:500],
            "confirms": run.confirms_id,
        },
    )
