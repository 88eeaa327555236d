"""Headless Okta sync: `okta_sync configure`, `okta_sync run [--dry-run] [--full]`, `status`."""

import json
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.engine.runs import SyncAlreadyRunning, SyncNotConfigured, execute_run, start_saved_run
from sync.forms import SyncSettingsForm
from sync.models import RunKind, Scope, SyncRun, SyncSettings
from sync.schedule import apply_schedule, describe

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Configure, run and inspect the one-way Okta API synchronization."

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
            action="store_true",
            help="Allow more deactivations than the configured threshold.",
        )
        sub.add_parser("status", help="Show the settings and the last run as JSON.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _configure(self, **options: Any) -> None:
        try:
            token = options["api_token_file"].read_text().strip()
        except OSError as exc:
            raise CommandError(f"Cannot read the token file: {exc.strerror}") from None
        current = SyncSettings.load()
        data = {
            "enabled": options["enable"] or current.enabled,
            "api_url": options["api_url"],
            "api_token": token,
            "app_id": options["app_id"],
            "scope": options["scope"],
            "frequency": current.frequency,
            "every_minutes": current.every_minutes,
            "daily_at": current.daily_at,
            "cron": current.cron,
            "deactivation_threshold": current.deactivation_threshold,
        }
        form = SyncSettingsForm(data, instance=current)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise CommandError(errors)
        apply_schedule(form.save())
        self.stdout.write(f"Saved. API token: {form.instance.masked_token}")

    def _run(self, **options: Any) -> None:
        kind = RunKind.DRY_RUN if options["dry_run"] else RunKind.MANUAL
        try:
            run = start_saved_run(
                kind,
                label="okta_sync command",
                full=options["full"] or options["dry_run"],
                allow_mass_deactivation=options["confirm_deactivations"],
            )
        except (SyncNotConfigured, SyncAlreadyRunning) as exc:
            raise CommandError(str(exc)) from None
        run = execute_run(run.pk, listener=self._progress_bar)
        sys.stderr.write("\n")
        self.stdout.write(json.dumps(run.result()))
        if run.status == "failed":
            raise CommandError(f"The sync failed: {run.error}")

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
        s = SyncSettings.load()
        last = SyncRun.objects.first()
        status = {
            "enabled": s.enabled,
            "api_url": s.api_url,
            "api_token": s.masked_token,
            "app_id": s.app_id,
            "scope": s.scope,
            "replication_frequency": describe(s),
            "deactivation_threshold": s.deactivation_threshold,
            "last_full_sync_at": s.last_full_sync_at.isoformat() if s.last_full_sync_at else None,
            "last_run": last.result() if last else None,
        }
        self.stdout.write(json.dumps(status, indent=2))
