"""What every collector gets, and the few helpers they share to store what they read."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TypeVar

from django.db import models
from django.utils.dateparse import parse_datetime

from okta.client import OktaClient

from ..models import CollectionSettings
from .progress import CollectionProgress

BATCH = 2000
T = TypeVar("T")


class DatasetSkipped(Exception):
    """The dataset cannot be collected now because another one it needs is missing."""


@dataclass
class Reader:
    """A collector's inputs: the client, the run it belongs to, its progress and settings;
    `notes` are what the dataset's result in the run should say besides its count."""

    client: OktaClient
    run_id: int
    progress: CollectionProgress
    settings: CollectionSettings
    notes: list[str] = field(default_factory=list)


def okta_time(value: object) -> datetime | None:
    """Okta's ISO timestamps ("2026-11-30T02:15:39.106Z"); anything else is None."""
    return parse_datetime(value) if isinstance(value, str) and value else None


def batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert(model: type[models.Model], rows: list, unique: list[str], fields: list[str]) -> None:
    """Insert new rows and overwrite the given fields of existing ones, in one statement."""
    if rows:
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=unique, update_fields=fields
        )


def sweep(queryset: models.QuerySet, run_id: int) -> int:
    """Remove what this complete collection did not see: gone from Okta."""
    return queryset.exclude(collected_in=run_id).delete()[0]


def text(value: object, length: int) -> str:
    return str(value)[:length] if value not in (None, "") else ""
