"""read_ahead: the next page is produced while the caller works on this one, failures
arrive in order, and a caller that stops early stops the producer."""

from __future__ import annotations

import threading
import time

import pytest

from okta.read_ahead import read_ahead


def test_every_item_arrives_in_order():
    assert list(read_ahead(iter(range(100)))) == list(range(100))


def test_a_failure_arrives_after_the_items_produced_before_it():
    def pages():
        yield 1
        yield 2
        raise ValueError("page 3 failed")

    taken = []
    with pytest.raises(ValueError, match="page 3 failed"):
        for item in read_ahead(pages()):
            taken.append(item)

    assert taken == [1, 2]


def test_the_next_item_is_produced_while_the_caller_works_on_this_one():
    second_started = threading.Event()

    def pages():
        yield "first"
        second_started.set()
        yield "second"

    items = read_ahead(pages())
    assert next(items) == "first"
    # The caller has not asked for the second item yet, and it is already being made.
    assert second_started.wait(5)
    assert next(items) == "second"


def test_a_caller_that_stops_early_stops_the_producer():
    produced = []

    def pages():
        for number in range(1000):
            produced.append(number)
            yield number

    items = read_ahead(pages(), depth=1)
    assert next(items) == 0
    items.close()
    time.sleep(0.5)  # the producer notices within its poll interval

    assert len(produced) <= 3  # the one taken, one waiting, one being handed over
