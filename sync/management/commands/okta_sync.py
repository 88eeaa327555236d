"""Headless Okta sync: `okta_sync configure`, `okta_sync run [--dry-run] [--full]
[--confirm-deactivations RUN_ID]`, `okta_sync status`."""

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okta.models import OktaOrg, Scope
from okta.schedule import describe
from querypie_admin.directory import Caller
from sync.actions import save_settings
from sync.engine.confirmation import ConfirmationRefused, confirm_held_run
from sync.engine.runs import SyncAlreadyRunning, SyncNotConfigured, execute_run, start_saved_run
from sync.forms import SyncSettingsForm
from sync.models import RunKind, RunStatus, SyncRun, SyncSettings

logger = logging.getLogger(__name__)
BAR_WIDTH = 30
COMMAND_LABEL = "okta_sync command"


class Command(BaseCommand):
    help = "Configure, run and inspect the one-way Okta API synchronization."
    # The run starts as a Celery worker's does, without Django's system checks: they import
    # every URL and view of the console (0.4 s and 30 MB of the run's peak memory on the
    # bench machine) and check nothing a sync uses. `manage.py check` still runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        configure = sub.add_parser("configure", help="Save the API URL, token and scope.")
        configure.add_argument("--api-url", required=True)
        configure.add_argument("--api-token-file", required=True, type=Path)
        configure.add_argument("--app-id", default="")
        configure.add_argument("--scope", choices=list(Scope.values), default=Scope.APP)
        configure.add_argument("--enable", action="store_true")
        run = sub.add_parser("run", help="Run a sync now, in this process.")
        run.add_argument("--dry-run", action="store_true", help="Compute the plan only.")
        run.add_argument("--full", action="store_true", help="Read everything, not only changes.")
        run.add_argument(
            "--confirm-deactivations",
            type=int,
            metavar="RUN_ID",
            help="Confirm the plan run RUN_ID was held with: read Okta again and write only "
            "if the deactivations, deletions, removals and promotions to an administrator "
            "role are the same or fewer (once, within an hour).",
        )
        sub.add_parser("status", help="Show the settings and the last run as JSON.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _configure(self, **options: Any) -> None:
        try:
            token = options["api_token_file"].read_text().strip()
        except OSError as exc:
            raise CommandError(f"Cannot read the token file: {exc.strerror}") from None
        current = OktaOrg.load()
        data = SyncSettingsForm(instance=current).initial | {
            "enabled": options["enable"] or current.enabled,
            "api_url": options["api_url"],
            "api_token": token,
            "app_id": options["app_id"],
            "scope": options["scope"],
        }
        form = SyncSettingsForm(data, instance=current)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise CommandError(errors)
        try:
            save_settings(Caller.command(COMMAND_LABEL), form.cleaned_data)
        except Exception as exc:  # the transaction rolled back: say so, not a traceback
            logger.exception("okta_sync configure failed")
            raise CommandError(f"Nothing was saved: {exc}") from None
        self.stdout.write(f"Saved. API token: {OktaOrg.load().masked_token}")

    def _run(self, **options: Any) -> None:
        held_id = options["confirm_deactivations"]
        try:
            run = (
                self._start_confirming(held_id, options)
                if held_id is not None
                else self._start_plain(options)
            )
        except (SyncNotConfigured, SyncAlreadyRunning, ConfirmationRefused) as exc:
            raise CommandError(str(exc)) from None
        run = execute_run(run.pk, listener=self._progress_bar)
        sys.stderr.write("\n")
        for label, items in run.role_rows:  # role changes by name; the JSON stays last
            self.stdout.write(f"{label}: " + "; ".join(items))
        self.stdout.write(json.dumps(run.result()))
        if run.status == RunStatus.FAILED:
            raise CommandError(f"The sync failed: {run.error}")
        if held_id is not None and run.status == RunStatus.NEEDS_CONFIRMATION:
            raise CommandError(run.message)

    @staticmethod
    def _start_plain(options: dict[str, Any]) -> SyncRun:
        kind = RunKind.DRY_RUN if options["dry_run"] else RunKind.MANUAL
        full = options["full"] or options["dry_run"]
        return start_saved_run(kind, label=COMMAND_LABEL, full=full)

    @staticmethod
    def _start_confirming(held_id: int, options: dict[str, Any]) -> SyncRun:
        """A run bound to the held plan; it reads Okta the way the held run did."""
        if options["dry_run"] or options["full"]:
            raise CommandError(
                "--confirm-deactivations reads Okta the way the held run did: "
                "do not combine it with --dry-run or --full."
            )
        return confirm_held_run(Caller.command(COMMAND_LABEL), held_id)

    def _progress_bar(self, phase: str, values: dict[str, Any]) -> None:
        """One redrawn line on stderr; the bar fills when the phase knows its total."""
        match = re.search(r"\((\d+)/(\d+)\)", phase)
        share = int(match[1]) / max(int(match[2]), 1) if match else 0.0
        done = round(share * BAR_WIDTH)
        bar = "#" * done + "-" * (BAR_WIDTH - done)
        line = (
            f"\r[{bar}] {phase[:48]:<48} pages {values['pages']} users {values['users']}"
            f" waits {values['rate_limit_waits']}"
        )
        sys.stderr.write(line)
        sys.stderr.flush()

    def _status(self, **options: Any) -> None:
        s, org = SyncSettings.load(), OktaOrg.load()
        last = SyncRun.objects.first()
        status = {
            "enabled": org.enabled,
            "api_url": org.api_url,
            "api_token": org.masked_token,
            "app_id": org.app_id,
            "scope": org.scope,
            "replication_frequency": describe(org),
            "deactivation_threshold": org.deactivation_threshold,
            "last_full_sync_at": s.last_full_sync_at.isoformat() if s.last_full_sync_at else None,
            "last_run": last.result() if last else None,
        }
        self.stdout.write(json.dumps(status, indent=2))
