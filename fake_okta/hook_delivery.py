"""The fake Okta's event hook deliveries: when the fake directory changes, each ACTIVE,
VERIFIED hook subscribed to that event type gets a POST in Okta's shape, from a background
thread, with the hook's headers (its auth header included).

As Okta does: at least once, one retry at most (after a timeout, a connection error or a
5xx), a 3-second timeout. Test controls make the hard cases happen on purpose: `duplicate`
sends the next deliveries twice (same body, same event uuids), `hold` keeps events back and
`release` sends them afterwards, in reverse order if asked, in bursts of several events
per delivery and several deliveries at once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from fake_okta.event_hooks import EventHook, EventHooks
from fake_okta.model import iso
from fake_okta.system_log import SYSTEM_ACTOR, change_event
from fake_okta.universal_directory import Change, UniversalDirectory

logger = logging.getLogger(__name__)
TIMEOUT = 3.0  # Okta's: a hook must answer within 3 seconds
USER_AGENT = "Okta Event Hooks (fake_okta)"
Pending = tuple[str, dict[str, Any]]  # (hook id, event)


@dataclass(frozen=True)
class Delivery:
    """One POST as the sender saw it: the last attempt's status (None: no answer)."""

    hook_id: str
    events: int
    status: int | None
    seconds: float  # the last attempt, measured from the client
    attempts: int
    event_id: str
    answers: tuple[int | None, ...] = ()  # every attempt's status, None for no answer
    times: tuple[float, ...] = ()  # every attempt's seconds
    event_uuids: tuple[str, ...] = ()  # the System Log uuids of the events it carried


def delivery_body(base_url: str, hook_id: str, events: list[dict[str, Any]]) -> dict:
    """Okta's event hook request body (CloudEvents 0.1 envelope around System Log events)."""
    return {
        "eventType": "com.okta.event_hook",
        "eventTypeVersion": "1.0",
        "cloudEventsVersion": "0.1",
        "source": f"{base_url}/api/v1/eventHooks/{hook_id}",
        "eventId": str(uuid.uuid4()),
        "data": {"events": events},
        "eventTime": iso(datetime.now(UTC)),
        "contentType": "application/json",
    }


class Deliveries:
    """Queued events and the thread that posts them; FakeOkta has them listen to its
    directory and post to its event hooks."""

    def __init__(self, hooks: EventHooks, directory: UniversalDirectory, base_url: str) -> None:
        self.hooks, self.directory, self.base_url = hooks, directory, base_url
        self.sent: list[Delivery] = []
        self.per_delivery = 1
        self._queue: deque[Pending] = deque()
        self._held: list[Pending] = []
        self._holding = False
        self._duplicates = 0
        self._in_flight = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._local = threading.local()  # a session per sending thread

    # What the directory tells -------------------------------------------------------------

    def on_change(self, change: Change) -> None:
        """Called under the directory's lock, before a deletion: the event the System Log
        logged (or, for a change no admin made, one built now, while its targets still
        exist), sent later."""
        hooks = self.hooks.delivering(change.event_type)
        if not hooks:
            return
        event = change.event or change_event(self.directory, change, SYSTEM_ACTOR)
        with self._cond:
            for hook in hooks:
                (self._held if self._holding else self._queue).append((hook.id, event))
            self._start()
            self._cond.notify_all()

    # Test controls --------------------------------------------------------------------------

    def duplicate(self, times: int = 1) -> None:
        """The next `times` deliveries are each sent twice, as Okta's at-least-once allows."""
        with self._cond:
            self._duplicates += times

    def hold(self) -> None:
        """Keep events back until `release` (to reorder them, or send them in a burst)."""
        with self._cond:
            self._holding = True

    def held(self) -> int:
        with self._cond:
            return len(self._held)

    def release(
        self, *, reverse: bool = False, per_delivery: int = 1, parallel: int = 1
    ) -> list[Delivery]:
        """Send every held event now, from the calling thread(s); returns the deliveries."""
        with self._cond:
            held, self._held, self._holding = self._held, [], False
        if reverse:
            held.reverse()
        batches = list(_batches(held, per_delivery))
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            return list(pool.map(lambda batch: self._deliver(*batch), batches))

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until everything queued was delivered (held events stay held)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("event hook deliveries still pending")
                self._cond.wait(left)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    # Sending ---------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="okta-hooks")
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                hook_id = self._queue[0][0]
                batch = []
                while self._queue and self._queue[0][0] == hook_id:
                    batch.append(self._queue.popleft()[1])
                    if len(batch) >= self.per_delivery:
                        break
                self._in_flight += 1
            try:
                self._deliver(hook_id, batch)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, hook_id: str, events: list[dict[str, Any]]) -> Delivery:
        hook = self.hooks.hooks.get(hook_id)
        if hook is None:
            return Delivery(hook_id, len(events), None, 0.0, 0, "")
        body = delivery_body(self.base_url, hook_id, events)
        with self._cond:
            twice, self._duplicates = self._duplicates > 0, max(0, self._duplicates - 1)
        done = self._post(hook, body)
        if twice:
            done = self._post(hook, body)
        return done

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def _post(self, hook: EventHook, body: dict[str, Any]) -> Delivery:
        """One delivery: a retry at most, after no answer or a 5xx."""
        headers = hook.request_headers() | {"User-Agent": USER_AGENT}
        answers: list[int | None] = []
        times: list[float] = []
        for _ in range(2):
            started = time.perf_counter()
            try:
                response = self._session().post(
                    hook.uri, json=body, headers=headers, timeout=TIMEOUT
                )
                answers.append(response.status_code)
            except requests.RequestException as exc:
                answers.append(None)
                logger.debug("event hook delivery failed: %s", exc)
            times.append(time.perf_counter() - started)
            if answers[-1] is not None and answers[-1] < 500:
                break
        events = len(body["data"]["events"])
        delivery = Delivery(
            hook.id,
            events,
            answers[-1],
            times[-1],
            len(answers),
            body["eventId"],
            tuple(answers),
            tuple(times),
            tuple(event["uuid"] for event in body["data"]["events"]),
        )
        with self._cond:
            self.sent.append(delivery)
        return delivery


def _batches(pending: list[Pending], size: int) -> Iterable[tuple[str, list[dict[str, Any]]]]:
    """Consecutive events of one hook, `size` at a time."""
    batch: list[dict[str, Any]] = []
    hook_id = ""
    for pending_hook, event in pending:
        if batch and (pending_hook != hook_id or len(batch) >= size):
            yield hook_id, batch
            batch = []
        hook_id = pending_hook
        batch.append(event)
    if batch:
        yield hook_id, batch
