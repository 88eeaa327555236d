"""The run machinery every Okta reader shares: the run model (model.py), its live progress
(progress.py), the heartbeat that tells a live run from a dead one (heartbeat.py) and the
start / claim / execute steps (lifecycle.py). The sync's runs and the collection's runs
extend it; the Event Hooks processing lease uses its heartbeat.
"""

from .heartbeat import Heartbeat, dead_after
from .lifecycle import RunAlreadyInProgress, create_run, execute, fail_stale_runs
from .model import FAILED, QUEUED, RUNNING, STALE_AFTER, OktaRun, status_field
from .progress import Listener, Progress, progress_body

__all__ = [
    "FAILED",
    "QUEUED",
    "RUNNING",
    "STALE_AFTER",
    "Heartbeat",
    "Listener",
    "OktaRun",
    "Progress",
    "RunAlreadyInProgress",
    "create_run",
    "dead_after",
    "execute",
    "fail_stale_runs",
    "progress_body",
    "status_field",
]
