"""Headless Okta visibility collection: `okta_collect run [--only DATASET …]`,
`okta_collect status`."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okta_insights.collect.permissions import dataset_states
from okta_insights.collect.runs import (
    COLLECTORS,
    CollectionAlreadyRunning,
    CollectionNotConfigured,
    execute_run,
    start_run,
)
from okta_insights.collect.schedule import describe
from okta_insights.models import (
    CollectionRun,
    CollectionSettings,
    LogCursor,
    OktaEvent,
    RunKind,
    RunLane,
    RunStatus,
)

COMMAND_LABEL = "okta_collect command"


class Command(BaseCommand):
    help = "Collect applications, admin roles, MFA factors and the System Log from Okta."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Collect now, in this process.")
        run.add_argument(
            "--only",
            nargs="+",
            choices=list(COLLECTORS),
            metavar="DATASET",
            help=f"Collect only these datasets ({', '.join(COLLECTORS)}).",
        )
        sub.add_parser("status", help="Show the settings, each dataset and the last runs as JSON.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _run(self, **options: Any) -> None:
        only = options.get("only")
        lane = RunLane.SYSTEM_LOG if only == ["system_log"] else RunLane.ALL
        try:
            run = start_run(RunKind.COMMAND, lane=lane, datasets=only, label=COMMAND_LABEL)
        except (CollectionAlreadyRunning, CollectionNotConfigured) as exc:
            raise CommandError(str(exc)) from None
        run = execute_run(run.pk, listener=self._progress)
        sys.stderr.write("\n")
        self.stdout.write(json.dumps(run.result()))
        if run.status == RunStatus.FAILED:
            raise CommandError(f"The collection failed: {run.error or 'see the results above'}")

    def _progress(self, phase: str, values: dict[str, Any]) -> None:
        line = (
            f"\r{phase[:48]:<48} pages {values['pages']} items {values['items']}"
            f" waits {values['rate_limit_waits']}"
        )
        sys.stderr.write(line)
        sys.stderr.flush()

    def _status(self, **options: Any) -> None:
        collection = CollectionSettings.load()
        cursor = LogCursor.load()
        last = {lane: CollectionRun.objects.filter(lane=lane).first() for lane in RunLane.values}
        status = {
            "enabled": collection.enabled,
            "schedules": describe(collection),
            "retention_days": collection.retention_days,
            "datasets": {
                state.dataset: {
                    "readability": state.readability,
                    "collected_at": _iso(state.collected_at),
                    "count": state.count,
                    "error": state.error,
                }
                for state in dataset_states()
            },
            "system_log": {
                "events": OktaEvent.objects.count(),
                "polling": bool(cursor.next_url),
                "last_poll": _iso(cursor.polled_at),
            },
            "last_runs": {lane: run.result() if run else None for lane, run in last.items()},
        }
        self.stdout.write(json.dumps(status, indent=2))


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
