"""Produce the next item in a thread while the caller works on this one.

A paged listing read page by page waits for Okta, then for the caller, then for Okta again.
With read_ahead the next page is already being fetched and parsed while the caller handles
the current one. Whatever the producer raises is raised to the caller in its place, after
everything produced before it.
"""

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
POLL_SECONDS = 0.1


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield what `items` yields, produced by a thread up to `depth` items ahead. When the
    caller stops early the producer stops after the item it is working on."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: object, failure: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                ready.put((item, failure), timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
        except BaseException as exc:  # raised to the caller, in order
            hand_over(_END, exc)
            return
        hand_over(_END)

    threading.Thread(target=produce, name="okta-read-ahead", daemon=True).start()
    try:
        while True:
            item, failure = ready.get()
            if item is _END:
                if failure is not None:
                    raise failure
                return
            yield item
    finally:
        stop.set()
